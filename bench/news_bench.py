"""Real newspaper pages (bench/real/news, see SOURCES-news.md): headlines found, records per story, false tables.

    .venv/bin/python bench/news_bench.py [PAGE-NAME-PART ...]

Each page goes through process_file (scans with --ocr-articles, so that article records have their text) and is
compared with its hand-typed <page>.headlines.json: a truth headline is found when an article record's headline
(or kicker or subtitle) matches it after spaces and punctuation are dropped, with a similarity of at least
MATCH (difflib), so that one misread character does not hide a found headline. Vertical headlines are counted
apart. Also: article records against the number of stories, tables found where the page has none, seconds.
"""
from __future__ import annotations

import difflib
import json
import re
import sys
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
NEWS = REPO / "bench" / "real" / "news"
PAGE_TYPES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
MATCH = 0.8
NOT_TEXT = re.compile(r"[\s\W_]+")


def plain(text: str) -> str:
    return NOT_TEXT.sub("", unicodedata.normalize("NFKC", text or ""))


def found(headline: str, printed: list[str]) -> bool:
    want = plain(headline)
    return any(want and (want in p or difflib.SequenceMatcher(None, want, p).ratio() >= MATCH) for p in printed)


def main(filters: list[str]) -> None:
    from extractor.pipeline import OcrOptions, process_file
    rows, totals = [], {"h": 0, "h_ok": 0, "v": 0, "v_ok": 0, "stories": 0, "records": 0, "false_tables": 0}
    for truth_file in sorted(NEWS.glob("*.headlines.json")):
        stem = truth_file.name[: -len(".headlines.json")]
        if filters and not any(f in stem for f in filters):
            continue
        page = next((NEWS / (stem + ext) for ext in PAGE_TYPES if (NEWS / (stem + ext)).exists()), None)
        if page is None:
            print(f"{stem}: page file missing (SOURCES-news.md says where it comes from)")
            continue
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        start = time.perf_counter()
        result = process_file(page, ocr=OcrOptions(articles=True))
        seconds = time.perf_counter() - start
        articles = [a for p in result.articles for a in p.articles]
        printed = [plain(t) for a in articles for t in (a.headline, a.kicker, a.subtitle) if t]
        horizontal = [h for h in truth["headlines"] if not h.get("vertical")]
        vertical = [h for h in truth["headlines"] if h.get("vertical")]
        h_ok = sum(found(h["text"], printed) for h in horizontal)
        v_ok = sum(found(h["text"], printed) for h in vertical)
        false_tables = max(0, len(result.tables) - truth.get("tables", 0))
        rows.append((stem, f"{h_ok}/{len(horizontal)}", f"{v_ok}/{len(vertical)}",
                     f"{len(articles)}/{truth['stories']}", false_tables, f"{seconds:.1f}", result.error or ""))
        for key, value in (("h", len(horizontal)), ("h_ok", h_ok), ("v", len(vertical)), ("v_ok", v_ok),
                           ("stories", truth["stories"]), ("records", len(articles)), ("false_tables", false_tables)):
            totals[key] += value
    print(f"{'page':34} {'headlines':>9} {'vertical':>8} {'records/stories':>15} {'false tables':>12} {'s':>6}")
    for stem, h, v, rec, ft, s, err in rows:
        print(f"{stem:34} {h:>9} {v:>8} {rec:>15} {ft:>12} {s:>6} {err}")
    print(f"{'TOTAL':34} {totals['h_ok']}/{totals['h']:<7} {totals['v_ok']}/{totals['v']:<6} "
          f"{totals['records']}/{totals['stories']:<13} {totals['false_tables']:>12}")


if __name__ == "__main__":
    main(sys.argv[1:])
