"""Stories of a page: articles, photo captions and page furniture (mastheads, editor lines, banners).

Boxes are PDF points with a top-left origin, as in schemas/document.py; None for text dumps."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from schemas.document import Box

FurnitureKind = Literal["masthead", "date", "page_number", "section", "editor", "qr_code", "banner", "other"]


class Article(BaseModel):
    source: str
    page: int
    article_id: str
    headline: str | None = None          # None for a story continued from another page (上接…)
    kicker: str | None = None            # 引题, printed above the headline
    subtitle: str | None = None          # 副题, printed under it (——市城管局优化营商环境工作扫描)
    byline: str | None = None            # 本报讯（记者高小豹）, 新华社北京9月22日电, 本报记者 高小豹
    dateline: str | None = None          # the date the lead prints (11月21日)
    body: list[str]                      # paragraphs in reading order; the byline stays in the first one
    continued_from: str | None = None    # （上接A01版①）
    continued_to: str | None = None      # （下转A02版）
    keywords: list[str] = []
    places: list[str] = []               # gazetteer names, aliases resolved
    box: Box | None = None


class Caption(BaseModel):
    source: str
    page: int
    caption_id: str
    text: str
    credit: str | None = None            # 本报记者 王冰 摄
    article_id: str | None = None        # the nearest article
    box: Box | None = None


class PageFurniture(BaseModel):
    source: str
    page: int
    kind: FurnitureKind
    text: str
    box: Box | None = None


class ArticlesOfPage(BaseModel):
    articles: list[Article] = []
    captions: list[Caption] = []
    furniture: list[PageFurniture] = []
