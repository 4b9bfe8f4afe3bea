"""Real newspaper pages (bench/real/news, see SOURCES-news.md): headlines found, bodies starting right, records per
story, false tables, characters that are not the printed text. Figures per page, per paper and for born-digital
pages and scans apart.

    .venv/bin/python bench/news_bench.py [PAGE-NAME-PART ...]

Each page goes through process_file (scans with --ocr-articles, so that article records have their text) and is
compared with its hand-typed <page>.headlines.json:
- a truth headline is found when an article record's headline (or kicker or subtitle) matches it after spaces and
  punctuation are dropped, with a similarity of at least MATCH (difflib), so that one misread character does not
  hide a found headline. Vertical (竖排) headlines are counted apart.
- its body starts right when the record it was found in has a body whose first BODY_CHARS characters (spaces,
  punctuation and a leading byline dropped) match the truth's body_start at MATCH (pages whose truth has no
  body_start count nothing here).
- false heads: records whose headline matches no truth headline, kicker or subhead (in-article subheads, bylines,
  body lines taken for a headline).
- odd: characters in any output (tables, flags, articles) that are never the printed text: radicals (U+2E80–U+2FDF),
  CJK compatibility ideographs, private-use code points, U+FFFD.
"""
from __future__ import annotations

import difflib
import json
import re
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
NEWS = REPO / "bench" / "real" / "news"
PAGE_TYPES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
MATCH = 0.8
BODY_CHARS = 12      # a body start is judged on its first dozen characters: enough to tell one story from another
NOT_TEXT = re.compile(r"[\s\W_]+")
ODD = re.compile("[\u2e80-\u2fdf\uf900-\ufaff\ue000-\uf8ff\ufffd\U0002f800-\U0002fa1f\U000f0000-\U0010ffff]")
COUNTS = ("h", "h_ok", "v", "v_ok", "b", "b_ok", "stories", "records", "false_heads", "false_tables", "odd")


def plain(text: str) -> str:
    return NOT_TEXT.sub("", unicodedata.normalize("NFKC", text or ""))


def similar(want: str, got: str) -> bool:
    return bool(want) and (want in got or difflib.SequenceMatcher(None, want, got).ratio() >= MATCH)


def record_of(headline: str, articles: list) -> object | None:
    """The record whose headline, kicker or subtitle is this truth headline (the closest one)."""
    want = plain(headline)
    best, best_ratio = None, MATCH
    for a in articles:
        for t in (a.headline, a.kicker, a.subtitle):
            got = plain(t)
            ratio = 1.0 if want and want in got else difflib.SequenceMatcher(None, want, got).ratio()
            if got and ratio >= best_ratio:
                best, best_ratio = a, ratio
    return best


def body_starts_right(article, truth_headline: dict) -> bool:
    text = plain("".join(article.body))
    for byline in (truth_headline.get("byline"), article.byline):
        if byline and text.startswith(plain(byline)):
            text = text[len(plain(byline)):]
    want = plain(truth_headline["body_start"])[:BODY_CHARS]
    return similar(want, text[:len(want)])


def odd_characters(result) -> str:
    dumped = json.dumps([t.model_dump(mode="json") for t in result.tables]
                        + [f.model_dump(mode="json") for f in result.flags]
                        + [p.model_dump(mode="json") for p in result.articles], ensure_ascii=False)
    return "".join(sorted(set(ODD.findall(dumped))))


def score_page(page: Path, truth: dict) -> tuple[dict, dict]:
    from extractor.pipeline import OcrOptions, process_file
    start = time.perf_counter()
    result = process_file(page, ocr=OcrOptions(articles=True))
    seconds = time.perf_counter() - start
    articles = [a for p in result.articles for a in p.articles]
    heads = truth["headlines"]
    known = [plain(t) for t in [h["text"] for h in heads] + truth.get("kickers", []) + truth.get("subheads", [])]
    c = dict.fromkeys(COUNTS, 0)
    for h in heads:
        record = record_of(h["text"], articles)
        kind = "v" if h.get("vertical") else "h"
        c[kind] += 1
        c[kind + "_ok"] += record is not None
        if h.get("body_start"):
            c["b"] += 1
            c["b_ok"] += record is not None and body_starts_right(record, h)
    c["stories"], c["records"] = truth["stories"], len(articles)
    c["false_heads"] = sum(1 for a in articles if a.headline and not any(similar(k, plain(a.headline)) or
                                                                         similar(plain(a.headline), k) for k in known))
    c["false_tables"] = max(0, len(result.tables) - truth.get("tables", 0))
    odd = odd_characters(result)
    c["odd"] = len(odd)
    info = {"seconds": seconds, "error": result.error or "", "odd": " ".join(f"U+{ord(ch):04X}" for ch in odd)}
    return c, info


def ratio(ok: int, n: int) -> str:
    return f"{ok}/{n}"


def pad(name: str, width: int = 26) -> str:
    """name left-justified to width columns, a CJK character taking two."""
    wide = sum(unicodedata.east_asian_width(ch) in "WF" for ch in name)
    return name + " " * max(0, width - len(name) - wide)


def line(name: str, c: dict, tail: str = "") -> str:
    return (f"{pad(name)} {ratio(c['h_ok'], c['h']):>9} {ratio(c['v_ok'], c['v']):>8} {ratio(c['b_ok'], c['b']):>7} "
            f"{ratio(c['records'], c['stories']):>8} {c['false_heads']:>6} {c['false_tables']:>6} {c['odd']:>4} {tail}")


def main(filters: list[str]) -> None:
    groups: dict[str, dict] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    print(f"{'page':26} {'headlines':>9} {'vertical':>8} {'bodies':>7} {'rec/sto':>8} {'f.head':>6} {'f.tab':>6} "
          f"{'odd':>4} s")
    for truth_file in sorted(NEWS.glob("*.headlines.json")):
        stem = truth_file.name[: -len(".headlines.json")]
        if filters and not any(f in stem for f in filters):
            continue
        page = next((NEWS / (stem + ext) for ext in PAGE_TYPES if (NEWS / (stem + ext)).exists()), None)
        if page is None:
            print(f"{stem}: page file missing (bench/fetch_news.py brings it, SOURCES-news.md says where it comes from)")
            continue
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        c, info = score_page(page, truth)
        print(line(stem, c, f"{info['seconds']:.1f} {info['error']} {info['odd']}"), flush=True)
        kind = "born-digital" if page.suffix == ".pdf" and truth.get("born_digital", True) else "scans"
        for key in (f"paper {truth.get('paper', '?')}", kind, "TOTAL"):
            for k in COUNTS:
                groups[key][k] += c[k]
    print()
    for key in sorted(groups, key=lambda k: (k == "TOTAL", not k.startswith("paper"), k)):
        print(line(key, groups[key]))


if __name__ == "__main__":
    main(sys.argv[1:])
