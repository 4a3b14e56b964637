# SPDX-License-Identifier: GPL-2.0-or-later
"""What a collector does offline in the tests: a check with a photo, a verify and a report."""

from datetime import UTC, datetime
from pathlib import Path

from citygrid.sync.protocol import CheckResult, Location, Outcome, Report, ReportKind, VerifyResult
from citygrid_field.outbox import Outbox
from citygrid_field.store import Store
from conftest import jpeg

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def where(store: Store, case_no: str) -> Location:
    case = store.record("case", case_no)
    return Location(case["lon"], case["lat"], 5.0)


def shift(store: Store, photos: Path, noise: bool = False) -> dict[str, str]:
    """Queue one check (pass, 2 photos), one verify (confirmed) and one report (1 photo) -> uuids by role."""
    box, tasks = Outbox(store), {t["kind"]: t for t in store.tasks()}
    photos.mkdir(parents=True, exist_ok=True)
    check, verify = tasks["check"], tasks["verify"]
    shots = [jpeg(photos / f"c{i}.jpg", i, (640, 480), noise) for i in range(2)]
    out = {"check": box.add(CheckResult(check["id"], Outcome.PASS, NOW, location=where(store, check["case_no"])),
                            shots, ),
           "verify": box.add(VerifyResult(verify["id"], Outcome.CONFIRMED, NOW,
                                          location=where(store, verify["case_no"])))}
    spot = where(store, check["case_no"])
    out["report"] = box.add(Report(ReportKind.EVENT, "0102", NOW, Location(spot.lon + 0.001, spot.lat, 4.0),
                                   "路边暴露垃圾（新发现）"), [jpeg(photos / "r.jpg", 7, (320, 240), noise)])
    return out
