"""`make bench`: archive ingest throughput in pages per minute on 1 and 2 worker processes.
The batch is the sample PDFs, copied several times with a comment appended after %%EOF, so that every copy has its
own content hash and none is skipped as already ingested."""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from extractor import archive

REPO = Path(__file__).resolve().parents[1]


def make_batch(folder: Path, copies: int) -> list[Path]:
    paths = []
    for k in range(copies):
        for pdf in sorted((REPO / "samples").glob("*.pdf")):
            path = folder / f"{pdf.stem}-{k}.pdf"
            path.write_bytes(pdf.read_bytes() + f"\n% copy {k}\n".encode())
            paths.append(path)
    return paths


def pages_per_minute(paths: list[Path], db: Path, workers: int) -> tuple[int, float]:
    """Pages ingested and pages per minute, from opening the archive to the last commit (worker start-up included)."""
    start = time.perf_counter()
    with archive.connect(db) as con:
        pages = sum(r.pages for r in archive.ingest(con, archive.plan(con, paths).todo, workers))
    return pages, pages * 60 / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=4, help="copies of the sample PDFs in the batch")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_batch(Path(tmp), args.copies)
        print(f"ingest: {len(paths)} sample PDFs")
        for workers in args.workers:
            pages, rate = pages_per_minute(paths, Path(tmp) / f"bench-{workers}.duckdb", workers)
            print(f"  {workers} worker{'s' if workers > 1 else ' '}  {pages:>4} pages  {rate:>6.0f} pages/min")


if __name__ == "__main__":
    main()
