"""Writes the stories of a run into OUT/: articles.jsonl (every article, caption and furniture record, one JSON
object a line with its `record` type) and articles.csv (one row per article), each atomically."""
from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from extractor.export import UNENCODABLE, atomic_write, write_csv
from schemas.article import ArticlesOfPage

ARTICLE_COLUMNS = ["source", "page", "article_id", "headline", "kicker", "subtitle", "byline", "dateline",
                   "continued_from", "continued_to", "keywords", "places", "captions", "body", "x0", "y0", "x1", "y1"]


def jsonl_lines(records: Iterable[ArticlesOfPage]) -> list[str]:
    out = []
    for page in records:
        for kind, items in (("article", page.articles), ("caption", page.captions), ("furniture", page.furniture)):
            out += [json.dumps({"record": kind, **item.model_dump(mode="json")}, ensure_ascii=False) for item in items]
    return out


def article_rows(records: Iterable[ArticlesOfPage]) -> list[dict]:
    rows = []
    for page in records:
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
    records = list(records)
    text = "".join(line + "\n" for line in jsonl_lines(records))
    atomic_write(out / "articles.jsonl", lambda tmp: tmp.write_text(text, encoding="utf-8", errors=UNENCODABLE))
    write_csv(out / "articles.csv", pd.DataFrame(article_rows(records), columns=ARTICLE_COLUMNS))
