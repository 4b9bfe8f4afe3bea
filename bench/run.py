"""`make bench`: seconds per page, peak memory and cell accuracy per input kind, on the samples and the seeds.
Each kind runs in a child process so that its peak memory is its own."""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

SCANS = REPO / "samples" / "scans"


def scans(marker: str) -> list[tuple[Path, Path]]:
    return [(p, p.with_name(p.stem + ".truth.json")) for p in sorted(SCANS.iterdir())
            if marker in p.stem and not p.name.endswith(".json")]


KINDS = {
    "born-digital PDF": lambda: [(p, p.with_suffix(".truth.json")) for p in sorted((REPO / "samples").glob("*.pdf"))],
    "300-dpi scan": lambda: scans("300dpi"),
    "200-dpi scan": lambda: scans("200dpi") + scans("_scan"),
    "150-dpi scan": lambda: scans("150dpi"),
    "text dump": lambda: [(p, SHARED / "truth" / f"seed{p.name[:3]}.json")
                          for p in sorted((SHARED / "seeds").glob("*.txt"))],
}


def warm_up() -> None:
    """One-time loads (jieba's dictionary, the OCR models) are a process's, not a page's: done before timing."""
    import jieba

    from extractor.ocr import get_backend
    jieba.initialize()
    get_backend("rapidocr")


def measure(kind: str) -> dict:
    from extractor.evaluate import Score, score_page
    from extractor.pipeline import process_file
    warm_up()
    score, pages, seconds, stages = Score(), 0, 0.0, {}
    for path, truth_path in KINDS[kind]():
        truth = json.loads(truth_path.read_text(encoding="utf-8")) if truth_path.exists() else []
        start = time.perf_counter()
        result = process_file(path)
        seconds += time.perf_counter() - start
        pages += result.pages
        for stage, s in result.seconds.items():
            stages[stage] = stages.get(stage, 0.0) + s
        score.add(score_page(truth, result.tables, result.flags))
    return {"kind": kind, "pages": pages, "seconds_per_page": seconds / max(pages, 1),
            "stages_per_page": {k: v / max(pages, 1) for k, v in stages.items()},
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "cells": score.cells, "cells_right": score.cells_right, "tables": f"{score.tables_found}/{score.tables_expected}",
            "flags": f"{score.flags_found}/{score.flags_expected}", "false_errors": len(score.false_errors)}


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--kind":
        print(json.dumps(measure(sys.argv[2]), ensure_ascii=False))
        return
    rows = []
    for kind in KINDS:
        out = subprocess.run([sys.executable, __file__, "--kind", kind], capture_output=True, text=True, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{'input kind':<18} {'pages':>5} {'s/page':>8} {'peak MB':>8} {'cells right':>14} {'tables':>7} "
          f"{'flags':>6} {'false errors':>12}")
    for r in rows:
        acc = r["cells_right"] / r["cells"] if r["cells"] else 1.0
        print(f"{r['kind']:<18} {r['pages']:>5} {r['seconds_per_page']:>8.3f} {r['peak_mb']:>8.0f} "
              f"{r['cells_right']:>6}/{r['cells']:<5} {acc:>6.1%} {r['tables']:>7} {r['flags']:>6} {r['false_errors']:>12}")
    for r in rows:
        stages = r["stages_per_page"]
        line = ", ".join(f"{k} {v:.3f}" for k, v in stages.items())
        if stages.get("ocr", 0) > 0.05:
            added = (stages["total"] - stages["ocr"]) / stages["ocr"]
            line += f"; our stages add {added:.1%} to the OCR time"
        print(f"  {r['kind']}: seconds per page by stage: {line}")
    print_peers()


def print_peers() -> None:
    from peers import PDF_TOOLS, SCAN_TOOLS, compare
    pages = [(p, p.with_suffix(".truth.json")) for p in sorted((REPO / "samples").glob("*.pdf"))]
    print("\nborn-digital PDF samples: truth rows recovered whole, by tool")
    print(f"{'tool':<28} {'rows':>8} {'share':>7} {'s/page':>8}")
    for r in compare(PDF_TOOLS, pages):
        print(f"{r['tool']:<28} {r['rows']:>8} {r['share']:>7.1%} {r['seconds_per_page']:>8.3f} {r['error'] or ''}")
    images = [(p, t) for p, t in scans("dpi") if p.suffix.lower() in (".png", ".jpg", ".jpeg")]
    print("\nscanned samples (PNG/JPG): truth rows recovered whole, by tool")
    print(f"{'tool':<28} {'rows':>8} {'share':>7} {'s/page':>8}")
    for r in compare(SCAN_TOOLS, images):
        print(f"{r['tool']:<28} {r['rows']:>8} {r['share']:>7.1%} {r['seconds_per_page']:>8.3f} {r['error'] or ''}")


if __name__ == "__main__":
    main()
