"""The WhatsApp dialogue engine (``tools/dialogue/``), scripted as whole conversations in Hindi and English.

Every step of every conversation also checks what WhatsApp and the bot texts require: options
within Meta's limits, every key a real bot text, every placeholder filled.
"""

import ast
import copy
import json
import random
import string
import xml.etree.ElementTree as ET
from pathlib import Path

import polib
import pytest

from mp15_grievance.tools import dialogue
from mp15_grievance.tools.classifier import Classification
from mp15_grievance.tools.dialogue import (
    AddCitizenNote,
    AnswerInfo,
    AttachMedia,
    CategoryOption,
    Event,
    Feedback,
    FileGrievance,
    GrievanceInfo,
    PlaceInfo,
    Reply,
    SetLanguage,
    SetLocation,
    SetOptIn,
    SetWard,
    WardInfo,
    feedback_options,
    step,
)
from mp15_grievance.tools.messages import (
    BUTTON_ID_LIMIT,
    BUTTON_TITLE_LIMIT,
    INTERACTIVE_BODY_LIMIT,
    LIST_BUTTON_LIMIT,
    MAX_BUTTONS,
    MAX_ROWS,
    ROW_DESCRIPTION_LIMIT,
    ROW_ID_LIMIT,
    ROW_TITLE_LIMIT,
)

ADDON = Path(__file__).resolve().parent.parent / "mp15_grievance"
BOT_TEXT_XML = ADDON / "data" / "mp15_bot_text_data.xml"
HINDI_PO = ADDON / "i18n" / "hi.po"
# The engine is a package: a bot text key may be written in any of its modules (turn.py, flows.py ...).
ENGINE_SOURCES = sorted((ADDON / "tools" / "dialogue").glob("*.py"))

T0 = 1_767_500_000  # unix seconds
GRIEVANCE_PARAMS = {"ref", "department", "stage", "deadline", "hours", "link", "last_note", "ward"}
# Texts the grievance model sends on its own (status updates, the satisfaction question ...), with the
# parameters of its ``_citizen_params``.
TEXTS_SENT_ELSEWHERE = {"feedback_request", "stage_update", "progress_update", "resolved", "rejected"}
TEXTS_SENT_ELSEWHERE |= {"councillor_alert", "duplicate_linked"}
# Sent by the processing queue when a message fails for good: about no grievance.
TEXTS_ABOUT_NO_GRIEVANCE = {"not_processed"}
# Added by the conversation under the water timing answer (models/mp15_whatsapp_conversation_answers.py).
TEXTS_ABOUT_NO_GRIEVANCE |= {"water_timing_of_ward"}
# Put in place of {ward} by the conversation when the citizen's announcements ward is not known.
TEXTS_ABOUT_NO_GRIEVANCE |= {"announce_whole_city"}
CITIZEN_PARAMS = GRIEVANCE_PARAMS | {"category", "resolution_note", "original"}

CATEGORIES_EN = (
    CategoryOption("ROAD", "Roads & Potholes"),
    CategoryOption("STREETLIGHT", "Streetlights"),
    CategoryOption("WATER", "Water Supply", "No water, leaks, dirty water"),
    CategoryOption("DRAIN", "Drains & Sewage"),
    CategoryOption("GARBAGE", "Garbage & Sanitation"),
    CategoryOption("TAX", "Property & Water Tax"),
    CategoryOption("RATION", "Ration & Food Supplies"),
    CategoryOption("STRAY_ANIMALS", "Stray Animals"),
    CategoryOption("ENCROACHMENT", "Encroachment"),
    CategoryOption("OTHER", "Other"),
)
CATEGORIES_HI = (
    CategoryOption("ROAD", "सड़क और गड्ढे"),
    CategoryOption("STREETLIGHT", "स्ट्रीट लाइट और बिजली"),
    CategoryOption("WATER", "पानी की आपूर्ति", "पानी नहीं, लीकेज, गंदा पानी"),
    CategoryOption("DRAIN", "नाली और सीवर"),
    CategoryOption("GARBAGE", "कचरा और सफ़ाई"),
    CategoryOption("TAX", "संपत्ति कर और जल कर"),
    CategoryOption("RATION", "राशन और खाद्य आपूर्ति"),
    CategoryOption("STRAY_ANIMALS", "आवारा पशु"),
    CategoryOption("ENCROACHMENT", "अतिक्रमण"),
    CategoryOption("OTHER", "अन्य"),
)
SAGAR = (23.8388, 78.7378)


def sure(code):
    return Classification(code=code, confidence=0.9, auto_file=True, matched_keywords=("keyword",))


def unsure(code=None):
    return Classification(code=code, confidence=0.4 if code else 0.0, auto_file=False)


def grievance(grievance_id, reference_number=None, state="new", category="WATER", label=""):
    number = reference_number or grievance_id
    return GrievanceInfo(grievance_id, f"MP15-2026-{number:06d}", state, category, label)


# --------------------------------------------------------------------------- bot texts


def bot_texts():
    root = ET.parse(BOT_TEXT_XML).getroot()
    texts = {}
    for record in root.iter("record"):
        fields = {field.get("name"): field.text for field in record.iter("field")}
        assert record.get("id") == f"bot_text_{fields['key']}"
        texts[fields["key"]] = fields["text"]
    return texts


def hindi_bot_texts():
    prefix = "model:mp15.bot.text,text:mp15_grievance.bot_text_"
    texts = {}
    for entry in polib.pofile(str(HINDI_PO)):
        for occurrence, _line in entry.occurrences:
            if occurrence.startswith(prefix):
                texts[occurrence.removeprefix(prefix)] = (entry.msgid, entry.msgstr)
    return texts


BOT_TEXTS = bot_texts()
HINDI = {key: msgstr for key, (_msgid, msgstr) in hindi_bot_texts().items()}


# Filled into any text from the grievance settings (mp15.bot.text._settings_params).
SETTINGS_PARAMS = {"control_room"}


def placeholders(text):
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name}


# --------------------------------------------------------------------------- the chat harness


def check_actions(actions, lang):
    """What every answer must satisfy, whatever the conversation."""
    filed_before = False
    for action in actions:
        if isinstance(action, FileGrievance):
            filed_before = True
            assert action.kind in ("complaint", "suggestion")
            assert action.category_code
        if not isinstance(action, Reply):
            continue
        text = BOT_TEXTS[action.text_key]  # KeyError = a key with no bot text
        fillable = set(action.params) | SETTINGS_PARAMS
        if action.grievance_id is not None or action.about_filed:
            fillable |= GRIEVANCE_PARAMS
        if action.about_announcements:
            fillable |= {"ward"}  # the ward the citizen gets announcements for, filled by the conversation
        assert placeholders(text) <= fillable, (action.text_key, placeholders(text) - fillable)
        if action.about_filed:
            assert filed_before, f"{action.text_key} is about a grievance filed later or never"
        assert action.style in ("text", "buttons", "list", "location_request")
        ids = [option.id for option in action.options]
        assert len(ids) == len(set(ids))
        if action.style == "buttons":
            assert 1 <= len(action.options) <= MAX_BUTTONS
            assert all(len(option_id) <= BUTTON_ID_LIMIT for option_id in ids)
            body_limit = INTERACTIVE_BODY_LIMIT
        elif action.style == "list":
            assert 1 <= len(action.options) <= MAX_ROWS
            assert all(len(option_id) <= ROW_ID_LIMIT for option_id in ids)
            assert action.list_button_key in BOT_TEXTS
            body_limit = 4096
        else:
            assert not action.options
            body_limit = INTERACTIVE_BODY_LIMIT if action.style == "location_request" else 4096
        body = HINDI[action.text_key] if lang == "hi" else text
        assert len(body) <= body_limit - 300  # room for the filled-in parameters
        title_limit = BUTTON_TITLE_LIMIT if action.style == "buttons" else ROW_TITLE_LIMIT
        for option in action.options:
            assert (option.title_key is None) != (option.title is None), option
            if option.title_key:
                assert option.title_key in BOT_TEXTS
                assert placeholders(BOT_TEXTS[option.title_key]) <= set(option.title_params), option
            else:
                assert 0 < len(option.title) <= title_limit
            if option.description_key:
                assert option.description_key in BOT_TEXTS
            if option.description:
                assert len(option.description) <= ROW_DESCRIPTION_LIMIT


class Chat:
    """One citizen's conversation: each message goes through ``step`` with the state it left."""

    def __init__(self, state=None, at=T0, categories=CATEGORIES_HI, **facts):
        self.state = state
        self.at = at
        self.categories = categories
        self.facts = facts  # database facts given with every event (recent_grievance, open_grievances ...)
        self.emitted = []

    def send(self, kind, after=20, **fields):
        self.at += after
        values = {"categories": self.categories, **self.facts, **fields}
        event = Event(at=self.at, kind=kind, **values)
        before = copy.deepcopy(self.state)
        new_state, actions = step(self.state, event)
        assert self.state == before, "the engine changed the state it was given"
        json.dumps(new_state)  # stored as JSON
        check_actions(actions, new_state["lang"])
        self.state = new_state
        self.emitted.extend(actions)
        return actions

    def text(self, body, classification=None, **fields):
        return self.send("text", text=body, classification=classification or unsure(), **fields)

    def tap(self, interactive_id, **fields):
        return self.send("interactive", interactive_id=interactive_id, **fields)

    def pin(self, latitude=SAGAR[0], longitude=SAGAR[1], address=None, **fields):
        return self.send("location", latitude=latitude, longitude=longitude, address=address, **fields)

    def photo(self, media_message_id, caption=None, media_type="image", **fields):
        return self.send("media", media_message_id=media_message_id, media_type=media_type, text=caption, **fields)


def replies(actions):
    return [action for action in actions if isinstance(action, Reply)]


def keys(actions):
    return [action.text_key for action in replies(actions)]


def only(actions, kind):
    found = [action for action in actions if isinstance(action, kind)]
    assert len(found) == 1, actions
    return found[0]


def option_ids(reply):
    return [option.id for option in reply.options]


def reply(actions, text_key):
    return next(action for action in replies(actions) if action.text_key == text_key)


def filed(actions):
    return only(actions, FileGrievance)


# --------------------------------------------------------------------------- one message files


def test_one_confident_hindi_message_files_at_once_and_asks_for_the_location():
    chat = Chat()
    actions = chat.text("मेरे वार्ड में तीन दिन से पानी नहीं आ रहा है", sure("WATER"), first_contact=True)

    assert keys(actions) == ["welcome", "filed"]
    grievance_filed = filed(actions)
    assert grievance_filed == FileGrievance("complaint", "WATER", "मेरे वार्ड में तीन दिन से पानी नहीं आ रहा है")
    assert actions.index(grievance_filed) < actions.index(reply(actions, "filed"))
    filed_reply = reply(actions, "filed")
    assert filed_reply.about_filed and filed_reply.style == "location_request"
    assert {"ref", "department", "hours", "link"} <= placeholders(BOT_TEXTS["filed"])
    assert {"ref", "department", "hours", "link"} <= placeholders(HINDI["filed"])
    assert not any(isinstance(action, SetLanguage) for action in actions)
    assert chat.state["lang"] == "hi" and chat.state["flow"] == "idle"


def test_first_english_message_switches_to_english_and_files():
    chat = Chat(categories=CATEGORIES_EN)
    actions = chat.text("There is a big pothole on the road near the bus stand", sure("ROAD"), first_contact=True)

    assert actions[0] == SetLanguage("en")
    assert keys(actions) == ["welcome", "filed"]
    assert filed(actions).category_code == "ROAD"
    assert chat.state["lang"] == "en"
    assert keys(chat.text("streetlight not working in our lane", sure("STREETLIGHT"))) == ["filed"]


@pytest.mark.parametrize("greeting", ["hello", "Hi!", "namaste", "नमस्ते"])
def test_a_greeting_shows_the_menu_and_keeps_hindi(greeting):
    chat = Chat()
    actions = chat.text(greeting, first_contact=True)

    assert keys(actions) == ["welcome", "menu"]
    menu = reply(actions, "menu")
    assert menu.style == "list" and menu.list_button_key == "menu_button"
    assert option_ids(menu) == [
        "menu:complaint",
        "menu:suggestion",
        "menu:track",
        "menu:emergency",
        "menu:announce",
        "menu:language",
    ]
    assert [option.title_key for option in menu.options] == [
        "menu_complaint",
        "menu_suggestion",
        "menu_track",
        "menu_emergency",
        "menu_announce",
        "menu_language",
    ]
    assert chat.state["lang"] == "hi"
    assert not any(isinstance(action, SetLanguage) for action in actions)


def test_the_welcome_is_only_for_the_first_message():
    chat = Chat()
    chat.text("hello", first_contact=True)
    assert keys(chat.text("menu")) == ["menu"]


def test_a_photo_with_a_confident_caption_files_with_the_photo():
    chat = Chat()
    actions = chat.photo(501, caption="यहाँ कचरे का ढेर लगा है", classification=sure("GARBAGE"))

    assert filed(actions) == FileGrievance("complaint", "GARBAGE", "यहाँ कचरे का ढेर लगा है", media_message_ids=(501,))
    assert keys(actions) == ["filed"]


# --------------------------------------------------------------------------- the guided complaint


def test_unsure_text_then_category_pin_skip_photo_confirm_files():
    chat = Chat()
    actions = chat.text("हमारी गली में बहुत परेशानी है, कोई सुनता नहीं", unsure())
    ask = reply(actions, "ask_category")
    assert ask.style == "list" and ask.list_button_key == "category_button"
    assert option_ids(ask) == [f"cat:{option.code}" for option in CATEGORIES_HI]
    assert ask.options[2].title == "पानी की आपूर्ति"
    assert chat.state["flow"] == "complaint"

    actions = chat.tap("cat:DRAIN")
    assert keys(actions) == ["ask_location", "ask_location_alternatives"]
    assert reply(actions, "ask_location").style == "location_request"
    assert option_ids(reply(actions, "ask_location_alternatives")) == ["skip:location"]

    actions = chat.pin(address="Katra Bazar, Sagar")
    assert keys(actions) == ["ask_photo"]
    assert option_ids(reply(actions, "ask_photo")) == ["skip:photo"]

    actions = chat.tap("skip:photo")
    summary = reply(actions, "confirm_summary")
    assert summary.style == "buttons"
    assert option_ids(summary) == ["confirm:yes", "confirm:no"]
    assert summary.params == {
        "category": "नाली और सीवर",
        "description": "हमारी गली में बहुत परेशानी है, कोई सुनता नहीं",
        "location": "Katra Bazar, Sagar",
    }

    actions = chat.tap("confirm:yes")
    assert filed(actions) == FileGrievance(
        "complaint",
        "DRAIN",
        "हमारी गली में बहुत परेशानी है, कोई सुनता नहीं",
        latitude=SAGAR[0],
        longitude=SAGAR[1],
        address="Katra Bazar, Sagar",
    )
    assert keys(actions) == ["filed_complete"]  # the pin is there: no second request for it
    assert reply(actions, "filed_complete").about_filed
    assert chat.state["flow"] == "idle" and chat.state["draft"] == {}


def test_the_likely_category_comes_first_in_the_list():
    actions = Chat().text("nali ka pani", unsure("DRAIN"))
    assert option_ids(reply(actions, "ask_category"))[0] == "cat:DRAIN"


def test_complaint_from_the_menu_in_english_with_a_typed_ward_and_a_photo():
    chat = Chat(state={"lang": "en"}, categories=CATEGORIES_EN)
    assert keys(chat.tap("menu:complaint")) == ["ask_category"]
    assert keys(chat.tap("cat:STRAY_ANIMALS")) == ["ask_description"]
    assert keys(chat.text("A pack of stray dogs chases children near the school")) == [
        "ask_location",
        "ask_location_alternatives",
    ]
    assert keys(chat.text("ward 12")) == ["ask_photo"]
    actions = chat.photo(777)
    summary = reply(actions, "confirm_summary_ward")
    assert summary.params["ward"] == 12 and summary.params["category"] == "Stray Animals"
    actions = chat.text("yes")
    assert filed(actions) == FileGrievance(
        "complaint",
        "STRAY_ANIMALS",
        "A pack of stray dogs chases children near the school",
        ward_number=12,
        media_message_ids=(777,),
    )
    assert keys(actions) == ["filed_complete"]


@pytest.mark.parametrize(
    ("typed", "ward"),
    [("12", 12), ("Ward 7", 7), ("ward no. 33", 33), ("वार्ड 12", 12), ("वार्ड नं. १२", 12), ("48 number ward", 48)],
)
def test_a_typed_ward_number_is_understood(typed, ward):
    chat = Chat()
    chat.tap("menu:complaint")
    chat.tap("cat:ROAD")
    chat.text("सड़क पर बड़ा गड्ढा है")
    chat.text(typed)
    actions = chat.tap("skip:photo")
    assert reply(actions, "confirm_summary_ward").params["ward"] == ward
    assert filed(chat.tap("confirm:yes")).ward_number == ward


def test_a_typed_address_and_a_skipped_location():
    chat = Chat()
    chat.text("कुछ समझ नहीं आ रहा किसको बोलें")
    chat.tap("cat:OTHER")
    assert keys(chat.text("गोपालगंज, हनुमान मंदिर के पास")) == ["ask_photo"]
    chat.tap("skip:photo")
    assert filed(chat.text("हाँ")).address == "गोपालगंज, हनुमान मंदिर के पास"

    chat.text("फिर से वही परेशानी है भाई")
    chat.tap("cat:OTHER")
    assert keys(chat.text("पता नहीं")) == ["ask_photo"]  # "I don't know" is not an address
    actions = chat.text("छोड़ें")  # typed skip at the photo step
    assert keys(actions) == ["confirm_summary_no_location"]
    actions = chat.tap("confirm:yes")
    assert keys(actions) == ["filed"]  # no location: the filed message asks for one
    assert reply(actions, "filed").style == "location_request"


def test_wrong_answers_get_a_short_re_ask():
    chat = Chat()
    chat.tap("menu:complaint")
    assert keys(chat.tap("cat:NOT_A_CATEGORY")) == ["invalid_category"]
    assert keys(chat.text("!!")) == ["invalid_category"]
    chat.tap("cat:WATER")
    chat.text("नल से गंदा पानी आ रहा है")
    actions = chat.text("??")
    assert keys(actions) == ["invalid_location"]
    assert reply(actions, "invalid_location").style == "location_request"
    chat.text("skip")
    chat.tap("skip:photo")
    actions = chat.text("पता नहीं क्या करूँ")
    assert keys(actions) == ["invalid_confirm"]
    assert option_ids(reply(actions, "invalid_confirm")) == ["confirm:yes", "confirm:no"]
    assert filed(chat.tap("confirm:yes")).description == "नल से गंदा पानी आ रहा है"


def test_a_voice_note_without_caption_asks_category_then_description():
    chat = Chat()
    actions = chat.photo(900, media_type="audio")
    assert keys(actions) == ["ask_category"]
    assert keys(chat.tap("cat:ROAD")) == ["ask_description_media"]
    assert keys(chat.text("मेन रोड पर गड्ढे")) == ["ask_location", "ask_location_alternatives"]
    assert keys(chat.pin()) == ["confirm_summary"]  # the voice note already counts as the photo
    assert filed(chat.tap("confirm:yes")).media_message_ids == (900,)


def test_text_at_the_photo_step_adds_detail_and_at_the_category_step_can_be_understood():
    chat = Chat()
    chat.tap("menu:complaint")
    actions = chat.text("पानी नहीं आ रहा 3 दिन से", sure("WATER"))  # typed instead of picking from the list
    assert keys(actions) == ["ask_location", "ask_location_alternatives"]
    chat.pin()
    assert keys(chat.text("टंकी के पास वाली गली")) == ["confirm_summary"]
    assert filed(chat.tap("confirm:yes")).description == "पानी नहीं आ रहा 3 दिन से\nटंकी के पास वाली गली"


def test_a_pin_or_photo_sent_before_choosing_is_kept():
    chat = Chat()
    assert keys(chat.pin(address="Civil Lines")) == ["menu_after_location"]
    chat.tap("menu:complaint")
    chat.tap("cat:ROAD")
    assert keys(chat.text("सड़क टूटी है")) == ["ask_photo"]  # the pin is already there
    chat.tap("skip:photo")
    assert filed(chat.tap("confirm:yes")).address == "Civil Lines"


def test_confirm_no_and_cancel_drop_the_draft():
    chat = Chat()
    chat.text("दिक्कत है")
    chat.tap("cat:OTHER")
    assert keys(chat.tap("confirm:no")) == ["cancelled"]
    assert chat.state["flow"] == "idle" and chat.state["draft"] == {}

    chat.tap("menu:complaint")
    assert keys(chat.text("cancel")) == ["cancelled"]
    assert keys(chat.tap("confirm:yes")) == ["draft_expired", "menu"]  # nothing left to confirm


def test_no_categories_given_files_as_other():
    chat = Chat(categories=())
    actions = chat.text("कुछ समस्या है हमारे मोहल्ले में")
    assert keys(actions) == ["ask_location", "ask_location_alternatives"]
    chat.tap("skip:location")
    chat.tap("skip:photo")
    assert filed(chat.tap("confirm:yes")).category_code == "OTHER"


# --------------------------------------------------------------------------- suggestion


def test_a_suggestion_is_filed_as_other():
    chat = Chat()
    assert keys(chat.tap("menu:suggestion")) == ["ask_suggestion"]
    actions = chat.text("तालाब के किनारे और बेंच लगाई जाएँ")
    assert filed(actions) == FileGrievance("suggestion", "OTHER", "तालाब के किनारे और बेंच लगाई जाएँ")
    assert keys(actions) == ["suggestion_filed"] and reply(actions, "suggestion_filed").about_filed


# --------------------------------------------------------------------------- tracking


def test_track_by_reference():
    chat = Chat()
    mine = grievance(41, 123, state="in_progress")
    actions = chat.text("MP15-2026-000123", reference="MP15-2026-000123", referenced=mine)
    assert keys(actions) == ["track_status"] and reply(actions, "track_status").grievance_id == 41
    assert not any(isinstance(action, AddCitizenNote) for action in actions)


def test_a_reference_with_a_message_is_noted_and_answered():
    chat = Chat()
    mine = grievance(41, 123)
    text = "MP15-2026-000123 अभी तक पानी नहीं आया, कोई देखने नहीं आया"
    actions = chat.text(text, sure("WATER"), reference="MP15-2026-000123", referenced=mine)
    assert only(actions, AddCitizenNote) == AddCitizenNote(41, text)
    assert keys(actions) == ["note_added", "track_status"]
    assert not any(isinstance(action, FileGrievance) for action in actions)


def test_unknown_reference_and_another_citizens_reference_are_not_found():
    chat = Chat()
    # The caller gives ``referenced`` only when the grievance exists and is this citizen's.
    actions = chat.text("MP15-2026-999999 ka status", reference="MP15-2026-999999", referenced=None)
    assert keys(actions) == ["track_not_found"]
    other_citizens = grievance(77)
    actions = chat.tap(f"track:{other_citizens.id}", open_grievances=(grievance(41),))
    assert keys(actions) == ["track_not_found"]


def test_track_from_the_menu_with_several_open_grievances():
    open_grievances = (
        grievance(52, state="assigned", category="ROAD", label="सड़क और गड्ढे · सौंपी गई"),
        grievance(41, state="in_progress"),
    )
    chat = Chat(open_grievances=open_grievances)
    actions = chat.tap("menu:track")
    pick = reply(actions, "track_pick")
    assert pick.style == "list" and pick.list_button_key == "track_button"
    assert option_ids(pick) == ["track:52", "track:41"]
    assert [option.title for option in pick.options] == ["MP15-2026-000052", "MP15-2026-000041"]
    assert [option.description for option in pick.options] == ["सड़क और गड्ढे · सौंपी गई", "WATER · in_progress"]
    actions = chat.tap("track:41")
    assert keys(actions) == ["track_status"] and reply(actions, "track_status").grievance_id == 41
    assert chat.state["flow"] == "idle"


def test_track_from_the_menu_with_one_and_with_none():
    actions = Chat(open_grievances=(grievance(41),)).tap("menu:track")
    assert keys(actions) == ["track_status"] and reply(actions, "track_status").grievance_id == 41

    chat = Chat()
    assert keys(chat.tap("menu:track")) == ["track_none"]
    assert keys(chat.text("12345")) == ["track_not_found"]  # a mistyped reference: try again
    assert chat.state["flow"] == "track"
    actions = chat.text("MP15-2026-000009", reference="MP15-2026-000009", referenced=grievance(9, state="closed"))
    assert keys(actions) == ["track_status"] and reply(actions, "track_status").grievance_id == 9


def test_ten_open_grievances_at_most_in_the_list():
    open_grievances = tuple(grievance(index) for index in range(1, 13))
    pick = reply(Chat(open_grievances=open_grievances).tap("menu:track"), "track_pick")
    assert len(pick.options) == MAX_ROWS


# --------------------------------------------------------------------------- emergency


def test_emergency_from_the_menu():
    chat = Chat()
    actions = chat.tap("menu:emergency")
    assert keys(actions) == ["emergency_numbers", "ask_emergency"]
    actions = chat.text("बस स्टैंड के पास मकान गिर गया है, लोग दबे हैं")
    assert filed(actions) == FileGrievance(
        "complaint", "EMERGENCY", "बस स्टैंड के पास मकान गिर गया है, लोग दबे हैं", emergency=True
    )
    assert keys(actions) == ["filed"]  # the numbers were already sent


def test_emergency_from_the_menu_with_only_a_pin_files_at_once():
    chat = Chat()
    chat.tap("menu:emergency")
    actions = chat.pin(address="Tili Road")
    assert filed(actions) == FileGrievance(
        "complaint", "EMERGENCY", "", latitude=SAGAR[0], longitude=SAGAR[1], address="Tili Road", emergency=True
    )
    assert keys(actions) == ["filed_complete"]


def test_emergency_text_gets_the_numbers_first_even_before_the_welcome():
    chat = Chat()
    actions = chat.text("आग लग गई है गोदाम में जल्दी आओ", sure("EMERGENCY"), first_contact=True)
    assert keys(actions) == ["emergency_numbers", "filed"]
    assert actions[0] == Reply("emergency_numbers")
    assert filed(actions).emergency and filed(actions).category_code == "EMERGENCY"
    numbers = BOT_TEXTS["emergency_numbers"] + HINDI["emergency_numbers"]
    assert all(number in numbers for number in ("112", "101", "108", "{control_room}"))  # the number: Settings


def test_an_unsure_emergency_still_gets_the_numbers():
    actions = Chat().text("aag", unsure("EMERGENCY"))
    assert keys(actions) == ["emergency_numbers", "ask_category"]


def test_emergency_category_id_starts_the_emergency_flow():
    assert keys(Chat().tap("cat:EMERGENCY")) == ["emergency_numbers", "ask_emergency"]


# --------------------------------------------------------------------------- commands and language


@pytest.mark.parametrize(("stop", "start"), [("STOP", "START"), ("बंद", "शुरू"), ("stop", "Start")])
def test_stop_and_start(stop, start):
    chat = Chat()
    chat.tap("menu:complaint")
    actions = chat.text(stop)
    assert actions == [SetOptIn(False), Reply("opted_out")]
    assert chat.state["flow"] == "idle"
    assert chat.text(start) == [SetOptIn(True), Reply("opted_in")]


def test_stop_inside_a_sentence_is_a_complaint_not_an_opt_out():
    actions = Chat().text("stop the water wastage near the tank", sure("WATER"))
    assert not any(isinstance(action, SetOptIn) for action in actions)
    assert filed(actions).category_code == "WATER"


def test_language_switch_from_the_menu_and_by_typing():
    chat = Chat()
    actions = chat.tap("menu:language")
    ask = reply(actions, "ask_language")
    assert ask.style == "buttons" and option_ids(ask) == ["lang:hi", "lang:en"]
    assert [option.title_key for option in ask.options] == ["lang_hindi", "lang_english"]
    actions = chat.tap("lang:en")
    assert actions == [SetLanguage("en"), Reply("language_set")]
    assert chat.state["lang"] == "en" and chat.state["flow"] == "idle"
    assert chat.text("हिंदी") == [SetLanguage("hi"), Reply("language_set")]
    assert chat.state["lang"] == "hi"
    assert chat.text("English") == [SetLanguage("en"), Reply("language_set")]


def test_language_switch_in_the_middle_of_a_complaint_asks_the_same_question_again():
    chat = Chat()
    chat.text("दिक्कत है हमारे यहाँ")
    chat.tap("cat:ROAD")
    actions = chat.text("english")
    assert keys(actions) == ["language_set", "ask_location", "ask_location_alternatives"]
    assert chat.state["lang"] == "en" and chat.state["flow"] == "complaint"


def test_thanks_gets_a_short_answer_and_is_not_filed():
    chat = Chat(recent_grievance=grievance(41))
    assert chat.text("धन्यवाद 🙏") == [Reply("thanks_reply")]
    assert Chat().text("ok") == [Reply("thanks_reply")]


# --------------------------------------------------------------------------- expiry


def test_a_draft_expires_after_30_minutes():
    chat = Chat()
    chat.text("दिक्कत है")
    chat.tap("cat:WATER")
    chat.text("पानी गंदा आ रहा है")
    chat.text("skip")
    chat.tap("skip:photo")
    actions = chat.tap("confirm:yes", after=31 * 60)
    assert keys(actions) == ["draft_expired", "menu"]
    assert not any(isinstance(action, FileGrievance) for action in actions)
    assert chat.state["flow"] == "idle" and chat.state["draft"] == {}


def test_a_draft_answered_within_30_minutes_is_kept():
    chat = Chat()
    chat.tap("menu:complaint")
    assert keys(chat.tap("cat:WATER", after=30 * 60)) == ["ask_description"]
    assert keys(chat.text("पानी गंदा आ रहा है", after=29 * 60)) == ["ask_location", "ask_location_alternatives"]


def test_a_timestamp_given_as_a_float_is_kept():
    chat = Chat(at=T0 + 0.75)
    chat.tap("menu:complaint")
    assert chat.state["updated_at"] == T0 + 20
    assert keys(chat.tap("cat:ROAD", after=60.5)) == ["ask_description"]


def test_after_expiry_a_new_complaint_needs_no_mention_of_the_old_one():
    chat = Chat()
    chat.text("दिक्कत है")
    actions = chat.text("सड़क पर गड्ढा है", sure("ROAD"), after=3600)
    assert keys(actions) == ["filed"]
    assert filed(actions).description == "सड़क पर गड्ढा है"


def test_after_expiry_an_answer_to_the_old_question_is_explained():
    chat = Chat()
    chat.text("दिक्कत है")
    chat.tap("cat:WATER")
    chat.text("पानी नहीं")
    assert keys(chat.text("वार्ड 12", after=3600)) == ["draft_expired", "menu"]
    chat.text("दिक्कत है")
    assert keys(chat.tap("cat:ROAD", after=3600)) == ["draft_expired", "ask_description"]


# --------------------------------------------------------------------------- follow-ups


def test_quote_replies_go_to_the_quoted_grievance():
    quoted, recent = grievance(41, state="assigned"), grievance(58)
    chat = Chat(context_grievance=quoted, recent_grievance=recent)
    actions = chat.text("नल के पास गड्ढा भी है")
    assert only(actions, AddCitizenNote) == AddCitizenNote(41, "नल के पास गड्ढा भी है")
    assert keys(actions) == ["note_added"] and reply(actions, "note_added").grievance_id == 41
    actions = chat.photo(610)
    assert only(actions, AttachMedia) == AttachMedia(41, 610)
    assert keys(actions) == ["media_added"]
    actions = chat.pin(address="Moti Nagar")
    assert only(actions, SetLocation) == SetLocation(41, SAGAR[0], SAGAR[1], "Moti Nagar")
    assert keys(actions) == ["location_added"]
    assert not any(isinstance(action, FileGrievance) for action in chat.emitted)


def test_after_filing_a_pin_photo_and_more_detail_go_to_the_new_grievance():
    chat = Chat()
    chat.text("3 din se kachra nahi utha", sure("GARBAGE"))
    chat.facts["recent_grievance"] = grievance(60, category="GARBAGE")
    assert chat.pin() == [SetLocation(60, SAGAR[0], SAGAR[1], None), Reply("location_added", grievance_id=60)]
    assert chat.photo(611) == [AttachMedia(60, 611), Reply("media_added", grievance_id=60)]
    actions = chat.text("gaadi aati hi nahi hai hamari gali mein")
    assert actions == [
        AddCitizenNote(60, "gaadi aati hi nahi hai hamari gali mein"),
        Reply("note_added", grievance_id=60),
    ]


def test_feedback_buttons():
    chat = Chat()
    assert option_ids_of(feedback_options(41)) == ["feedback:yes:41", "feedback:no:41"]
    actions = chat.tap("feedback:yes:41")
    assert actions == [Feedback(41, True), Reply("feedback_thanks", grievance_id=41)]
    actions = chat.tap("feedback:no:41")
    assert actions == [Feedback(41, False), Reply("feedback_reopened", grievance_id=41)]


def test_feedback_in_the_middle_of_a_complaint_keeps_the_draft():
    chat = Chat()
    chat.text("दिक्कत है")
    chat.tap("feedback:no:41")
    assert chat.state["flow"] == "complaint" and chat.state["draft"]["description"] == "दिक्कत है"


def option_ids_of(options):
    return [option.id for option in options]


# --------------------------------------------------------------------------- odd input


@pytest.mark.parametrize(
    "interactive_id",
    [
        "",
        "bogus",
        "menu:",
        "menu:party",
        "cat:",
        "feedback:maybe:41",
        "feedback:yes:abc",
        "track:x",
        "track:",
        "lang:fr",
        "confirm:",
        ":::",
        "x" * 300,
    ],
)
def test_unknown_interactive_ids_show_the_menu(interactive_id):
    chat = Chat()
    actions = chat.tap(interactive_id)
    assert keys(actions) == ["menu"]
    assert not any(isinstance(action, FileGrievance | Feedback) for action in actions)


def test_a_missing_interactive_id_shows_the_menu():
    assert keys(Chat().send("interactive", interactive_id=None)) == ["menu"]


@pytest.mark.parametrize("kind", ["unsupported", "other", "contacts"])
def test_an_unsupported_message_gets_a_polite_answer_and_the_flow_goes_on(kind):
    chat = Chat()
    chat.text("दिक्कत है")
    assert keys(chat.send(kind)) == ["unsupported_type"]
    assert chat.state["flow"] == "complaint"
    assert "voice note" in BOT_TEXTS["unsupported_type"] and "वॉइस नोट" in HINDI["unsupported_type"]


def test_a_location_without_coordinates_is_unsupported():
    assert keys(Chat().send("location", latitude=None, longitude=None)) == ["unsupported_type"]


def test_a_reaction_or_sticker_changes_nothing():
    chat = Chat()
    chat.text("दिक्कत है")
    state = copy.deepcopy(chat.state)
    assert chat.send("reaction", text="🙏", after=5000) == []
    assert chat.state == state
    assert chat.photo(999, media_type="sticker") == []
    assert chat.state == state


GARBAGE_STATES = [
    None,
    [],
    "complaint",
    42,
    {},
    {"flow": "nonsense", "step": 5},
    {"lang": ["hi"], "flow": {"a": 1}, "draft": []},
    {"lang": "fr", "flow": "complaint", "step": "confirm", "draft": "x"},  # no time: cannot be current
    {"flow": "complaint", "draft": {"latitude": "north", "longitude": float("nan"), "ward_number": True}},
    {"flow": "track", "updated_at": True},
    {"flow": "emergency", "updated_at": "yesterday"},
]
# Usable in part: the valid pieces are kept, the rest is dropped.
BROKEN_STATES = [
    {"lang": "fr", "flow": "complaint", "step": "confirm", "draft": "x", "updated_at": T0},
    {"flow": "complaint", "step": "confirm", "draft": {"category": 5, "media": "all"}, "updated_at": T0},
    {"flow": "complaint", "step": "confirm", "draft": {"category": "WATER"}, "updated_at": T0},
    {"flow": "complaint", "draft": {"latitude": 999.0, "longitude": 78.7, "media": [1, "2", None]}, "updated_at": T0},
    {"flow": "complaint", "step": "photo", "draft": {"location_done": "yes", "photo_done": 1}, "updated_at": T0},
]
FIRST_EVENTS = [
    Event(T0 + 20, "interactive", interactive_id="confirm:yes", categories=CATEGORIES_HI),
    Event(T0 + 20, "text", text="नाली चोक है", classification=sure("DRAIN"), categories=CATEGORIES_HI),
    Event(T0 + 20, "text", text="दिक्कत है", classification=unsure(), categories=CATEGORIES_HI),
    Event(T0 + 20, "location", latitude=SAGAR[0], longitude=SAGAR[1], categories=CATEGORIES_HI),
    Event(T0 + 20, "interactive", interactive_id="skip:photo", categories=CATEGORIES_HI),
]


@pytest.mark.parametrize("state", GARBAGE_STATES)
@pytest.mark.parametrize("event", FIRST_EVENTS, ids=lambda event: event.kind)
def test_a_garbage_state_is_a_fresh_start(state, event):
    assert step(state, event) == step(None, event)


@pytest.mark.parametrize("state", BROKEN_STATES)
def test_a_broken_state_never_files_an_incomplete_draft(state):
    chat = Chat(state=state)
    actions = chat.tap("confirm:yes")
    assert not any(isinstance(action, FileGrievance) for action in actions)
    assert chat.state["lang"] == "hi" and chat.state["flow"] == "complaint"
    assert chat.state["step"] in ("category", "description")


def test_random_conversations_never_crash_and_always_respect_the_limits():
    rng = random.Random(15)
    texts = ["पानी नहीं आ रहा", "ward 12", "yes", "no", "skip", "menu", "STOP", "english", "?", "MP15-2026-000001"]
    ids = ["menu:complaint", "menu:track", "menu:emergency", "menu:language", "menu:suggestion", "cat:WATER"]
    ids += ["cat:EMERGENCY", "cat:BAD", "skip:location", "skip:photo", "confirm:yes", "confirm:no", "lang:en"]
    ids += ["lang:hi", "feedback:yes:1", "track:1", "track:99", "junk"]
    for _conversation in range(200):
        state = rng.choice([None, *GARBAGE_STATES, *BROKEN_STATES])
        chat = Chat(state=state, categories=rng.choice([CATEGORIES_HI, ()]))
        for _message in range(12):
            facts = {
                "recent_grievance": rng.choice([None, grievance(1)]),
                "context_grievance": rng.choice([None, None, grievance(2)]),
                "open_grievances": rng.choice([(), (grievance(1),), tuple(grievance(i) for i in range(1, 5))]),
                "first_contact": rng.random() < 0.1,
            }
            choice = rng.randrange(6)
            after = rng.choice([5, 60, 1900])
            if choice == 0:
                text = rng.choice(texts)
                reference = text if text.startswith("MP15") else None
                classification = rng.choice([sure("WATER"), sure("EMERGENCY"), unsure(), unsure("DRAIN"), None])
                chat.text(text, classification, reference=reference, after=after, **facts)
            elif choice == 1:
                chat.tap(rng.choice(ids), after=after, **facts)
            elif choice == 2:
                chat.pin(address=rng.choice([None, "Sagar"]), after=after, **facts)
            elif choice == 3:
                chat.photo(rng.randrange(1, 50), caption=rng.choice([None, "गड्ढा"]), after=after, **facts)
            else:
                chat.send(rng.choice(["unsupported", "reaction", "other"]), after=after, **facts)
    # Every FileGrievance carries a category, and an emergency flag only for EMERGENCY.
    filings = [action for action in chat.emitted if isinstance(action, FileGrievance)]
    assert all(action.emergency == (action.category_code == "EMERGENCY") for action in filings)


# --------------------------------------------------------------------------- the bot texts


def keys_in_engine_source():
    """Every bot text key written in tools/dialogue/: arguments of say/menu/Reply/Option and *_key=."""
    assert {path.name for path in ENGINE_SOURCES} >= {"engine.py", "flows.py", "turn.py", "actions.py"}
    found = set()

    def strings(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)
        elif isinstance(node, ast.JoinedStr):  # f"menu_{item}" / f"menu_{item}_desc"
            pattern = "".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values)
            assert pattern.startswith("menu_"), pattern
            found.update(pattern.format(item) for item in dialogue.MENU_ITEMS)
        elif isinstance(node, ast.IfExp):  # "a" if invalid else "b"
            strings(node.body)
            strings(node.orelse)
        elif not (isinstance(node, ast.Name) and node.id == "text_key"):  # passed on by say() and menu()
            raise AssertionError(f"a bot text key the test cannot read: line {node.lineno}")

    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in ENGINE_SOURCES]
    for node in (node for tree in trees for node in ast.walk(tree)):
        if isinstance(node, ast.FunctionDef):  # def menu(self, text_key="menu")
            arguments = node.args.args[len(node.args.args) - len(node.args.defaults) :]
            for argument, default in zip(arguments, node.args.defaults, strict=True):
                if argument.arg == "text_key":
                    strings(default)
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in ("say", "menu", "Reply") and node.args:
            strings(node.args[0])
        if name == "Option" and len(node.args) > 1:
            strings(node.args[1])
        for keyword in node.keywords:
            if keyword.arg in ("text_key", "title_key", "list_button_key", "description_key"):
                strings(keyword.value)
    return found


def test_every_key_the_engine_can_emit_has_a_bot_text():
    emitted = keys_in_engine_source()
    assert len(emitted) > 40
    assert emitted <= set(BOT_TEXTS), emitted - set(BOT_TEXTS)


def test_every_bot_text_is_used():
    assert set(BOT_TEXTS) - keys_in_engine_source() == TEXTS_SENT_ELSEWHERE | TEXTS_ABOUT_NO_GRIEVANCE


def test_texts_sent_elsewhere_use_only_the_grievance_parameters():
    for key in TEXTS_SENT_ELSEWHERE:
        assert placeholders(BOT_TEXTS[key]) <= CITIZEN_PARAMS, key
        assert placeholders(BOT_TEXTS[key]), key  # each names its grievance


def test_every_bot_text_has_a_hindi_translation_with_the_same_placeholders():
    translations = hindi_bot_texts()
    assert set(translations) == set(BOT_TEXTS)
    for key, english in BOT_TEXTS.items():
        msgid, msgstr = translations[key]
        assert msgid == english, key  # byte for byte, or Odoo never applies the translation
        assert msgstr.strip(), key
        assert placeholders(msgstr) == placeholders(english), key
        if key not in ("lang_english",):
            assert any("\u0900" <= char <= "\u097f" for char in msgstr), key


BUTTON_KEYS = {"button_skip", "button_confirm", "button_cancel", "lang_hindi", "lang_english"}
BUTTON_KEYS |= {"button_feedback_yes", "button_feedback_no", "button_complain", "button_place_other"}
BUTTON_KEYS |= {"button_announce_yes", "button_announce_no", "button_announce_other_ward", "button_announce_stop"}
BUTTON_KEYS |= {"button_announce_ward"}
LIST_BUTTON_KEYS = {"menu_button", "category_button", "track_button", "place_button"}
ROW_TITLE_KEYS = {f"menu_{item}" for item in dialogue.MENU_ITEMS}
ROW_DESCRIPTION_KEYS = {f"menu_{item}_desc" for item in dialogue.MENU_ITEMS}


@pytest.mark.parametrize(
    ("text_keys", "limit"),
    [
        (BUTTON_KEYS, BUTTON_TITLE_LIMIT),
        (LIST_BUTTON_KEYS, LIST_BUTTON_LIMIT),
        (ROW_TITLE_KEYS, ROW_TITLE_LIMIT),
        (ROW_DESCRIPTION_KEYS, ROW_DESCRIPTION_LIMIT),
    ],
)
def test_titles_fit_whatsapp_limits_in_both_languages(text_keys, limit):
    for key in text_keys:
        assert len(BOT_TEXTS[key]) <= limit, key
        assert len(HINDI[key]) <= limit, key
        assert "\n" not in BOT_TEXTS[key] + HINDI[key], key


def test_the_title_keys_the_engine_uses_are_the_ones_checked_for_length():
    chat = Chat()
    chat.text("hello")
    chat.tap("menu:language")
    chat.tap("lang:hi")
    chat.text("दिक्कत है")
    chat.tap("cat:WATER")
    chat.text("पानी नहीं")
    chat.tap("skip:location")
    chat.tap("skip:photo")
    chat.tap("confirm:yes")
    used = {(reply.style, option.title_key) for reply in replies(chat.emitted) for option in reply.options}
    used |= {("list_button", reply.list_button_key) for reply in replies(chat.emitted) if reply.list_button_key}
    used |= {("buttons", option.title_key) for option in feedback_options(1)}
    assert {key for style, key in used if style == "buttons"} <= BUTTON_KEYS
    assert {key for style, key in used if style == "list" and key} == ROW_TITLE_KEYS
    assert {key for style, key in used if style == "list_button"} <= LIST_BUTTON_KEYS


def test_button_titles_are_distinct_within_a_message():
    for pair in (("button_confirm", "button_cancel"), ("lang_hindi", "lang_english")):
        for texts in (BOT_TEXTS, HINDI):
            assert texts[pair[0]] != texts[pair[1]]
    assert HINDI["button_feedback_yes"] != HINDI["button_feedback_no"]


RECORD_FILES = {
    "mp15_grievance_category_data.xml": ("mp15.grievance.category", ("name",)),
    "mp15_department_data.xml": ("mp15.department", ("name",)),
    "mp15_grievance_stage_data.xml": ("mp15.grievance.stage", ("name", "description")),
}


def test_data_records_have_hindi_names():
    by_occurrence = {}
    for entry in polib.pofile(str(HINDI_PO)):
        assert entry.comment.splitlines()[0] == "module: mp15_grievance"  # Odoo's importer needs it
        for occurrence, _line in entry.occurrences:
            by_occurrence[occurrence] = entry
    checked = 0
    for filename, (model, field_names) in RECORD_FILES.items():
        for record in ET.parse(ADDON / "data" / filename).getroot().iter("record"):
            values = {field.get("name"): field.text for field in record.iter("field")}
            for field_name in field_names:
                entry = by_occurrence[f"model:{model},{field_name}:mp15_grievance.{record.get('id')}"]
                assert entry.msgid == values[field_name]
                assert any("\u0900" <= char <= "\u097f" for char in entry.msgstr), entry.msgid
                checked += 1
    assert checked >= 30


def test_hindi_category_names_fit_a_list_row():
    prefix = "model:mp15.grievance.category,name:"
    for entry in polib.pofile(str(HINDI_PO)):
        if any(occurrence.startswith(prefix) for occurrence, _line in entry.occurrences):
            assert len(entry.msgstr) <= ROW_TITLE_LIMIT, entry.msgstr


def test_the_po_header():
    po = polib.pofile(str(HINDI_PO))
    assert po.metadata["Language"] == "hi"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert not po.obsolete_entries()


# --------------------------------------------------------------------------- questions, thanks, places

TAX_ANSWER = AnswerInfo(7, "संपत्ति कर की बकाया राशि mpenagarpalika.gov.in पर देखें।")
TEEN_BATTI = PlaceInfo(31, "तीन बत्ती", 2, "वार्ड 2 · Katra")
SHIV_MANDIR_3 = PlaceInfo(41, "शिव मंदिर", 3, "वार्ड 3 · Shanichari")
SHIV_MANDIR_12 = PlaceInfo(42, "शिव मंदिर", 12, "वार्ड 12 · Tilakganj")
BUS_STAND = PlaceInfo(51, "बस स्टैंड", 10, "वार्ड 10 · Kakaganj")


def test_a_question_with_an_answer_gets_the_answer_and_a_button_and_files_nothing():
    chat = Chat()
    actions = chat.text("property tax kitna baki hai?", classification=unsure("TAX"), answer=TAX_ANSWER)
    assert keys(actions) == ["answer"]
    answer = reply(actions, "answer")
    assert answer.params["answer"] == TAX_ANSWER.text
    assert (answer.style, option_ids(answer)) == ("buttons", ["question:complain"])
    assert not [action for action in actions if isinstance(action, FileGrievance)]
    assert (chat.state["flow"], chat.state["draft"]["question"]) == ("idle", {"text": "property tax kitna baki hai?"})


def test_file_a_complaint_under_an_answer_goes_on_with_the_question_text():
    chat = Chat()
    chat.text("मेरा संपत्ति कर कितना बकाया है?", classification=unsure("TAX"), answer=TAX_ANSWER)
    actions = chat.tap("question:complain")
    assert keys(actions) == ["ask_category"], "not sure of the category: it is asked"
    assert chat.state["draft"]["description"] == "मेरा संपत्ति कर कितना बकाया है?"
    chat.tap("cat:TAX")
    chat.tap("skip:location")
    chat.tap("skip:photo")
    filed = only(chat.tap("confirm:yes"), FileGrievance)
    assert (filed.category_code, filed.description) == ("TAX", "मेरा संपत्ति कर कितना बकाया है?")


def test_file_a_complaint_under_an_answer_files_at_once_when_the_classifier_is_sure_and_keeps_the_place():
    chat = Chat()
    question = "तीन बत्ती पर कल पानी सप्लाई बंद रहेगी क्या?"
    chat.text(question, classification=sure("WATER"), answer=TAX_ANSWER, places=(TEEN_BATTI,))
    actions = chat.tap("question:complain")
    filed = only(actions, FileGrievance)
    assert (filed.category_code, filed.description) == ("WATER", question)
    assert (filed.ward_id, filed.address) == (2, "तीन बत्ती")
    assert keys(actions) == ["filed_complete"]


def test_the_complaint_button_of_an_old_answer_opens_the_menu():
    chat = Chat()
    chat.text("property tax kitna baki hai?", answer=TAX_ANSWER)
    chat.text("ok")
    actions = chat.tap("question:complain")
    assert keys(actions) == ["draft_expired", "menu"]
    assert not [action for action in actions if isinstance(action, FileGrievance)]
    chat = Chat()
    chat.text("property tax kitna baki hai?", answer=TAX_ANSWER)
    assert keys(chat.tap("question:complain", after=31 * 60)) == ["draft_expired", "menu"]


@pytest.mark.parametrize(
    ("question", "classification"),
    [
        ("aliens kab aayenge?", unsure()),
        ("सागर में नया चिड़ियाघर कब खुलेगा?", unsure()),
        ("birth certificate kaise banega?", unsure("OTHER")),  # OTHER's keywords are no complaint
    ],
)
def test_a_question_without_an_answer_or_a_category_keyword_gets_the_menu_and_is_never_filed(question, classification):
    chat = Chat()
    actions = chat.text(question, classification=classification)
    assert keys(actions) == ["question_not_found"]
    assert reply(actions, "question_not_found").style == "list"
    assert not [action for action in actions if isinstance(action, FileGrievance)]
    assert chat.state["flow"] == "idle"


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("kachra kab uthega", "GARBAGE"),
        ("nali kab saaf hogi", "DRAIN"),
        ("street light kab theek hogi", "STREETLIGHT"),
        ("tanker kab aayega", "WATER"),
        ("there is a dead dog on the road, who will remove it?", "GARBAGE"),
        ("dog bite ho gaya, kya kare", "STRAY_ANIMALS"),
        ("The newly made CC road in ward 34 has cracks, who will check?", "ROAD"),
        ("pakki sadak kab banegi, kab tak kachi sadak par chalna padega", "ROAD"),
        ("कॉलोनी में कुत्ते बहुत हो गए हैं, कब पकड़ेंगे?", "STRAY_ANIMALS"),
    ],
)
def test_a_complaint_asked_as_a_question_without_an_answer_is_filed_at_once(question, code):
    chat = Chat()
    actions = chat.text(question, classification=sure(code))
    grievance_filed = only(actions, FileGrievance)
    assert (grievance_filed.kind, grievance_filed.category_code, grievance_filed.description) == (
        "complaint",
        code,
        question,
    )
    assert keys(actions) == ["filed"]


def test_an_unsure_complaint_asked_as_a_question_asks_the_category_and_keeps_the_text():
    chat = Chat()
    question = "nali kab saaf hogi"
    actions = chat.text(question, classification=unsure("DRAIN"))
    assert keys(actions) == ["ask_category"]
    assert reply(actions, "ask_category").options[0].id == "cat:DRAIN", "the likely one first"
    chat.tap("cat:DRAIN")
    chat.tap("skip:location")
    chat.tap("skip:photo")
    grievance_filed = only(chat.tap("confirm:yes"), FileGrievance)
    assert (grievance_filed.category_code, grievance_filed.description) == ("DRAIN", question)


def test_a_question_with_an_answer_is_still_answered_when_the_classifier_is_sure():
    chat = Chat()
    actions = chat.text("ration card kab banega?", classification=sure("RATION"), answer=TAX_ANSWER)
    assert keys(actions) == ["answer"]
    assert not [action for action in actions if isinstance(action, FileGrievance)]


def test_a_confident_complaint_wins_over_soft_suggestion_wording():
    chat = Chat()
    text = "please consider repairing the street light in gali 3"
    grievance_filed = only(chat.text(text, classification=sure("STREETLIGHT")), FileGrievance)
    assert (grievance_filed.kind, grievance_filed.category_code) == ("complaint", "STREETLIGHT")
    grievance_filed = only(
        chat.text("my suggestion: street light in gali 3 ko LED karo", classification=sure("STREETLIGHT")),
        FileGrievance,
    )
    assert (grievance_filed.kind, grievance_filed.category_code) == ("suggestion", "OTHER")


def test_thanks_never_open_a_complaint_even_when_the_classifier_is_sure():
    chat = Chat()
    actions = chat.text("धन्यवाद, आपकी टीम ने नाली साफ कर दी 🙏", classification=sure("DRAIN"))
    assert keys(actions) == ["thanks_reply"]
    assert chat.state["flow"] == "idle" and not chat.state["draft"]


def test_a_greeting_gets_the_menu_and_a_suggestion_is_filed_as_one():
    chat = Chat()
    assert keys(chat.text("good morning sir")) == ["menu"]
    actions = chat.text("सुझाव: पार्क में बेंच लगवा दें", classification=unsure("OTHER"))
    filed = only(actions, FileGrievance)
    assert (filed.kind, filed.category_code) == ("suggestion", "OTHER")
    assert keys(actions) == ["suggestion_filed"]


def test_a_confident_complaint_naming_a_place_is_filed_in_its_ward_with_the_place_as_address():
    chat = Chat()
    actions = chat.text("Teen Batti ke paas light nahi", classification=sure("STREETLIGHT"), places=(TEEN_BATTI,))
    filed = only(actions, FileGrievance)
    assert (filed.category_code, filed.ward_id, filed.address, filed.latitude) == (
        "STREETLIGHT",
        2,
        "तीन बत्ती",
        None,
    )
    assert keys(actions) == ["filed_complete"], "the ward is known: no location request"


def test_a_pin_sent_first_still_goes_with_the_complaint_that_names_a_place():
    chat = Chat()
    chat.pin(*SAGAR)
    actions = chat.text(
        "Shiv Mandir ke paas light nahi", classification=sure("STREETLIGHT"), places=(SHIV_MANDIR_3, SHIV_MANDIR_12)
    )
    filed = only(actions, FileGrievance)
    assert (filed.latitude, filed.longitude) == SAGAR, "the pin decides: no question about the place"
    assert (filed.ward_id, filed.address) == (None, "शिव मंदिर")
    chat = Chat()
    chat.pin(*SAGAR)
    filed = only(
        chat.text("Teen Batti par light nahi", classification=sure("STREETLIGHT"), places=(TEEN_BATTI,)), FileGrievance
    )
    assert ((filed.latitude, filed.longitude), filed.ward_id) == (SAGAR, 2), "the caller's pin wins over the ward"


SHIV_MANDIR_LIGHT = "Shiv Mandir ke paas light nahi"


def test_places_in_two_wards_are_filed_at_once_then_asked_with_buttons_and_the_choice_sets_the_ward():
    chat = Chat()
    actions = chat.text(SHIV_MANDIR_LIGHT, classification=sure("STREETLIGHT"), places=(SHIV_MANDIR_3, SHIV_MANDIR_12))
    grievance_filed = only(actions, FileGrievance)
    assert (grievance_filed.category_code, grievance_filed.ward_id, grievance_filed.address) == (
        "STREETLIGHT",
        None,
        "शिव मंदिर",
    ), "one message files (DESIGN §5): the names are the address, the ward is asked after"
    assert grievance_filed.description == SHIV_MANDIR_LIGHT
    assert keys(actions) == ["filed_complete", "ask_place"]
    asked = reply(actions, "ask_place")
    assert (asked.style, asked.about_filed) == ("buttons", True), "the question belongs to the grievance filed"
    assert option_ids(asked) == ["place:41", "place:42", "place:other"]
    assert [option.title for option in asked.options[:2]] == ["वार्ड 3 · Shanichari", "वार्ड 12 · Tilakganj"]
    assert "शिव मंदिर – वार्ड 12 · Tilakganj" in asked.params["choices"]
    filed_info = grievance(77, category="STREETLIGHT")
    actions = chat.tap("place:42", context_grievance=filed_info)
    assert only(actions, SetWard) == SetWard(77, 12, "शिव मंदिर")
    assert keys(actions) == ["location_added"]
    assert reply(actions, "location_added").grievance_id == 77
    assert not [action for action in actions if isinstance(action, FileGrievance)]
    assert chat.state == {"lang": "hi", "flow": "idle", "step": "", "draft": {}, "updated_at": chat.at}


def test_places_in_three_wards_are_a_list_and_other_place_asks_for_a_pin():
    chat = Chat()
    named = (SHIV_MANDIR_3, SHIV_MANDIR_12, BUS_STAND)
    actions = chat.text("shiv mandir se bus stand tak sadak toot gayi", classification=sure("ROAD"), places=named)
    assert only(actions, FileGrievance).ward_id is None
    asked = reply(actions, "ask_place")
    assert (asked.style, asked.list_button_key) == ("list", "place_button")
    assert option_ids(asked) == ["place:41", "place:42", "place:51", "place:other"]
    assert asked.options[2].description == "वार्ड 10 · Kakaganj"
    actions = chat.tap("place:other", recent_grievance=grievance(78, category="ROAD"))
    assert keys(actions) == ["ask_location"]
    assert reply(actions, "ask_location").style == "location_request"
    set_location = only(chat.pin(recent_grievance=grievance(78, category="ROAD")), SetLocation)
    assert (set_location.grievance_id, set_location.latitude) == (78, SAGAR[0])


def test_after_filing_a_place_typed_alone_is_a_choice_and_anything_else_a_new_message():
    chat = Chat()
    recent = grievance(79, category="STREETLIGHT")
    chat.text(SHIV_MANDIR_LIGHT, classification=sure("STREETLIGHT"), places=(SHIV_MANDIR_3, SHIV_MANDIR_12))
    tilakganj_mandir = PlaceInfo(43, "तिलकगंज", 12, "वार्ड 12 · Tilakganj")
    actions = chat.text("तिलकगंज वाला", places=(tilakganj_mandir,), recent_grievance=recent)
    assert only(actions, SetWard) == SetWard(79, 12, "शिव मंदिर")
    # "haan" is not a choice: never the address, just a message (a note on the grievance just filed)
    chat = Chat()
    chat.text(SHIV_MANDIR_LIGHT, classification=sure("STREETLIGHT"), places=(SHIV_MANDIR_3, SHIV_MANDIR_12))
    actions = chat.text("haan", recent_grievance=recent)
    assert not [action for action in actions if isinstance(action, SetWard | FileGrievance)]
    assert "places" not in chat.state["draft"]
    # a new complaint is filed as one, and the offered places are gone
    chat = Chat()
    chat.text(SHIV_MANDIR_LIGHT, classification=sure("STREETLIGHT"), places=(SHIV_MANDIR_3, SHIV_MANDIR_12))
    actions = chat.text("gali me kachra pada hai", classification=sure("GARBAGE"), recent_grievance=recent)
    assert only(actions, FileGrievance).category_code == "GARBAGE"
    assert not [action for action in actions if isinstance(action, SetWard)]
    assert chat.state["draft"] == {}


def test_after_filing_a_forged_place_or_an_old_question_opens_the_menu():
    chat = Chat()
    chat.text(SHIV_MANDIR_LIGHT, classification=sure("STREETLIGHT"), places=(SHIV_MANDIR_3, SHIV_MANDIR_12))
    actions = chat.tap("place:99", context_grievance=grievance(80))
    assert keys(actions) == ["draft_expired", "menu"]
    assert not [action for action in actions if isinstance(action, SetWard)]
    chat = Chat()
    chat.text(SHIV_MANDIR_LIGHT, classification=sure("STREETLIGHT"), places=(SHIV_MANDIR_3, SHIV_MANDIR_12))
    actions = chat.tap("place:42", after=31 * 60, context_grievance=grievance(80))
    assert keys(actions) == ["draft_expired", "menu"], "over 30 minutes: the grievance keeps no ward, staff set it"


def test_at_the_place_question_of_an_unsure_complaint_haan_is_no_address():
    chat = Chat()
    chat.text("शिव मंदिर के पास दिक्कत है", places=(SHIV_MANDIR_3, SHIV_MANDIR_12))
    assert keys(chat.text("haan")) == ["ask_place"]
    assert "address" not in chat.state["draft"]
    assert keys(chat.tap("place:99")) == ["ask_place"], "a place that was not offered"
    assert keys(chat.text("ward 12")) == ["ask_category"]
    assert chat.state["draft"]["ward_number"] == 12


def test_an_unsure_complaint_naming_a_place_asks_the_category_but_not_the_location():
    chat = Chat()
    actions = chat.text("तीन बत्ती के पास दिक्कत है", places=(TEEN_BATTI,))
    assert keys(actions) == ["ask_category"]
    chat.tap("cat:STREETLIGHT")
    actions = chat.tap("skip:photo")
    summary = reply(actions, "confirm_summary")
    assert summary.params["location"] == "तीन बत्ती"
    filed = only(chat.tap("confirm:yes"), FileGrievance)
    assert (filed.ward_id, filed.address) == (2, "तीन बत्ती")


def test_an_unsure_complaint_naming_places_in_two_wards_asks_the_place_then_the_category():
    chat = Chat()
    assert keys(chat.text("शिव मंदिर के पास दिक्कत है", places=(SHIV_MANDIR_3, SHIV_MANDIR_12))) == ["ask_place"]
    assert keys(chat.tap("place:41")) == ["ask_category"]
    assert chat.state["draft"]["ward_id"] == 3


def test_an_emergency_naming_places_in_two_wards_is_filed_at_once():
    chat = Chat()
    actions = chat.text(
        "shiv mandir ke paas aag lagi hai", classification=sure("EMERGENCY"), places=(SHIV_MANDIR_3, SHIV_MANDIR_12)
    )
    filed = only(actions, FileGrievance)
    assert filed.emergency and (filed.ward_id, filed.address) == (None, "शिव मंदिर")
    assert keys(actions) == ["emergency_numbers", "filed_complete", "ask_place"]


def test_an_emergency_naming_a_place_is_filed_in_its_ward():
    chat = Chat()
    actions = chat.text("Fire in the market near Teen Batti", classification=unsure("EMERGENCY"), places=(TEEN_BATTI,))
    assert keys(actions) == ["emergency_numbers", "ask_category"], "unsure: the numbers, then the category"
    assert (chat.state["draft"]["ward_id"], chat.state["draft"]["address"]) == (2, "तीन बत्ती")
    chat = Chat()
    actions = chat.text("Fire in the market near Teen Batti", classification=sure("EMERGENCY"), places=(TEEN_BATTI,))
    filed = only(actions, FileGrievance)
    assert (filed.emergency, filed.ward_id, filed.address) == (True, 2, "तीन बत्ती")
    assert keys(actions) == ["emergency_numbers", "filed_complete"]
    chat = Chat()
    chat.tap("menu:emergency")
    filed = only(chat.text("तीन बत्ती पर आग लगी है", places=(TEEN_BATTI,)), FileGrievance)
    assert (filed.emergency, filed.ward_id, filed.address) == (True, 2, "तीन बत्ती")


def test_stored_places_and_questions_that_are_not_usable_are_dropped():
    state = {
        "flow": "complaint",
        "draft": {
            "places": [{"id": "1", "ward_id": 2}, {"id": 3, "ward_id": True}, "x"],
            "question": {"text": "  ", "category": "TAX"},
            "ward_id": -4,
        },
    }
    assert dialogue.clean_state(state)["draft"] == {}
    state["draft"]["question"] = {"text": "kab?", "category": "bad code", "ward_id": 5, "address": 7}
    assert dialogue.clean_state(state)["draft"] == {"question": {"text": "kab?", "ward_id": 5}}


def test_a_place_typed_as_the_address_gives_its_ward_too():
    chat = Chat()
    chat.text("दिक्कत है")
    assert keys(chat.tap("cat:STREETLIGHT"))[0] == "ask_location"
    chat.text("तीन बत्ती के पास, गली 3", places=(TEEN_BATTI,))
    chat.tap("skip:photo")
    filed = only(chat.tap("confirm:yes"), FileGrievance)
    assert (filed.ward_id, filed.address) == (2, "तीन बत्ती के पास, गली 3")


# --------------------------------------------------------------------------- announcements (broadcasts)

WARD_7 = WardInfo(id=70, number=7, title="वार्ड 7 · Katra")


def test_announcements_from_the_menu_consent_then_the_proposed_ward():
    chat = Chat(announcement_ward=WARD_7)
    actions = chat.tap("menu:announce")
    consent = reply(actions, "announce_consent")
    assert consent.style == "buttons" and option_ids(consent) == ["announce:yes", "announce:no"]
    for text in (BOT_TEXTS["announce_consent"], HINDI["announce_consent"]):
        assert "सागर नगर निगम" in text and "STOP" in text and "बंद" in text  # who sends, and how to stop
    assert "Sagar Municipal Corporation" in BOT_TEXTS["announce_consent"]
    assert not any(isinstance(action, SetOptIn) for action in actions)  # nothing recorded before consent

    actions = chat.tap("announce:yes")
    confirm = reply(actions, "announce_confirm_ward")
    assert confirm.params == {"ward": "वार्ड 7 · Katra"}
    assert option_ids(confirm) == ["announce:ward:70", "announce:other"]
    assert confirm.options[0].title_key == "button_announce_ward" and confirm.options[0].title_params == {"number": 7}
    assert HINDI["button_announce_ward"].format(number=7) == "वार्ड 7 ✓"
    assert not any(isinstance(action, SetOptIn) for action in actions)

    actions = chat.tap("announce:ward:70")
    assert actions == [SetOptIn(True, source="bot", ward_id=70), Reply("announce_done", about_announcements=True)]
    assert chat.state["flow"] == "idle"


def test_announcements_typed_yes_and_typed_yes_to_the_ward():
    chat = Chat(announcement_ward=WARD_7)
    chat.text("सूचनाएँ")
    assert chat.state["flow"] == "announce"
    assert keys(chat.text("हाँ")) == ["announce_confirm_ward"]
    assert only(chat.text("हां जी"), SetOptIn) == SetOptIn(True, source="bot", ward_id=70)


def test_announcements_other_ward_by_number_pin_or_place():
    chat = Chat(announcement_ward=WARD_7)
    chat.tap("menu:announce")
    chat.tap("announce:yes")
    assert keys(chat.tap("announce:other")) == ["announce_ask_ward"]
    assert keys(chat.text("ward kya?")) == ["announce_invalid_ward"]  # asked again, the flow stays
    assert only(chat.text("वार्ड नं. १२"), SetOptIn) == SetOptIn(True, source="bot", ward_number=12)

    chat = Chat()  # no ward known: asked at once
    chat.tap("menu:announce")
    assert keys(chat.tap("announce:yes")) == ["announce_ask_ward"]
    assert only(chat.pin(), SetOptIn) == SetOptIn(True, source="bot", latitude=SAGAR[0], longitude=SAGAR[1])

    chat = Chat()
    chat.tap("menu:announce")
    chat.text("yes")
    place = PlaceInfo(id=5, title="तीन बत्ती", ward_id=20, ward_title="वार्ड 2 · Katra")
    assert only(chat.text("तीन बत्ती", places=(place,)), SetOptIn) == SetOptIn(True, source="bot", ward_id=20)


def test_announcements_declined_records_nothing():
    chat = Chat(categories=CATEGORIES_EN, state={"lang": "en", "flow": "idle", "step": "", "draft": {}})
    chat.tap("menu:announce")
    assert chat.tap("announce:no") == [Reply("announce_declined")]
    chat.tap("menu:announce")
    assert chat.text("no") == [Reply("announce_declined")]
    assert chat.state == {"lang": "en", "flow": "idle", "step": "", "draft": {}, "updated_at": chat.at}


def test_announcements_when_already_opted_in_offer_stop():
    chat = Chat(opted_in=True, announcement_ward=WARD_7)
    actions = chat.tap("menu:announce")
    assert keys(actions) == ["announce_already"]
    already = reply(actions, "announce_already")
    assert already.about_announcements and option_ids(already) == ["announce:stop", "announce:other"]
    assert chat.state["flow"] == "idle"
    assert chat.tap("announce:stop") == [SetOptIn(False, source="bot"), Reply("opted_out")]


def test_a_complaint_instead_of_the_ward_is_handled_as_a_complaint():
    chat = Chat()
    chat.tap("menu:announce")
    chat.tap("announce:yes")
    actions = chat.text("हमारे मोहल्ले में तीन दिन से पानी नहीं आ रहा है", sure("WATER"))
    assert filed(actions).category_code == "WATER"
    assert not any(isinstance(action, SetOptIn) for action in actions)


def test_stop_in_the_middle_of_the_announcements_flow_is_the_keyword():
    chat = Chat(announcement_ward=WARD_7)
    chat.tap("menu:announce")
    assert chat.text("बंद") == [SetOptIn(False), Reply("opted_out")]
    assert SetOptIn(False).source == "keyword"


def test_a_forged_announce_button_goes_to_the_menu():
    assert keys(Chat().tap("announce:ward:abc")) == ["menu"]
    assert keys(Chat().tap("announce:nonsense")) == ["menu"]
