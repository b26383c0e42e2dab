"""The Hindi translations cover both addons and keep every placeholder and tag of the English.

A broken entry shows up in Odoo as an English label, a crash when a message is formatted, or a
mangled view; these checks catch it before the module is installed.
"""

import re
from collections import Counter
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each addon carries its own template and Hindi file: the simulator's strings live in its addon only.
ADDONS = ("mp15_grievance", "mp15_grievance_simulator")
# An addon's template shrinking below this means its strings were lost, not that it has fewer.
LEAST_ENTRIES = {"mp15_grievance": 500, "mp15_grievance_simulator": 50}

# %(name)s / %s (Python), {name} (bot texts), {{1}} (WhatsApp template parameters)
PLACEHOLDER = re.compile(r"%\(\w+\)[sdrf]|%[sdrf]|\{\{\w+\}\}|\{\w+\}")
TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)((?:\s+[\w:.-]+(?:=\"[^\"]*\")?)*)\s*(/?)>")
ATTRIBUTE = re.compile(r"([\w:.-]+)(?:=\"([^\"]*)\")?")
# Odoo translates these attributes of a view term; every other attribute must stay as it is.
TRANSLATED_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "string", "help", "data-tooltip"}
DEVANAGARI = re.compile(r"[\u0900-\u097F]")
# Long msgids that are rightly left as they are: sample data, not language.
UNTRANSLATED_ON_PURPOSE = {
    '{"type": "Polygon", "coordinates": [[[78.73, 23.83], [78.75, 23.83], [78.75, 23.85], [78.73, 23.83]]]}',
    # examples already in Hindi (a WhatsApp template's body, a broadcast's parameters)
    "वार्ड {{1}} में {{2}} को पानी की सप्लाई बंद रहेगी।",
    "12\nरविवार, 8 दिसंबर\nपाइपलाइन की मरम्मत",
}
URL = re.compile(r"^\s*https?://\S+\s*$")


@pytest.fixture(scope="module", params=ADDONS)
def addon(request):
    return request.param


@pytest.fixture(scope="module")
def template(addon):
    return polib.pofile(str(ROOT / addon / "i18n" / f"{addon}.pot"), check_for_duplicates=True)


@pytest.fixture(scope="module")
def hindi(addon):
    return polib.pofile(str(ROOT / addon / "i18n" / "hi.po"), check_for_duplicates=True)


def tags(text):
    """Each tag with the attributes Odoo does not translate, so `title="Ward"` may become Hindi."""
    found = []
    for closing, name, attributes, self_closing in TAG.findall(text):
        kept = tuple(
            sorted((key, value) for key, value in ATTRIBUTE.findall(attributes) if key not in TRANSLATED_ATTRIBUTES)
        )
        found.append((closing, name, kept, self_closing))
    return Counter(found)


def edge_whitespace(text):
    stripped = text.strip()
    if not stripped:
        return text, ""
    start = text.index(stripped)
    return text[:start], text[start + len(stripped) :]


def test_the_hindi_file_is_for_hindi(hindi):
    assert hindi.metadata["Language"] == "hi"
    assert hindi.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert hindi.metadata["Content-Type"] == "text/plain; charset=UTF-8"


def test_every_template_entry_has_hindi(addon, template, hindi):
    translated = {(entry.msgctxt, entry.msgid): entry for entry in hindi}
    missing = [entry.msgid for entry in template if (entry.msgctxt, entry.msgid) not in translated]
    empty = [
        entry.msgid
        for entry in template
        if (entry.msgctxt, entry.msgid) in translated and not translated[(entry.msgctxt, entry.msgid)].msgstr.strip()
    ]
    assert len(template) > LEAST_ENTRIES[addon]
    assert missing == []
    assert empty == []


def test_hindi_holds_no_entry_the_template_lost(template, hindi):
    in_template = {(entry.msgctxt, entry.msgid) for entry in template}
    stale = [entry.msgid for entry in hindi if (entry.msgctxt, entry.msgid) not in in_template]
    assert stale == []
    assert [entry.msgid for entry in hindi if entry.obsolete or entry.fuzzy] == []


def test_hindi_entries_keep_the_template_references(template, hindi):
    references = {(entry.msgctxt, entry.msgid): sorted(entry.occurrences) for entry in template}
    moved = [
        entry.msgid
        for entry in hindi
        if (entry.msgctxt, entry.msgid) in references
        and sorted(entry.occurrences) != references[(entry.msgctxt, entry.msgid)]
    ]
    assert moved == []


def test_placeholders_are_kept(hindi):
    broken = [
        (entry.msgid, entry.msgstr)
        for entry in hindi
        if entry.msgstr and Counter(PLACEHOLDER.findall(entry.msgid)) != Counter(PLACEHOLDER.findall(entry.msgstr))
    ]
    assert broken == []


def test_markup_is_kept(hindi):
    broken = [
        (entry.msgid, entry.msgstr) for entry in hindi if entry.msgstr and tags(entry.msgid) != tags(entry.msgstr)
    ]
    assert broken == []


def test_leading_and_trailing_whitespace_is_kept(hindi):
    broken = [
        entry.msgid for entry in hindi if entry.msgstr and edge_whitespace(entry.msgid) != edge_whitespace(entry.msgstr)
    ]
    assert broken == []


def test_long_english_is_translated(hindi):
    """A sentence left in English (or copied over) is what a Hindi-speaking officer would see."""
    english = [
        entry.msgid
        for entry in hindi
        if len(TAG.sub(" ", entry.msgid).split()) > 3
        and entry.msgid not in UNTRANSLATED_ON_PURPOSE
        and not URL.match(entry.msgid)
        and (entry.msgstr == entry.msgid or not DEVANAGARI.search(entry.msgstr))
    ]
    assert english == []


def test_each_addon_translates_its_own_strings(addon, template):
    """Every reference of a template points into its own addon: no simulator string in the main one."""
    elsewhere = [
        (entry.msgid, path)
        for entry in template
        for path, _line in entry.occurrences
        if not (path.startswith(f"code:addons/{addon}/") or f":{addon}." in path)
    ]
    assert elsewhere == []
    assert [entry.occurrences for entry in template if not entry.occurrences] == []
    if addon == "mp15_grievance":
        assert [entry.msgid for entry in template if "simulat" in str(entry.occurrences).lower()] == []


def test_the_checks_see_a_broken_entry():
    assert Counter(PLACEHOLDER.findall("%(ref)s missed {deadline}; {{1}} is %s")) != Counter(
        PLACEHOLDER.findall("%(रेफ़)s समय-सीमा {deadline} %s")
    )
    assert tags('<i class="fa fa-clock-o" title="Deadline"/>') == tags('<i class="fa fa-clock-o" title="समय-सीमा"/>')
    assert tags('<i class="fa fa-clock-o" title="Deadline"/>') != tags('<i class="fa fa-clock" title="समय-सीमा"/>')
    assert tags("<strong>Sending stopped:</strong>") != tags("<b>भेजना रुका:</b>")
    assert edge_whitespace(" Open ") != edge_whitespace("खुली")
