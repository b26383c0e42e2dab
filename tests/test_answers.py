"""Choosing the bot answer for a question (tools/answers.py), with the shipped answers of mp15_bot_answer_data.xml."""

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from mp15_grievance.tools.answers import AnswerCandidate, answer_scores, match_answer
from mp15_grievance.tools.classifier import keyword_errors

ROOT = Path(__file__).resolve().parent.parent
ANSWERS_XML = ROOT / "mp15_grievance" / "data" / "mp15_bot_answer_data.xml"
MAX_BODY = 900


def shipped_answers():
    """{code: fields} of the shipped answers, in file order."""
    tree = ElementTree.parse(ANSWERS_XML)
    assert tree.getroot().get("noupdate") == "1"
    return {
        record.get("id").removeprefix("bot_answer_"): {
            field.get("name"): field.text or "" for field in record.iter("field")
        }
        for record in tree.iter("record")
        if record.get("model") == "mp15.bot.answer"
    }


@pytest.fixture(scope="module")
def shipped():
    answers = shipped_answers()
    candidates = tuple(AnswerCandidate(index, fields["keywords"]) for index, fields in enumerate(answers.values()))
    codes = dict(enumerate(answers))
    return candidates, codes


def test_shipped_answers_are_complete_and_short_enough_for_whatsapp():
    answers = shipped_answers()
    assert set(answers) >= {
        "property_tax",
        "water_connection",
        "sewer_connection",
        "water_timing",
        "ration_card",
        "birth_death_certificate",
        "trade_licence",
        "water_tanker",
    }
    for code, fields in answers.items():
        assert fields["name"].strip() and fields["sequence"].strip().isdigit(), code
        assert 0 < len(fields["body"]) <= MAX_BODY, code
        assert keyword_errors(fields["keywords"]) == [], code
    assert "https://enagarpalika.mp.gov.in" in answers["property_tax"]["body"]
    assert "https://rationmitra.nic.in" in answers["ration_card"]["body"]
    assert "https://crsorgi.gov.in" in answers["birth_death_certificate"]["body"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("property tax kitna baki hai?", "property_tax"),
        ("मेरा संपत्ति कर कितना बकाया है?", "property_tax"),
        ("ration card kab banega?", "ration_card"),
        ("सागर में कल पानी सप्लाई बंद रहेगी क्या?", "water_timing"),
        ("भैया पानी का नया कनेक्शन लेने के लिए क्या कागज लगते हैं?", "water_connection"),
        ("sewer ka naya connection kaise milega", "sewer_connection"),
        ("janm praman patra kaise banega", "birth_death_certificate"),
        ("dukan ka license kaise banwaye", "trade_licence"),
        ("nal kitne baje aata hai", "water_timing"),
        ("shaadi ke liye tanker kaise book kare", "water_tanker"),
        ("can I get a tanker for a wedding function?", "water_tanker"),
        ("शादी के लिए पानी का टैंकर कैसे बुक करें?", "water_tanker"),
        ("प्राइवेट टैंकर का किराया कितना है?", "water_tanker"),
    ],
)
def test_questions_get_their_answer(shipped, text, code):
    candidates, codes = shipped
    assert codes[match_answer(text, candidates)] == code


@pytest.mark.parametrize("text", ["nagar nigam office kitne baje khulta hai?", "hello", "", "kab?"])
def test_unknown_questions_get_no_answer(shipped, text):
    candidates, _codes = shipped
    assert match_answer(text, candidates) is None


@pytest.mark.parametrize("text", ["tanker kab aayega", "टैंकर कब आएगा?", "when will the water tanker come?"])
def test_a_tanker_awaited_is_no_booking_question(shipped, text):
    """Asking when the tanker comes is a water complaint, not a booking: no answer, so the engine files it."""
    candidates, codes = shipped
    assert codes.get(match_answer(text, candidates)) != "water_tanker"


def test_no_guess_between_two_equally_good_answers():
    candidates = (AnswerCandidate(1, "water connection"), AnswerCandidate(2, "sewer connection"))
    assert match_answer("water connection", candidates) == 1
    assert match_answer("water connection and sewer connection", candidates) is None
    assert answer_scores("water connection and sewer connection", candidates) == ((1, 2), (2, 2))


def test_keyword_syntax_and_spelling_folds():
    candidates = (
        AnswerCandidate(7, "!property tax, ?kitna"),
        AnswerCandidate(8, "naya/new nal/tap + connection"),
        AnswerCandidate(9, "?timing"),
    )
    assert match_answer("PROPERTY TAX!!", candidates) == 7
    assert match_answer("propperty taxx kitna", candidates) == 7  # doubled letters fold
    assert match_answer("connection chahiye naya nal ka", candidates) == 8
    assert match_answer("timing", candidates) is None  # a weak keyword alone is not enough
    assert match_answer("anything", ()) is None


def test_empty_or_missing_keywords_never_match():
    assert match_answer("tax", (AnswerCandidate(1, ""), AnswerCandidate(2, "# just a note"))) is None
