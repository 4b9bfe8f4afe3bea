"""`make bench`: archive ingest throughput in pages per minute on the local process pool and on local Dask
workers, the client's commit rate alone, and how soon Ctrl-C ends an ingest.
The batch is the sample PDFs, copied several times with a comment appended after %%EOF, so that every copy has its
own content hash and none is skipped as already ingested."""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from extractor import archive

REPO = Path(__file__).resolve().parents[1]


def make_batch(folder: Path, copies: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(copies):
        for pdf in sorted((REPO / "samples").glob("*.pdf")):
            path = folder / f"{pdf.stem}-{k}.pdf"
            path.write_bytes(pdf.read_bytes() + f"\n% copy {k}\n".encode())
            paths.append(path)
    return paths


def pages_per_minute(paths: list[Path], db: Path, runner_of) -> tuple[int, float, float]:
    """Pages ingested, pages per minute from starting the workers to the last commit, and the start-up alone."""
    start = time.perf_counter()
    with archive.connect(db) as con, runner_of() as runner:
        started = time.perf_counter() - start
        todo = archive.plan(paths, archive.stored_hashes(con)).todo
        pages = sum(r.pages for r in archive.ingest(con, todo, runner))
    return pages, pages * 60 / (time.perf_counter() - start), started


def commit_rate(paths: list[Path], db: Path) -> tuple[int, int, float]:
    """Files, rows and seconds to commit results prepared beforehand (the client's part of an ingest alone)."""
    items = [archive.ingest_one(path, archive.content_hash(path), "jiaozuo_daily") for path in paths]
    with archive.connect(db) as con:
        start = time.perf_counter()
        for item in items:
            archive.commit(con, item, "jiaozuo_daily", db)
        seconds = time.perf_counter() - start
        rows = sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in archive.TABLES)
    return len(items), rows, seconds


def ctrl_c_seconds(folder: Path, db: Path) -> float:
    """From Ctrl-C (to the process group, as a terminal sends it) after the first commit to the end of the command."""
    command = [sys.executable, "-m", "extractor.cli", "ingest", str(folder), "--db", str(db), "--workers", "1"]
    run = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=REPO, start_new_session=True)
    for line in run.stderr:
        if line.startswith("stored "):
            os.killpg(run.pid, signal.SIGINT)
            sent = time.perf_counter()
            break
    run.wait()
    assert run.returncode == 130, run.stderr.read()
    return time.perf_counter() - sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=4, help="copies of the sample PDFs in the batch")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="local pool sizes")
    parser.add_argument("--dask", type=int, nargs="*", default=[1, 2, 4], help="local Dask cluster sizes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_batch(Path(tmp) / "in", args.copies)
        print(f"ingest: {len(paths)} sample PDFs (start-up of the workers included)")
        runs = [("pool", n, lambda n=n: archive.LocalPool(n)) for n in args.workers]
        if args.dask:
            from extractor.cluster import DaskRunner
            runs += [("dask", n, lambda n=n: DaskRunner(workers=n)) for n in args.dask]
        for kind, n, runner_of in runs:
            pages, rate, started = pages_per_minute(paths, Path(tmp) / f"{kind}-{n}.duckdb", runner_of)
            print(f"  {kind} {n} worker{'s' if n > 1 else ' '}  {pages:>4} pages  {rate:>6.0f} pages/min  "
                  f"(start-up {started:.1f} s)")
        files, rows, seconds = commit_rate(paths, Path(tmp) / "commit.duckdb")
        print(f"commit alone: {files} prepared files, {rows} rows in {seconds:.2f} s: {rows / seconds:.0f} rows/s, "
              f"{files / seconds:.1f} files/s")
        exits = [ctrl_c_seconds(Path(tmp) / "in", Path(tmp) / f"ctrl-c-{k}.duckdb") for k in range(3)]
        print(f"Ctrl-C to exit: median {statistics.median(exits):.2f} s, max {max(exits):.2f} s (3 runs)")


if __name__ == "__main__":
    main()
