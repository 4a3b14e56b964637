# SPDX-License-Identifier: GPL-2.0-or-later
"""Composite scores, count-value step tables, grades and the evaluation_weights override."""

import json

import pytest

from citygrid.loop import scoring
from citygrid.problems import Problem
from citygrid.store import db

DEFAULT = scoring.default()


@pytest.mark.parametrize("count, value", [
    (0, 0), (100, 0), (101, 40), (300, 40), (301, 60), (500, 60), (501, 75), (1200, 75), (1201, 90),
    (2000, 90), (2001, 100), (50_000, 100)])
def test_received_and_dispatched_counts_earn_the_published_values(count, value):
    assert scoring.count_value(DEFAULT.count_steps["activity"], count) == value


@pytest.mark.parametrize("count, value", [
    (0, 100), (50, 100), (51, 90), (100, 90), (101, 75), (200, 75), (201, 60), (500, 60), (501, 40),
    (1000, 40), (1001, 0)])
def test_fewer_registered_cases_earn_a_unit_more(count, value):
    assert scoring.count_value(DEFAULT.count_steps["registered"], count) == value


@pytest.mark.parametrize("score, grade, colour", [
    (100, "A", "green"), (90, "A", "green"), (89.99, "B", "blue"), (75, "B", "blue"), (74.99, "C", "yellow"),
    (60, "C", "yellow"), (59.99, "D", "red"), (40, "D", "red"), (39.99, "E", "black"), (0, "E", "black")])
def test_grade_boundaries_belong_to_the_higher_grade(score, grade, colour):
    assert scoring.grade(score, DEFAULT.grades) == (grade, colour)


def test_no_score_has_no_grade():
    assert scoring.grade(None, DEFAULT.grades) == (None, None)


@pytest.mark.parametrize("kind, counts, rates, score", [
    ("collector", {}, {"valid_report_rate": 0.9, "missed_report_rate": 0.1, "on_time_verify_rate": 0.8,
                       "on_time_check_rate": 1.0}, 90.0),  # 40·90 + 20·90 + 20·80 + 20·100
    ("operator", {"received": 1500}, {"on_time_verify_dispatch_rate": 0.5,
                                      "on_time_check_dispatch_rate": 1.0}, 77.5),  # 25·90 + 40·50 + 35·100
    ("leader", {}, {"on_time_register_rate": 1.0, "accurate_register_rate": 0.5,
                    "on_time_close_rate": 0.0}, 45.0),  # 25·100 + 40·50 + 35·0
    ("dispatcher", {"dispatched": 400}, {"on_time_dispatch_rate": 0.75, "accurate_dispatch_rate": 1.0},
     82.0),  # 20·60 + 40·75 + 40·100
    ("unit", {"registered": 120}, {"closure_rate": 0.9, "on_time_disposal_rate": 0.8, "rework_rate": 0.1},
     85.5),  # 10·75 + 30·90 + 30·80 + 30·90
    ("street", {}, {"closure_rate": 1.0, "on_time_closure_rate": 0.5, "disposal_rate": 1.0,
                    "on_time_disposal_rate": 0.5, "rework_rate": 0.0, "public_report_rate": 0.3},
     70.0),  # 30·100 + 40·50 + 20·50 + 10·100
])
def test_composites_use_the_published_weights(kind, counts, rates, score):
    assert scoring.composite(kind, counts, rates, DEFAULT) == score


def test_a_component_with_nothing_due_is_left_out_and_the_rest_rescaled():
    rates = {"valid_report_rate": 0.9, "missed_report_rate": 0.1, "on_time_verify_rate": None,
             "on_time_check_rate": 1.0}
    assert scoring.composite("collector", {}, rates, DEFAULT) == 92.5  # (36 + 18 + 20) / 0.8


def test_counts_alone_give_no_score():
    rates = {"closure_rate": None, "on_time_disposal_rate": None, "rework_rate": None}
    assert scoring.composite("unit", {"registered": 0}, rates, DEFAULT) is None


def test_override_replaces_weights_tables_grades_and_public_sources():
    cfg = scoring.parse(json.dumps({
        "weights": {"region": {"closure": 0.5, "public_report": 0.5}},
        "count_steps": {"activity": [[0, 10], [10, 50]]},
        "grades": [[80, "优", "green"], [0, "差", "red"]],
        "public_sources": ["hotline"]}))
    assert dict(cfg.weights["region"]) == {"closure": 0.5, "public_report": 0.5}
    assert dict(cfg.weights["unit"]) == scoring.DEFAULT_WEIGHTS["unit"]
    assert scoring.count_value(cfg.count_steps["activity"], 12) == 50
    assert scoring.grade(80, cfg.grades) == ("优", "green") and cfg.public_sources == ("hotline",)
    rates = {"closure_rate": 1.0, "public_report_rate": 0.4}
    assert scoring.composite("grid", {}, rates, cfg) == 80.0  # 50·100 + 50·(1 − 0.4)·100


def test_weights_within_rounding_of_one_are_accepted():
    cfg = scoring.parse(json.dumps({"weights": {"leader": {"on_time_register": 0.1, "accurate_register": 0.2,
                                                           "on_time_close": 0.7}}}))
    assert cfg.weights["leader"]["on_time_close"] == 0.7


@pytest.mark.parametrize("override, code", [
    ("{not json", "evaluation.config_malformed"),
    ("[1, 2]", "evaluation.config_malformed"),
    ('{"weights": []}', "evaluation.config_malformed"),
    ('{"weights": {"unit": 1}}', "evaluation.config_malformed"),
    ('{"colours": {}}', "evaluation.config_unknown_key"),
    ('{"weights": {"mayor": {"x": 1}}}', "evaluation.config_unknown_key"),
    ('{"weights": {"unit": {"speed": 1}}}', "evaluation.config_unknown_key"),
    ('{"count_steps": {"complaints": [[0, 1]]}}', "evaluation.config_unknown_key"),
    ('{"weights": {"unit": {"closure": 0.5, "rework": 0.4}}}', "evaluation.config_bad_weights"),
    ('{"weights": {"unit": {"closure": 1.5, "rework": -0.5}}}', "evaluation.config_bad_weights"),
    ('{"weights": {"unit": {"closure": "1"}}}', "evaluation.config_bad_weights"),
    ('{"weights": {"unit": {"closure": true}}}', "evaluation.config_bad_weights"),
    ('{"count_steps": {"activity": [[10, 50]]}}', "evaluation.config_bad_table"),
    ('{"count_steps": {"activity": [[0, 50], [0, 60]]}}', "evaluation.config_bad_table"),
    ('{"count_steps": {"activity": [[0, 150]]}}', "evaluation.config_bad_table"),
    ('{"count_steps": {"registered": []}}', "evaluation.config_bad_table"),
    ('{"grades": [[50, "A", "green"]]}', "evaluation.config_bad_table"),
    ('{"grades": [[0, "A"]]}', "evaluation.config_bad_table"),
    ('{"public_sources": "hotline"}', "evaluation.config_bad_table"),
])
def test_bad_overrides_are_coded_problems(override, code):
    with pytest.raises(Problem) as exc:
        scoring.parse(override)
    assert exc.value.code == code


def test_centre_without_an_override_uses_the_defaults(conn):
    assert scoring.load(conn) == DEFAULT
    db.set_meta(conn, "evaluation_weights", "")
    assert scoring.load(conn) == DEFAULT
