"""Writes the stories of a run into OUT/: articles.jsonl (every article, caption and furniture record, one JSON
object a line with its `record` type) and articles.csv (one row per article), each atomically, a page at a time."""
from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from extractor.export import UNENCODABLE, atomic_write, write_csv_chunks
from schemas.article import ArticlesOfPage

ARTICLE_COLUMNS = ["source", "page", "article_id", "headline", "kicker", "subtitle", "byline", "dateline",
                   "continued_from", "continued_to", "keywords", "places", "captions", "body", "x0", "y0", "x1", "y1"]


def jsonl_lines(page: ArticlesOfPage) -> list[str]:
    return [json.dumps({"record": kind, **item.model_dump(mode="json")}, ensure_ascii=False)
            for kind, items in (("article", page.articles), ("caption", page.captions), ("furniture", page.furniture))
            for item in items]


def article_rows(page: ArticlesOfPage) -> list[dict]:
    rows = []
    for a in page.articles:
        box = a.box
        rows.append({
            **a.model_dump(include={"source", "page", "article_id", "headline", "kicker", "subtitle", "byline",
                                    "dateline", "continued_from", "continued_to"}),
            "keywords": " ".join(a.keywords), "places": " ".join(a.places),
            "captions": " ".join(c.caption_id for c in page.captions if c.article_id == a.article_id),
            "body": "\n".join(a.body),
            "x0": box.x0 if box else None, "y0": box.top if box else None,
            "x1": box.x1 if box else None, "y1": box.bottom if box else None,
        })
    return rows


def write_articles(out: Path, records: Iterable[ArticlesOfPage]) -> None:
    """Both files, a page's records at a time: records is gone through once for each (a batch gives its pages from
    its journal, never all in memory)."""
    def write_jsonl(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", errors=UNENCODABLE) as f:
            for page in records:
                f.writelines(line + "\n" for line in jsonl_lines(page))
    atomic_write(out / "articles.jsonl", write_jsonl)
    write_csv_chunks(out / "articles.csv", ARTICLE_COLUMNS,
                     (pd.DataFrame(article_rows(page), columns=ARTICLE_COLUMNS) for page in records))
