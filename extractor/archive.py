"""The archive: a DuckDB file holding every ingested file, page, table, cell and flag (schema in the README).

Files are processed by ingest_one on workers — local processes (LocalPool) or Dask workers (extractor.cluster) behind
one Runner interface; the client alone writes, one file per transaction, so a killed run keeps every file it
committed and none half. A file whose content (sha256) is already stored is skipped. With shards, workers write
each file's rows as Parquet instead (write_shard), and load_shards puts them in the archive later."""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol

import duckdb
import pandas as pd
import pyarrow as pa
from pydantic import BaseModel

from extractor.export import FLAG_COLUMNS, cell_records, flags_by_severity, write_csv
from extractor.hints import load_layout
from extractor.messages import say
from extractor.pipeline import FileSummary, PageResult, process_pages
from extractor.roles import assign_roles
from extractor.series import SERIES_COLUMNS, cross_issue_flags, panel, series_key
from schemas.document import Box
from schemas.table import Table

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
TABLES = ["files", "pages", "tables", "cells", "flags", "articles", "captions", "furniture"]
TABLE_FIELDS = ["table_id", "source", "page", "title", "date", "date_printed", "unit", "note", "label_header",
                "layout", "raw_text", "unparsed_reason"]


class ArchiveError(Exception):
    """The archive file cannot be used (not DuckDB, damaged, newer, held by another process, not writable): one line
    that names it and says what to do."""


@dataclass
class Ingested:
    """What a worker hands back for one file: the pipeline's summary and the file's rows for each table of the
    archive but files (none for a failed file), gathered a page at a time into columns (Arrow): about 22 KB a
    born-digital sample page, where its pydantic tables with their grids take far more."""
    file_hash: str | None
    result: FileSummary
    rows: dict[str, pa.Table]


def failed(path: Path, file_hash: str | None, error: str) -> Ingested:
    return Ingested(file_hash, FileSummary(source=path.name, path=str(path), error=error), {})


def content_hash(path: Path) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None  # process_pages will name the problem


def ingested(file_hash: str | None, summary: FileSummary, pages: Iterable[PageResult]) -> Ingested:
    """The rows of the file's pages (process_pages into summary), each page's put into an in-memory archive as it
    comes and let go."""
    with connect(":memory:") as mem:
        for page in pages:
            for table, frame in page_frames(file_hash, page).items():
                _insert(mem, table, frame)
        if summary.error:
            return Ingested(file_hash, summary, {})
        mem.execute("UPDATE pages SET kind = ?", [summary.kind])   # a PDF of scanned pages is known at its end
        return Ingested(file_hash, summary, {table: mem.sql(f"SELECT * FROM {table}").to_arrow_table()
                                             for table in TABLES[1:]})


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
    """The worker: the file's pages through the pipeline, into rows."""
    summary = FileSummary(source=path.name, path=str(path))
    return ingested(file_hash, summary, process_pages(path, summary, layout))


def problem(db: Path | str, exc: duckdb.Error) -> str:
    """What DuckDB said about an archive it could not open, as a line a user can act on."""
    text = str(exc)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    if holder := re.search(r"Conflicting lock is held in (.*) \(PID (\d+)\)", text):
        return (f"{db}: in use by another process ({Path(holder[1]).name}, PID {holder[2]}), such as another "
                f"ingest; wait until it ends, or give another --db")
    if "Could not set lock" in text:
        return f"{db}: in use by another process; wait until it ends, or give another --db"
    if "newer version of DuckDB" in text:
        return (f"{db}: written by a newer DuckDB than the {duckdb.__version__} installed here; "
                f"upgrade it (pip install -U duckdb) to read this archive")
    if re.search(r"not a valid DuckDB database|Could not read enough bytes|Corrupt database|checksum", text):
        return (f"{db}: not a DuckDB archive, or a truncated or damaged one ({first}); give the right file, "
                f"or restore it from a copy, or ingest again into a new file")
    return f"{db}: cannot be used as an archive ({first})"


def connect(db: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """The archive, created if missing (unless read_only); ArchiveError when the file cannot be used."""
    try:
        con = duckdb.connect(str(db), read_only=read_only)
    except duckdb.Error as exc:
        raise ArchiveError(problem(db, exc)) from None
    try:
        known = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        # a new or empty file becomes an archive; another program's database is left alone
        if not read_only and (not known or "files" in known):
            con.execute(SCHEMA)
            known |= set(TABLES)
    except duckdb.Error as exc:
        con.close()
        raise ArchiveError(problem(db, exc)) from None
    if missing := [t for t in TABLES if t not in known]:
        con.close()
        raise ArchiveError(f"{db}: a DuckDB file but not a baozhi archive (no table {missing[0]}); "
                           f"give the file that baozhi ingest wrote, or a new file name")
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


def table_frames(file_hash: str | None, tables: list[Table]) -> tuple[pd.DataFrame, pd.DataFrame]:
    table_rows, cells = [], []
    for t in tables:
        table_rows.append({**t.model_dump(include=set(TABLE_FIELDS)), **box_fields(t.box), "file_hash": file_hash,
                           "n_rows": len(t.rows), "n_columns": len(t.columns)})
        roles = {r.name: r.role for r in assign_roles(t)}
        totals = {r.label for r in t.rows if r.is_total}
        for seq, rec in enumerate(cell_records(t)):
            cells.append({**rec, "file_hash": file_hash, "seq": seq, "role": roles[rec["column"]],
                          "is_total": rec["row"] in totals})
    table_frame = pd.DataFrame(table_rows)
    if not table_frame.empty:  # a misprinted date (2022.13.5) is stored as NULL; date_printed keeps the print
        table_frame["date"] = pd.to_datetime(table_frame["date"], format="%Y-%m-%d", errors="coerce").dt.date
    return table_frame, pd.DataFrame(cells).drop(columns=["table_title", "table_date"], errors="ignore")


def page_frames(file_hash: str | None, page: PageResult) -> dict[str, pd.DataFrame]:
    """A page's rows for each table of the archive but files (a turned view adds no page row: its page has one);
    the page's kind is the file's, set once the file is done."""
    tables, cells = table_frames(file_hash, page.tables)
    frames = {"pages": pd.DataFrame([] if page.rotation else [{"file_hash": file_hash, "page": page.page,
                                                               "kind": None, "text": page.text}]),
              "tables": tables, "cells": cells,
              "flags": pd.DataFrame([{**f.model_dump(mode="json"), "file_hash": file_hash} for f in page.flags])}
    for part in ("articles", "captions", "furniture"):  # the fields of ArticlesOfPage, one table each
        frames[part] = model_frame(file_hash, getattr(page.articles, part))
    return frames


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
        for table, rows in item.rows.items():
            if rows.num_rows:
                con.register("rows", rows)
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM rows")
                con.unregister("rows")
        con.commit()
    except BaseException:
        con.rollback()
        raise


@dataclass
class Plan:
    todo: list[tuple[Path, str | None]]  # (absolute path, content hash) to process
    skipped: list[Path]                  # already stored, or the same content as another file of the batch


def stored_hashes(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {h for (h,) in con.execute("SELECT file_hash FROM files WHERE status = 'ok'").fetchall()}


def plan(paths: list[Path], done: set[str]) -> Plan:
    """The files to process: those whose content is not among the hashes done, each content once."""
    done = set(done)
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


def forget_failures_of_stored(con: duckdb.DuckDBPyConnection, skipped: list[Path]) -> None:
    """A file now stored `ok` keeps no `failed` row beside it (as an interrupted run of an older version could leave,
    and which every report would count as a failure): by its content, or by the path it was failed under."""
    con.execute("DELETE FROM files WHERE status = 'failed' AND (file_hash IN (SELECT file_hash FROM files WHERE "
                "status = 'ok') OR path IN (SELECT unnest(?::VARCHAR[])))", [[str(p.absolute()) for p in skipped]])


Job = Callable[[Path, "str | None"], Ingested]


class Runner(Protocol):
    """Runs a job on every file, on some workers; yields each file's Ingested as it finishes (a file whose worker
    died is yielded as failed, with the reason). Used as a context manager: leaving it early stops the workers."""
    dashboard: str | None  # where to watch the workers, when there is such a page

    def results(self, job: Job, todo: list[tuple[Path, str | None]]) -> Iterator[Ingested]: ...

    def __enter__(self) -> Runner: ...

    def __exit__(self, *exc) -> None: ...


class LocalPool:
    """Worker processes on this machine: the default, which starts in about the time it takes to import the
    pipeline (a Dask LocalCluster takes seconds more, and needs the cluster extra)."""
    dashboard = None

    def __init__(self, workers: int | None = None):
        # workers fork from a clean server process, not from this one with DuckDB's threads; the server imports the
        # pipeline once so that each worker starts warm
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["extractor.archive"])
        self.pool = ProcessPoolExecutor(max_workers=workers or os.cpu_count(), mp_context=context,
                                        initializer=worker_init, initargs=(os.getpid(),))

    def results(self, job: Job, todo: list[tuple[Path, str | None]]) -> Iterator[Ingested]:
        futures = {self.pool.submit(job, path, h): (path, h) for path, h in todo}
        for future in as_completed(futures):
            path, h = futures[future]
            try:
                yield future.result()
            except Exception as exc:  # a worker that died (crash, out of memory): that file failed, the batch goes on
                yield failed(path, h, say("input.worker_failed", path=path, error=f"{type(exc).__name__}: {exc}"))

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, exc_type, *_) -> None:
        if exc_type is None:
            self.pool.shutdown()
            return
        # Ctrl-C or an error: drop the files not started, and stop the running ones now rather than let the
        # interpreter wait for them at exit (a scan can take a minute); the pool has no public way to do it, and
        # forgets its processes on shutdown
        processes = list((self.pool._processes or {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Ctrl-C during a transaction takes effect right after it (a file's commit takes milliseconds): DuckDB,
    interrupted mid-query, would end the query with an error, and the good file be recorded as failed."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread receives signals
        yield
        return
    caught = []
    previous = signal.signal(signal.SIGINT, lambda *_: caught.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            raise KeyboardInterrupt


def commit(con: duckdb.DuckDBPyConnection, item: Ingested, layout: str, db: Path | str) -> Ingested:
    """store, and when the file's rows cannot be stored, its failure instead; ArchiveError when not even that can
    be written (disk full, file gone)."""
    with uninterrupted():
        return store_or_fail(con, item, layout, db)


def store_or_fail(con: duckdb.DuckDBPyConnection, item: Ingested, layout: str, db: Path | str) -> Ingested:
    try:
        store(con, item, layout)
        return item
    except Exception as exc:  # rolled back; record the file as failed so the batch goes on
        r = item.result
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        item = failed(Path(r.path), item.file_hash,
                      say("input.not_stored", path=r.path, error=f"{type(exc).__name__}: {first}"))
    try:
        store(con, item, layout)
        return item
    except duckdb.Error as exc:
        raise ArchiveError(f"{db}: cannot be written ({str(exc).strip().splitlines()[0]}); the files committed "
                           f"so far are kept, run again to go on") from None


def ingest(con: duckdb.DuckDBPyConnection, todo: list[tuple[Path, str | None]], runner: Runner,
           layout: str = "jiaozuo_daily", db: Path | str = "archive") -> Iterator[FileSummary]:
    """Processes the files on the runner's workers and stores each as it finishes; yields its result once
    committed."""
    for item in runner.results(partial(ingest_one, layout=layout), todo):
        yield commit(con, item, layout, db).result


def shard_name(path: Path, file_hash: str | None) -> str:
    return file_hash or "unreadable-" + hashlib.sha256(str(path).encode()).hexdigest()


def shard_one(path: Path, file_hash: str | None, layout: str, shards: Path) -> Ingested:
    """The worker when the client does not write the archive: ingest_one, its rows written to shards/<hash>/ as one
    Parquet file per table (the rows store would insert, so loading them gives the same archive); returns the
    result without its tables, which the client then need not receive."""
    item = ingest_one(path, file_hash, layout)
    write_shard(shards, item, layout)
    return Ingested(file_hash, item.result, {})


def write_shard(shards: Path, item: Ingested, layout: str) -> Path:
    """shards/<hash>/<table>.parquet for every table, written beside and renamed into place, so that a shard folder
    is complete or absent."""
    final = shards / shard_name(Path(item.result.path), item.file_hash)
    partial_dir = shards / f".{final.name}.{os.getpid()}.partial"
    shutil.rmtree(partial_dir, ignore_errors=True)
    partial_dir.mkdir(parents=True)
    with connect(":memory:") as mem:
        store(mem, item, layout)
        for table in TABLES:
            target = str(partial_dir / f"{table}.parquet").replace("'", "''")
            mem.execute(f"COPY {table} TO '{target}' (FORMAT parquet)")
    shutil.rmtree(final, ignore_errors=True)  # a failed file's earlier shard, replaced by this attempt
    os.rename(partial_dir, final)
    return final


def shard_hashes(shards: Path) -> set[str]:
    """Contents whose shard says ok, so that a rerun with the same shards folder goes on where it stopped."""
    if not any(shards.glob("*/files.parquet")):
        return set()
    with duckdb.connect() as con:
        return {h for (h,) in con.execute("SELECT file_hash FROM read_parquet(?) WHERE status = 'ok'",
                                          [str(shards / "*" / "files.parquet")]).fetchall()}


def shard_ingest(todo: list[tuple[Path, str | None]], runner: Runner, shards: Path,
                 layout: str = "jiaozuo_daily") -> Iterator[FileSummary]:
    """Like ingest, but the workers write shards and the client only counts."""
    shards.mkdir(parents=True, exist_ok=True)
    for item in runner.results(partial(shard_one, layout=layout, shards=shards.absolute()), todo):
        yield item.result


def load_shards(con: duckdb.DuckDBPyConnection, shards: Path, chunk: int = 500) -> tuple[int, int]:
    """Puts the shards of a folder into the archive, `chunk` files per transaction, with store's rules: a content
    already stored ok is skipped, an earlier failure of a file is replaced. Returns (files loaded, skipped)."""
    folders = sorted(f for f in shards.iterdir() if (f / "files.parquet").is_file()) if shards.is_dir() else []
    loaded = skipped = 0
    for start in range(0, len(folders), chunk):
        part = folders[start:start + chunk]
        with uninterrupted():
            n = load_chunk(con, part)
        loaded, skipped = loaded + n, skipped + len(part) - n
    return loaded, skipped


def load_chunk(con: duckdb.DuckDBPyConnection, part: list[Path]) -> int:
    """One transaction: the shards of part, with store's rules; returns how many files were loaded."""
    con.begin()
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE incoming AS SELECT *, parse_dirpath(filename) AS shard "
                    "FROM read_parquet(?, filename = true)", [[str(f / "files.parquet") for f in part]])
        con.execute("DELETE FROM incoming WHERE file_hash IN (SELECT file_hash FROM files WHERE status = 'ok')")
        # a failure that a shard of the same file or content says is now ok is not loaded
        con.execute("DELETE FROM incoming WHERE status = 'failed' AND (path IN (SELECT path FROM incoming WHERE "
                    "status = 'ok') OR file_hash IN (SELECT file_hash FROM incoming WHERE status = 'ok'))")
        con.execute("DELETE FROM files WHERE status = 'failed' AND (path IN (SELECT path FROM incoming) OR "
                    "file_hash IN (SELECT file_hash FROM incoming))")
        con.execute("INSERT INTO files BY NAME SELECT * EXCLUDE (filename, shard) FROM incoming")
        ok = [s for (s,) in con.execute("SELECT shard FROM incoming WHERE status = 'ok' ORDER BY shard").fetchall()]
        for table in TABLES[1:]:
            if ok:
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet(?)",
                            [[f"{s}/{table}.parquet" for s in ok]])
        n = con.execute("SELECT count(*) FROM incoming").fetchone()[0]
        con.execute("DROP TABLE incoming")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return n


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

