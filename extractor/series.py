"""Table series: one table printed in successive issues, linked by a key made from its title (rules in
layouts/series.toml), and the checks that only make sense across issues: a cumulative count that falls, a denominator
that changes, a place that disappears."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pandas as pd

from extractor.export import FLAG_COLUMNS
from extractor.hints import LayoutHints, squeeze
from extractor.messages import column_words, say
from schemas.flags import Flag, FlagKind, Severity

# The columns a panel needs in: one row per printed cell, with the table's title and ISO date.
PANEL_INPUT = ["file_hash", "source", "page", "table_id", "title", "date", "row", "column", "role", "is_total",
               "printed", "value"]
# One tidy CSV per series, in this column order.
SERIES_COLUMNS = ["date", "source", "table_id", "row", "place", "column", "value", "printed"]
# Kinds found by comparing issues: their `expected` is the previous issue's print, not a recomputed value.
CROSS_ISSUE = frozenset({FlagKind.cumulative_decrease.value, FlagKind.denominator_changed.value,
                         FlagKind.place_missing.value})
# Cross-issue flags carry the series and date beside the usual flag columns.
SERIES_FLAG_COLUMNS = FLAG_COLUMNS + ["series", "date", "file_hash"]


@dataclass(frozen=True)
class SeriesRules:
    strip_patterns: tuple[re.Pattern, ...]
    suffixes: tuple[str, ...]
    min_length: int
    cumulative_roles: frozenset[str]
    cumulative_words: tuple[str, ...]
    stable_roles: frozenset[str]


@lru_cache(maxsize=None)
def load_series_rules() -> SeriesRules:
    data = tomllib.loads(resources.files("layouts").joinpath("series.toml").read_text(encoding="utf-8"))
    key, checks = data["key"], data["checks"]
    return SeriesRules(
        strip_patterns=tuple(re.compile(p) for p in key["strip_patterns"]),
        suffixes=tuple(sorted(key["suffixes"], key=len, reverse=True)),
        min_length=int(key["min_length"]),
        cumulative_roles=frozenset(checks["cumulative_roles"]),
        cumulative_words=tuple(checks["cumulative_words"]),
        stable_roles=frozenset(checks["stable_roles"]),
    )


def series_key(title: str | None, rules: SeriesRules | None = None) -> str | None:
    """The title without its dates, issue numbers and interchangeable suffixes; None when too little is left."""
    rules = rules or load_series_rules()
    key = squeeze(title or "").replace("(", "（").replace(")", "）")
    for pattern in rules.strip_patterns:
        key = pattern.sub("", key)
    while (suffix := next((s for s in rules.suffixes if key.endswith(s) and len(key) > len(s)), None)):
        key = key[: -len(suffix)]
    return key if len(key) >= rules.min_length else None


def panel(cells: pd.DataFrame, hints: LayoutHints, rules: SeriesRules | None = None) -> pd.DataFrame:
    """The cells of every table that belongs to a series, with its key, the canonical place of the row (gazetteer
    aliases resolved), and row and column keys that ignore the spacing of the print (温 县 = 温县)."""
    rules = rules or load_series_rules()
    out = cells[PANEL_INPUT].copy()
    out["series"] = out["title"].map(lambda t: series_key(t, rules))
    out = out[out["series"].notna()]
    out["place"] = out["row"].map(hints.canonical_place)
    out["row_key"] = out["place"].fillna(out["row"].map(squeeze))
    out["column_key"] = out["column"].map(squeeze)
    out["cumulative"] = out["role"].isin(rules.cumulative_roles) | out["column"].map(
        lambda c: any(w in c.rsplit("/", 1)[-1] for w in rules.cumulative_words))
    out["stable"] = out["role"].isin(rules.stable_roles)
    return out.reset_index(drop=True)


def _flag_row(at, kind: FlagKind, severity: Severity, message: str, **fields) -> dict:
    """A flag on the table of panel row `at`, with the series columns."""
    flag = Flag(source=at.source, page=at.page, table_id=at.table_id, kind=kind, severity=severity,
                message=message, **fields)
    return {**flag.model_dump(mode="json"), "series": at.series, "date": at.date, "file_hash": at.file_hash}


def _with_previous_issue(cells: pd.DataFrame) -> pd.DataFrame:
    """Each cell with the value its row and column had in the previous issue of the series (the largest one when
    that issue was ingested from more than one source)."""
    keys = ["series", "row_key", "column_key"]
    issues = (cells.groupby(keys + ["date"], as_index=False)
              .agg(issue_value=("value", "max"), issue_printed=("printed", "first"))
              .sort_values(keys + ["date"]))
    issues[["prev_date", "prev_value", "prev_printed"]] = issues.groupby(keys)[["date", "issue_value", "issue_printed"]].shift(1)
    return cells.merge(issues.drop(columns=["issue_value", "issue_printed"]), on=keys + ["date"])


def value_flags(dated: pd.DataFrame) -> list[dict]:
    cells = _with_previous_issue(dated[dated["value"].notna() & (dated["cumulative"] | dated["stable"])])
    cells = cells[cells["prev_value"].notna()]
    flags = []
    for c in cells[cells["cumulative"] & (cells["value"] < cells["prev_value"])].itertuples():
        flags.append(_flag_row(c, FlagKind.cumulative_decrease, Severity.warning,
                               say("series.cumulative_decrease", row=squeeze(c.row), column=column_words(c.column),
                                   previous=c.prev_printed, previous_date=c.prev_date, printed=c.printed),
                               row=c.row, column=c.column, printed=c.printed, expected=f"≥ {c.prev_printed}"))
    for c in cells[cells["stable"] & (cells["value"] != cells["prev_value"])].itertuples():
        flags.append(_flag_row(c, FlagKind.denominator_changed, Severity.info,
                               say("series.denominator_changed", row=squeeze(c.row), column=column_words(c.column),
                                   previous=c.prev_printed, previous_date=c.prev_date, printed=c.printed),
                               row=c.row, column=c.column, printed=c.printed, expected=c.prev_printed))
    return flags


def place_flags(dated: pd.DataFrame) -> list[dict]:
    """A place printed in one issue of a series and absent from the next, once per table of that next issue."""
    placed = dated[dated["place"].notna()]
    flags = []
    for series, rows in dated.groupby("series"):
        places = placed[placed["series"] == series].groupby("date")["place"].agg(set)
        dates = sorted(rows["date"].unique())
        for before, date in zip(dates, dates[1:]):
            missing = sorted(places.get(before, set()) - places.get(date, set()))
            for table in rows[rows["date"] == date].drop_duplicates(["file_hash", "table_id"]).itertuples():
                flags += [_flag_row(table, FlagKind.place_missing, Severity.warning,
                                    say("series.place_missing", place=place, before=before, date=date),
                                    row=place) for place in missing]
    return flags


def cross_issue_flags(cells: pd.DataFrame) -> pd.DataFrame:
    """Flags between successive dated issues of each series in a panel()."""
    dated = cells[cells["date"].notna()]
    return pd.DataFrame(value_flags(dated) + place_flags(dated), columns=SERIES_FLAG_COLUMNS)
