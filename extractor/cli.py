"""Command line: `baozhi extract PAGE.pdf [MORE ...] -o OUT/`; an archive: `baozhi ingest|export|report --db FILE`."""
from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from extractor import __version__, archive
from extractor.batch import Batch, OutputError
from extractor.ocr import get_backend
from extractor.pipeline import SUPPORTED, FileResult, OcrOptions, process_file
from extractor.report import from_archive, write_report


def expand_inputs(items: list[str]) -> list[Path]:
    """Files as given; folders walked for the supported file types, in sorted order. What cannot be walked or
    read (a folder without permission, a dangling symbolic link) is kept as an input, so the batch names it."""
    paths: list[Path] = []
    for item in items:
        path = Path(item)
        if not path.is_dir():
            paths.append(path)
            continue
        found: list[Path] = []
        seen: set[str] = set()
        for root, dirs, files in os.walk(path, onerror=lambda exc: found.append(Path(exc.filename)), followlinks=True):
            if os.path.realpath(root) in seen:   # a symbolic link back up the tree
                dirs.clear()
                continue
            seen.add(os.path.realpath(root))
            found += [Path(root, name) for name in files if Path(name).suffix.lower() in SUPPORTED]
        paths += sorted(found)
    return list(dict.fromkeys(paths))  # a file named twice (a folder and a file in it) is one input


def manifest(results: list[FileResult], started: float, layout: str) -> dict:
    flags = Counter(f.kind.value for r in results for f in r.flags)
    return {
        "version": __version__,
        "layout": layout,
        "inputs": [{"source": r.source, "path": r.path, "kind": r.kind, "pages": r.pages,
                    "tables": [t.table_id for t in r.tables], "flags": len(r.flags),
                    "articles": sum(len(a.articles) for a in r.articles), "ocr_backend": r.ocr_backend,
                    "status": "failed" if r.error else "ok", "error": r.error, "warnings": r.warnings,
                    "seconds": {k: round(v, 4) for k, v in r.seconds.items()}} for r in results],
        "pages": sum(r.pages for r in results),
        "ocr_backends": sorted({r.ocr_backend for r in results if r.ocr_backend}),
        "tables_found": sum(len(r.tables) for r in results),
        "flags_by_kind": dict(sorted(flags.items())),
        "errors": [r.error for r in results if r.error],
        "warnings": [w for r in results for w in r.warnings],
        "timings": {"total_seconds": round(time.perf_counter() - started, 4),
                    "seconds_per_page": round((time.perf_counter() - started) / max(1, sum(r.pages for r in results)), 4)},
    }


def one_line(message: str) -> str:
    """A message as one line of plain text: control characters (a newline in a file name) shown as escapes, and
    nothing read as markup."""
    return escape("".join(repr(c)[1:-1] if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in message))


def say_result(console: Console, result: FileResult) -> None:
    """One line per error or warning."""
    if result.error:
        console.print(f"[red]error[/red] {one_line(result.error)}", highlight=False)
    for warning in result.warnings:
        console.print(f"[yellow]warning[/yellow] {one_line(warning)}", highlight=False)


def say_failures(console: Console, errors: list[str], total: int, where: str = "") -> int:
    """The failed files listed again at the end of a batch; the exit code."""
    if not errors:
        return 0
    console.print(f"{len(errors)} of {total} files failed{where}:", highlight=False)
    for error in errors:
        console.print(f"  {one_line(error)}", highlight=False)
    return 1


# Table ids start with the file's stem and name files in tables/: a stem longer than this (in UTF-8 bytes) is cut,
# so that <id>.csv stays within the 255 bytes a file name may have.
MAX_PREFIX_BYTES = 120


def unique_prefixes(paths: list[Path]) -> dict[Path, str]:
    """Table-id prefixes: the file's stem (cut to MAX_PREFIX_BYTES), with a short hash of its path where two inputs
    share one or the stem was cut."""
    short = {p: p.stem.encode()[:MAX_PREFIX_BYTES].decode(errors="ignore") for p in paths}
    stems = Counter(short.values())
    return {p: stem if stems[stem] == 1 and stem == p.stem else f"{stem}-{hashlib.sha1(str(p).encode()).hexdigest()[:6]}"
            for p, stem in short.items()}


def layout_name(name: str) -> str:
    """argparse type: a layout file that exists in layouts/."""
    known = sorted(f.name[:-5] for f in resources.files("layouts").iterdir() if f.name.endswith(".toml")
                   and f.name != "series.toml")
    if name not in known:
        raise argparse.ArgumentTypeError(f"no layout {name!r}; known: {', '.join(known)}")
    return name


def extract(args: argparse.Namespace) -> int:
    console = Console(stderr=True, soft_wrap=True)  # one line per message, whatever the width
    paths = expand_inputs(args.inputs)
    if not paths:
        console.print("baozhi: no input files")
        return 2
    if args.ocr_backend != "rapidocr":  # asked for by name: say at once if it cannot run here
        try:
            get_backend(args.ocr_backend)
        except RuntimeError as exc:
            console.print(f"baozhi: {escape(str(exc))}", highlight=False)
            return 2
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        console.print(f"baozhi: {one_line(str(out))}: exists and is not a folder", highlight=False)
        return 2
    started = time.perf_counter()
    results: list[FileResult] = []
    prefixes = unique_prefixes(paths)
    ocr = OcrOptions(args.ocr_backend, args.ocr_articles, args.ocr)
    batch = Batch(out, {"layout": args.layout, "ocr": [ocr.backend, ocr.articles, ocr.mode]})
    resumed = 0
    try:
        batch.prepare()
        with Progress(console=console, transient=True, disable=not console.is_terminal) as progress:
            task = progress.add_task("extracting", total=len(paths))
            for path in paths:
                result = batch.resumed(path, prefixes[path])
                if result is None:
                    result = process_file(path, args.layout, ocr, prefixes[path])
                    batch.done(path, prefixes[path], result)
                else:
                    resumed += 1
                results.append(result)
                say_result(console, result)
                progress.advance(task)
    except KeyboardInterrupt:
        return interrupted(console, batch, results, manifest(results, started, args.layout), len(paths))
    except OutputError as exc:
        console.print(f"baozhi: {one_line(str(exc))}", highlight=False)
        return 1
    try:
        batch.finish(results, manifest(results, started, args.layout))
    except KeyboardInterrupt:
        console.print(f"interrupted while writing: {one_line(str(out))} keeps the outputs of the previous run; "
                      f"run again to go on", highlight=False)
        return 130
    except OutputError as exc:
        console.print(f"baozhi: {one_line(str(exc))}; run again when there is room", highlight=False)
        return 1
    if resumed:
        console.print(f"{resumed} files taken from the journal of an interrupted run ({one_line(str(batch.journal))})",
                      highlight=False)
    failed = [r for r in results if r.error]
    tables = sum(len(r.tables) for r in results)
    flags = sum(len(r.flags) for r in results)
    console.print(f"{len(results)} files, {tables} tables, {flags} flags → {one_line(str(out))}", highlight=False)
    return say_failures(console, [r.error for r in failed], len(results))


def runner_of(args: argparse.Namespace) -> archive.Runner:
    """Dask workers when a scheduler or a local cluster is asked for, else this machine's process pool."""
    if args.scheduler or args.cluster:
        from extractor.cluster import DaskRunner
        return DaskRunner(args.scheduler, args.workers, args.retries, args.layout)
    return archive.LocalPool(args.workers)


def interrupted(console: Console, batch: Batch, results: list[FileResult], manifest: dict, total: int) -> int:
    """Ctrl-C: the outputs of the files finished so far written as one unit, then exit code 130. The journal
    stays, so the same command run again goes on where this one stopped."""
    try:
        batch.finish(results, {**manifest, "interrupted": True}, complete=False)
        where = f"the outputs of the {len(results)} of {total} files finished are in {batch.out}"
    except (OutputError, KeyboardInterrupt):
        where = f"{batch.out} keeps the outputs of the previous run"
    console.print(f"interrupted: {one_line(where)}; run the same command again to go on", highlight=False)
    return 130


def ingest(args: argparse.Namespace) -> int:
    console = Console(stderr=True, soft_wrap=True)
    if args.from_shards and args.inputs:
        console.print("baozhi: give input folders or --from-shards, not both")
        return 2
    if not (args.db or args.shards) or (args.from_shards and not args.db):
        console.print("baozhi: ingest needs --db (or --shards DIR to write shards instead)")
        return 2
    paths = [] if args.from_shards else expand_inputs(args.inputs)
    if not paths and not args.from_shards:
        console.print("baozhi: no input files")
        return 2
    con = None
    try:
        con = archive.connect(args.db) if args.db else None
        if args.from_shards:
            loaded, skipped = archive.load_shards(con, Path(args.from_shards))
            console.print(f"{loaded} files loaded from {escape(args.from_shards)}, {skipped} already in "
                          f"{escape(args.db)} → {escape(args.db)}", highlight=False)
            return 0
        shards = Path(args.shards) if args.shards else None
        plan = archive.plan(paths, (archive.stored_hashes(con) if con else set()) |
                            (archive.shard_hashes(shards) if shards else set()))
        if con:
            archive.forget_failures_of_stored(con, plan.skipped)
        if shards and con:  # the archive only said what to skip: other processes may use it meanwhile
            con.close()
            con = None
        if plan.skipped:
            console.print(f"{len(plan.skipped)} files already in {escape(str(shards or args.db))}, skipped",
                          highlight=False)
        return ingest_files(console, args, plan, con, shards)
    except KeyboardInterrupt:
        kept = f"the shards written so far are kept in {args.shards}" if args.shards else \
            f"the files stored so far are kept in {args.db}"
        console.print(f"interrupted: {escape(kept)}; run again to go on", highlight=False)
        return 130
    except archive.ArchiveError as exc:
        console.print(f"baozhi: {escape(str(exc))}", highlight=False)
        return 1
    except duckdb.Error as exc:  # a damaged archive can open and fail later, on the first page it cannot read
        console.print(f"baozhi: {escape(archive.problem(args.db, exc))}", highlight=False)
        return 1
    finally:
        if con is not None:
            con.close()


def ingest_files(console: Console, args: argparse.Namespace, plan: archive.Plan,
                 con: duckdb.DuckDBPyConnection | None, shards: Path | None) -> int:
    """The batch under a progress bar: into the archive, or into shards; the exit code."""
    started, pages, failed = time.perf_counter(), 0, []
    target = shards or args.db
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[pages_per_minute]:.0f} pages/min"), TimeRemainingColumn()]
    if plan.todo:
        with runner_of(args) as runner, \
                Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
            if runner.dashboard:
                console.print(f"Dask dashboard: {runner.dashboard}", highlight=False)
            task = progress.add_task("ingesting", total=len(plan.todo), pages_per_minute=0)
            results = archive.shard_ingest(plan.todo, runner, shards, args.layout) if shards else \
                archive.ingest(con, plan.todo, runner, args.layout, args.db)
            for result in results:
                pages += result.pages
                progress.update(task, advance=1, pages_per_minute=pages * 60 / (time.perf_counter() - started))
                if result.error:
                    failed.append(result.error)
                say_result(console, result)
                if not console.is_terminal:  # without a progress bar, a log line per committed file
                    counts = "" if shards else f", {len(result.tables)} tables, {len(result.flags)} flags"
                    console.print(f"stored {escape(result.path)}: {result.pages} pages{counts}", highlight=False)
    minutes = (time.perf_counter() - started) / 60
    console.print(f"{len(plan.todo)} files, {pages} pages in {minutes * 60:.1f} s "
                  f"({pages / max(minutes, 1e-9):.0f} pages/min) → {escape(str(target))}", highlight=False)
    return say_failures(console, failed, len(plan.todo), f" (recorded in the {'shards' if shards else 'archive'})")


def with_archive(args: argparse.Namespace, job: Callable[[duckdb.DuckDBPyConnection], str]) -> int:
    """Runs job on the archive opened read-only and prints what it returns."""
    console = Console(stderr=True, soft_wrap=True)
    if not Path(args.db).is_file():
        console.print(f"baozhi: {escape(args.db)}: no such archive", highlight=False)
        return 2
    try:
        with archive.connect(args.db, read_only=True) as con:
            console.print(job(con), highlight=False)
    except archive.ArchiveError as exc:
        console.print(f"baozhi: {escape(str(exc))}", highlight=False)
        return 1
    except duckdb.Error as exc:
        console.print(f"baozhi: {escape(archive.problem(args.db, exc))}", highlight=False)
        return 1
    except KeyboardInterrupt:
        console.print("interrupted")
        return 130
    return 0


def export(args: argparse.Namespace) -> int:
    def job(con: duckdb.DuckDBPyConnection) -> str:
        sizes = archive.export(con, Path(args.out), args.layout)
        return f"{len(sizes)} series → {args.out}/series/, flags → {args.out}/flags.csv"
    return with_archive(args, job)


def report(args: argparse.Namespace) -> int:
    def job(con: duckdb.DuckDBPyConnection) -> str:
        write_report(Path(args.out), from_archive(con, args.layout))
        return f"report → {args.out}"
    return with_archive(args, job)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="baozhi", description=__doc__)
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="extract and check the ranking tables of pages")
    ex.add_argument("inputs", nargs="+", help="PDF files, text dumps, or folders of them")
    ex.add_argument("-o", "--out", required=True, help="output folder")
    ex.add_argument("--layout", default="jiaozuo_daily", type=layout_name,
                    help="layout hints file in layouts/ (default: %(default)s)")
    ex.add_argument("--ocr-backend", default="rapidocr", choices=["rapidocr", "paddleocr"],
                    help="OCR for scanned pages: rapidocr (bundled PP-OCRv4) or paddleocr (needs PaddleOCR and its "
                         "models installed; never downloads)")
    ex.add_argument("--ocr-articles", action="store_true",
                    help="OCR article paragraphs of scanned pages too, not only their tables (slower)")
    ex.add_argument("--ocr", default="auto", choices=["auto", "always", "never"],
                    help="PDF pages: auto reads a text layer that fails its check (unmapped glyphs, junk, images of "
                         "text) by OCR, with a warning; always OCRs every page; never trusts every text layer "
                         "(default: %(default)s)")
    ex.set_defaults(run=extract)
    ing = sub.add_parser("ingest", help="add pages to a DuckDB archive (resumable; files already stored are skipped)")
    ing.add_argument("inputs", nargs="*", help="folders of PDFs and text dumps, or files")
    ing.add_argument("--db", help="archive file (created if missing)")
    ing.add_argument("--workers", type=int, default=os.cpu_count(),
                     help="worker processes here, or of --cluster local (default: %(default)s)")
    where = ing.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="tcp://HOST:8786",
                       help="run the files on the workers of this Dask scheduler (inputs on storage they share)")
    where.add_argument("--cluster", choices=["local"], help="run the files on a Dask LocalCluster of --workers")
    ing.add_argument("--retries", type=int, default=2,
                     help="with --cluster local: worker deaths one file may cause before it is recorded as failed "
                          "(a scheduler's own is its distributed.scheduler.allowed-failures) (default: %(default)s)")
    ing.add_argument("--shards", metavar="DIR",
                     help="workers write each file's rows as Parquet in DIR/<sha256>/ instead of the client "
                          "writing --db; load them later with --from-shards")
    ing.add_argument("--from-shards", metavar="DIR", help="load the shards of DIR into --db")
    ing.add_argument("--layout", default="jiaozuo_daily", type=layout_name,
                    help="layout hints file in layouts/ (default: %(default)s)")
    ing.set_defaults(run=ingest)
    exp = sub.add_parser("export", help="one tidy CSV per table series of an archive, and flags.csv")
    exp.add_argument("--db", required=True, help="archive file")
    exp.add_argument("-o", "--out", required=True, help="output folder")
    exp.add_argument("--layout", default="jiaozuo_daily", help="gazetteer of this layout (default: %(default)s)")
    exp.set_defaults(run=export)
    rep = sub.add_parser("report", help="report.html of an archive: pages, tables and flags to look at")
    rep.add_argument("--db", required=True, help="archive file")
    rep.add_argument("-o", "--out", required=True, help="the HTML file to write")
    rep.add_argument("--layout", default="jiaozuo_daily", help="gazetteer of this layout (default: %(default)s)")
    rep.set_defaults(run=report)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
