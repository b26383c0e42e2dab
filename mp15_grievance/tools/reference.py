"""Grievance references (MP15-2026-000123): found in what a citizen types, written as the sequence writes them."""

import re

SEQUENCE_PREFIX = "MP15-%(range_year)s-"  # the reference sequence's prefix as shipped (data/ir_sequence_data.xml)


def reference_code(sequence_prefix):
    """The fixed part of the reference sequence's prefix: "MP15-%(range_year)s-" -> "MP15"."""
    return sequence_prefix.split("%(", 1)[0].strip(" -/") or "MP15"


def find_reference(text, sequence_prefix=SEQUENCE_PREFIX, padding=6):
    """The reference a citizen typed, however spaced or cased ("mp15 2026 123"), as the sequence writes it."""
    code = reference_code(sequence_prefix)
    pattern = rf"\b{re.escape(code)}\s*[-/]?\s*(\d{{4}})\s*[-/]?\s*(\d{{1,{padding}}})\b"
    match = re.search(pattern, text or "", re.IGNORECASE)
    if not match:
        return None
    year, number = match.groups()
    prefix = sequence_prefix.replace("%(range_year)s", year).replace("%(year)s", year)
    return f"{prefix}{int(number):0{padding}d}"
