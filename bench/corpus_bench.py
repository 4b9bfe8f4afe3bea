#!/usr/bin/env python3
"""Runs the extractor on a corpus made by bench/corpus.py and scores it against the corpus's own truth.

    python bench/corpus_bench.py bench/corpus_out [--limit N] [--jobs 2] [--misses 20]

Every page file listed in OUT/corpus.jsonl goes through `extractor.pipeline.process_file` (worker processes; the
one-time model and dictionary loads are done before timing) and is scored with `extractor.evaluate.score_page`.
Printed and written to OUT/results.json: cells right / cells, tables found / expected, false tables (tables the
truth lacks), planted flags found / planted, false error flags, footers found / expected, failed pages and seconds
per page — overall and broken down by producer, rule style, header depth, panel form, input kind, table kind,
label kind, font and table features; then the most common miss messages of each group. A page on which the
extractor raises (or crashes its worker, or runs over --timeout) is counted as failed and the run goes on.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

BREAKDOWNS = ["producer", "rules", "depth", "panels", "input", "kind", "labels", "font", "feature"]
PAGE_LEVEL = {"producer", "input", "font"}


def warm_up() -> None:
    """One-time loads (jieba's dictionary, the OCR models) belong to the process, not to a page."""
    import logging
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        import jieba
        jieba.setLogLevel(60)
        jieba.initialize()
    except Exception:  # noqa: BLE001 - the bench must run whatever the extractor's state
        pass
    try:
        from extractor.ocr import get_backend
        get_backend("rapidocr")
    except Exception:  # noqa: BLE001
        pass


class PageTimeout(Exception):
    pass


def on_alarm(signum, frame):  # noqa: ARG001
    raise PageTimeout("page took longer than the timeout")


def footer_found(footer: dict, tables) -> tuple[bool, bool]:
    """(stated somewhere in the output, taken as a data row). Looks at the table's footers (label and printed
    figure), at rows labelled with the footer's label, and at the notes."""
    from extractor.evaluate import same_text
    found = as_row = False
    for t in tables:
        for f in getattr(t, "footers", None) or []:
            label = f.get("label") if isinstance(f, dict) else getattr(f, "label", None)
            value = f.get("value") if isinstance(f, dict) else getattr(f, "printed", None)
            if same_text(label, footer["label"]) and same_text(str(value), footer["value"]):
                found = True
        for r in t.rows:
            if same_text(r.label, footer["label"]):
                as_row = True
                if any(same_text(c.printed, footer["value"]) for c in r.cells):
                    found = True
        if t.note and footer["label"] in re.sub(r"\s+", "", t.note) and footer["value"] in t.note:
            found = True
    return found, as_row


def run_page(rec: dict, corpus: str, timeout: int) -> dict:
    from extractor.pipeline import process_file
    path = Path(corpus) / rec["file"]
    truth = json.loads((Path(corpus) / rec["truth"]).read_text(encoding="utf-8"))
    out = {"file": rec["file"], "error": None, "seconds": None, "tables": [], "extra_tables": 0,
           "extra_false_errors": [], "page_misses": []}
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(timeout)
    start = time.perf_counter()
    try:
        result = process_file(path)
    except BaseException as exc:  # noqa: BLE001 - a crash on one page must not stop the bench
        if isinstance(exc, KeyboardInterrupt):
            raise
        out["error"] = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        result = None
    finally:
        signal.alarm(0)
    out["seconds"] = time.perf_counter() - start
    if result is not None and result.error:
        out["error"] = result.error
    if result is None or out["error"]:
        for t in truth:
            out["tables"].append({"meta": t["meta"], "cells": sum(len(r["values"]) + 1 for r in
                                                                 t["rows"] + ([t["total"]] if t.get("total") else [])),
                                  "cells_right": 0, "found": 0, "flags_expected": len(t["expected_flags"]),
                                  "flags_found": 0, "false_errors": [], "footers": len(t.get("footers", [])),
                                  "footers_found": 0, "footer_rows": 0, "misses": [f"{t['title']}: page failed"]})
        return out
    out.update(score_result(truth, result))
    return out


def score_result(truth: list[dict], result) -> dict:
    """A page's extraction (a FileResult) against its truth: the tables as run_page's "tables" (cells right,
    found, flags, false errors, footers, misses per truth table), extra_tables, extra_false_errors, page_misses."""
    from extractor.evaluate import pair_tables, score_flags, score_page, score_table
    out = {"tables": [], "extra_tables": 0, "extra_false_errors": [], "page_misses": []}
    tables, flags = result.tables, result.flags
    page_score = score_page(truth, tables, flags)
    pairs = pair_tables(truth, tables)
    paired = {id(t) for _, t in pairs if t is not None}
    extras = [t for t in tables if t.columns and id(t) not in paired]
    out["extra_tables"] = len(extras)
    out["page_misses"] = [m for m in page_score.misses if m.endswith("a table the truth does not have")]
    from schemas.flags import PRINTING_ERRORS
    out["extra_false_errors"] = [f"{t.title}: {f.kind.value} at {f.row}" for t in extras for f in flags
                                 if f.table_id == t.table_id and f.kind in PRINTING_ERRORS]
    for t_truth, table in pairs:
        s = score_table(t_truth, table)
        if table is not None:
            s.add(score_flags(t_truth, [f for f in flags if f.table_id == table.table_id]))
        n_found = n_rows = 0
        for f in t_truth.get("footers", []):
            found, as_row = footer_found(f, [table] if table is not None else [])
            n_found += found
            n_rows += as_row
        out["tables"].append({"meta": t_truth.get("meta", {}), "cells": s.cells, "cells_right": s.cells_right,
                              "found": s.tables_found, "flags_expected": s.flags_expected,
                              "flags_found": s.flags_found, "false_errors": s.false_errors,
                              "footers": len(t_truth.get("footers", [])), "footers_found": n_found,
                              "footer_rows": n_rows, "misses": s.misses})
    # the per-table sums must be score_page's
    assert sum(t["cells_right"] for t in out["tables"]) == page_score.cells_right
    assert sum(len(t["false_errors"]) for t in out["tables"]) + len(out["extra_false_errors"]) == \
        len(page_score.false_errors)
    return out


def input_kind(rec: dict) -> str:
    if rec["input"] == "pdf":
        return "pdf"
    return f"{rec['input']}-{rec['dpi']}dpi" if rec["input"] == "scan" else "photo"


def producer_of(rec: dict) -> str:
    return rec["producer"] + (f"-{rec['lo_kind']}" if rec.get("lo_kind") else "")


def table_groups(meta: dict) -> dict[str, list[str]]:
    panels = str(meta["panels"]) + (f"-{meta['panel_order']}" if meta["panels"] > 1 else "")
    feats = []
    for key, name in (("subtotals", "subtotals"), ("mixed_depth", "mixed-depth"), ("label_wrap", "label-wrap"),
                      ("rotated", "rotated"), ("narrow", "narrow-in-column"), ("unreported", "未填报-row"),
                      ("index_column", "序号-column"), ("remark_column", "备注-column"), ("note_in_table", "note-in-table")):
        if meta.get(key):
            feats.append(name)
    if meta.get("footers"):
        feats.append("footers")
    if meta.get("header_breaks"):
        feats.append("header-word-breaks")
    if meta.get("has_total"):
        feats.append(f"total-{meta.get('total_position')}")
    if meta.get("orientation") == "landscape":
        feats.append("landscape-page")
    if meta.get("header_depth") == 0:
        feats.append("headerless")
    return {"rules": [meta["rules"]], "depth": [str(meta["header_depth"])], "panels": [panels],
            "kind": [meta["kind"]], "labels": [meta["labels"]], "feature": feats or ["plain"]}


def new_bucket() -> dict:
    return {"pages": 0, "failed": 0, "seconds": 0.0, "tables": 0, "found": 0, "cells": 0, "cells_right": 0,
            "flags_expected": 0, "flags_found": 0, "false_errors": 0, "false_tables": 0, "footers": 0,
            "footers_found": 0, "footer_rows": 0, "misses": Counter()}


def normalise_miss(message: str) -> str:
    """A miss message with the table title and the figures taken out, so that alike misses count together."""
    m = message.split(": ", 1)[1] if ": " in message else message
    m = re.sub(r"'[^']*'", lambda x: "'#'" if re.search(r"\d", x.group(0)) else x.group(0), m)
    m = re.sub(r"\d+(\.\d+)?%?", "#", m)
    return m


def aggregate(records: dict[str, dict], results: list[dict]) -> dict:
    groups: dict[str, dict[str, dict]] = {b: defaultdict(new_bucket) for b in ["all"] + BREAKDOWNS}
    for res in results:
        rec = records[res["file"]]
        page_keys = {"all": ["all"], "producer": [producer_of(rec)], "input": [input_kind(rec)],
                     "font": [rec["font"]]}
        for b, keys in page_keys.items():
            for k in keys:
                g = groups[b][k]
                g["pages"] += 1
                g["failed"] += bool(res["error"])
                g["seconds"] += res["seconds"] or 0.0
                g["false_tables"] += res["extra_tables"]
                g["false_errors"] += len(res["extra_false_errors"])
                for m in res["page_misses"]:
                    g["misses"][normalise_miss(m)] += 1
                if res["error"]:
                    g["misses"]["page failed: " + re.sub(r"/\S+", "<path>", res["error"])[:120]] += 1
        for t in res["tables"]:
            keys = dict(page_keys)
            keys.update(table_groups(t["meta"]))
            for b, ks in keys.items():
                for k in ks:
                    g = groups[b][k]
                    g["tables"] += 1
                    for f in ("found", "cells", "cells_right", "flags_expected", "flags_found", "footers",
                              "footers_found", "footer_rows"):
                        g[f] += t[f]
                    g["false_errors"] += len(t["false_errors"])
                    for m in t["misses"]:
                        g["misses"][normalise_miss(m)] += 1
                    for m in t["false_errors"]:
                        g["misses"]["false error: " + normalise_miss(m.split(":", 1)[1] if ":" in m else m)] += 1
    return groups


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "   — "


def print_tables(groups: dict, misses: int) -> None:
    head = (f"{'group':<26} {'pages':>5} {'fail':>4} {'s/page':>6} {'tables':>11} {'cells right':>19} "
            f"{'planted':>11} {'false err':>9} {'false tbl':>9} {'footers':>8}")
    for b in ["all"] + BREAKDOWNS:
        print(f"\n== by {b} ==" if b != "all" else "\n== overall ==")
        print(head)
        for k, g in sorted(groups[b].items(), key=lambda kv: (-kv[1]["tables"], kv[0])):
            page_level = b in PAGE_LEVEL or b == "all"
            pages = f"{g['pages']:>5}" if page_level else f"{'':>5}"
            fail = f"{g['failed']:>4}" if page_level else f"{'':>4}"
            sec = f"{g['seconds'] / g['pages']:6.2f}" if page_level and g["pages"] else f"{'':>6}"
            ft = f"{g['false_tables']:>9}" if page_level else f"{'—':>9}"
            print(f"{k:<26} {pages} {fail} {sec} {g['found']:>5}/{g['tables']:<5} "
                  f"{g['cells_right']:>6}/{g['cells']:<6}{pct(g['cells_right'], g['cells'])} "
                  f"{g['flags_found']:>5}/{g['flags_expected']:<5} {g['false_errors']:>9} {ft} "
                  f"{g['footers_found']:>3}/{g['footers']:<4}" + (f" ({g['footer_rows']} as rows)" if g["footer_rows"] else ""))
    if misses:
        for b in ["all"] + BREAKDOWNS:
            for k, g in sorted(groups[b].items(), key=lambda kv: (-kv[1]["tables"], kv[0])):
                if not g["misses"]:
                    continue
                print(f"\n-- most common misses, {b} = {k} --")
                for m, n in g["misses"].most_common(misses):
                    print(f"{n:>6}  {m}")


def pick(records: list[dict], limit: int | None) -> list[dict]:
    if not limit or limit >= len(records):
        return records
    step = len(records) / limit
    return [records[int(i * step)] for i in range(limit)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--limit", type=int, help="score N pages spread over the corpus")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=600, help="seconds per page before it counts as failed")
    ap.add_argument("--misses", type=int, default=20, help="most common miss messages shown per group")
    ap.add_argument("--only", nargs="*", help="only page files whose name contains one of these")
    args = ap.parse_args(argv)
    lines = (args.corpus / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(x) for x in lines if x.strip()]
    if args.only:
        records = [r for r in records if any(o in r["file"] for o in args.only)]
    records = pick(records, args.limit)
    by_file = {r["file"]: r for r in records}
    start = time.perf_counter()
    results: list[dict] = []
    todo = list(records)
    broke: Counter = Counter()
    done = 0
    while todo:
        retry = []
        with ProcessPoolExecutor(max_workers=args.jobs, initializer=warm_up) as pool:
            futures = {pool.submit(run_page, r, str(args.corpus), args.timeout): r for r in todo}
            for fut in as_completed(futures):
                rec = futures[fut]
                try:
                    results.append(fut.result())
                except BrokenProcessPool:
                    broke[rec["file"]] += 1
                    if broke[rec["file"]] >= 2:
                        results.append(crashed(rec, args.corpus))
                    else:
                        retry.append(rec)
                    continue
                except Exception as exc:  # noqa: BLE001 - scoring trouble on one page is reported, not fatal
                    results.append(crashed(rec, args.corpus, f"bench: {type(exc).__name__}: {exc}"))
                done += 1
                if done % 25 == 0:
                    print(f"  {done}/{len(records)} pages, {time.perf_counter() - start:.0f}s", file=sys.stderr,
                          flush=True)
        todo = retry
    groups = aggregate(by_file, results)
    import extractor
    source = Path(extractor.__file__).resolve().parent.parent
    try:
        import subprocess
        rev = subprocess.run(["git", "-C", str(source), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True).stdout.strip() or None
    except OSError:
        rev = None
    print(f"extractor from {source}" + (f" (git {rev})" if rev else ""))
    print(f"corpus {args.corpus}: {len(results)} page files in {time.perf_counter() - start:.0f}s "
          f"on {args.jobs} worker(s)")
    print_tables(groups, args.misses)
    payload = {"corpus": str(args.corpus), "extractor": str(source), "git": rev, "pages": len(results),
               "jobs": args.jobs,
               "seconds": time.perf_counter() - start,
               "groups": {b: {k: {**{f: v for f, v in g.items() if f != "misses"},
                                  "misses": g["misses"].most_common(50)} for k, g in gs.items()}
                          for b, gs in groups.items()},
               "pages_detail": [{k: v for k, v in r.items() if k != "tables"} |
                                {"tables": [{k: v for k, v in t.items() if k != "meta"} | {"id": t["meta"].get("id")}
                                            for t in r["tables"]]} for r in sorted(results, key=lambda r: r["file"])]}
    (args.corpus / "results.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def crashed(rec: dict, corpus: Path, why: str = "worker process crashed") -> dict:
    truth = json.loads((corpus / rec["truth"]).read_text(encoding="utf-8"))
    return {"file": rec["file"], "error": why, "seconds": None, "extra_tables": 0, "extra_false_errors": [],
            "page_misses": [],
            "tables": [{"meta": t["meta"], "cells": sum(len(r["values"]) + 1 for r in
                                                        t["rows"] + ([t["total"]] if t.get("total") else [])),
                        "cells_right": 0, "found": 0, "flags_expected": len(t["expected_flags"]), "flags_found": 0,
                        "false_errors": [], "footers": len(t.get("footers", [])), "footers_found": 0,
                        "footer_rows": 0, "misses": [f"{t['title']}: page failed"]} for t in truth]}


if __name__ == "__main__":
    sys.exit(main())
