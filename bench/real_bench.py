"""Second benchmark column: real Chinese table pages made by others (bench/real, see bench/real/SOURCES.md),
each scored cell by cell against its hand-checked <page>.truth.json.

    .venv/bin/python bench/real_bench.py [PAGE-NAME-PART ...]

One line per page (producer, form, tables found/expected, cells right, header paths right, false error flags,
seconds), the total, then the first misses of each page. A page that raises is counted as failed and the run goes on.
A truth file whose page is in neither bench/real nor ../shared/real is reported as missing (SOURCES.md says where
each page comes from).
"""
from __future__ import annotations

import json
import sys
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
REAL = REPO / "bench" / "real"
# The page files are third-party data: they may sit beside the truth files in the work tree, or under the
# steering repo's shared/real/ (where such data files are committed); the truth files are here in either case.
PAGE_DIRS = (REAL, REPO.parent / "shared" / "real")
PAGE_TYPES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".txt")
MISSES_SHOWN = 10


def pages(filters: list[str]) -> list[tuple[Path, Path]]:
    """(page, truth) pairs: every <stem>.truth.json with its page file of the same stem."""
    found = []
    for truth in sorted(REAL.glob("*.truth.json")):
        stem = truth.name[: -len(".truth.json")]
        if filters and not any(f in stem for f in filters):
            continue
        page = next((d / (stem + ext) for d in PAGE_DIRS for ext in PAGE_TYPES if (d / (stem + ext)).exists()), None)
        found.append((page, truth))
    return found


def describe(truth: list[dict]) -> tuple[str, str]:
    """Producer and form (rules/kind/header depth, over the page's tables) from the truth's meta."""
    metas = [t.get("meta") or {} for t in truth]
    producer = metas[0].get("producer", "?") if metas else "?"
    forms = []
    for m in metas:
        form = f"{m.get('rules', '?')}/{m.get('kind', '?')}/h{m.get('header_depth', '?')}"
        if form not in forms:
            forms.append(form)
    return producer, ",".join(forms)


def warm_up() -> None:
    """One-time loads (jieba's dictionary, the OCR models) belong to the process, not to a page."""
    try:
        import jieba

        jieba.initialize()
    except Exception:
        pass
    try:
        from extractor.ocr import get_backend

        get_backend("rapidocr")
    except Exception:
        pass


def main() -> int:
    from extractor.evaluate import Score, score_page
    from extractor.pipeline import process_file

    warm_up()
    total, failed, missing, seconds_all = Score(), [], [], 0.0
    details: list[tuple[str, list[str]]] = []
    header = (f"{'file':<30} {'producer':<22} {'form':<34} {'tables':>7} {'cells right':>17} {'headers':>9} "
              f"{'false err':>9} {'s':>6}")
    print(header)
    print("-" * len(header))
    for page, truth_path in pages(sys.argv[1:]):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        producer, form = describe(truth)
        name = page.name if page else truth_path.name.replace(".truth.json", ".*")
        if page is None:
            missing.append(name)
            print(f"{name:<30} {producer[:22]:<22} {form[:34]:<34} missing: page file in neither bench/real nor ../shared/real")
            continue
        start = time.perf_counter()
        try:
            result = process_file(page)
            score = score_page(truth, result.tables, result.flags)
        except Exception as exc:  # one page's failure is reported, the run goes on
            seconds = time.perf_counter() - start
            seconds_all += seconds
            failed.append(name)
            cells = sum(len(r["values"]) + 1 for t in truth for r in t["rows"] + ([t["total"]] if t.get("total") else []))
            score = Score(tables_expected=len(truth), cells=cells, headers=sum(len(t["columns"]) for t in truth))
            score.misses.append(f"FAILED: {type(exc).__name__}: {exc}")
            score.misses += [line for line in traceback.format_exc().splitlines()[-4:]]
            total.add(score)
            details.append((name, score.misses))
            print(f"{name:<30} {producer[:22]:<22} {form[:34]:<34} FAILED ({type(exc).__name__}) {seconds:6.2f}s")
            continue
        seconds = time.perf_counter() - start
        seconds_all += seconds
        total.add(score)
        details.append((name, score.misses + [f"false error flag: {f}" for f in score.false_errors]))
        acc = score.cells_right / score.cells if score.cells else 1.0
        print(f"{name:<30} {producer[:22]:<22} {form[:34]:<34} {score.tables_found:>3}/{score.tables_expected:<3} "
              f"{score.cells_right:>5}/{score.cells:<5} {acc:>5.1%} {score.headers_right:>4}/{score.headers:<4} "
              f"{len(score.false_errors):>9} {seconds:6.2f}")
    print("-" * len(header))
    acc = total.cells_right / total.cells if total.cells else 1.0
    n = len(details)
    print(f"{'TOTAL (' + str(n) + ' pages)':<30} {'':<22} {'':<34} {total.tables_found:>3}/{total.tables_expected:<3} "
          f"{total.cells_right:>5}/{total.cells:<5} {acc:>5.1%} {total.headers_right:>4}/{total.headers:<4} "
          f"{len(total.false_errors):>9} {seconds_all:6.2f}")
    if failed:
        print(f"failed: {', '.join(failed)}")
    if missing:
        print(f"missing page files: {', '.join(missing)}")
    for name, misses in details:
        if not misses:
            continue
        print(f"\n{name}: {len(misses)} misses" + (f" (first {MISSES_SHOWN})" if len(misses) > MISSES_SHOWN else ""))
        for m in misses[:MISSES_SHOWN]:
            print(f"  {m}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
