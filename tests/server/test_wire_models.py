# SPDX-License-Identifier: GPL-2.0-or-later
"""The pydantic models of the sync routes (there for the OpenAPI document) cannot drift from the
protocol's dataclasses: same fields, the same ones required, the same ones nullable, the same enums."""

import dataclasses
import enum
import types
import typing

import pytest
from pydantic import BaseModel

from citygrid.sync import protocol as p
from citygrid_server import routes_sync as rs

# (pydantic model, dataclass, the payload of an item model)
PAIRS = [(rs.Location, p.Location, None), (rs.CheckPayload, p.CheckResult, None),
         (rs.VerifyPayload, p.VerifyResult, None), (rs.ReportPayload, p.Report, None),
         (rs.CheckItem, p.PushItem, p.CheckResult), (rs.VerifyItem, p.PushItem, p.VerifyResult),
         (rs.ReportItem, p.PushItem, p.Report), (rs.PushIn, p.PushBatch, None), (rs.Receipt, p.Receipt, None),
         (rs.PushOut, p.PushReply, None), (rs.PullItem, p.PullItem, None), (rs.PullOut, p.PullPage, None)]
DATACLASS_OF = {model: dc for model, dc, _ in PAIRS}


def _parts(annotation):
    """Every type named inside an annotation (unions, containers, Annotated and Literal unwrapped)."""
    yield annotation
    if typing.get_origin(annotation) is typing.Literal:
        return
    for arg in typing.get_args(annotation):
        if isinstance(arg, type) or typing.get_args(arg):
            yield from _parts(arg)


def _shape(annotation, required: bool, outcomes=None) -> dict:
    parts = list(_parts(annotation))
    literals = {v for t in parts if typing.get_origin(t) is typing.Literal for v in typing.get_args(t)}
    enums = {m.value for t in parts if isinstance(t, type) and issubclass(t, enum.Enum) for m in t}
    nested = {t for t in parts
              if isinstance(t, type) and (dataclasses.is_dataclass(t) or issubclass(t, BaseModel))}
    return {"required": required, "nullable": types.NoneType in parts,
            "values": outcomes or literals or enums or None,
            "nested": {DATACLASS_OF.get(t, t) for t in nested}}


def _dataclass_fields(dc, payload) -> dict:
    hints = typing.get_type_hints(dc)
    out = {}
    for f in dataclasses.fields(dc):
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        # a result's outcomes are those of its type (one Outcome enum serves check and verify)
        outcomes = {o.value for o in p.OUTCOMES[dc.TYPE]} if f.name == "outcome" else None
        out[f.name] = _shape(hints[f.name], required, outcomes)
    if payload is not None:  # an item's type is its payload's, and its payload one of the three
        out["type"] = {"required": True, "nullable": False, "values": {payload.TYPE.value}, "nested": set()}
        out["payload"]["nested"] = {payload}
    return out


def _model_fields(model) -> dict:
    return {name: _shape(f.annotation, f.is_required()) for name, f in model.model_fields.items()}


@pytest.mark.parametrize("model,dc,payload", PAIRS, ids=[m.__name__ for m, _, _ in PAIRS])
def test_the_openapi_model_has_the_protocols_fields_required_nullable_and_enums(model, dc, payload):
    assert _model_fields(model) == _dataclass_fields(dc, payload)


def test_every_wire_type_of_the_protocol_is_documented():
    assert {dc for _m, dc, _p in PAIRS} == {p.Location, p.CheckResult, p.VerifyResult, p.Report, p.PushItem,
                                            p.PushBatch, p.Receipt, p.PushReply, p.PullItem, p.PullPage}


def test_the_comparison_sees_a_field_the_model_lacks():
    class Thin(BaseModel):
        lon: float
        lat: float

    assert _model_fields(Thin) != _dataclass_fields(p.Location, None)


def test_the_documented_limits_are_the_protocols():
    assert rs.PushIn.model_fields["items"].metadata[0].max_length == p.MAX_ITEMS
    assert rs.CheckItem.model_fields["photos"].metadata[0].max_length == p.MAX_PHOTOS
