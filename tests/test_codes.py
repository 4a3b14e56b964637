# SPDX-License-Identifier: GPL-2.0-or-later
import pytest
from hypothesis import given
from hypothesis import strategies as st

from citygrid import codes
from citygrid.problems import Problem


def _problem(fn, *args):
    with pytest.raises(Problem) as exc:
        fn(*args)
    return exc.value


def test_default_scheme_is_the_deployed_16_digit_layout():
    s = codes.scheme()
    assert (s.name, s.class_digits, s.objid_digits, s.max_serial) == ("gb16", 4, 16, 999_999)


def test_gb17_scheme_has_a_three_digit_minor_class():
    s = codes.scheme("gb17")
    assert (s.major_digits, s.minor_digits, s.class_digits, s.objid_digits) == (2, 3, 5, 17)


def test_unknown_scheme_is_a_coded_problem_naming_the_known_ones():
    p = _problem(codes.scheme, "gb18")
    assert p.code == "code.unknown_scheme" and p.details["name"] == "gb18"
    assert "gb16" in p.details["known"] and "gb17" in p.details["known"]


def test_grid_code_splits_into_county_street_community_serial():
    g = codes.parse_grid_code("320508003012007")
    assert (g.county, g.street, g.community, g.serial, g.legacy) == ("320508", "003", "012", "007", False)
    assert g.street_code == "320508003"
    assert g.community_code == "320508003012"
    assert g.code == "320508003012007"


def test_legacy_14_digit_grid_code_is_accepted_and_normalised_to_15():
    g = codes.parse_grid_code("32050800301207")
    assert g.legacy and g.serial == "07" and g.community_code == "320508003012"
    assert codes.normalize_grid_code("32050800301207") == "320508003012007"
    assert codes.normalize_grid_code("320508003012007") == "320508003012007"


@pytest.mark.parametrize("value", ["", "3205080030120", "3205080030120071", "32050800301200x",
                                   "３２０５０８００３０１２００７", " 320508003012007", 320508003012007,
                                   None,
                                   "000000003012007", "990508003012007", "320000003012007"])
def test_malformed_grid_codes_are_refused_with_the_value(value):
    p = _problem(codes.parse_grid_code, value)
    assert p.code == "code.malformed_grid"
    assert p.details["value"] == str(value) and p.details["reason"]


def test_objid_parses_per_scheme():
    o = codes.parse_objid("3205080101000001")
    assert (o.county, o.major, o.minor, o.serial, o.class_code) == ("320508", "01", "01", "000001", "0101")
    o17 = codes.parse_objid("32050801017000001", "gb17")
    assert (o17.major, o17.minor, o17.class_code, o17.serial_number) == ("01", "017", "01017", 1)


@pytest.mark.parametrize("value,scheme,reason", [
    ("3205080101000001", "gb17", "expected 17 digits"),
    ("32050801017000001", "gb16", "expected 16 digits"),
    ("320508010100000a", "gb16", "expected 16 digits"),
    ("9905080101000001", "gb16", "county: unknown province prefix"),
    ("3205080001000001", "gb16", "class: major class 0"),
    ("3205080100000001", "gb16", "class: minor class 0"),
])
def test_malformed_objids_say_why(value, scheme, reason):
    p = _problem(codes.parse_objid, value, scheme)
    assert p.code == "code.malformed_objid"
    assert (p.details["value"], p.details["scheme"], p.details["reason"]) == (value, scheme, reason)


def test_format_objid_zero_pads_the_serial():
    assert codes.format_objid("320508", "0101", 1) == "3205080101000001"
    assert codes.format_objid("320508", "01017", 42, "gb17") == "32050801017000042"


@pytest.mark.parametrize("serial", [0, -1, 1_000_000, "1", 1.0, True])
def test_format_objid_refuses_a_serial_outside_the_scheme(serial):
    p = _problem(codes.format_objid, "320508", "0101", serial)
    assert p.code == "code.serial_out_of_range" and p.details["max"] == 999_999


def test_format_objid_refuses_a_class_of_the_other_scheme():
    p = _problem(codes.format_objid, "320508", "0101", 1, "gb17")
    assert p.code == "code.malformed_class" and p.details["scheme"] == "gb17"


@given(county=st.sampled_from(["110101", "320508", "420502", "441900"]),
       major=st.integers(1, 99), minor=st.integers(1, 999), serial=st.integers(1, 999_999))
def test_objid_format_and_parse_round_trip_in_gb17(county, major, minor, serial):
    class_code = f"{major:02d}{minor:03d}"
    objid = codes.format_objid(county, class_code, serial, "gb17")
    parsed = codes.parse_objid(objid, codes.scheme("gb17"))
    assert (parsed.county, parsed.class_code, parsed.serial_number, parsed.code) == (
        county, class_code, serial, objid)


@pytest.mark.parametrize("code,scheme", [("0101", "gb16"), ("0599", "gb16"), ("01017", "gb17")])
def test_valid_class_codes_pass_unchanged(code, scheme):
    assert codes.check_class_code(code, scheme) == code


def test_split_class_code_follows_the_scheme():
    assert codes.split_class_code("0101") == ("01", "01")
    assert codes.split_class_code("01017", "gb17") == ("01", "017")


@pytest.mark.parametrize("code,scheme", [("101", "gb16"), ("01010", "gb16"), ("0101", "gb17"),
                                         ("0001", "gb16"), ("0100", "gb16"), ("01a1", "gb16")])
def test_malformed_class_codes_are_refused(code, scheme):
    p = _problem(codes.check_class_code, code, scheme)
    assert p.code == "code.malformed_class" and p.details["value"] == code


@pytest.mark.parametrize("code", ["320508", "110101", "441900", "810001"])
def test_county_level_codes_pass(code):
    assert codes.check_county(code) == code


@pytest.mark.parametrize("code", ["32050", "3205081", "000000", "990101", "320000", "32o508"])
def test_malformed_county_codes_are_refused(code):
    p = _problem(codes.check_county, code)
    assert p.code == "code.malformed_county" and p.details["value"] == code
