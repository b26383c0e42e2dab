"""The classifier on the held-out evaluation set (written independently, never tuned on).

Auto-filing a message in the wrong category sends a crew to the wrong department, so the
precision of auto-filed categories must stay at least 95 % while at least 70 % of real
complaints are filed without questions (issue targets). scripts/evaluate_classifier.py
prints the full report.
"""

import csv
from pathlib import Path

from lxml import etree

from mp15_grievance.tools.classifier import Classifier

ROOT = Path(__file__).resolve().parent.parent
EVAL_SET = ROOT / "tests" / "data" / "classifier_eval.csv"
CATEGORY_XML = ROOT / "mp15_grievance" / "data" / "mp15_grievance_category_data.xml"


def _shipped_classifier():
    tree = etree.parse(str(CATEGORY_XML))
    keywords = {
        record.findtext("field[@name='code']"): record.findtext("field[@name='keywords']") or ""
        for record in tree.iterfind("record")
    }
    return Classifier(keywords)


def test_held_out_precision_and_auto_filed_share_meet_the_targets():
    classifier = _shipped_classifier()
    with EVAL_SET.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 150
    filed = right = complaints = complaints_filed = 0
    for row in rows:
        result = classifier.classify(row["text"])
        if row["category"] != "OTHER":
            complaints += 1
            complaints_filed += result.auto_file
        if result.auto_file:
            filed += 1
            right += result.code == row["category"]
    precision, share = right / filed, complaints_filed / complaints
    assert precision >= 0.95, f"precision of auto-filed categories {precision:.1%} < 95 %"
    assert share >= 0.70, f"auto-filed share of complaints {share:.1%} < 70 %"
