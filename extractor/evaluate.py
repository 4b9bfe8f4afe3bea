"""Scores extracted tables and flags against ground truth in the format of shared/truth (and samples/*.truth.json)."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from extractor.hints import squeeze
from schemas.flags import PRINTING_ERRORS, Flag
from schemas.table import Table


def plain(text: str | None) -> str:
    return squeeze(unicodedata.normalize("NFKC", text or ""))


def same_text(a: str | None, b: str | None) -> bool:
    return plain(a) == plain(b)


@dataclass
class Score:
    tables_expected: int = 0
    tables_found: int = 0
    cells: int = 0
    cells_right: int = 0
    headers: int = 0
    headers_right: int = 0
    flags_expected: int = 0
    flags_found: int = 0
    false_errors: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def cell_accuracy(self) -> float:
        return self.cells_right / self.cells if self.cells else 1.0

    def add(self, other: "Score") -> None:
        for name in ("tables_expected", "tables_found", "cells", "cells_right", "headers", "headers_right",
                     "flags_expected", "flags_found"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.false_errors += other.false_errors
        self.misses += other.misses


def truth_rows(truth: dict) -> list[dict]:
    return truth["rows"] + ([truth["total"]] if truth.get("total") else [])


def score_table(truth: dict, table: Table | None) -> Score:
    score = Score(tables_expected=1, tables_found=int(table is not None and bool(table.columns)))
    rows = truth_rows(truth)
    score.cells = sum(len(r["values"]) + 1 for r in rows)
    score.headers = len(truth["columns"])
    if table is None or not table.columns:
        score.misses.append(f"{truth['title']}: table not rebuilt")
        return score
    paths = [c.path for c in table.columns]
    col_index = {}
    for j, path in enumerate(truth["columns"]):
        match = [k for k, p in enumerate(paths) if len(p) == len(path) and all(map(same_text, p, path))]
        taken = [k for k in match if k not in col_index.values()]
        if taken:
            col_index[j] = taken[0]
            score.headers_right += 1
        else:
            score.misses.append(f"{truth['title']}: column {' / '.join(path)} not found")
    used_rows: set[int] = set()
    for row in rows:
        found = next((i for i, r in enumerate(table.rows) if i not in used_rows and same_text(r.label, row["label"])), None)
        if found is None:
            score.misses.append(f"{truth['title']}: row {row['label']} not found")
            continue
        used_rows.add(found)
        score.cells_right += 1
        for j, value in enumerate(row["values"]):
            k = col_index.get(j)
            if k is not None and same_text(table.rows[found].cells[k].printed, value):
                score.cells_right += 1
            else:
                got = table.rows[found].cells[k].printed if k is not None else None
                score.misses.append(f"{truth['title']}: {row['label']} / {' / '.join(truth['columns'][j])}: "
                                    f"{got!r} instead of {value!r}")
    return score


def score_flags(truth: dict, flags: list[Flag]) -> Score:
    score = Score()
    expected = truth["expected_flags"]
    score.flags_expected = len(expected)
    for e in expected:
        column = " / ".join(e.get("column") or [])
        hit = [f for f in flags if f.kind.value == e["kind"] and (not e.get("row") or same_text(f.row, e["row"]))
               and (f.column or "").startswith(column)]
        if hit:
            score.flags_found += 1
        else:
            score.misses.append(f"{truth['title']}: expected {e['kind']} at {e.get('row')} not reported")
    allowed = {(e["kind"], squeeze(e.get("row") or "")) for e in expected}
    for f in flags:
        if f.kind in PRINTING_ERRORS and (f.kind.value, squeeze(f.row or "")) not in allowed:
            score.false_errors.append(f"{truth['title']}: {f.kind.value} at {f.row} / {f.column}: {f.message}")
    return score


def titled(table: Table, title: str | None) -> bool:
    """The table's title is the truth's, maybe with the table's number printed before it (附表：…, 表1 …)."""
    printed, wanted = plain(table.title), plain(title)
    return printed == wanted or bool(wanted) and printed.endswith(wanted) and len(printed) - len(wanted) <= 6


def pair_tables(truths: list[dict], tables: list[Table]) -> list[tuple[dict, Table | None]]:
    """Truth and extracted tables paired by title, then the rest by the row labels they share (a misread title
    still pairs with its table, not with the next one on the page), then in page order."""
    rebuilt = [t for t in tables if t.columns]
    by_title: dict[int, Table | None] = {}
    for i, truth in enumerate(truths):
        by_title[i] = next((t for t in rebuilt if titled(t, truth["title"]) and t not in by_title.values()), None)
    rest = [t for t in rebuilt if t not in by_title.values()]
    for i, truth in enumerate(truths):
        if by_title[i] is not None or not rest:
            continue
        labels = {plain(r["label"]) for r in truth_rows(truth)}
        shared = [(len(labels & {plain(r.label) for r in t.rows}), -k) for k, t in enumerate(rest)]
        best, k = max(shared)
        by_title[i] = rest.pop(-k if best else 0)
    return [(truth, by_title[i]) for i, truth in enumerate(truths)]


def score_page(truths: list[dict], tables: list[Table], flags: list[Flag]) -> Score:
    """Scores every truth table; a table rebuilt where the truth has none, and its error flags, count against."""
    total = Score()
    pairs = pair_tables(truths, tables)
    paired = {id(t) for _, t in pairs if t is not None}
    for extra in (t for t in tables if t.columns and id(t) not in paired):
        total.misses.append(f"{extra.title}: a table the truth does not have")
        total.false_errors += [f"{extra.title}: {f.kind.value} at {f.row}" for f in flags
                               if f.table_id == extra.table_id and f.kind in PRINTING_ERRORS]
    for truth, table in pairs:
        total.add(score_table(truth, table))
        if table is not None:
            total.add(score_flags(truth, [f for f in flags if f.table_id == table.table_id]))
    return total
