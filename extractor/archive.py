"""The archive: a DuckDB file holding every ingested file, page, table, cell and flag (schema in the README).

Files are processed by process_file on worker processes; the parent alone writes, one file per transaction, so a
killed run keeps every file it committed and none half. A file whose content (sha256) is already stored is skipped."""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
from pydantic import BaseModel

from extractor.export import FLAG_COLUMNS, cell_records, flags_by_severity, write_csv
from extractor.hints import load_layout
from extractor.messages import say
from extractor.pipeline import FileResult, process_file
from extractor.read_text import read_text_dump
from extractor.roles import assign_roles
from extractor.series import SERIES_COLUMNS, cross_issue_flags, panel, series_key
from schemas.document import Box

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    file_hash VARCHAR,            -- sha256 of the content; NULL only for a file that could not be read at all
    path VARCHAR NOT NULL,        -- absolute path when ingested
    source VARCHAR NOT NULL,      -- file name, as in the source column of the other tables
    kind VARCHAR,                 -- pdf | text
    layout VARCHAR NOT NULL,
    status VARCHAR NOT NULL,      -- ok | failed
    error VARCHAR,
    warnings VARCHAR[],
    pages INTEGER,
    seconds DOUBLE,
    ingested_at TIMESTAMP DEFAULT current_timestamp
);
CREATE TABLE IF NOT EXISTS pages (
    file_hash VARCHAR, page INTEGER, kind VARCHAR,
    text VARCHAR,                 -- the page of a text dump; NULL for PDF pages
    PRIMARY KEY (file_hash, page)
);
CREATE TABLE IF NOT EXISTS tables (
    file_hash VARCHAR, table_id VARCHAR, source VARCHAR, page INTEGER,
    title VARCHAR, date DATE, date_printed VARCHAR, unit VARCHAR, note VARCHAR, label_header VARCHAR,
    layout VARCHAR, n_rows INTEGER, n_columns INTEGER,
    x0 DOUBLE, y0 DOUBLE, x1 DOUBLE, y1 DOUBLE,
    raw_text VARCHAR, unparsed_reason VARCHAR,
    PRIMARY KEY (file_hash, table_id)
);
CREATE TABLE IF NOT EXISTS cells (
    file_hash VARCHAR, table_id VARCHAR, seq INTEGER, source VARCHAR, page INTEGER,
    "row" VARCHAR, is_total BOOLEAN, "column" VARCHAR, role VARCHAR,
    printed VARCHAR, value DOUBLE, confidence DOUBLE,
    x0 DOUBLE, y0 DOUBLE, x1 DOUBLE, y1 DOUBLE,
    PRIMARY KEY (file_hash, table_id, seq)
);
CREATE TABLE IF NOT EXISTS flags (
    file_hash VARCHAR, source VARCHAR, page INTEGER, table_id VARCHAR, "row" VARCHAR, "column" VARCHAR,
    kind VARCHAR, printed VARCHAR, expected VARCHAR, severity VARCHAR, message VARCHAR
);
CREATE TABLE IF NOT EXISTS articles (
    file_hash VARCHAR, article_id VARCHAR, source VARCHAR, page INTEGER,
    headline VARCHAR, kicker VARCHAR, subtitle VARCHAR, byline VARCHAR, dateline VARCHAR, body VARCHAR[],
    continued_from VARCHAR, continued_to VARCHAR, keywords VARCHAR[], places VARCHAR[],
    x0 DOUBLE, y0 DOUBLE, x1 DOUBLE, y1 DOUBLE,
    PRIMARY KEY (file_hash, article_id)
);
CREATE TABLE IF NOT EXISTS captions (
    file_hash VARCHAR, caption_id VARCHAR, source VARCHAR, page INTEGER, text VARCHAR, credit VARCHAR,
    article_id VARCHAR, x0 DOUBLE, y0 DOUBLE, x1 DOUBLE, y1 DOUBLE,
    PRIMARY KEY (file_hash, caption_id)
);
CREATE TABLE IF NOT EXISTS furniture (
    file_hash VARCHAR, source VARCHAR, page INTEGER, kind VARCHAR, text VARCHAR,
    x0 DOUBLE, y0 DOUBLE, x1 DOUBLE, y1 DOUBLE
);
"""
TABLE_FIELDS = ["table_id", "source", "page", "title", "date", "date_printed", "unit", "note", "label_header",
                "layout", "raw_text", "unparsed_reason"]


@dataclass
class Ingested:
    """What a worker hands back for one file: the pipeline's result and the pages to store."""
    file_hash: str | None
    result: FileResult
    pages: list[dict]


def content_hash(path: Path) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None  # process_file will name the problem


def page_records(result: FileResult) -> list[dict]:
    if result.error:
        return []
    if result.kind == "text":  # the dump's text is kept so that a report can show it without the file
        return [{"page": p.page, "kind": "text", "text": "\n".join(p.lines)} for p in read_text_dump(Path(result.path))]
    return [{"page": n, "kind": result.kind, "text": None} for n in range(1, result.pages + 1)]


def worker_init(parent: int) -> None:
    """Ctrl-C is the parent's to handle (it stops the batch; a worker's traceback would only be noise), and a worker
    whose parent was killed would wait on its task queue for ever: it ends itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while True:
            time.sleep(1)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)
    threading.Thread(target=watch, daemon=True).start()


def ingest_one(path: Path, file_hash: str | None, layout: str) -> Ingested:
    """The worker: process_file, plus the page records."""
    result = process_file(path, layout)
    return Ingested(file_hash, result, page_records(result))


def connect(db: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(db), read_only=read_only)
    if not read_only:
        con.execute(SCHEMA)
    return con


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if not frame.empty:
        con.register("frame", frame)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM frame")
        con.unregister("frame")


def box_fields(box: Box | None) -> dict:
    return {"x0": box.x0 if box else None, "y0": box.top if box else None,
            "x1": box.x1 if box else None, "y1": box.bottom if box else None}


def model_frame(file_hash: str, models: list[BaseModel]) -> pd.DataFrame:
    """Rows of pydantic models with a `box`: their fields, the box as x0..y1, and the file's hash."""
    return pd.DataFrame([{**m.model_dump(mode="json", exclude={"box"}), **box_fields(m.box), "file_hash": file_hash}
                         for m in models])


def table_frames(file_hash: str, result: FileResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    tables, cells = [], []
    for t in result.tables:
        tables.append({**t.model_dump(include=set(TABLE_FIELDS)), **box_fields(t.box), "file_hash": file_hash,
                       "n_rows": len(t.rows), "n_columns": len(t.columns)})
        roles = {r.name: r.role for r in assign_roles(t)}
        totals = {r.label for r in t.rows if r.is_total}
        for seq, rec in enumerate(cell_records(t)):
            cells.append({**rec, "file_hash": file_hash, "seq": seq, "role": roles[rec["column"]],
                          "is_total": rec["row"] in totals})
    table_frame = pd.DataFrame(tables)
    if not table_frame.empty:  # a misprinted date (2022.13.5) is stored as NULL; date_printed keeps the print
        table_frame["date"] = pd.to_datetime(table_frame["date"], format="%Y-%m-%d", errors="coerce").dt.date
    return table_frame, pd.DataFrame(cells).drop(columns=["table_title", "table_date"], errors="ignore")


def store(con: duckdb.DuckDBPyConnection, item: Ingested, layout: str) -> None:
    """One file in one transaction: a failure or a kill before COMMIT leaves the archive as it was."""
    r, h = item.result, item.file_hash
    con.begin()
    try:
        # an earlier failure of this file is replaced by this attempt
        con.execute("DELETE FROM files WHERE status = 'failed' AND (path = ? OR file_hash = ?)", [r.path, h])
        con.execute("INSERT INTO files (file_hash, path, source, kind, layout, status, error, warnings, pages, seconds)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [h, r.path, r.source, r.kind or None, layout, "failed" if r.error else "ok", r.error, r.warnings,
                     r.pages, r.seconds.get("total")])
        if not r.error:
            tables, cells = table_frames(h, r)
            _insert(con, "pages", pd.DataFrame([{**p, "file_hash": h} for p in item.pages]))
            _insert(con, "tables", tables)
            _insert(con, "cells", cells)
            _insert(con, "flags", pd.DataFrame([{**f.model_dump(mode="json"), "file_hash": h} for f in r.flags]))
            for part in ("articles", "captions", "furniture"):  # the fields of ArticlesOfPage, one table each
                _insert(con, part, model_frame(h, [m for page in r.articles for m in getattr(page, part)]))
        con.commit()
    except BaseException:
        con.rollback()
        raise


@dataclass
class Plan:
    todo: list[tuple[Path, str | None]]  # (absolute path, content hash) to process
    skipped: list[Path]                  # already in the archive, or the same content as another file of the batch


def plan(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> Plan:
    done = {h for (h,) in con.execute("SELECT file_hash FROM files WHERE status = 'ok'").fetchall()}
    todo, skipped = [], []
    for path in paths:
        h = content_hash(path)
        if h is not None and h in done:
            skipped.append(path)
        else:
            todo.append((path.absolute(), h))
            if h:
                done.add(h)
    return Plan(todo, skipped)


def ingest(con: duckdb.DuckDBPyConnection, todo: list[tuple[Path, str | None]], workers: int | None = None,
           layout: str = "jiaozuo_daily") -> Iterator[FileResult]:
    """Processes the files on worker processes and stores each as it finishes; yields its result once committed."""
    # workers fork from a clean server process, not from this one with DuckDB's threads; the server imports the
    # pipeline once so that each worker starts warm
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["extractor.archive"])
    pool = ProcessPoolExecutor(max_workers=workers or os.cpu_count(), mp_context=context,
                               initializer=worker_init, initargs=(os.getpid(),))
    try:
        futures = {pool.submit(ingest_one, path, h, layout): (path, h) for path, h in todo}
        for future in as_completed(futures):
            path, h = futures[future]
            try:
                item = future.result()
            except Exception as exc:  # a worker that died (crash, out of memory): that file failed, the batch goes on
                error = say("input.worker_failed", path=path, error=f"{type(exc).__name__}: {exc}")
                item = Ingested(h, FileResult(source=path.name, path=str(path), error=error), [])
            try:
                store(con, item, layout)
            except Exception as exc:  # rolled back; record the file as failed so the batch goes on
                error = say("input.not_stored", path=path,
                            error=f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
                item = Ingested(h, FileResult(source=path.name, path=str(path), error=error), [])
                store(con, item, layout)
            yield item.result
    finally:  # on Ctrl-C or an error: drop the files not started, do not wait for the ones running
        pool.shutdown(wait=False, cancel_futures=True)


def cells_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every stored cell with its table's title and date (ISO text), in print order."""
    return con.execute("""
        SELECT c.*, t.title, strftime(t.date, '%Y-%m-%d') AS date
        FROM cells c JOIN tables t USING (file_hash, table_id)
        ORDER BY t.date NULLS LAST, c.source, c.table_id, c.seq""").df()


def series_panel(con: duckdb.DuckDBPyConnection, layout: str = "jiaozuo_daily") -> pd.DataFrame:
    return panel(cells_frame(con), load_layout(layout))


def all_flags(con: duckdb.DuckDBPyConnection, series: pd.DataFrame) -> pd.DataFrame:
    """The stored flags of every table and the cross-issue flags of every series, one frame."""
    stored = con.execute("""
        SELECT f.*, t.title, strftime(t.date, '%Y-%m-%d') AS date
        FROM flags f LEFT JOIN tables t USING (file_hash, table_id)
        ORDER BY f.source, f.page, f.table_id""").df()
    stored["series"] = stored.pop("title").map(series_key)
    return flags_by_severity(pd.concat([stored, cross_issue_flags(series)], ignore_index=True))


def safe_name(key: str) -> str:
    return "".join("_" if ch in '/\\:*?"<>|' or ch.isspace() else ch for ch in key)


def export(con: duckdb.DuckDBPyConnection, out: Path, layout: str = "jiaozuo_daily") -> dict[str, int]:
    """OUT/series/<series key>.csv, one tidy panel per series, and OUT/flags.csv; returns rows per series."""
    series = series_panel(con, layout)
    flags = all_flags(con, series)  # on the numbers, before they are formatted for the CSV
    sizes = {}
    printable = series.assign(value=series["value"].map(lambda v: "" if pd.isna(v) else f"{v:.15g}"))
    for key, cells in printable.groupby("series", sort=True):  # counts print as 87326, rates as 14.9
        write_csv(out / "series" / f"{safe_name(key)}.csv", cells[SERIES_COLUMNS])
        sizes[key] = len(cells)
    write_csv(out / "flags.csv", flags[FLAG_COLUMNS + ["series", "date"]])
    return sizes

