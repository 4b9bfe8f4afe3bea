"""Findings of the checks stage: the rows of flags.csv."""
from __future__ import annotations

from enum import Enum

from pydantic import BaseModel


class FlagKind(str, Enum):
    rate_mismatch = "rate_mismatch"
    rank_mismatch = "rank_mismatch"
    total_mismatch = "total_mismatch"
    rank_rule = "rank_rule"
    zero_denominator = "zero_denominator"
    malformed_number = "malformed_number"
    denominator_mismatch = "denominator_mismatch"
    rate_capped = "rate_capped"
    ocr_suspect = "ocr_suspect"
    low_confidence = "low_confidence"
    unparsed_table = "unparsed_table"
    # across issues of one table series (extractor/series.py)
    cumulative_decrease = "cumulative_decrease"
    denominator_changed = "denominator_changed"
    place_missing = "place_missing"


class Severity(str, Enum):
    error = "error"      # the page prints something its own figures contradict
    warning = "warning"  # odd or doubtful, a person should look
    info = "info"


# Every output lists flags most severe first (then in the order they were found: page, table, row).
SEVERITY_RANK = {Severity.error.value: 0, Severity.warning.value: 1, Severity.info.value: 2}

PRINTING_ERRORS = {FlagKind.rate_mismatch, FlagKind.rank_mismatch, FlagKind.total_mismatch}


class Flag(BaseModel):
    source: str
    page: int
    table_id: str
    row: str | None = None
    column: str | None = None
    kind: FlagKind
    printed: str | None = None
    expected: str | None = None
    severity: Severity
    message: str


def by_severity(flags: list[Flag]) -> list[Flag]:
    return sorted(flags, key=lambda f: SEVERITY_RANK[f.severity.value])
