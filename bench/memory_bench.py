"""Peak memory of `baozhi extract` by page count and for a 600-dpi broadsheet scan (issue 13).

    .venv/bin/python bench/memory_bench.py [--pages 7 105 500] [--scan-pages 7] [--tiff-pages 7 21] [--no-broadsheet]
        [--work DIR]

Each run is its own process; its peak resident memory is read from the kernel (wait4's ru_maxrss). Inputs are made
from the samples: a born-digital PDF with one sample page repeated N times, an image-only PDF and a multi-page TIFF
of the same page rendered at 200 dpi repeated N times, and a 600-dpi broadsheet (two 600-dpi copies of a sample
scan side by side over one more, about 14000×19800 px). The page-by-page promise holds when the peak does not grow
with N.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "p01_ruled_3level.pdf"
SCAN = REPO / "samples" / "scans" / "p01_ruled_3level_300dpi.png"


def repeated_pdf(path: Path, pages: int) -> Path:
    src, out = pdfium.PdfDocument(str(SAMPLE)), pdfium.PdfDocument.new()
    for _ in range(pages):
        out.import_pages(src, [0])
    out.save(str(path))
    return path


def repeated_scan(path: Path, pages: int) -> Path:
    """An image-only PDF or a multi-page TIFF (by path's suffix) of the sample page at 200 dpi."""
    page = pdfium.PdfDocument(str(SAMPLE))[0].render(scale=200 / 72, grayscale=True).to_pil().convert("L")
    page.save(path, save_all=True, append_images=[page] * (pages - 1), resolution=200.0, dpi=(200, 200))
    return path


def broadsheet(path: Path) -> Path:
    scan = cv2.imread(str(SCAN), cv2.IMREAD_GRAYSCALE)
    big = cv2.resize(scan, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    h, w = big.shape
    sheet = np.full((2 * h, 2 * w), 255, np.uint8)
    sheet[:h, :w], sheet[:h, w:], sheet[h:, :w] = big, big, big
    Image.fromarray(sheet).save(path, dpi=(600, 600))
    return path


def peak(inputs: Path, out: Path) -> tuple[float, float, int]:
    """(peak resident GB, seconds, exit code) of one extract run."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "extractor.cli", "extract", str(inputs), "-o", str(out)],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    return usage.ru_maxrss / 1024 ** 2, time.perf_counter() - start, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, nargs="*", default=[7, 105, 500], help="born-digital page counts")
    parser.add_argument("--scan-pages", type=int, nargs="*", default=[7, 21], help="image-only PDF page counts")
    parser.add_argument("--tiff-pages", type=int, nargs="*", default=[7, 21], help="multi-page TIFF frame counts")
    parser.add_argument("--no-broadsheet", action="store_true")
    parser.add_argument("--work", type=Path, default=None, help="folder for the inputs and outputs")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="baozhi-memory-"))
    work.mkdir(parents=True, exist_ok=True)
    runs = [(f"born-digital PDF, {n} pages", repeated_pdf(work / f"text_{n}.pdf", n)) for n in args.pages]
    runs += [(f"image-only PDF, {n} pages", repeated_scan(work / f"scan_{n}.pdf", n)) for n in args.scan_pages]
    runs += [(f"multi-page TIFF, {n} frames", repeated_scan(work / f"scan_{n}.tif", n)) for n in args.tiff_pages]
    if not args.no_broadsheet:
        runs.append(("600-dpi broadsheet scan, 14032×19844 px", broadsheet(work / "broadsheet_600dpi.png")))
    print(f"{'input':45} {'peak GB':>8} {'seconds':>8} exit")
    for name, path in runs:
        gb, seconds, code = peak(path, work / f"out_{path.stem}")
        print(f"{name:45} {gb:8.2f} {seconds:8.1f} {code}", flush=True)


if __name__ == "__main__":
    main()
