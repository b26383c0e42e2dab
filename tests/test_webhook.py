"""Webhook core: signatures, handshake, strict parsing and event extraction on the Meta fixtures."""

import copy
import hashlib
import hmac
import json
import time
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from mp15_grievance.tools import webhook
from mp15_grievance.tools.webhook import (
    STATUS_RANK,
    ApiError,
    PayloadError,
    extract_events,
    parse_body,
    status_moves_forward,
    verify_handshake,
    verify_signature,
)

ADDON = Path(__file__).resolve().parent.parent / "mp15_grievance"
FIXTURES = ADDON / "tests" / "fixtures" / "whatsapp"
SHARED_FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "whatsapp"
SECRET = "0f4e7c1d9b2a8e6f5c3d1b0a9e8f7c6d"

PHONE_NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"
CITIZEN_A = "919876543210"
CITIZEN_B = "919425012345"
CITIZEN_C = "917987123456"
ACK_WAMID = "wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgSOTNDNkU1MUY0NEVGMzA5NEE0AA=="


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def events_of(name: str) -> webhook.WebhookEvents:
    return extract_events(parse_body(fixture(name)))


def only_message(name: str) -> webhook.InboundMessage:
    events = events_of(name)
    assert events.statuses == [] and events.ignored == []
    (message,) = events.messages
    return message


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def envelope(messages=None, contacts=None, statuses=None) -> dict:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "918982600918", "phone_number_id": PHONE_NUMBER_ID},
    }
    if contacts is not None:
        value["contacts"] = contacts
    if messages is not None:
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"value": value, "field": "messages"}]}],
    }


def text_from_a(body, **extra) -> dict:
    message = {"from": CITIZEN_A, "id": "wamid.TEST1", "timestamp": "1764646964", "type": "text"}
    message["text"] = {"body": body}
    message.update(extra)
    return message


# --------------------------------------------------------------------------- fixture copies


def test_fixture_copy_is_complete_and_byte_identical_to_the_shared_fixtures():
    if not SHARED_FIXTURES.is_dir():
        pytest.skip("no ../shared checkout next to this clone")
    shared = sorted(path.name for path in SHARED_FIXTURES.iterdir())
    assert sorted(path.name for path in FIXTURES.iterdir()) == shared
    for name in shared:
        assert fixture(name) == (SHARED_FIXTURES / name).read_bytes(), name


# --------------------------------------------------------------------------- signatures


@pytest.mark.parametrize("name", ["inbound_text_hindi.json", "inbound_batch_multi.json", "status_read.json"])
def test_signature_over_the_raw_fixture_bytes_is_accepted(name):
    body = fixture(name)
    assert verify_signature(body, sign(body), SECRET)


def test_signature_rejects_other_secret_tampering_and_reserialisation():
    body = fixture("inbound_text_hindi.json")
    assert not verify_signature(body, sign(body, "another-secret"), SECRET)
    assert not verify_signature(body.replace(b"919876543210", b"919876543211"), sign(body), SECRET)
    # Meta signs the bytes it sent: a re-serialised body (here: compact, \u-escaped) differs.
    reserialised = json.dumps(json.loads(body)).encode()
    assert not verify_signature(reserialised, sign(body), SECRET)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        "sha256=nothex" + "0" * 57,
        "sha1=" + "0" * 40,
        "0" * 64,  # no prefix
        "sha256=" + "0" * 63,  # too short
        "sha256=" + "0" * 65,  # too long
        "SHA256=" + "0" * 64,
        "sha256=" + "é" * 64,
        b"sha256=" + b"0" * 64,  # bytes instead of str
        12345,
    ],
)
def test_signature_rejects_missing_and_malformed_headers_without_raising(header):
    assert verify_signature(b"{}", header, SECRET) is False


def test_signature_accepts_uppercase_hex_and_surrounding_spaces():
    body = fixture("inbound_image.json")
    digest = sign(body).removeprefix("sha256=")
    assert verify_signature(body, "sha256=" + digest.upper(), SECRET)
    assert verify_signature(body, f"  sha256={digest}\n", SECRET)


def test_signature_is_refused_when_no_secret_is_configured():
    body = b"{}"
    empty_key_signature = "sha256=" + hmac.new(b"", body, hashlib.sha256).hexdigest()
    assert not verify_signature(body, empty_key_signature, "")
    assert not verify_signature(body, empty_key_signature, None)


def test_signature_with_a_non_bytes_body_is_false():
    assert not verify_signature("{}", sign(b"{}"), SECRET)


# --------------------------------------------------------------------------- handshake


def handshake_params(**changes) -> dict:
    params = {key: values[0] for key, values in parse_qs(fixture("verification_request.txt").decode()).items()}
    params.update(changes)
    return {key: value for key, value in params.items() if value is not None}


def test_handshake_echoes_the_challenge_for_a_known_token():
    assert verify_handshake(handshake_params(), ["sagar-grievance-7fK2pQ9x"]) == "1904357226"
    assert verify_handshake(handshake_params(), ["other-account-token", "sagar-grievance-7fK2pQ9x"]) == "1904357226"


def test_handshake_accepts_multi_value_query_mappings():
    query = parse_qs(fixture("verification_request.txt").decode())  # values are lists
    assert verify_handshake(query, iter(["sagar-grievance-7fK2pQ9x"])) == "1904357226"
    query["hub.verify_token"] = ["sagar-grievance-7fK2pQ9x", "second"]
    assert verify_handshake(query, ["sagar-grievance-7fK2pQ9x"]) is None


@pytest.mark.parametrize(
    ("params", "tokens"),
    [
        (handshake_params(), ["sagar-grievance-7fK2pQ9y"]),
        (handshake_params(), []),
        (handshake_params(), ["", None]),
        (handshake_params(**{"hub.verify_token": ""}), [""]),
        (handshake_params(**{"hub.mode": "unsubscribe"}), ["sagar-grievance-7fK2pQ9x"]),
        (handshake_params(**{"hub.mode": None}), ["sagar-grievance-7fK2pQ9x"]),
        (handshake_params(**{"hub.challenge": None}), ["sagar-grievance-7fK2pQ9x"]),
        (handshake_params(**{"hub.challenge": "x" * 300}), ["sagar-grievance-7fK2pQ9x"]),
        (handshake_params(**{"hub.challenge": "<script>\n"}), ["sagar-grievance-7fK2pQ9x"]),
        (handshake_params(**{"hub.verify_token": "\ud800"}), ["sagar-grievance-7fK2pQ9x"]),
        ({}, ["sagar-grievance-7fK2pQ9x"]),
    ],
)
def test_handshake_refuses_anything_else(params, tokens):
    assert verify_handshake(params, tokens) is None


# --------------------------------------------------------------------------- fixtures -> events


INBOUND_EXPECTATIONS = {
    "inbound_text_hindi.json": {
        "wa_id": CITIZEN_A,
        "profile_name": "राजेश कुमार",
        "type": "text",
        "text": "मेरे वार्ड में तीन दिन से पानी नहीं आ रहा है",
        "timestamp": 1764646964,
    },
    "inbound_text_english.json": {
        "wa_id": CITIZEN_B,
        "profile_name": "Priya Sharma",
        "type": "text",
        "text": "There is a big pothole on the road near Teen Batti chowk. Two bikes have already "
        "slipped there. Please get it repaired.",
    },
    "inbound_text_hinglish.json": {
        "wa_id": CITIZEN_C,
        "profile_name": "Mohd Imran",
        "text": "gali me street light 1 hafte se band hai",
    },
    "inbound_interactive_list_reply.json": {
        "type": "interactive",
        "interactive_id": "cat_water_supply",
        "interactive_title": "पानी की आपूर्ति",
        "context_id": "wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgSRDY5RUZFRUI2RjZBODY5RTdCAA==",
        "text": None,
    },
    "inbound_interactive_button_reply.json": {
        "type": "interactive",
        "interactive_id": "confirm_submit",
        "interactive_title": "हाँ, दर्ज करें",
        "context_id": "wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgSNTZENzk0MTA1MDEwQjgwM0ZDAA==",
    },
    "inbound_location.json": {
        "type": "location",
        "latitude": 23.838817596436,
        "longitude": 78.73779296875,
        "location_name": "Katra Bazar",
        "location_address": "Katra Bazar, Sagar, Madhya Pradesh 470002",
        "errors": (),
    },
    "inbound_location_bare.json": {
        "wa_id": CITIZEN_C,
        "latitude": 23.841612815857,
        "longitude": 78.742248535156,
        "location_name": None,
        "location_address": None,
    },
    "inbound_image.json": {
        "type": "image",
        "media_id": "1078521379481984",
        "media_mime_type": "image/jpeg",
        "media_sha256": "/1boW3gg/WwQOLBzDFazEfJ/ex+Ki7+KA8MKFRVqJYo=",
        "caption": "Pothole near Teen Batti chowk, Sagar",
        "is_voice": False,
    },
    "inbound_audio_voice.json": {
        "type": "audio",
        "media_id": "1342631434975648",
        "media_mime_type": "audio/ogg; codecs=opus",
        "is_voice": True,
        "profile_name": "Sunita Patel",
    },
    "inbound_document.json": {
        "type": "document",
        "media_id": "1531918589848727",
        "media_filename": "shikayat_patra_ward_14.pdf",
        "media_mime_type": "application/pdf",
        "caption": "Ward 14 sewer line complaint letter",
    },
    "inbound_sticker.json": {
        "type": "sticker",
        "media_id": "1811068226344634",
        "media_mime_type": "image/webp",
    },
    "inbound_reaction.json": {
        "type": "reaction",
        "reaction_emoji": "🙏",
        "reaction_message_id": ACK_WAMID,
        "text": None,
    },
    "inbound_contacts.json": {"type": "contacts", "text": "Ramesh Yadav: +91 94251 87654"},
    "inbound_unsupported.json": {"type": "unsupported", "wa_id": "916260123456", "text": None},
    "inbound_reply_with_context.json": {
        "text": "शिकायत संख्या SNN-2025-004172 पर अभी तक कोई कार्रवाई नहीं हुई है",
        "context_id": "wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgSQ0E5RDFGOTIxQ0JCQTlGQ0FEAA==",
    },
}


@pytest.mark.parametrize("name", sorted(INBOUND_EXPECTATIONS))
def test_every_inbound_fixture_gives_one_message_with_its_values(name):
    message = only_message(name)
    raw = json.loads(fixture(name))["entry"][0]["changes"][0]["value"]["messages"][0]
    assert message.wa_message_id == raw["id"]
    assert message.phone_number_id == PHONE_NUMBER_ID
    assert message.display_phone_number == "918982600918"
    assert message.waba_id == WABA_ID
    assert message.timestamp == int(raw["timestamp"])
    assert message.raw == raw
    for field_name, expected in INBOUND_EXPECTATIONS[name].items():
        assert getattr(message, field_name) == expected, field_name


def test_unsupported_message_carries_meta_error_131051():
    (error,) = only_message("inbound_unsupported.json").errors
    assert error == ApiError(
        131051, "Message type unknown", "Message type unknown", "Message type is currently not supported."
    )
    assert error.summary() == "131051 Message type unknown: Message type is currently not supported."


def test_media_url_from_the_webhook_is_kept_and_matches_the_media_lookup():
    message = only_message("inbound_image.json")
    media = json.loads(fixture("media_url_response.json"))
    assert message.media_id == media["id"]
    assert message.media_url.startswith(
        "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1078521379481984"
    )


STATUS_EXPECTATIONS = {
    "status_sent.json": ("sent", ACK_WAMID, CITIZEN_A, 1764647104, ()),
    "status_delivered.json": ("delivered", ACK_WAMID, CITIZEN_A, 1764647105, ()),
    "status_read.json": ("read", ACK_WAMID, CITIZEN_A, 1764647398, ()),
    "status_played.json": (
        "played",
        "wamid.HBgMOTE4ODcxMjM0NTY3FQIAERgSRTE5RDY4ODNBMjMzMDNCQjI4AA==",
        "918871234567",
        1764653966,
        (),
    ),
    "status_failed_131047.json": (
        "failed",
        "wamid.HBgMOTE2MjYwMTIzNDU2FQIAERgSRTYzN0Y1NEEwOENGRDY4OTQ0AA==",
        "916260123456",
        1764840603,
        (131047,),
    ),
    "status_with_conversation_pricing.json": (
        "delivered",
        "wamid.HBgMOTE5NDI1MDEyMzQ1FQIAERgSNkFCNDAzNzc2QUEyOEMzOTBCAA==",
        CITIZEN_B,
        1750392750,
        (),
    ),
}


@pytest.mark.parametrize("name", sorted(STATUS_EXPECTATIONS))
def test_every_status_fixture_gives_one_status(name):
    events = events_of(name)
    assert events.messages == [] and events.ignored == []
    (status,) = events.statuses
    expected_status, wamid, recipient, timestamp, codes = STATUS_EXPECTATIONS[name]
    assert status.status == expected_status
    assert status.wa_message_id == wamid
    assert status.recipient_id == recipient
    assert status.timestamp == timestamp
    assert status.phone_number_id == PHONE_NUMBER_ID
    assert tuple(error.code for error in status.errors) == codes


def test_failed_status_explains_the_closed_window():
    (status,) = events_of("status_failed_131047.json").statuses
    (error,) = status.errors
    assert error.title == "Re-engagement message"
    assert "more than 24 hours" in error.details


def test_acknowledgement_ids_join_across_send_response_statuses_and_reaction():
    sent_id = json.loads(fixture("send_response_ok.json"))["messages"][0]["id"]
    status_ids = {events_of(name).statuses[0].wa_message_id for name in ("status_sent.json", "status_read.json")}
    assert status_ids == {sent_id}
    assert only_message("inbound_reaction.json").reaction_message_id == sent_id


def test_batch_gives_three_messages_and_one_status_with_profile_names_by_wa_id():
    events = events_of("inbound_batch_multi.json")
    assert events.ignored == []
    assert [(m.wa_id, m.profile_name, m.type) for m in events.messages] == [
        (CITIZEN_B, "Priya Sharma", "text"),
        (CITIZEN_C, "Mohd Imran", "text"),
        (CITIZEN_B, "Priya Sharma", "location"),
    ]
    assert events.messages[0].text == "Ward 7 mein kachra gaadi 4 din se nahi aayi"
    assert events.messages[1].text == "नाली चोक है, सड़क पर गंदा पानी बह रहा है"
    assert (events.messages[2].latitude, events.messages[2].longitude) == (23.835601806641, 78.751029968262)
    (status,) = events.statuses
    assert (status.status, status.recipient_id) == ("read", CITIZEN_A)
    assert status.wa_message_id == "wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgSMUE3MjU0QTQ3M0I4MjcyM0Q3AA=="


def test_graph_api_answers_are_not_webhooks():
    for name in ("send_response_ok.json", "media_url_response.json", "send_error_190_token.json"):
        events = events_of(name)
        assert events.messages == [] and events.statuses == []
        assert events.ignored == ["unknown object None"]


# --------------------------------------------------------------------------- hostile bodies


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"text": "\xe0\xa4"}', "not UTF-8"),  # a truncated Devanagari letter
        (b"", "not valid JSON"),
        (b"not json", "not valid JSON"),
        (b'{"a": 1', "not valid JSON"),
        (b'{"a": 1} trailing', "not valid JSON"),
        (b"\xef\xbb\xbf{}", "not valid JSON"),  # a BOM
        (b"[]", "must be an object, not list"),
        (b'[{"object": "whatsapp_business_account"}]', "must be an object, not list"),
        (b'"a string"', "must be an object, not str"),
        (b"42", "must be an object, not int"),
        (b"null", "must be an object, not NoneType"),
        (b'{"a": NaN}', "NaN"),
        (b'{"a": Infinity}', "Infinity"),
        (b'{"a": [-Infinity]}', "-Infinity"),
        (b'{"a": 1e400}', "out of range"),
        (b'{"a": "\\ud800"}', "lone surrogate"),
        (b'{"a": "x\\udfffy"}', "lone surrogate"),
        (b'{"\\ud83d": 1}', "lone surrogate"),  # in a key
        (b'{"a": ["ok", {"b": "\\ude4f\\ud83d"}]}', "lone surrogate"),  # reversed pair
        (b'{"a": "\\u0000"}', "NUL"),
        (b'{"a": ' + b"9" * 5000 + b"}", "not valid JSON"),  # Python refuses ints over 4300 digits
    ],
)
def test_unsafe_bodies_are_refused_with_a_payload_error(body, reason):
    with pytest.raises(PayloadError, match=reason):
        parse_body(body)


@pytest.mark.parametrize("opener, closer", [(b"[", b"]"), (b'{"a":', b"}")])
def test_100000_deep_nesting_is_refused_quickly_without_recursion(opener, closer):
    body = b'{"x":' + opener * 100_000 + b"1" + closer * 100_000 + b"}"
    started = time.perf_counter()
    with pytest.raises(PayloadError, match="nested deeper than 64"):
        parse_body(body)
    assert time.perf_counter() - started < 1.0


def test_nesting_limit_is_exactly_64_and_brackets_inside_strings_do_not_count():
    assert parse_body(b'{"a":' * 64 + b"1" + b"}" * 64)
    with pytest.raises(PayloadError):
        parse_body(b'{"a":' * 65 + b"1" + b"}" * 65)
    assert parse_body(b'{"a":' + b"[" * 63 + b"1" + b"]" * 63 + b"}")
    brackets = json.dumps({"text": "[[[{{{" * 1000 + '\\"[[[' + "]]]"}).encode()
    assert parse_body(brackets)["text"].startswith("[[[{{{")


def test_pathological_quotes_and_backslashes_are_scanned_in_linear_time():
    started = time.perf_counter()
    for body in (b'"\\' * 500_000 + b"[" * 70, b'["' + b'\\"' * 500_000 + b"[" * 70):
        with pytest.raises(PayloadError):
            parse_body(body)
    assert time.perf_counter() - started < 2.0


def test_valid_surrogate_pairs_duplicate_keys_and_escaped_devanagari_are_accepted():
    payload = parse_body(b'{"e": "\\ud83d\\ude4f", "k": 1, "k": 2, "t": "\\u092a\\u093e\\u0928\\u0940"}')
    assert payload == {"e": "🙏", "k": 2, "t": "पानी"}


def test_body_over_4_mib_is_refused_and_non_bytes_too():
    with pytest.raises(PayloadError, match="larger than"):
        parse_body(b'{"a": "' + b"x" * (4 * 1024 * 1024) + b'"}')
    with pytest.raises(PayloadError, match="bytes"):
        parse_body('{"a": 1}')


def test_meta_style_compact_escaped_body_parses_like_the_pretty_fixture():
    pretty = json.loads(fixture("inbound_text_hindi.json"))
    compact = json.dumps(pretty, separators=(",", ":")).encode()  # what Meta really sends
    assert extract_events(parse_body(compact)) == events_of("inbound_text_hindi.json")


# --------------------------------------------------------------------------- hostile shapes


def test_65_kb_text_is_truncated_to_4096_characters_and_flagged():
    body = "पानी नहीं आ रहा। " * 4000  # about 68,000 characters
    (message,) = extract_events(envelope([text_from_a(body)])).messages
    assert len(message.text) <= 4096
    assert body.startswith(message.text)
    assert message.text_truncated is True
    assert message.raw["text"]["body"] == body  # the original stays in raw
    (short,) = extract_events(envelope([text_from_a("ok")])).messages
    assert short.text_truncated is False


@pytest.mark.parametrize(
    "text",
    [
        "'; DROP TABLE mp15_grievance; --",
        "<script>alert('x')</script>",
        "{{ 7*7 }} ${7*7} %(name)s {0}",
        "../../etc/passwd\r\nSet-Cookie: a=b",
        '=HYPERLINK("http://evil")',
        "\u202eRTL override\u200b\ufeff",
    ],
)
def test_injection_strings_are_kept_verbatim_as_data(text):
    (message,) = extract_events(parse_body(json.dumps(envelope([text_from_a(text)])).encode())).messages
    assert message.text == text


@pytest.mark.parametrize(
    ("location", "latitude", "longitude"),
    [
        ({"latitude": 91, "longitude": 78.7}, None, None),
        ({"latitude": 23.8, "longitude": -180.5}, None, None),
        ({"latitude": "23.8", "longitude": "78.7"}, 23.8, 78.7),
        ({"latitude": "north", "longitude": 78.7}, None, None),
        ({"latitude": True, "longitude": 78.7}, None, None),
        ({"latitude": None, "longitude": None}, None, None),
        ({"latitude": [23.8], "longitude": {"x": 1}}, None, None),
        ({}, None, None),
        ({"latitude": -90, "longitude": 180}, -90.0, 180.0),
    ],
)
def test_location_coordinates_out_of_range_or_not_numeric_become_none_with_a_note(location, latitude, longitude):
    message = {"from": CITIZEN_A, "id": "wamid.LOC", "timestamp": "1764647051", "type": "location"}
    (parsed,) = extract_events(envelope([{**message, "location": location}])).messages
    assert (parsed.latitude, parsed.longitude) == (latitude, longitude)
    notes = [error for error in parsed.errors if error.title == "Invalid location"]
    assert len(notes) == (0 if latitude is not None else 1)


def test_unknown_future_type_keeps_the_type_and_nothing_else():
    message = {"from": CITIZEN_A, "id": "wamid.POLL", "timestamp": "1", "type": "poll", "poll": {"q": "?"}}
    (parsed,) = extract_events(envelope([message])).messages
    assert parsed.type == "poll"
    assert (parsed.text, parsed.interactive_id, parsed.media_id, parsed.latitude) == (None, None, None, None)
    assert parsed.raw["poll"] == {"q": "?"}


def test_template_quick_reply_button_gives_payload_and_text():
    message = {"from": CITIZEN_A, "id": "wamid.BTN", "timestamp": "1", "type": "button"}
    message["button"] = {"payload": "feedback_satisfied", "text": "संतुष्ट"}
    (parsed,) = extract_events(envelope([message])).messages
    assert (parsed.interactive_id, parsed.interactive_title) == ("feedback_satisfied", "संतुष्ट")


def test_removed_reaction_has_no_emoji():
    message = {"from": CITIZEN_A, "id": "wamid.R", "timestamp": "1", "type": "reaction"}
    message["reaction"] = {"message_id": ACK_WAMID}
    (parsed,) = extract_events(envelope([message])).messages
    assert (parsed.reaction_message_id, parsed.reaction_emoji) == (ACK_WAMID, None)


def test_sender_falls_back_to_the_contact_then_to_the_business_scoped_user_id():
    contact = {"profile": {"name": "राजेश कुमार"}, "wa_id": CITIZEN_A}
    without_from = {key: value for key, value in text_from_a("x").items() if key != "from"}
    (parsed,) = extract_events(envelope([without_from], contacts=[contact])).messages
    assert (parsed.wa_id, parsed.profile_name) == (CITIZEN_A, "राजेश कुमार")

    username_contact = {
        "profile": {"name": "Pablo M.", "username": "@pablo"},
        "wa_id": "",
        "user_id": "IN.1502576",
    }
    username_message = {**text_from_a("x"), "from": "", "from_user_id": "IN.1502576"}
    (parsed,) = extract_events(envelope([username_message], contacts=[username_contact])).messages
    assert (parsed.wa_id, parsed.user_id, parsed.profile_name) == ("IN.1502576", "IN.1502576", "Pablo M.")

    both_ids = {**text_from_a("x"), "from_user_id": "IN.1502576"}  # phone known, contact has only user_id
    (parsed,) = extract_events(envelope([both_ids], contacts=[username_contact])).messages
    assert (parsed.wa_id, parsed.user_id, parsed.profile_name) == (CITIZEN_A, "IN.1502576", "Pablo M.")

    only_contact_user_id = {key: value for key, value in text_from_a("x").items() if key != "from"}
    (parsed,) = extract_events(envelope([only_contact_user_id], contacts=[username_contact])).messages
    assert parsed.wa_id == "IN.1502576"


def test_plus_in_from_is_dropped_and_unmatched_contacts_give_no_profile_name():
    other = {"profile": {"name": "Somebody Else"}, "wa_id": CITIZEN_B}
    (parsed,) = extract_events(envelope([text_from_a("x", **{"from": "+" + CITIZEN_A})], contacts=[other])).messages
    assert (parsed.wa_id, parsed.profile_name) == (CITIZEN_A, None)


def test_timestamps_that_are_missing_or_not_numeric_become_none():
    values = [None, "", "soon", "-5", "1.5e9", True, [], "١٧٦٤٦٤٦٩٦٤", "9" * 40]
    messages = [text_from_a("x", id=f"wamid.T{index}", timestamp=value) for index, value in enumerate(values)]
    parsed = extract_events(envelope(messages)).messages
    assert [message.timestamp for message in parsed] == [None] * len(values)
    (numeric,) = extract_events(envelope([text_from_a("x", timestamp=1764646964)])).messages
    assert numeric.timestamp == 1764646964


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ([], "payload is a list"),
        ({}, "unknown object None"),
        ({"object": "page", "entry": []}, "unknown object 'page'"),
        ({"object": "whatsapp_business_account"}, "'entry' is not a list"),
        ({"object": "whatsapp_business_account", "entry": "x"}, "'entry' is not a list"),
        ({"object": "whatsapp_business_account", "entry": [5]}, "entry[0] is not an object"),
        ({"object": "whatsapp_business_account", "entry": [{"changes": {}}]}, "changes is not a list"),
        (
            {
                "object": "whatsapp_business_account",
                "entry": [{"changes": [{"field": "account_update", "value": {}}]}],
            },
            "field 'account_update' ignored",
        ),
        (
            {
                "object": "whatsapp_business_account",
                "entry": [{"changes": [{"field": "messages", "value": "x"}]}],
            },
            "value is not an object",
        ),
        (envelope(messages="not a list"), "value.messages is not a list"),
        (envelope(messages=[1, None]), "messages[0] is not an object"),
        (envelope(messages=[{"from": CITIZEN_A, "type": "text"}]), "message without an id"),
        (envelope(messages=[{"id": "wamid.X", "type": "text"}]), "has no sender"),
        (envelope(statuses=[{"id": "wamid.X"}]), "status without an id or a status"),
        (envelope(), "neither messages nor statuses"),
    ],
)
def test_wrong_shapes_are_reported_in_ignored_never_raised(payload, reason):
    events = extract_events(payload)
    assert events.messages == [] and events.statuses == []
    assert any(reason in note for note in events.ignored), events.ignored


def test_a_bad_item_does_not_lose_the_good_ones_in_the_same_batch():
    good = text_from_a("पानी नहीं आ रहा")
    events = extract_events(envelope(messages=[7, {"type": "text"}, good], statuses=["x"]))
    assert [message.text for message in events.messages] == ["पानी नहीं आ रहा"]
    assert len(events.ignored) == 3


def test_value_level_errors_are_reported():
    payload = envelope()
    payload["entry"][0]["changes"][0]["value"]["errors"] = [
        {"code": 131000, "title": "Something went wrong", "message": "x", "error_data": {"details": "later"}}
    ]
    events = extract_events(payload)
    assert [(error.code, error.details) for error in events.errors] == [(131000, "later")]


def test_status_keeps_unknown_values_lowercased_for_the_caller_to_judge():
    statuses = [{"id": "wamid.S", "status": "DELIVERED", "timestamp": "1", "recipient_id": CITIZEN_A}]
    statuses.append({"id": "wamid.S2", "status": "warning", "recipient_id": "", "recipient_user_id": "IN.77"})
    first, second = extract_events(envelope(statuses=statuses)).statuses
    assert first.status == "delivered"
    assert (second.status, second.recipient_id, second.recipient_user_id, second.timestamp) == (
        "warning",
        "IN.77",
        "IN.77",
        None,
    )


WRONG_VALUES = [None, "", "x", 0, -1, 1.5, True, [], {}, [None], {"a": None}, "\u202e"]


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


@pytest.mark.parametrize("name", sorted(path.name for path in FIXTURES.glob("*.json")))
def test_any_single_value_replaced_by_any_wrong_type_never_raises(name):
    original = json.loads(fixture(name))
    for path in list(_paths(original))[1:]:
        for wrong in WRONG_VALUES:
            payload = copy.deepcopy(original)
            parent = payload
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = wrong
            events = extract_events(payload)
            assert isinstance(events, webhook.WebhookEvents)
            for message in events.messages:
                assert message.wa_message_id and message.wa_id
                assert message.text is None or len(message.text) <= 4096


def test_extract_events_survives_a_deep_structure_built_in_python():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    events = extract_events({"object": deep})
    assert events.ignored == ["unknown object <list>"]
    payload = envelope(messages=[text_from_a("x", context=deep, errors=deep)])
    assert len(extract_events(payload).messages) == 1


# --------------------------------------------------------------------------- status order


@pytest.mark.parametrize(
    ("current", "new", "moves"),
    [
        (None, "sent", True),
        ("", "delivered", True),  # sent may be skipped
        ("queued", "read", True),
        ("sent", "delivered", True),
        ("sent", "read", True),
        ("delivered", "read", True),
        ("delivered", "played", True),
        ("read", "delivered", False),  # a late delivered never overwrites read
        ("read", "sent", False),
        ("delivered", "sent", False),
        ("read", "read", False),
        ("read", "played", False),  # played counts as read
        ("played", "read", False),
        (None, "failed", True),
        ("sent", "failed", True),
        ("delivered", "failed", False),  # it reached the phone
        ("read", "failed", False),
        ("failed", "sent", False),  # failed is terminal for a stale sent
        ("failed", "failed", False),
        ("failed", "delivered", True),  # delivered after all
        ("failed", "read", True),
        ("sent", "deleted", False),  # unknown statuses never move
        ("sent", "", False),
        ("SENT", "Delivered", True),
    ],
)
def test_status_moves_forward(current, new, moves):
    assert status_moves_forward(current, new) is moves


def test_status_rank_is_as_documented():
    assert STATUS_RANK == {"sent": 1, "delivered": 2, "read": 3, "played": 3}


@pytest.mark.parametrize(
    "module", sorted(str(path.relative_to(ADDON / "tools")) for path in (ADDON / "tools").rglob("*.py"))
)
def test_pure_core_modules_do_not_import_odoo(module):
    source = (ADDON / "tools" / module).read_text()
    assert "import odoo" not in source and "from odoo" not in source
