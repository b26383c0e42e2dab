"""Open311 GeoReport v2 in tools/open311.py: formats, dates at +05:30, filters and filing input, both renderings."""

import json
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest

from mp15_grievance.tools import open311

NOW = datetime(2026, 12, 6, 4, 30)  # naive UTC, as Odoo stores


def test_split_format():
    assert open311.split_format("MP15-2026-000001.json") == ("MP15-2026-000001", "json")
    assert open311.split_format("WATER.XML") == ("WATER", "xml")
    assert open311.split_format("WATER.csv")[1] is None
    assert open311.split_format("WATER")[1] is None


def test_iso8601_is_sagar_time_with_offset():
    assert open311.iso8601(datetime(2026, 12, 5, 20, 0)) == "2026-12-06T01:30:00+05:30"
    assert open311.iso8601(None) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01T00:00:00+05:30", datetime(2026, 11, 30, 18, 30)),
        ("2026-12-01T00:00:00Z", datetime(2026, 12, 1, 0, 0)),
        ("2026-12-01T00:00:00", datetime(2026, 11, 30, 18, 30)),
        ("2026-12-01", datetime(2026, 11, 30, 18, 30)),
    ],
)
def test_parse_datetime(text, expected):
    assert open311.parse_datetime(text, "start_date") == expected


def test_parse_datetime_refuses_garbage():
    with pytest.raises(open311.Open311Error) as caught:
        open311.parse_datetime("yesterday", "start_date")
    assert caught.value.status == 400


def test_round_coordinate_to_100_m():
    assert open311.round_coordinate(23.8388123) == 23.839
    assert open311.round_coordinate(0.0) is None


def test_filters_default_to_the_last_90_days():
    filters = open311.request_filters({}, NOW)
    assert filters["end"] == NOW
    assert (filters["end"] - filters["start"]).days == 90


def test_filters_ids_win():
    assert open311.request_filters({"service_request_id": "A, B", "status": "nonsense"}, NOW) == {"ids": ["A", "B"]}


@pytest.mark.parametrize(
    "params",
    [
        {"status": "pending"},
        {"start_date": "2026-01-01", "end_date": "2026-12-01"},
        {"start_date": "2026-12-01", "end_date": "2026-11-01"},
        {"end_date": "not a date"},
    ],
)
def test_filters_refuse(params):
    with pytest.raises(open311.Open311Error) as caught:
        open311.request_filters(params, NOW)
    assert caught.value.status == 400


def test_filters_window_and_status():
    filters = open311.request_filters(
        {"start_date": "2026-11-01", "end_date": "2026-12-01", "status": "open,closed", "service_code": "WATER,ROAD"},
        NOW,
    )
    assert filters["service_codes"] == ["WATER", "ROAD"]
    assert filters["statuses"] == ["open", "closed"]
    assert filters["start"] == datetime(2026, 10, 31, 18, 30)


GOOD_POST = {"service_code": "WATER", "lat": "23.8388", "long": "78.7378", "description": "No water since Monday"}


def test_request_values_good():
    values = open311.request_values(GOOD_POST | {"media_url": "https://example.org/p.jpg", "phone": "9876543210"})
    assert values["lat"] == 23.8388 and values["long"] == 78.7378
    assert values["media_url"] == "https://example.org/p.jpg"
    assert values["phone"] == "9876543210"
    assert values["address_string"] is None


@pytest.mark.parametrize(
    "change",
    [
        {"service_code": ""},
        {"lat": "", "long": ""},
        {"lat": "abc"},
        {"lat": "123", "long": "78"},
        {"description": ""},
        {"description": "x" * 4001},
        {"media_url": "javascript:alert(1)"},
    ],
)
def test_request_values_refuse(change):
    with pytest.raises(open311.Open311Error) as caught:
        open311.request_values(GOOD_POST | change)
    assert caught.value.status == 400


def test_address_string_is_a_location():
    values = open311.request_values(GOOD_POST | {"lat": "", "long": "", "address_string": "Teen Batti"})
    assert values["address_string"] == "Teen Batti" and "lat" not in values


def test_render_requests_both_formats():
    item = {"service_request_id": "MP15-2026-000001", "status": "open", "lat": 23.839, "description": None}
    body, content_type = open311.render("requests", [item], "json")
    assert content_type.startswith("application/json")
    parsed = json.loads(body)
    assert list(parsed[0]) == list(open311.REQUEST_FIELDS)
    assert parsed[0]["service_request_id"] == "MP15-2026-000001"
    body, content_type = open311.render("requests", [item], "xml")
    assert content_type.startswith("text/xml")
    root = ET.fromstring(body)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert [child.tag for child in request] == list(open311.REQUEST_FIELDS)
    assert request.findtext("lat") == "23.839"


def test_render_errors_and_definition():
    body, _type = open311.render_error(403, "No key", "xml")
    root = ET.fromstring(body)
    assert root.tag == "errors" and root.find("error/code").text == "403"
    assert json.loads(open311.render_error(404, "No", "csv")[0]) == [{"code": 404, "description": "No"}]
    assert json.loads(open311.render_definition("WATER", "json")[0]) == {"service_code": "WATER", "attributes": []}
    root = ET.fromstring(open311.render_definition("WATER", "xml")[0])
    assert root.tag == "service_definition" and root.findtext("service_code") == "WATER"


@pytest.mark.parametrize(
    "params",
    [
        {"end_date": "0001-01-01"},
        {"start_date": "9999-12-31"},
        {"start_date": "0001-01-01", "end_date": "0001-01-01"},
        {"end_date": "0001-01-02"},
        {"start_date": "9999-12-31T23:59:59-12:00"},
    ],
)
def test_filters_refuse_dates_out_of_range(params):
    with pytest.raises(open311.Open311Error) as caught:
        open311.request_filters(params, NOW)
    assert caught.value.status == 400


@pytest.mark.parametrize(
    "change",
    [
        {"description": "Pipe\x01 broken"},
        {"description": "Pipe broken\x00"},
        {"address_string": "Teen\x1bBatti"},
        {"first_name": "Sunita\ufffe"},
    ],
)
def test_request_values_refuse_control_characters(change):
    with pytest.raises(open311.Open311Error) as caught:
        open311.request_values(GOOD_POST | change)
    assert caught.value.status == 400


def test_request_values_keep_tabs_newlines_and_hindi():
    values = open311.request_values(GOOD_POST | {"description": "पानी नहीं आ रहा\n\tsince Monday 🚰"})
    assert values["description"] == "पानी नहीं आ रहा\n\tsince Monday 🚰"


def test_xml_drops_characters_it_cannot_carry():
    item = {"service_request_id": "MP15-2026-000001", "description": "Pipe\x01 broken\x0b near\x1f school\n"}
    body, _type = open311.render("requests", [item], "xml")
    root = ET.fromstring(body)
    assert root.findtext("request/description") == "Pipe broken near school\n"
    assert json.loads(open311.render("requests", [item], "json")[0])[0]["description"] == item["description"]
