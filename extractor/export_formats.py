"""Each table in the formats asked for (`extract --format csv,meta,xlsx,parquet,json`), beside
tables/<table_id>.csv: `meta` is a sidecar tables/<table_id>.meta.json with what the CSV cannot hold (title, date,
unit, note, header paths). Written only when asked for, into the batch's staging folder with its other outputs
(extractor.batch), so that they are moved into place with them.

- xlsx: one sheet; title, date and unit in its first rows, then the table with its multi-level header as merged
  cells (openpyxl) and the row labels down the side.
- parquet: the table with its header paths as a column MultiIndex (pandas/pyarrow keep it).
- json: the sidecar's fields with `columns` (header paths), `index` (row labels) and `data` (rows of values)."""
from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from extractor.export import atomic_write, wide_frame
from schemas.table import Table

FORMATS = ("csv", "meta", "xlsx", "parquet", "json")
META_FIELDS = ["table_id", "source", "page", "title", "date", "date_printed", "unit", "note", "label_header", "layout"]
XLSX_HEAD_ROWS = 4  # title, date, unit, a blank line
OWN_SUFFIXES = (".meta.json", ".xlsx", ".parquet", ".json")


def table_frame(table: Table) -> pd.DataFrame:
    """One row per table row, indexed by its label as printed; columns a MultiIndex of the header paths from the
    top level down (shorter paths padded with "" below); values the parsed numbers (counts and ranks integers, a
    rate as printed: 14.9% → 14.9). Empty for a table that could not be rebuilt."""
    if not table.columns:
        return pd.DataFrame()
    flat = wide_frame(table)
    frame = flat.set_index(flat.columns[0])
    paths = [name.split(" / ") for name in table.column_names()]  # names keep what a repeated header ranks in
    depth = max(len(p) for p in paths)
    frame.columns = pd.MultiIndex.from_tuples([tuple(p + [""] * (depth - len(p))) for p in paths])
    return frame


def table_meta(table: Table) -> dict:
    return {**{k: getattr(table, k) for k in META_FIELDS}, "columns": [c.path for c in table.columns],
            "column_names": table.column_names()}


def write_json(path: Path, data: dict) -> None:
    atomic_write(path, lambda tmp: tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8"))


def write_xlsx(path: Path, table: Table, frame: pd.DataFrame) -> None:
    def write(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as book:
            frame.to_excel(book, sheet_name="table", startrow=XLSX_HEAD_ROWS, merge_cells=True)
            sheet = book.sheets["table"]
            for row, text in enumerate((table.title, table.date_printed or table.date, table.unit), start=1):
                sheet.cell(row=row, column=1, value=text)
    atomic_write(path, write)


def write_table_formats(out: Path, tables: Iterable[Table], formats: list[str]) -> None:
    """tables/<table_id>.<format> for each format but csv (export.py writes that; meta: the .meta.json sidecar);
    such files an earlier run into the same folder left for other tables (or formats not asked for now) go.
    tables is gone through twice (a batch gives them from its journal, a page at a time)."""
    folder = out / "tables"
    suffixes = {"meta": ".meta.json", "xlsx": ".xlsx", "parquet": ".parquet", "json": ".json"}
    wanted = {f"{t.table_id}{suffixes[f]}" for t in tables if t.columns for f in formats if f in suffixes}
    for old in folder.glob("*") if folder.is_dir() else []:
        if old.name.endswith(OWN_SUFFIXES) and old.name not in wanted:
            old.unlink()
    for table in (t for t in tables if t.columns):
        base = out / "tables" / table.table_id
        if "meta" in formats:
            write_json(base.with_name(f"{table.table_id}.meta.json"), table_meta(table))
        frame = table_frame(table)
        if "xlsx" in formats:
            write_xlsx(base.with_name(f"{table.table_id}.xlsx"), table, frame)
        if "parquet" in formats:
            atomic_write(base.with_name(f"{table.table_id}.parquet"), lambda tmp: frame.to_parquet(tmp))
        if "json" in formats:
            split = frame.astype(object).where(frame.notna(), None).to_dict(orient="split")
            write_json(base.with_name(f"{table.table_id}.json"),
                       {**table_meta(table), "index": split["index"], "data": split["data"]})
