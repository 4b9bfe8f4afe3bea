"""`make bench`: baozhi's scan path against raw PP-OCR of the same full page, side by side in one process run.

For each page, in turns (so that no side always runs on caches another left warm):
  raw       RapidOCR as it comes (its wheel's PP-OCRv4 det+rec, default settings, use_cls=False), the whole page;
  default   baozhi's scan path (extractor.pipeline.process_file: layout model, OCR of the tables, headlines and
            captions, tables, checks, articles);
  articles  the same with --ocr-articles (article paragraphs recognised too).
Printed per page and side: wall and CPU seconds, their ratio to raw (the CPU ratio is the steadier on a shared
machine; raw RapidOCR runs one onnxruntime thread, baozhi one per core), peak resident memory of the run (VmHWM,
reset before each run), the cells right and tables found (bench/corpus_bench.py's score_result against the
page's truth), baozhi's seconds per step, and the warnings where the layout model and the page's geometry
disagreed. The totals include each side's one-time loads (imports, models, jieba's dictionary).

Pages: scans of the corpus (bench/corpus_out, made by `make corpus`), by default one per paper size and dpi, and
generated A2 pages (two sample PDFs side by side, 1684 × 1191 pt, rendered grey).

    python bench/scan_bench.py [--corpus-dir DIR] [--corpus N] [--a2 NAME ...] [--only NAME ...] [--sides ...]

The extractor benched is this tree's, or the first PYTHONPATH entry holding one (PYTHONPATH=/work/main runs
main's tree with this bench, to compare the two on the same pages).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
import corpus_bench  # noqa: E402  (inserts REPO into sys.path itself)

TREE = next((Path(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
             if p and (Path(p) / "extractor").is_dir()), REPO).resolve()
sys.path.insert(0, str(TREE))
SAMPLES = REPO / "samples"

# name: sample PDFs side by side and the dpi; A2 pages are what memory is bounded on (< 2 GB at 300 dpi).
A2_PAGES = {
    "A2_p01_p06_200": (["p01_ruled_3level", "p06_open_two_tables"], 200),
    "A2_p02_p04_300": (["p02_open_2level", "p04_threeline_2panel"], 300),
}
SIDES = ("raw", "default", "articles")


def peak_reset() -> None:
    """Linux: the process's peak resident memory (VmHWM) starts again from what it holds now."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def render(names: list[str], dpi: int, out: Path) -> tuple[Path, list[dict]]:
    """The sample pages side by side as one grey PNG at dpi (its resolution in the file), with their truth
    joined (truth holds no positions)."""
    import pypdfium2 as pdfium
    from PIL import Image
    parts, truths = [], []
    for name in names:
        pdf = pdfium.PdfDocument(str(SAMPLES / f"{name}.pdf"))
        parts.append(np.array(pdf[0].render(scale=dpi / 72.0, grayscale=True).to_pil().convert("L")))
        pdf.close()
        truths += json.loads((SAMPLES / f"{name}.truth.json").read_text(encoding="utf-8"))
    height = max(p.shape[0] for p in parts)
    page = np.hstack([np.pad(p, ((0, height - p.shape[0]), (0, 0)), constant_values=255) for p in parts])
    Image.fromarray(page).save(out, dpi=(dpi, dpi))
    return out, truths


def corpus_scans(corpus: Path, limit: int, only: list[str] | None) -> list[tuple[str, Path, list[dict]]]:
    """The corpus's scans and photo captures named in only, or the first scan of each paper size and dpi (up
    to limit)."""
    if not (corpus / "corpus.jsonl").exists():
        return []
    records = [json.loads(line) for line in (corpus / "corpus.jsonl").read_text("utf-8").splitlines()]
    records = [r for r in records if r.get("input") in ("scan", "photo")]
    if only:
        chosen = [r for r in records if Path(r["file"]).stem in only]
    else:
        seen, chosen = set(), []
        for r in records:
            if r["input"] == "scan" and (r["paper"], r["dpi"]) not in seen and len(chosen) < limit:
                seen.add((r["paper"], r["dpi"]))
                chosen.append(r)
    return [(f"{Path(r['file']).stem} ({r['paper']} {r['dpi']})", corpus / r["file"],
             json.loads((corpus / r["truth"]).read_text("utf-8"))) for r in chosen]


def timed(run) -> tuple[object, float, float, float]:
    peak_reset()
    wall, cpu = time.perf_counter(), time.process_time()
    value = run()
    return value, time.perf_counter() - wall, time.process_time() - cpu, peak_mb()


def loads(sides: list[str]) -> tuple[object, dict[str, tuple[float, float]]]:
    """The raw RapidOCR engine, and each side's one-time cost, (wall, CPU) seconds: raw RapidOCR's import and
    models; baozhi's imports, jieba, OCR models, and (default side only) the layout model."""
    def raw():
        from rapidocr_onnxruntime import RapidOCR
        return RapidOCR()

    def ours():
        import jieba

        import extractor.pipeline  # noqa: F401  (its imports are part of the one-time cost)
        from extractor.ocr import get_backend
        jieba.setLogLevel(60)
        jieba.initialize()
        get_backend("rapidocr")

    def layout():
        try:
            from extractor.scan_layout import layout_model
        except ImportError:   # a tree without the layout stage (main before issue 14)
            return
        layout_model()
    # baozhi's first: the imports both share (numpy, opencv, onnxruntime, rapidocr) are counted on its side
    _, our_wall, our_cpu, _ = timed(ours)
    _, lay_wall, lay_cpu, _ = timed(layout) if "default" in sides else (None, 0.0, 0.0, 0.0)
    engine, raw_wall, raw_cpu, _ = timed(raw)
    return engine, {"raw": (raw_wall, raw_cpu), "default": (our_wall + lay_wall, our_cpu + lay_cpu),
                    "articles": (our_wall, our_cpu)}


def revision(tree: Path) -> str:
    run = subprocess.run(["git", "-C", str(tree), "describe", "--always", "--dirty"], capture_output=True, text=True)
    return run.stdout.strip() or "?"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus-dir", type=Path, default=REPO / "bench" / "corpus_out")
    parser.add_argument("--corpus", type=int, default=4, help="how many corpus scans (one per paper size and dpi)")
    parser.add_argument("--a2", nargs="*", default=["A2_p02_p04_300"], choices=sorted(A2_PAGES),
                        help="generated A2 pages")
    parser.add_argument("--only", nargs="*", help="corpus scans by file stem (instead of one per size and dpi)")
    parser.add_argument("--sides", nargs="*", default=list(SIDES), choices=SIDES)
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    sides = ["raw"] + [s for s in args.sides if s != "raw"]
    engine, once = loads(sides)
    from extractor.pipeline import OcrOptions, process_file
    print(f"baozhi tree {TREE} ({revision(TREE)}); one-time loads (wall s): "
          + ", ".join(f"{side} {once[side][0]:.2f}" for side in sides))
    runs = {
        "raw": lambda path: engine(str(path), use_cls=False),
        "default": lambda path: process_file(path, ocr=OcrOptions(articles=False)),
        "articles": lambda path: process_file(path, ocr=OcrOptions(articles=True)),
    }
    totals = {side: {"wall": once[side][0], "cpu": once[side][1], "right": 0, "cells": 0, "peak": 0.0}
              for side in sides}
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        todo = corpus_scans(args.corpus_dir, args.corpus, args.only)
        todo += [(name, *render(*A2_PAGES[name], Path(tmp) / f"{name}.png")) for name in args.a2]
        print(f"{'page':<34} {'side':<8} {'wall s':>7} {'cpu s':>7} {'ratio':>6} {'cpu ×':>6} {'peak MB':>8} "
              f"{'cells right':>12} {'tables':>7}  seconds by step")
        for n, (name, path, truth) in enumerate(todo):
            order = sides if n % 2 == 0 else sides[::-1]
            done = {side: timed(lambda: runs[side](path)) for side in order}
            raw_wall, raw_cpu = done["raw"][1], done["raw"][2]
            for side in sides:
                value, wall, cpu, peak = done[side]
                row = {"page": name, "side": side, "wall": wall, "cpu": cpu, "peak_mb": peak}
                cells = tables = ""
                if side != "raw":
                    if value.error:
                        print(f"    {side} error: {value.error}")
                    score = corpus_bench.score_result(truth, value)
                    right = sum(t["cells_right"] for t in score["tables"])
                    total = sum(t["cells"] for t in score["tables"])
                    found = sum(t["found"] for t in score["tables"])
                    cells, tables = f"{right}/{total}", f"{found}/{len(truth)}"
                    totals[side]["right"] += right
                    totals[side]["cells"] += total
                    row.update(cells_right=right, cells=total, tables_found=found, tables=len(truth),
                               steps=value.seconds, warnings=value.warnings)
                totals[side]["wall"] += wall
                totals[side]["cpu"] += cpu
                totals[side]["peak"] = max(totals[side]["peak"], peak)
                steps = "" if side == "raw" else ", ".join(
                    f"{k} {v:.2f}" for k, v in value.seconds.items() if k != "total" and v >= 0.01)
                print(f"{name if side == 'raw' else '':<34} {side:<8} {wall:>7.2f} {cpu:>7.2f} "
                      f"{wall / raw_wall:>6.2f} {cpu / raw_cpu:>6.2f} {peak:>8.0f} {cells:>12} {tables:>7}  {steps}")
                if side == "default":
                    for warning in value.warnings:
                        print(f"    warning: {warning}")
                figures.append(row)
    print(f"{'all pages, loads included':<34}")
    for side in sides:
        t, raw = totals[side], totals["raw"]
        cells = f"{t['right']}/{t['cells']}" if side != "raw" else ""
        print(f"{'':<34} {side:<8} {t['wall']:>7.1f} {t['cpu']:>7.1f} {t['wall'] / raw['wall']:>6.2f} "
              f"{t['cpu'] / raw['cpu']:>6.2f} {t['peak']:>8.0f} {cells:>12}")
    if args.json:
        args.json.write_text(json.dumps({"tree": str(TREE), "revision": revision(TREE), "loads": once,
                                         "pages": figures, "totals": totals}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
