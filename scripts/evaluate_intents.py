"""The questions report of scripts/evaluate_classifier.py --intents: questions, thanks and greetings.

The CSV (default tests/data/intents_eval.csv) has the columns ``text,intent,language,answer``:
the intent a message should get (complaint, question, thanks, greeting, suggestion) and, for a
question, the code of the shipped answer it should get (``property_tax`` for the record
``bot_answer_property_tax`` of mp15_bot_answer_data.xml) or nothing when no answer fits.

Printed, overall and per language: the share of non-complaints NOT filed at once (filed = intent
complaint and a classification that auto-files, as the WhatsApp engine decides; goal 95 %), the
share of questions given the right answer (goal 80 %; a question with no answer is right when none is
given) and the share of messages given the right intent; then every message that went wrong.
"""

import csv
import sys
from dataclasses import dataclass

from evaluate_classifier import ROOT, InputError, _percent, load_answers, understand

from mp15_grievance.tools.answers import match_answer
from mp15_grievance.tools.classifier import Classifier
from mp15_grievance.tools.gazetteer import without_places
from mp15_grievance.tools.intent import INTENTS

DEFAULT_INTENTS_CSV = ROOT / "tests" / "data" / "intents_eval.csv"
NOT_FILED_GOAL = 0.95
RIGHT_ANSWER_GOAL = 0.80


def load_intent_rows(csv_path, answer_codes):
    """[(text, intent, language, answer code)]; InputError says what is wrong and where."""
    try:
        with open(csv_path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if not {"text", "intent", "language", "answer"} <= set(reader.fieldnames or ()):
                raise InputError(f"{csv_path}: the header must be text,intent,language,answer")
            rows = []
            for record in reader:
                where = f"{csv_path}:{reader.line_num}"
                intent, answer = record["intent"].strip(), (record["answer"] or "").strip()
                if intent not in INTENTS:
                    raise InputError(f"{where}: unknown intent {intent!r}")
                if answer and answer not in answer_codes:
                    raise InputError(f"{where}: unknown answer {answer!r}")
                rows.append((record["text"], intent, record["language"].strip(), answer))
    except (FileNotFoundError, IsADirectoryError, UnicodeDecodeError, csv.Error) as error:
        raise InputError(f"{csv_path}: {error}") from error
    if not rows:
        raise InputError(f"{csv_path}: no messages")
    return rows


@dataclass(frozen=True)
class IntentResult:
    text: str
    expected: str
    language: str
    expected_answer: str
    intent: str
    filed: bool
    answer: str  # the code of the answer given to a question, "" for none

    @property
    def right_answer(self):
        return self.intent == "question" and self.answer == self.expected_answer


def evaluate_intents(rows, classifier, places, candidates, codes):
    results = []
    for text, expected, language, expected_answer in rows:
        classification, intent = understand(text, classifier, places, candidates)
        filed = intent == "complaint" and classification.auto_file
        rest = without_places(text, places) if places else text  # as the engine matches the answer
        answer = codes.get(match_answer(rest, candidates), "") if intent == "question" else ""
        results.append(IntentResult(text, expected, language, expected_answer, intent, filed, answer))
    return results


def shares(results):
    """(non-complaints not filed, their count, questions rightly answered, their count)."""
    others = [result for result in results if result.expected != "complaint"]
    questions = [result for result in results if result.expected == "question"]
    not_filed = sum(not result.filed for result in others)
    answered = sum(result.right_answer for result in questions)
    return not_filed, len(others), answered, len(questions)


HEADER = f"{'':<20}{'msgs':>6}{'not complaints':>16}{'not filed':>11}{'questions':>11}{'answered':>10}{'intent ok':>11}"


def _line(name, results):
    not_filed, others, answered, questions = shares(results)
    right_intent = sum(result.intent == result.expected for result in results)
    return (
        f"{name:<20}{len(results):>6}{others:>16}{_percent(not_filed, others):>11}{questions:>11}"
        f"{_percent(answered, questions):>10}{_percent(right_intent, len(results)):>11}"
    )


def report(results):
    lines = [HEADER, _line("overall", results)]
    for language in sorted({result.language for result in results}):
        lines.append(_line(f"language {language}", [result for result in results if result.language == language]))
    lines.append(_line("complaints only", [result for result in results if result.expected == "complaint"]))
    lines += ["", f"Goals: not filed >= {NOT_FILED_GOAL:.0%}, questions answered right >= {RIGHT_ANSWER_GOAL:.0%}."]
    wrong = [
        result
        for result in results
        if result.intent != result.expected
        or (result.expected != "complaint" and result.filed)
        or (result.expected == "question" and not result.right_answer)
    ]
    lines += ["", f"Wrong: {len(wrong)}"]
    for result in wrong:
        filed = " FILED" if result.filed else ""
        answer = f" answer {result.answer or '-'} (expected {result.expected_answer or '-'})"
        lines.append(f"  [{result.language}] {result.expected} -> {result.intent}{filed}{answer}: {result.text!r}")
    return "\n".join(lines)


def main(csv_path, keywords, places, threshold):
    """Print the questions report; 0, or 2 on a missing or malformed file."""
    try:
        candidates, codes = load_answers()
        rows = load_intent_rows(csv_path or DEFAULT_INTENTS_CSV, set(codes.values()))
    except InputError as error:
        print(f"evaluate_classifier: error: {error}", file=sys.stderr)
        return 2
    classifier = Classifier(keywords, auto_file_confidence=threshold)
    print(f"{csv_path or DEFAULT_INTENTS_CSV}: {len(rows)} messages, {len(candidates)} answers, {len(places)} places\n")
    print(report(evaluate_intents(rows, classifier, places, candidates, codes)))
    return 0
