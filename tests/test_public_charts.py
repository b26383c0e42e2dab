"""Geometry of the public performance page (tools/public_charts.py): bar heights and the SVG map."""

import json

from mp15_grievance.tools import public_charts


def square(lat, lon, half=0.005):
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half]]
    return json.dumps({"type": "Polygon", "coordinates": [[*ring, ring[0]]]})


def test_bar_heights_share_a_scale():
    assert public_charts.bar_heights([10, 5, 0, None]) == [100.0, 50.0, 0, 0]
    assert public_charts.bar_heights([50.0, None], top=100) == [50.0, 0]
    assert public_charts.bar_heights([]) == []


def test_map_places_points_inside_the_wards_box():
    svg = public_charts.svg_map([square(23.84, 78.74), "not json"], [(23.84, 78.74, 1, 4), (23.844, 78.744, 9, 1)])
    assert svg["width"] == public_charts.MAP_WIDTH
    assert len(svg["outlines"]) == 1 and svg["outlines"][0].startswith("M")
    (x1, y1, r1, colour1, count1), (x2, y2, r2, _colour2, _count2) = svg["dots"]
    assert 0 < x1 < svg["width"] and 0 < y1 < svg["height"]
    assert x2 > x1 and y2 < y1, "north-east is up and right"
    assert r1 > r2, "more grievances, bigger dot"
    assert (colour1, count1) == (1, 4)


def test_map_without_anything_to_place():
    assert public_charts.svg_map([], []) is None
    assert public_charts.svg_map([], [(23.84, 78.74, 0, 1)])["dots"]
