"""Writes the output contract into OUT/: cells.csv, flags.csv, tables/<table_id>.csv, manifest.json.
Every file is written to a temporary name and moved into place, so a reader never sees half a file.
Every spreadsheet-bound table goes through `inert_frame`, so no printed text becomes a live formula."""
from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from pathlib import Path

import pandas as pd

from extractor.numbers import parse_number
from extractor.roles import assign_roles
from schemas.flags import SEVERITY_RANK, Flag
from schemas.table import Table

CELL_COLUMNS = ["source", "page", "table_id", "table_title", "table_date", "row", "column", "printed", "value",
                "confidence", "x0", "y0", "x1", "y1", "row_kind", "place", "role", "is_total"]
FLAG_COLUMNS = ["source", "page", "table_id", "row", "column", "kind", "printed", "expected", "severity", "message"]


def flags_by_severity(frame: pd.DataFrame) -> pd.DataFrame:
    """Flag rows most severe first, in their found order within a severity."""
    return frame.sort_values("severity", key=lambda s: s.map(SEVERITY_RANK), kind="stable").reset_index(drop=True)


# A file name that is not UTF-8 (Linux allows any bytes) holds lone surrogates once decoded; they are written as
# \udcXX escapes, so every output stays valid UTF-8 (and valid JSON) and still shows where the odd bytes were.
UNENCODABLE = "backslashreplace"
# OWASP's CSV-injection rule: a spreadsheet reads a cell starting with one of these as a formula (or, for tab
# and carriage return, strips them and reads what follows), so such text gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# ...except a plain signed number as printed (-3, -1.5, +2, -0.5%): a spreadsheet reads it as that number.
PLAIN_NUMBER = re.compile(r"[+-]\d+(?:\.\d+)?%?")


def inert_text(text: str) -> str:
    """text with a leading apostrophe when a spreadsheet would run it as a formula."""
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as written to a CSV or xlsx file: every text cell and column name made inert. Number columns are
    left alone: a float or integer cell is never a formula."""
    inert = lambda v: inert_text(v) if isinstance(v, str) else v
    out = frame.rename(columns=inert)
    for i, dtype in enumerate(out.dtypes):
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            out.iloc[:, i] = out.iloc[:, i].map(inert)
    return out


def atomic_write(path: Path, write) -> None:
    """Calls write(tmp_path), then renames tmp_path to path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp.", dir=path.parent)  # a short name: path's may be as long as allowed
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp makes owner-only files; outputs are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cell_records(table: Table) -> list[dict]:
    names = table.column_names()
    records = []
    for row in table.rows:
        for name, cell in zip(names, row.cells):
            box = cell.box
            records.append({
                "source": table.source, "page": table.page, "table_id": table.table_id,
                "table_title": table.title, "table_date": table.date, "row": row.label, "column": name,
                "printed": cell.printed, "value": parse_number(cell.printed).value, "confidence": cell.confidence,
                "x0": box.x0 if box else None, "y0": box.top if box else None,
                "x1": box.x1 if box else None, "y1": box.bottom if box else None,
            })
    return records


def footer_records(table: Table) -> list[dict]:
    """Footer rows (合计任务数 12345): the label as the row, the column its figure is under (empty if none)."""
    return [{"source": table.source, "page": table.page, "table_id": table.table_id, "table_title": table.title,
             "table_date": table.date, "row": f.label, "column": f.column or "", "printed": f.printed,
             "value": parse_number(f.printed).value, "confidence": None,
             "x0": f.box.x0 if f.box else None, "y0": f.box.top if f.box else None,
             "x1": f.box.x1 if f.box else None, "y1": f.box.bottom if f.box else None, "row_kind": "footer"}
            for f in table.footers]


def row_kind(table: Table, label: str) -> str:
    return "total" if any(r.is_total and r.label == label for r in table.rows) else "data"


def joinable_records(table: Table) -> list[dict]:
    """cells.csv's rows of a table: cell_records with what a researcher joins on — the row's kind and canonical
    place (gazetteer), the column's role, is_total (as in the archive's cells) — and counts written as 87326."""
    roles = {r.name: r.role for r in assign_roles(table)}
    rows = {r.label: r for r in table.rows}
    return [{**rec, "value": plain_value(rec["value"]), "row_kind": row_kind(table, rec["row"]),
             "place": rows[rec["row"]].place, "role": roles[rec["column"]], "is_total": rows[rec["row"]].is_total}
            for rec in cell_records(table)]


def plain_value(value: float | None) -> str:
    """87326 rather than 87326.0 in a column that also holds rates (14.9)."""
    return "" if value is None else f"{value:.15g}"


def wide_frame(table: Table) -> pd.DataFrame:
    label = table.label_header or "行"
    data = {label: [r.label for r in table.rows]}
    for i, name in enumerate(table.column_names()):
        values = pd.Series([parse_number(r.cells[i].printed).value for r in table.rows], dtype="Float64")
        # counts and ranks print as 87326, not 87326.0
        data[name] = values.astype("Int64") if (values.dropna() % 1 == 0).all() else values
    return pd.DataFrame(data)


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    write_csv_chunks(path, list(frame.columns), [frame])


def write_csv_chunks(path: Path, columns: list[str], chunks: Iterable[pd.DataFrame]) -> None:
    """A CSV of these columns written a chunk of rows at a time (a table's cells, a page's articles), so that a
    batch's CSV is never held whole; the bytes are those of one frame written at once, since every value is
    formatted on its own (counts and boxes are typed by the records, not by the frame)."""
    # utf-8-sig so that spreadsheet programs open the Chinese text correctly
    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8-sig", errors=UNENCODABLE, newline="") as out:
            inert_frame(pd.DataFrame(columns=columns)).to_csv(out, index=False)
            for chunk in chunks:
                inert_frame(chunk).to_csv(out, index=False, header=False)
    atomic_write(path, write)


def chunked(items: Iterable, size: int = 1000) -> Iterator[list]:
    """items in lists of size (flags come one at a time; a frame per flag would be slow)."""
    items = iter(items)
    while chunk := list(islice(items, size)):
        yield chunk


def write_outputs(out: Path, tables: Iterable[Table], flags: Iterable[Flag], manifest: dict) -> None:
    """cells.csv, flags.csv, tables/ and manifest.json. tables and flags are each gone through more than once,
    a pass per output (a batch gives them from its journal, a page at a time, never all in memory)."""
    footers = ([{**rec, "value": plain_value(rec["value"]), "is_total": False} for rec in footer_records(t)]
               for t in tables)
    write_csv_chunks(out / "cells.csv", CELL_COLUMNS,
                     (pd.DataFrame(records, columns=CELL_COLUMNS)
                      for records in chain((joinable_records(t) for t in tables), footers)))
    # most severe first, in found order within a severity (flags_by_severity's order): a pass per severity
    write_csv_chunks(out / "flags.csv", FLAG_COLUMNS,
                     (pd.DataFrame([f.model_dump(mode="json") for f in chunk], columns=FLAG_COLUMNS)
                      for severity in sorted(SEVERITY_RANK, key=SEVERITY_RANK.get)
                      for chunk in chunked(f for f in flags if f.severity.value == severity)))
    current = set()
    for table in tables:
        if table.columns:
            write_csv(out / "tables" / f"{table.table_id}.csv", wide_frame(table))
            current.add(f"{table.table_id}.csv")
        else:
            text = f"{table.title or ''}\n{table.raw_text or ''}\n"
            atomic_write(out / "tables" / f"{table.table_id}.txt", lambda tmp: tmp.write_text(text, encoding="utf-8", errors=UNENCODABLE))
            current.add(f"{table.table_id}.txt")
    for stale in (out / "tables").glob("*.*") if (out / "tables").is_dir() else []:
        if stale.suffix in (".csv", ".txt") and stale.name not in current:
            stale.unlink()  # left by an earlier run into the same folder; cells.csv no longer lists it
    atomic_write(out / "manifest.json", lambda tmp: tmp.write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8", errors=UNENCODABLE))
