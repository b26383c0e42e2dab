import json

import pytest

from mp15_grievance.tools.geo import (
    BoundaryError,
    distance_m,
    locate,
    map_url,
    parse_boundary,
    parse_coordinate,
    valid_coordinates,
)

# A square around Sagar's Teen Batti (23.8388 N, 78.7378 E) with a hole in the middle.
SQUARE_WITH_HOLE = {
    "type": "Polygon",
    "coordinates": [
        [[78.73, 23.83], [78.75, 23.83], [78.75, 23.85], [78.73, 23.85], [78.73, 23.83]],
        [[78.739, 23.839], [78.741, 23.839], [78.741, 23.841], [78.739, 23.841], [78.739, 23.839]],
    ],
}
TWO_ISLANDS = {
    "type": "MultiPolygon",
    "coordinates": [
        [[[78.70, 23.80], [78.71, 23.80], [78.71, 23.81], [78.70, 23.81], [78.70, 23.80]]],
        [[[78.76, 23.86], [78.77, 23.86], [78.77, 23.87], [78.76, 23.87], [78.76, 23.86]]],
    ],
}


def test_polygon_contains_point_inside_and_not_in_hole_or_outside():
    boundary = parse_boundary(SQUARE_WITH_HOLE)
    assert boundary.contains(23.8388, 78.7378)
    assert not boundary.contains(23.840, 78.740)  # in the hole
    assert not boundary.contains(23.90, 78.7378)


def test_multipolygon_contains_both_islands_but_not_the_sea_between():
    boundary = parse_boundary(json.dumps(TWO_ISLANDS))
    assert boundary.contains(23.805, 78.705)
    assert boundary.contains(23.865, 78.765)
    assert not boundary.contains(23.835, 78.735)


def test_feature_wrapper_is_accepted():
    boundary = parse_boundary({"type": "Feature", "properties": {}, "geometry": SQUARE_WITH_HOLE})
    assert boundary.contains(23.8388, 78.7378)


def test_locate_returns_the_ward_key_or_none_off_every_ward():
    wards = [(7, parse_boundary(TWO_ISLANDS)), (12, parse_boundary(SQUARE_WITH_HOLE))]
    assert locate(23.8388, 78.7378, wards) == 12
    assert locate(23.865, 78.765, wards) == 7
    assert locate(23.5, 78.0, wards) is None
    assert locate(None, 78.7, wards) is None
    assert locate(123.0, 78.7, wards) is None


@pytest.mark.parametrize(
    "bad, message",
    [
        ("not json", "not valid JSON"),
        ("[]", "GeoJSON object"),
        ({"type": "Point", "coordinates": [78.7, 23.8]}, "Polygon or MultiPolygon"),
        ({"type": "Polygon", "coordinates": []}, "outer ring"),
        ({"type": "Polygon", "coordinates": [[[78.7, 23.8], [78.8, 23.8], [78.8, 23.9]]]}, "at least 4"),
        ({"type": "Polygon", "coordinates": [[[78.7, 23.8], [78.8, 23.8], [78.8, 23.9], [78.7, 23.9]]]}, "closed"),
        ({"type": "Polygon", "coordinates": [[[278.7, 23.8], [78.8, 23.8], [78.8, 23.9], [278.7, 23.8]]]}, "valid"),
        ({"type": "Polygon", "coordinates": [[["a", "b"], [1, 2], [3, 4], ["a", "b"]]]}, "valid"),
    ],
)
def test_bad_boundaries_raise_an_actionable_error(bad, message):
    with pytest.raises(BoundaryError, match=message):
        parse_boundary(bad)


def test_coordinate_validation():
    assert valid_coordinates(23.8388, 78.7378)
    assert valid_coordinates("23.8388", "78.7378")
    assert not valid_coordinates(0, 0)
    assert not valid_coordinates(91, 0.5)
    assert not valid_coordinates(float("nan"), 78.7)
    assert not valid_coordinates("north", 78.7)


def test_distance_between_teen_batti_and_katra_is_about_a_kilometre():
    assert 900 < distance_m(23.8388, 78.7378, 23.8300, 78.7420) < 1200


def test_map_url_points_at_the_coordinates():
    assert "mlat=23.838800&mlon=78.737800" in map_url(23.8388, 78.7378)


def test_parse_coordinate_takes_json_numbers_and_typed_text():
    assert parse_coordinate(23.8388, 90) == 23.8388
    assert parse_coordinate("23.8388", 90) == 23.8388
    assert parse_coordinate(" 78,7378 ", 180) == 78.7378  # a decimal comma, as typed on Indian phones
    for wrong in (True, None, "abc", "91", float("nan"), "1" * 41, [23.8]):
        assert parse_coordinate(wrong, 90) is None, wrong
