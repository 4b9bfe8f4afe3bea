"""The Python API: one file in, a Document out (its pages, tables with DataFrames, flags and articles)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from extractor.export_formats import table_frame
from extractor.pipeline import FileResult, OcrOptions, ReadOptions, process_file
from schemas.article import Article, ArticlesOfPage
from schemas.flags import Flag
from schemas.table import Table


class ExtractError(Exception):
    """The file could not be read (missing, damaged, encrypted, not a page): the message names it."""


@dataclass
class ExtractedTable:
    """A table of the page (schemas.table.Table: title, date, unit, note, columns, rows, …) and its data frame."""
    table: Table

    def __getattr__(self, name: str):
        return getattr(self.table, name)

    @cached_property
    def df(self) -> pd.DataFrame:
        """One row per table row, indexed by its label as printed; columns a MultiIndex of the header paths from the
        top level down (shorter paths padded with "" below); values the parsed numbers (counts and ranks integers,
        a rate as printed: 14.9% → 14.9). Empty for a table that could not be rebuilt (see raw_text)."""
        return table_frame(self.table)  # the frame tables/<table_id>.xlsx and .parquet hold


@dataclass
class DocumentPage:
    number: int
    tables: list[ExtractedTable]
    flags: list[Flag]
    articles: ArticlesOfPage


@dataclass
class Document:
    """What baozhi found in one file. `result` is the pipeline's FileResult, which the command line writes out."""
    result: FileResult

    @property
    def source(self) -> str:
        return self.result.source

    @property
    def kind(self) -> str:
        """pdf, scan or text."""
        return self.result.kind

    @property
    def error(self) -> str | None:
        return self.result.error

    @property
    def warnings(self) -> list[str]:
        return self.result.warnings

    @cached_property
    def tables(self) -> list[ExtractedTable]:
        return [ExtractedTable(t) for t in self.result.tables]

    @property
    def flags(self) -> list[Flag]:
        """Most severe first."""
        return self.result.flags

    @property
    def articles(self) -> list[Article]:
        return [a for page in self.result.articles for a in page.articles]

    @cached_property
    def pages(self) -> list[DocumentPage]:
        """The pages read, each with its tables, flags and articles (captions, furniture)."""
        def on(n: int, found: ArticlesOfPage) -> bool:
            return any(x.page == n for x in [*found.articles, *found.captions, *found.furniture])
        return [DocumentPage(n, [t for t in self.tables if t.page == n], [f for f in self.flags if f.page == n],
                             next((a for a in self.result.articles if on(n, a)), ArticlesOfPage()))
                for n in self.result.page_numbers]


def read_document(path: str | Path, *, layout: str = "jiaozuo_daily", pages: frozenset[int] | None = None,
                  password: str | None = None, ocr_backend: str = "rapidocr", ocr_articles: bool = False,
                  ocr: str = "auto", id_prefix: str | None = None) -> Document:
    """Like extract, but a file that cannot be read gives a Document whose `error` says why (a batch goes on)."""
    return Document(process_file(Path(path), layout, OcrOptions(ocr_backend, ocr_articles, ocr), id_prefix,
                                 ReadOptions(frozenset(pages) if pages else None, password)))


def extract(path: str | Path, *, layout: str = "jiaozuo_daily", pages: frozenset[int] | list[int] | None = None,
            password: str | None = None, ocr_backend: str = "rapidocr", ocr_articles: bool = False,
            ocr: str = "auto") -> Document:
    """The tables, flags and articles of one page file (.pdf, .txt dump, or image). layout: a name in layouts/ or
    a .toml path; pages: 1-based page numbers to read (default all); password: for an encrypted PDF; ocr_backend,
    ocr_articles, ocr (auto, always, never): as the command line's options. Raises ExtractError when the file
    cannot be read."""
    doc = read_document(path, layout=layout, pages=frozenset(pages) if pages else None, password=password,
                        ocr_backend=ocr_backend, ocr_articles=ocr_articles, ocr=ocr)
    if doc.error:
        raise ExtractError(doc.error)
    return doc
