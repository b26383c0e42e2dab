"""Send-payload builders: Meta's limits are enforced, Devanagari is never cut inside a grapheme."""

import pytest

from mp15_grievance.tools.messages import (
    Row,
    buttons_message,
    clip,
    image_message,
    is_grapheme_boundary,
    list_message,
    location_request_message,
    normalize_recipient,
    read_receipt,
    template_message,
    text_message,
)

TO = "919876543210"
HINDI = "मेरे वार्ड में तीन दिन से पानी नहीं आ रहा है, कृपया शीघ्र कार्रवाई करें। क्षेत्र: श्रीनगर"
DEVANAGARI_MARKS = {chr(c) for c in [*range(0x0900, 0x0904), *range(0x093A, 0x093D), *range(0x093E, 0x0950)]}
DEVANAGARI_MARKS |= {chr(c) for c in [*range(0x0951, 0x0958), 0x0962, 0x0963]}
JOINERS = {"\u200c", "\u200d"}
VIRAMA = "\u094d"


def cut_is_clean(text: str, index: int) -> bool:
    """An oracle written apart from the code: cutting ``text`` at ``index`` orphans no mark."""
    if index <= 0 or index >= len(text):
        return True
    previous, following = text[index - 1], text[index]
    if following in DEVANAGARI_MARKS or following in JOINERS or previous in JOINERS:
        return False
    return not (previous == VIRAMA and "\u0915" <= following <= "\u0939")


def clean_clip(text: str, clipped: str) -> bool:
    head = clipped.removesuffix("…")
    return text.startswith(head) and cut_is_clean(text, len(head))


# --------------------------------------------------------------------------- recipients


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("919876543210", "+919876543210"),
        ("+919876543210", "+919876543210"),
        (" 919876543210\n", "+919876543210"),
        ("14155550123", "+14155550123"),
        ("IN.13491208655302741918", "IN.13491208655302741918"),  # business-scoped user id (2026)
    ],
)
def test_recipient_is_normalised_to_e164_with_plus(given, expected):
    assert normalize_recipient(given) == expected
    assert text_message(given, "hi")["to"] == expected


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "   ",
        "abc",
        "+91 98765 43210",
        "+91-9876543210",
        "09876543210",
        "+0919876543210",
        "12345",
        "1234567890123456",
        "९१९८७६५४३२१०",  # Devanagari digits: format them with the phone tools first
        "919876543210; DROP TABLE",
        "++919876543210",
        "user.",
        None,
        919876543210,
    ],
)
def test_garbage_recipients_raise(garbage):
    with pytest.raises(ValueError, match="recipient"):
        normalize_recipient(garbage)


# --------------------------------------------------------------------------- clipping


def test_clip_keeps_short_text_and_cuts_long_text_with_an_ellipsis():
    assert clip("short", 20) == "short"
    assert clip("a" * 30, 20) == "a" * 19 + "…"
    assert clip("word and more words", 10) == "word and…"  # trailing space dropped before …


def test_clip_never_separates_a_conjunct_or_matra():
    # न म स ् त े: cutting at 4 would leave "नमस्" with a dangling virama.
    assert clip("नमस्ते दुनिया", 5) == "नम…"
    assert clip("क्षेत्र", 4) == "…"  # क्षे is one grapheme: nothing fits before the ellipsis
    assert clip("पानी की आपूर्ति", 6) == "पानी…"


@pytest.mark.parametrize(
    "text",
    [
        HINDI,
        "ड़ढ़ज़फ़ क़ख़ग़",  # nukta forms, decomposed
        "क्\u200dष क्\u200cष",  # explicit half forms with ZWJ / ZWNJ
        "हिन्दी में शिकायत दर्ज करें",
        "श्रीमान् ज्ञान स्त्री",
        "👨\u200d👩\u200d👧 परिवार 👍🏽",
        "काँ कं कः ॐ कॢ",  # candrabindu, anusvara, visarga, vocalic l
    ],
)
def test_clip_at_every_limit_gives_a_clean_prefix(text):
    for limit in range(2, len(text) + 2):
        clipped = clip(text, limit)
        assert len(clipped) <= limit
        if clipped == text:
            continue
        assert clean_clip(text, clipped), (limit, clipped)
        assert len(clipped) >= limit - 8  # gives back at most one grapheme and a space


def test_grapheme_boundary_rules():
    assert not is_grapheme_boundary("की", 1)  # before a matra
    assert not is_grapheme_boundary("क्ष", 2)  # after a virama that joins a consonant
    assert not is_grapheme_boundary("क्ष", 1)  # before the virama
    assert not is_grapheme_boundary("ड़", 1)  # before a nukta
    assert is_grapheme_boundary("जगत् है", 4)  # word-final virama before a space is complete
    assert is_grapheme_boundary("ऽक", 1)  # avagraha is a letter, not a mark
    assert is_grapheme_boundary("abc", 0) and is_grapheme_boundary("abc", 3)


# --------------------------------------------------------------------------- text


def test_text_message_payload_shape():
    assert text_message(TO, "नमस्ते", reply_to="wamid.ABC") == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "+919876543210",
        "type": "text",
        "text": {"preview_url": False, "body": "नमस्ते"},
        "context": {"message_id": "wamid.ABC"},
    }
    assert text_message(TO, "see https://x", preview_url=True)["text"]["preview_url"] is True


def test_text_over_4096_is_clipped_to_4096_with_ellipsis():
    body = "पानी नहीं आ रहा है। " * 400  # 8000 characters
    sent = text_message(TO, body)["text"]["body"]
    assert len(sent) <= 4096 and sent.endswith("…")
    assert clean_clip(body, sent)


@pytest.mark.parametrize("body", ["", "   \n", None, 42])
def test_text_needs_a_body(body):
    with pytest.raises(ValueError, match="body"):
        text_message(TO, body)


def test_empty_reply_to_is_refused():
    with pytest.raises(ValueError, match="reply_to"):
        text_message(TO, "x", reply_to="")


# --------------------------------------------------------------------------- buttons


def test_buttons_message_payload_shape():
    payload = buttons_message(
        TO,
        "क्या शिकायत दर्ज करें?",
        [("confirm_submit", "हाँ, दर्ज करें"), ("cancel", "नहीं")],
        header="पुष्टि करें",
        footer="नगर निगम सागर",
        reply_to="wamid.X",
    )
    assert payload["type"] == "interactive"
    assert payload["context"] == {"message_id": "wamid.X"}
    assert payload["interactive"] == {
        "type": "button",
        "header": {"type": "text", "text": "पुष्टि करें"},
        "body": {"text": "क्या शिकायत दर्ज करें?"},
        "footer": {"text": "नगर निगम सागर"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "confirm_submit", "title": "हाँ, दर्ज करें"}},
                {"type": "reply", "reply": {"id": "cancel", "title": "नहीं"}},
            ]
        },
    }


def test_button_texts_over_the_limits_are_clipped():
    payload = buttons_message(TO, "ब" * 2000, [("a", "शिकायत की स्थिति देखें अभी")], header="h" * 100, footer="f\nf" * 50)
    interactive = payload["interactive"]
    title = interactive["action"]["buttons"][0]["reply"]["title"]
    assert len(title) <= 20 and title.endswith("…") and clean_clip("शिकायत की स्थिति देखें अभी", title)
    assert len(interactive["body"]["text"]) == 1024
    assert len(interactive["header"]["text"]) == 60
    assert len(interactive["footer"]["text"]) <= 60 and "\n" not in interactive["footer"]["text"]


@pytest.mark.parametrize(
    ("buttons", "message"),
    [
        ([], "at least one button"),
        ([("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")], "at most 3"),
        ([("same", "A"), ("same", "B")], "duplicate button id"),
        ([("a", "Track my complaint now"), ("b", "Track my complaint today")], "duplicate button title"),
        ([("a", "Yes"), ("b", " Yes ")], "duplicate button title"),
        ([("", "A")], "button id"),
        (["  ", "A"], "button id"),
        ([(None, "A")], "button id"),
        ([("a", "")], "button title"),
        ([("x" * 257, "A")], "limit is 256"),
    ],
)
def test_button_structure_violations_raise(buttons, message):
    with pytest.raises(ValueError, match=message):
        buttons_message(TO, "body", buttons)


def test_button_id_of_exactly_256_characters_is_fine():
    assert buttons_message(TO, "b", [("x" * 256, "A")])["interactive"]["action"]["buttons"][0]["reply"]["id"]


def test_empty_header_and_footer_mean_none():
    interactive = buttons_message(TO, "b", [("a", "A")], header="", footer=None)["interactive"]
    assert "header" not in interactive and "footer" not in interactive


# --------------------------------------------------------------------------- lists


CATEGORIES = [
    Row("cat_water_supply", "पानी की आपूर्ति", "नल में पानी न आना, लीकेज, गंदा पानी"),
    Row("cat_roads", "सड़क और गड्ढे"),
    ("cat_streetlight", "स्ट्रीट लाइट", "लाइट बंद या खराब"),
]


def test_list_message_payload_shape():
    payload = list_message(TO, "श्रेणी चुनें", "श्रेणियाँ", [("", CATEGORIES)], header="नई शिकायत")
    assert payload["interactive"] == {
        "type": "list",
        "header": {"type": "text", "text": "नई शिकायत"},
        "body": {"text": "श्रेणी चुनें"},
        "action": {
            "button": "श्रेणियाँ",
            "sections": [
                {
                    "rows": [
                        {
                            "id": "cat_water_supply",
                            "title": "पानी की आपूर्ति",
                            "description": "नल में पानी न आना, लीकेज, गंदा पानी",
                        },
                        {"id": "cat_roads", "title": "सड़क और गड्ढे"},
                        {"id": "cat_streetlight", "title": "स्ट्रीट लाइट", "description": "लाइट बंद या खराब"},
                    ]
                }
            ],
        },
    }


def test_list_texts_over_the_limits_are_clipped():
    long_title, long_description = "बहुत लंबा शीर्षक जो चौबीस अक्षरों से अधिक है", "वि" * 60
    rows = [Row("r1", long_title, long_description)]
    payload = list_message(TO, "b" * 5000, "सभी श्रेणियाँ देखें यहाँ", [("खंड " * 10, rows), ("B", [Row("r2", "x")])])
    action = payload["interactive"]["action"]
    row = action["sections"][0]["rows"][0]
    assert len(row["title"]) <= 24 and clean_clip(long_title, row["title"])
    assert len(row["description"]) <= 72 and clean_clip(long_description, row["description"])
    assert len(action["sections"][0]["title"]) <= 24
    assert len(action["button"]) <= 20
    assert len(payload["interactive"]["body"]["text"]) == 4096


def test_ten_rows_over_ten_sections_is_the_maximum():
    sections = [(f"S{index}", [Row(f"r{index}", f"Row {index}")]) for index in range(10)]
    assert len(list_message(TO, "b", "menu", sections)["interactive"]["action"]["sections"]) == 10


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ([], "at least one section"),
        ([("A", [])], "at least one row"),
        ([("A", [Row("r1", "x")]), ("B", [])], "has no rows"),
        ([("A", [Row(f"r{i}", "x") for i in range(11)])], "at most 10 in total"),
        (
            [("A", [Row(f"a{i}", "x") for i in range(6)]), ("B", [Row(f"b{i}", "x") for i in range(5)])],
            "at most 10",
        ),
        ([(f"S{i}", [Row(f"r{i}", "x")]) for i in range(11)], "11 sections given"),
        ([("A", [Row("dup", "x")]), ("B", [Row("dup", "y")])], "duplicate row id"),
        ([("A", [Row("", "x")])], "row id"),
        ([("A", [Row("x" * 201, "x")])], "limit is 200"),
        ([("A", [Row("r", "")])], "row title"),
        ([("", [Row("r1", "x")]), ("B", [Row("r2", "y")])], "section title"),
    ],
)
def test_list_structure_violations_raise(sections, message):
    with pytest.raises(ValueError, match=message):
        list_message(TO, "body", "menu", sections)


def test_list_needs_a_button_label():
    with pytest.raises(ValueError, match="list button"):
        list_message(TO, "body", "", [("", CATEGORIES)])


# --------------------------------------------------------------------------- other builders


def test_location_request_message_shape_and_body_limit():
    payload = location_request_message(TO, "कृपया स्थान भेजें")
    assert payload["interactive"] == {
        "type": "location_request_message",
        "body": {"text": "कृपया स्थान भेजें"},
        "action": {"name": "send_location"},
    }
    assert len(location_request_message(TO, "x" * 2000)["interactive"]["body"]["text"]) == 1024


def test_template_message_shape():
    payload = template_message(TO, "grievance_status_update", "hi", ["SNN-2025-004172", "समाधान\nहो गया"])
    assert payload["type"] == "template"
    assert payload["template"] == {
        "name": "grievance_status_update",
        "language": {"code": "hi"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "SNN-2025-004172"},
                    {"type": "text", "text": "समाधान हो गया"},  # Meta refuses new lines in parameters
                ],
            }
        ],
    }
    assert "components" not in template_message(TO, "feedback_request", "en_US")["template"]


@pytest.mark.parametrize(
    ("name", "language", "parameters", "message"),
    [
        ("Grievance Update", "hi", (), "template name"),
        ("", "hi", (), "template name"),
        ("ok", "hindi", (), "language"),
        ("ok", "", (), "language"),
        ("ok", "hi", ["   "], "template parameter"),
        ("ok", "hi", [None], "template parameter"),
    ],
)
def test_template_violations_raise(name, language, parameters, message):
    with pytest.raises(ValueError, match=message):
        template_message(TO, name, language, parameters)


def test_read_receipt_shape():
    assert read_receipt("wamid.IN1") == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.IN1",
    }
    with pytest.raises(ValueError):
        read_receipt("")


# --------------------------------------------------------------------------- splitting


def test_image_message_carries_the_link_and_a_clipped_caption():
    payload = image_message("919876543210", "https://example.org/fix.jpg", caption="ठीक हो गया " * 200)
    assert payload["to"] == "+919876543210"
    assert payload["image"]["link"] == "https://example.org/fix.jpg"
    assert len(payload["image"]["caption"]) <= 1024
    with pytest.raises(ValueError):
        image_message("919876543210", "javascript:alert(1)")
