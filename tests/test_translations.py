"""The Hindi translation covers the whole addon and keeps every placeholder and tag of the English.

A broken entry shows up in Odoo as an English label, a crash when a message is formatted, or a
mangled view; these checks catch it before the module is installed.
"""

import re
from collections import Counter
from pathlib import Path

import polib
import pytest

I18N = Path(__file__).resolve().parent.parent / "mp15_grievance" / "i18n"
TEMPLATE = I18N / "mp15_grievance.pot"
HINDI_PO = I18N / "hi.po"

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
}
URL = re.compile(r"^\s*https?://\S+\s*$")


@pytest.fixture(scope="module")
def template():
    return polib.pofile(str(TEMPLATE), check_for_duplicates=True)


@pytest.fixture(scope="module")
def hindi():
    return polib.pofile(str(HINDI_PO), check_for_duplicates=True)


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


def test_every_template_entry_has_hindi(template, hindi):
    translated = {(entry.msgctxt, entry.msgid): entry for entry in hindi}
    missing = [entry.msgid for entry in template if (entry.msgctxt, entry.msgid) not in translated]
    empty = [
        entry.msgid
        for entry in template
        if (entry.msgctxt, entry.msgid) in translated and not translated[(entry.msgctxt, entry.msgid)].msgstr.strip()
    ]
    assert len(template) > 500
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


def test_the_checks_see_a_broken_entry():
    assert Counter(PLACEHOLDER.findall("%(ref)s missed {deadline}; {{1}} is %s")) != Counter(
        PLACEHOLDER.findall("%(रेफ़)s समय-सीमा {deadline} %s")
    )
    assert tags('<i class="fa fa-clock-o" title="Deadline"/>') == tags('<i class="fa fa-clock-o" title="समय-सीमा"/>')
    assert tags('<i class="fa fa-clock-o" title="Deadline"/>') != tags('<i class="fa fa-clock" title="समय-सीमा"/>')
    assert tags("<strong>Sending stopped:</strong>") != tags("<b>भेजना रुका:</b>")
    assert edge_whitespace(" Open ") != edge_whitespace("खुली")
