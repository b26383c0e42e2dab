"""Questions in the idle flow: the bot answer that fits, the "File a complaint" button under it, and
which questions are complaints after all ("kachra kab uthega": no answer, but a category keyword)."""

from __future__ import annotations

from ..classifier import Classification
from . import flows, places
from .actions import Option
from .events import OTHER_CODE
from .state import carried_over
from .turn import Turn


def is_complaint(classification: Classification | None) -> bool:
    """A question no answer fits is a complaint when it names a category's keyword (OTHER's do not count:
    they are certificates, schemes, "kaise" ...): "nali kab saaf hogi", "who will remove the dead dog?"."""
    return bool(classification and classification.code and classification.code != OTHER_CODE)


def answer(turn: Turn) -> None:
    """A question the bot can answer: the answer, and a button that files the question as a complaint after all."""
    event, classification = turn.event, turn.event.classification
    question = {"text": turn.text()}
    if classification and classification.auto_file and classification.code:
        question["category"] = classification.code
    ward_id, address = places.one_ward(event.places)
    if ward_id is not None:
        question["ward_id"] = ward_id
    if address:
        question["address"] = address
    turn.draft = {**carried_over(turn.draft), "question": question}
    turn.say(
        "answer",
        params={"answer": event.answer.text},
        style="buttons",
        options=(Option("question:complain", title_key="button_complain"),),
    )


def complain_about_question(turn: Turn) -> None:
    """ "File a complaint" under an answer: the question goes on as a complaint, filed at once if it is clear."""
    question = turn.question
    if not question:  # the answer is over 30 minutes old, or something else was sent since
        turn.reset()
        turn.expired = True
        turn.menu()
        return
    carried = carried_over(turn.draft) if turn.flow == "idle" else {}
    turn.reset()
    turn.flow, turn.draft = "complaint", carried
    for key in ("ward_id", "address"):
        if key in question:
            turn.draft.setdefault(key, question[key])
    code = question.get("category")
    if code and turn.category_is_valid(code):
        turn.file_complaint_now(code, question["text"])
    else:
        turn.add_description(question["text"])
        flows.advance(turn)
