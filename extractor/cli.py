"""Command line: `baozhi extract PAGE.pdf [MORE ...] -o OUT/`."""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from extractor import __version__
from extractor.export import write_outputs
from extractor.pipeline import SUPPORTED, FileResult, process_file


def expand_inputs(items: list[str]) -> list[Path]:
    """Files as given; folders walked for the supported file types, in sorted order."""
    paths: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            paths += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED)
        else:
            paths.append(path)
    return paths


def manifest(results: list[FileResult], started: float, layout: str) -> dict:
    flags = Counter(f.kind.value for r in results for f in r.flags)
    return {
        "version": __version__,
        "layout": layout,
        "inputs": [{"source": r.source, "path": r.path, "kind": r.kind, "pages": r.pages,
                    "tables": [t.table_id for t in r.tables], "flags": len(r.flags),
                    "status": "failed" if r.error else "ok", "error": r.error, "warnings": r.warnings,
                    "seconds": {k: round(v, 4) for k, v in r.seconds.items()}} for r in results],
        "pages": sum(r.pages for r in results),
        "tables_found": sum(len(r.tables) for r in results),
        "flags_by_kind": dict(sorted(flags.items())),
        "errors": [r.error for r in results if r.error],
        "warnings": [w for r in results for w in r.warnings],
        "timings": {"total_seconds": round(time.perf_counter() - started, 4),
                    "seconds_per_page": round((time.perf_counter() - started) / max(1, sum(r.pages for r in results)), 4)},
    }


def extract(args: argparse.Namespace) -> int:
    console = Console(stderr=True, soft_wrap=True)  # one line per message, whatever the width
    paths = expand_inputs(args.inputs)
    if not paths:
        console.print("baozhi: no input files")
        return 2
    out = Path(args.out)
    started = time.perf_counter()
    results: list[FileResult] = []
    with Progress(console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("extracting", total=len(paths))
        for path in paths:
            result = process_file(path, args.layout)
            results.append(result)
            if result.error:
                console.print(f"[red]error[/red] {result.error}", highlight=False)
            for warning in result.warnings:
                console.print(f"[yellow]warning[/yellow] {warning}", highlight=False)
            # outputs are rewritten after every file, so an interrupted batch keeps what it finished
            write_outputs(out, [t for r in results for t in r.tables], [f for r in results for f in r.flags],
                          manifest(results, started, args.layout))
            progress.advance(task)
    failed = [r for r in results if r.error]
    tables = sum(len(r.tables) for r in results)
    flags = sum(len(r.flags) for r in results)
    console.print(f"{len(results)} files, {tables} tables, {flags} flags → {out}", highlight=False)
    if failed:
        console.print(f"{len(failed)} of {len(results)} files failed:", highlight=False)
        for r in failed:
            console.print(f"  {r.error}", highlight=False)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="baozhi", description=__doc__)
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="extract and check the ranking tables of pages")
    ex.add_argument("inputs", nargs="+", help="PDF files, text dumps, or folders of them")
    ex.add_argument("-o", "--out", required=True, help="output folder")
    ex.add_argument("--layout", default="jiaozuo_daily", help="layout hints file in layouts/ (default: %(default)s)")
    ex.set_defaults(run=extract)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
