"""Measure the complaint classifier on a labelled CSV, with the keywords shipped in the category XML.

Usage: python scripts/evaluate_classifier.py [CSV] [--missed] [--threshold 0.65] [--keywords XML]

The CSV has the columns ``text,category,language[,note]``: a category code (ROAD, WATER ...) and a
language (``hi``, ``hinglish``, ``en``). A CSV with a ``label`` column instead (the shared real
English complaints, /work/shared/data/complaints_dev_real.csv) is read too: its labels are mapped
to codes and its language is ``en``.

Printed: the precision of auto-filing (auto-filed with the right code / all auto-filed) and the
auto-filed share (auto-filed among messages whose category is not OTHER), overall, per language
and per category, then every wrong auto-filing. Exit status 2 on a missing or malformed file.
"""

import argparse
import csv
import sys
import types
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CSV = ROOT / "tests" / "data" / "classifier_eval.csv"
DEFAULT_XML = ROOT / "mp15_grievance" / "data" / "mp15_grievance_category_data.xml"
SHARED_LABELS = {
    "road": "ROAD",
    "streetlight_electricity": "STREETLIGHT",
    "water": "WATER",
    "drain_sewer": "DRAIN",
    "garbage_sanitation": "GARBAGE",
    "other": "OTHER",
}
NOT_A_COMPLAINT = "OTHER"

if "mp15_grievance" not in sys.modules:  # the pure core without Odoo, as tests/conftest.py does
    _package = types.ModuleType("mp15_grievance")
    _package.__path__ = [str(ROOT / "mp15_grievance")]
    sys.modules["mp15_grievance"] = _package

from mp15_grievance.tools.classifier import AUTO_FILE_CONFIDENCE, Classifier  # noqa: E402


class InputError(Exception):
    pass


@dataclass(frozen=True)
class Result:
    text: str
    label: str
    language: str
    classification: object

    @property
    def filed(self):
        return self.classification.auto_file

    @property
    def right(self):
        return self.filed and self.classification.code == self.label

    @property
    def complaint(self):
        return self.label != NOT_A_COMPLAINT

    def explain(self):
        result = self.classification
        scores = " ".join(f"{code}={score}" for code, score in result.scores)
        words = " ".join(result.matched_words)
        return f"[{self.language}] {result.code} {result.confidence:.2f} ({scores}; {words}): {self.text!r}"


def load_keywords(xml_path):
    """{code: keyword field text} of the categories in the data file."""
    try:
        tree = ElementTree.parse(xml_path)
    except (OSError, ElementTree.ParseError) as error:
        raise InputError(f"cannot read the category keywords from {xml_path}: {error}") from error
    keywords = {}
    for record in tree.iter("record"):
        if record.get("model") == "mp15.grievance.category":
            fields = {field.get("name"): (field.text or "").strip() for field in record.iter("field")}
            if fields.get("code"):
                keywords[fields["code"]] = fields.get("keywords", "")
    if not keywords:
        raise InputError(f"{xml_path} has no mp15.grievance.category records")
    return keywords


def load_rows(csv_path, codes):
    """[(text, code, language)] of a labelled CSV; InputError says what is wrong and where."""
    rows = []
    try:
        with open(csv_path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            shared = "category" not in columns and "label" in columns
            if "text" not in columns or not (shared or {"category", "language"} <= set(columns)):
                raise InputError(
                    f"{csv_path}: the header must be text,category,language[,note] "
                    f"(or text,label for the shared data), not {','.join(columns) or 'empty'}"
                )
            for record in reader:
                where = f"{csv_path}:{reader.line_num}"
                if None in record or None in record.values():
                    raise InputError(f"{where}: expected {len(columns)} columns")
                if shared:
                    code, language = SHARED_LABELS.get(record["label"].strip(), record["label"]), "en"
                else:
                    code, language = record["category"].strip(), record["language"].strip()
                if code not in codes:
                    raise InputError(f"{where}: unknown category {code!r} (known: {', '.join(sorted(codes))})")
                if not language:
                    raise InputError(f"{where}: empty language")
                rows.append((record["text"], code, language))
    except FileNotFoundError as error:
        raise InputError(f"{csv_path}: no such file") from error
    except IsADirectoryError as error:
        raise InputError(f"{csv_path}: is a directory") from error
    except UnicodeDecodeError as error:
        raise InputError(f"{csv_path}: not UTF-8 ({error})") from error
    except csv.Error as error:
        raise InputError(f"{csv_path}: malformed CSV ({error})") from error
    if not rows:
        raise InputError(f"{csv_path}: no messages")
    return rows


def _percent(part, whole):
    return f"{100 * part / whole:5.1f} %" if whole else "    -  "


SUMMARY_HEADER = f"{'':<22}{'msgs':>6}{'complaints':>12}{'auto-filed':>12}{'right':>7}{'precision':>11}{'share':>9}"
CATEGORY_HEADER = (
    f"{'category':<22}{'msgs':>6}{'auto-filed':>12}{'share':>9}   |{'filed as':>10}{'right':>7}{'precision':>11}"
)


def _summary_line(name, results):
    filed = [result for result in results if result.filed]
    complaints = [result for result in results if result.complaint]
    right = sum(result.right for result in filed)
    filed_complaints = sum(result.filed for result in complaints)
    return (
        f"{name:<22}{len(results):>6}{len(complaints):>12}{len(filed):>12}{right:>7}"
        f"{_percent(right, len(filed)):>11}{_percent(filed_complaints, len(complaints)):>9}"
    )


def _category_line(code, results):
    """Messages labelled ``code`` (how many were filed) and messages filed as ``code`` (how many rightly)."""
    labelled = [result for result in results if result.label == code]
    labelled_filed = sum(result.filed for result in labelled)
    filed_as = [result for result in results if result.filed and result.classification.code == code]
    right = sum(result.right for result in filed_as)
    return (
        f"{code:<22}{len(labelled):>6}{labelled_filed:>12}{_percent(labelled_filed, len(labelled)):>9}   |"
        f"{len(filed_as):>10}{right:>7}{_percent(right, len(filed_as)):>11}"
    )


def report(rows, classifier, show_missed=False):
    results = [Result(text, label, language, classifier.classify(text)) for text, label, language in rows]
    lines = [SUMMARY_HEADER, _summary_line("overall", results)]
    for language in sorted({result.language for result in results}):
        lines.append(
            _summary_line(f"language {language}", [result for result in results if result.language == language])
        )
    lines += ["", CATEGORY_HEADER]
    codes = {result.label for result in results} | {result.classification.code for result in results if result.filed}
    lines += [_category_line(code, results) for code in sorted(codes)]
    wrong = [result for result in results if result.filed and not result.right]
    lines += ["", f"Wrong auto-filings: {len(wrong)}"]
    lines += [f"  labelled {result.label}, filed {result.explain()}" for result in wrong]
    if show_missed:
        missed = [result for result in results if result.complaint and not result.filed]
        lines += ["", f"Complaints not auto-filed: {len(missed)}"]
        lines += [f"  labelled {result.label}, placed {result.explain()}" for result in missed]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", nargs="?", default=str(DEFAULT_CSV), help="labelled messages (default: %(default)s)")
    parser.add_argument("--keywords", default=str(DEFAULT_XML), help="category data file (default: %(default)s)")
    parser.add_argument("--threshold", type=float, default=AUTO_FILE_CONFIDENCE, help="auto-file confidence")
    parser.add_argument("--missed", action="store_true", help="also list the complaints that were not auto-filed")
    args = parser.parse_args(argv)
    try:
        keywords = load_keywords(args.keywords)
        rows = load_rows(args.csv, set(keywords))
    except InputError as error:
        print(f"evaluate_classifier: error: {error}", file=sys.stderr)
        return 2
    classifier = Classifier(keywords, auto_file_confidence=args.threshold)
    for code, message in classifier.errors:
        print(f"warning: a keyword of {code} was skipped: {message}", file=sys.stderr)
    print(f"{args.csv}: {len(rows)} messages, threshold {args.threshold:.2f}, keywords from {args.keywords}\n")
    print(report(rows, classifier, show_missed=args.missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
