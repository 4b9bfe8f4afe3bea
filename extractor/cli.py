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
from pathlib import Path
from typing import TYPE_CHECKING

from extractor import __version__
from extractor.messages import LANGUAGES, say, set_language

# The pipeline's modules (pandas, duckdb, OCR, jieba) take seconds to import: each command imports what it runs,
# so that `baozhi --version` and `--help` answer at once.
if TYPE_CHECKING:
    import duckdb
    from rich.console import Console

    from extractor import archive
    from extractor.batch import Batch
    from extractor.pipeline import FileSummary


def expand_inputs(items: list[str]) -> list[Path]:
    """Files as given; folders walked for the supported file types, in sorted order. What cannot be walked or
    read (a folder without permission, a dangling symbolic link) is kept as an input, so the batch names it."""
    from extractor.pipeline import SUPPORTED
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


def manifest(results: list[FileSummary], started: float, layout: str) -> dict:
    flags: Counter[str] = Counter()
    for r in results:
        flags.update(r.flags_by_kind)
    return {
        "version": __version__,
        "layout": layout,
        "inputs": [{"source": r.source, "path": r.path, "kind": r.kind, "pages": r.pages,
                    "tables": r.table_ids, "flags": r.flag_count,
                    "articles": r.article_count, "ocr_backend": r.ocr_backend,
                    "status": "failed" if r.error else "ok", "error": r.error, "warnings": r.warnings,
                    "seconds": {k: round(v, 4) for k, v in r.seconds.items()}} for r in results],
        "pages": sum(r.pages for r in results),
        "ocr_backends": sorted({r.ocr_backend for r in results if r.ocr_backend}),
        "tables_found": sum(len(r.table_ids) for r in results),
        "flags_by_kind": dict(sorted(flags.items())),
        "errors": [r.error for r in results if r.error],
        "warnings": [w for r in results for w in r.warnings],
        "timings": {"total_seconds": round(time.perf_counter() - started, 4),
                    "seconds_per_page": round((time.perf_counter() - started) / max(1, sum(r.pages for r in results)), 4)},
    }


def one_line(message: str) -> str:
    """A message as one line of plain text: control characters (a newline in a file name) shown as escapes, and
    nothing read as markup."""
    from rich.markup import escape
    return escape("".join(repr(c)[1:-1] if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in message))


QUIET, NORMAL, VERBOSE = 0, 1, 2


def say_result(console: Console, result: FileSummary, verbosity: int = NORMAL, log: bool = False) -> None:
    """One line per error (always) or warning (unless -q). With log, when there is no terminal (no progress bar)
    or with -v, a line per file too, with stage times under -v."""
    if result.error:
        console.print(f"[red]{say('cli.error')}[/red] {one_line(result.error)}", highlight=False)
    if verbosity == QUIET:
        return
    for warning in result.warnings:
        console.print(f"[yellow]{say('cli.warning')}[/yellow] {one_line(warning)}", highlight=False)
    if log and not result.error and (verbosity == VERBOSE or not console.is_terminal):  # a failure's line is its error
        console.print(one_line(say("cli.file_done", path=result.path, status=say("cli.ok"), pages=result.pages,
                                   tables=len(result.table_ids), flags=result.flag_count,
                                   seconds=result.seconds.get("total", 0.0))), highlight=False)
    if log and verbosity == VERBOSE:
        console.print("  " + ", ".join(f"{stage} {s:.2f} s" for stage, s in result.seconds.items()), highlight=False)


def say_failures(console: Console, errors: list[str], total: int, where: str = "") -> int:
    """The failed files listed again at the end of a batch; the exit code."""
    from rich.markup import escape
    if not errors:
        return 0
    console.print(escape(say("cli.failed", failed=len(errors), total=total, where=where)), highlight=False)
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
    """argparse type: the name of a layout file in layouts/, or the path of a .toml layout file that loads."""
    from extractor.hints import layout_data, load_layout, packaged_layouts
    known = packaged_layouts()
    if name not in known and not (name.endswith(".toml") and Path(name).is_file()):
        raise argparse.ArgumentTypeError(say("cli.unknown_layout", name=name, known=", ".join(known)))
    try:
        load_layout(name)
        layout_data(name)["articles"]
    except Exception as exc:  # a missing key, a bad pattern, a bad TOML: one line, not a traceback
        raise argparse.ArgumentTypeError(say("cli.bad_layout_file", name=name, error=f"{type(exc).__name__}: {exc}"))
    return name if name in known else str(Path(name).resolve())  # a path: the same file from a worker's folder


def page_numbers(text: str) -> frozenset[int]:
    """argparse type: 1,3-5 → {1, 3, 4, 5} (1-based, as a reader counts pages)."""
    numbers: set[int] = set()
    try:
        for part in text.split(","):
            first, _, last = part.strip().partition("-")
            low, high = int(first), int(last or first)
            if not 1 <= low <= high:
                raise ValueError(part)
            numbers.update(range(low, high + 1))
    except ValueError:
        raise argparse.ArgumentTypeError(say("input.bad_pages", pages=text)) from None
    return frozenset(numbers)


def formats(text: str) -> list[str]:
    """argparse type: csv,xlsx,parquet,json → the formats tables are written in (csv always)."""
    from extractor.export_formats import FORMATS
    asked = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in asked if f not in FORMATS]
    if unknown:
        raise argparse.ArgumentTypeError(say("cli.unknown_format", formats=", ".join(unknown),
                                             known=", ".join(FORMATS)))
    return asked


def input_paths(console: Console, items: list[str]) -> list[Path]:
    """The files to work on (expand_inputs); none is said on the console."""
    paths = expand_inputs(items)
    if not paths:
        console.print(say("cli.no_inputs"))
    return paths


def console_for_messages() -> Console:
    from rich.console import Console
    return Console(stderr=True, soft_wrap=True)  # one line per message, whatever the width


def extract(args: argparse.Namespace) -> int:
    from rich.markup import escape
    from rich.progress import Progress

    from extractor.batch import Batch, OutputError
    from extractor.ocr import get_backend
    from extractor.pipeline import OcrOptions, ReadOptions, process_pages
    console = console_for_messages()
    if not (paths := input_paths(console, args.inputs)):
        return 2
    if args.ocr_backend != "rapidocr":  # asked for by name: say at once if it cannot run here
        try:
            get_backend(args.ocr_backend)
        except RuntimeError as exc:
            console.print(f"baozhi: {escape(str(exc))}", highlight=False)
            return 2
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        console.print(one_line(say("cli.out_not_folder", out=out)), highlight=False)
        return 2
    started = time.perf_counter()
    prefixes = unique_prefixes(paths)
    ocr = OcrOptions(args.ocr_backend, args.ocr_articles, args.ocr)
    options = ReadOptions(args.pages, args.password)
    batch = Batch(out, {"layout": args.layout, "ocr": [ocr.backend, ocr.articles, ocr.mode],
                        "pages": sorted(args.pages or []), "password": bool(args.password)})
    resumed = 0
    try:
        batch.prepare()
        with Progress(console=console, transient=True, disable=not console.is_terminal) as progress:
            task = progress.add_task("extracting", total=len(paths))
            for path in paths:
                result = batch.resumed(path, prefixes[path])
                if result is None:   # the pages go to the journal as they are done, never all in memory
                    result = batch.read(path, prefixes[path], lambda into: process_pages(
                        path, into, args.layout, ocr, prefixes[path], options))
                else:
                    resumed += 1
                say_result(console, result, args.verbosity, log=True)
                progress.advance(task)
    except KeyboardInterrupt:
        return interrupted(console, batch, manifest(batch.summaries, started, args.layout), len(paths), args.format)
    except OutputError as exc:
        console.print(f"baozhi: {one_line(str(exc))}", highlight=False)
        return 1
    results = batch.summaries
    try:
        batch.finish(manifest(results, started, args.layout), args.format)
    except KeyboardInterrupt:
        console.print(one_line(say("cli.interrupted_kept", out=out)), highlight=False)
        return 130
    except OutputError as exc:
        console.print(one_line(say("cli.no_room", error=exc)), highlight=False)
        return 1
    if resumed:
        console.print(one_line(say("cli.resumed", count=resumed, journal=batch.journal)), highlight=False)
    failed = [r for r in results if r.error]
    tables = sum(len(r.table_ids) for r in results)
    flags = sum(r.flag_count for r in results)
    if args.verbosity > QUIET:
        console.print(one_line(say("cli.extracted", files=len(results), tables=tables, flags=flags, out=out)),
                      highlight=False)
    return say_failures(console, [r.error for r in failed], len(results))


def runner_of(args: argparse.Namespace) -> archive.Runner:
    """Dask workers when a scheduler or a local cluster is asked for, else this machine's process pool."""
    from extractor import archive
    if args.scheduler or args.cluster:
        from extractor.cluster import DaskRunner
        return DaskRunner(args.scheduler, args.workers, args.retries, args.layout)
    return archive.LocalPool(args.workers)


def interrupted(console: Console, batch: Batch, manifest: dict, total: int, formats: list[str]) -> int:
    """Ctrl-C: the outputs of the files finished so far written as one unit, then exit code 130. The journal
    stays, so the same command run again goes on where this one stopped."""
    from extractor.batch import OutputError
    try:
        batch.finish({**manifest, "interrupted": True}, formats, complete=False)
        said = say("cli.interrupted_done", done=len(batch.entries), total=total, out=batch.out)
    except (OutputError, KeyboardInterrupt):
        said = say("cli.interrupted_kept", out=batch.out)
    console.print(one_line(said), highlight=False)
    return 130


def ingest(args: argparse.Namespace) -> int:
    import duckdb
    from rich.markup import escape

    from extractor import archive
    console = console_for_messages()
    if args.from_shards and args.inputs:
        console.print(say("cli.inputs_or_shards"))
        return 2
    if not (args.db or args.shards) or (args.from_shards and not args.db):
        console.print(say("cli.needs_db"))
        return 2
    paths = [] if args.from_shards else expand_inputs(args.inputs)
    if not paths and not args.from_shards:
        console.print(say("cli.no_inputs"))
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
            console.print(one_line(say("cli.skipped", count=len(plan.skipped), db=shards or args.db)), highlight=False)
        return ingest_files(console, args, plan, con, shards)
    except KeyboardInterrupt:
        console.print(one_line(say("cli.interrupted", db=args.shards or args.db)), highlight=False)
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
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from extractor import archive
    started, pages, failed = time.perf_counter(), 0, []
    target = shards or args.db
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[pages_per_minute]:.0f} pages/min"), TimeRemainingColumn()]
    if plan.todo:
        with runner_of(args) as runner, \
                Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
            if runner.dashboard:
                console.print(one_line(say("cli.dashboard", url=runner.dashboard)), highlight=False)
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
                    console.print(one_line(say("cli.stored", path=result.path, pages=result.pages,
                                               tables=len(result.table_ids), flags=result.flag_count)),
                                  highlight=False)
    minutes = (time.perf_counter() - started) / 60
    console.print(one_line(say("cli.ingested", files=len(plan.todo), pages=pages, seconds=minutes * 60,
                               rate=pages / max(minutes, 1e-9), db=target)), highlight=False)
    return say_failures(console, failed, len(plan.todo), say("cli.failed_in_archive"))


def with_archive(args: argparse.Namespace, job: Callable[[duckdb.DuckDBPyConnection], str]) -> int:
    """Runs job on the archive opened read-only and prints what it returns."""
    import duckdb
    from rich.markup import escape

    from extractor import archive
    console = console_for_messages()
    if not Path(args.db).is_file():
        console.print(one_line(say("cli.no_archive", db=args.db)), highlight=False)
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
        console.print(say("cli.interrupted_short"))
        return 130
    return 0


def export(args: argparse.Namespace) -> int:
    from extractor import archive

    def job(con: duckdb.DuckDBPyConnection) -> str:
        sizes = archive.export(con, Path(args.out), args.layout)
        return say("cli.exported", count=len(sizes), out=args.out)
    return with_archive(args, job)


def report(args: argparse.Namespace) -> int:
    from extractor.report import from_archive, write_report

    def job(con: duckdb.DuckDBPyConnection) -> str:
        write_report(Path(args.out), from_archive(con, args.layout))
        return say("cli.reported", out=args.out)
    return with_archive(args, job)


def main(argv: list[str] | None = None) -> int:
    # the language first, so that the parser's own messages (an unknown layout) are in it too
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang", choices=LANGUAGES)
    lang = early.parse_known_args(argv)[0].lang
    if lang:
        set_language(lang)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=LANGUAGES,
                        help="language of messages, flags and report.html: zh (default) or en; or set BAOZHI_LANG")
    layout_help = "a layout file in layouts/ by name, or the path of a .toml layout file (default: %(default)s)"
    parser = argparse.ArgumentParser(prog="baozhi", description=__doc__, parents=[common])
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="extract and check the ranking tables of pages", parents=[common])
    ex.add_argument("inputs", nargs="+", help="PDF files, text dumps, images, or folders of them")
    ex.add_argument("-o", "--out", required=True, help="output folder")
    ex.add_argument("--layout", default="jiaozuo_daily", type=layout_name, help=layout_help)
    ex.add_argument("--ocr-backend", default="rapidocr", choices=["rapidocr", "paddleocr"],
                    help="OCR for scanned pages: rapidocr (bundled PP-OCRv4) or paddleocr (needs PaddleOCR and its "
                         "models installed; never downloads)")
    ex.add_argument("--pages", type=page_numbers, default=None,
                    help="only these pages of each file, 1-based: 1,3-5 (PDF pages, TIFF frames, dump pages)")
    ex.add_argument("--password", default=None, help="password of encrypted PDFs")
    ex.add_argument("--format", type=formats, default=["csv"],
                    help="formats of tables/<table_id>.*, comma-separated: csv (always), meta (a .meta.json sidecar: "
                         "title, date, unit, header paths), xlsx (multi-level header as merged cells), parquet "
                         "(header paths as a column MultiIndex), json")
    ex.add_argument("-q", "--quiet", dest="verbosity", action="store_const", const=QUIET, default=NORMAL,
                    help="errors only: no warnings, no summary")
    ex.add_argument("-v", "--verbose", dest="verbosity", action="store_const", const=VERBOSE,
                    help="a line per file with its stage times, also on a terminal")
    ex.add_argument("--ocr-articles", action="store_true",
                    help="OCR article paragraphs of scanned pages too, not only their tables (slower)")
    ex.add_argument("--ocr", default="auto", choices=["auto", "always", "never"],
                    help="PDF pages: auto reads a text layer that fails its check (unmapped glyphs, junk, images of "
                         "text) by OCR, with a warning; always OCRs every page; never trusts every text layer "
                         "(default: %(default)s)")
    ex.set_defaults(run=extract)
    ing = sub.add_parser("ingest", help="add pages to a DuckDB archive (resumable; files already stored are skipped)",
                         parents=[common])
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
    ing.add_argument("--layout", default="jiaozuo_daily", type=layout_name, help=layout_help)
    ing.set_defaults(run=ingest)
    exp = sub.add_parser("export", help="one tidy CSV per table series of an archive, and flags.csv", parents=[common])
    exp.add_argument("--db", required=True, help="archive file")
    exp.add_argument("-o", "--out", required=True, help="output folder")
    exp.add_argument("--layout", default="jiaozuo_daily", type=layout_name, help="its gazetteer: " + layout_help)
    exp.set_defaults(run=export)
    rep = sub.add_parser("report", help="report.html of an archive: pages, tables and flags to look at",
                         parents=[common])
    rep.add_argument("--db", required=True, help="archive file")
    rep.add_argument("-o", "--out", required=True, help="the HTML file to write")
    rep.add_argument("--layout", default="jiaozuo_daily", type=layout_name, help="its gazetteer: " + layout_help)
    rep.set_defaults(run=report)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
