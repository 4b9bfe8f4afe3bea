"""The per-file pipeline, a page at a time: read (pieces) → layout (regions) → reassemble (tables) → check (flags).
One input file is the unit of work (process_pages gives its pages' findings as they are done, process_file holds
them together); batching lives in the CLI and extractor.batch."""
from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from extractor.articles import articles_of_page
from extractor.check import check_table
from extractor.errors import InputError
from extractor.hints import LayoutHints, load_layout
from extractor.layout import find_tables
from extractor.messages import say
from extractor.ocr_lexicon import with_known_words
from extractor.ocr_review import review_flags
from extractor.read_pdf import each_pdf_page
from extractor.reassemble import tables_of_region
from schemas.article import ArticlesOfPage
from schemas.document import Page, Preparation, TextLayerSettings, boxes_on_page
from schemas.flags import Flag, FlagKind, Severity, by_severity
from schemas.table import Table

PDF_SUFFIXES = {".pdf"}
TEXT_SUFFIXES = {".txt"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
SUPPORTED = PDF_SUFFIXES | TEXT_SUFFIXES | IMAGE_SUFFIXES


class PageResult(BaseModel):
    """What one page read gave (or a view of a block printed turned on it, Page.rotation): its tables, their flags
    and its articles. A batch writes each out as soon as it is done (extractor.batch), so that a run holds one
    page's findings, not a 500-page file's."""
    page: int
    rotation: int = 0
    tables: list[Table] = []
    flags: list[Flag] = []                    # of these tables, most severe first
    articles: ArticlesOfPage = ArticlesOfPage()
    preparation: Preparation | None = None    # a scanned page: how its image was made
    text: str | None = None                   # a text dump's page (report.html shows it)


@dataclass
class FileSummary:
    """What a file gave, without its pages' findings: what manifest.json and the messages say of it."""
    source: str
    path: str
    kind: str = ""
    pages: int = 0
    page_numbers: list[int] = field(default_factory=list)  # of the pages read (all, or those asked for)
    table_ids: list[str] = field(default_factory=list)
    flags_by_kind: dict[str, int] = field(default_factory=dict)
    article_count: int = 0
    ocr_backend: str | None = None   # which OCR read the scanned pages, with its version
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def flag_count(self) -> int:
        return sum(self.flags_by_kind.values())

    def add(self, page: PageResult) -> None:
        """Counts a page done (a turned view counts its findings, not itself: its page is counted already)."""
        if not page.rotation:
            self.pages += 1
            self.page_numbers.append(page.page)
        self.table_ids += [t.table_id for t in page.tables]
        for flag in page.flags:
            self.flags_by_kind[flag.kind.value] = self.flags_by_kind.get(flag.kind.value, 0) + 1
        self.article_count += len(page.articles.articles)


@dataclass
class FileResult(FileSummary):
    """A file's summary with every page's findings, held together (the Python API and the archive's workers)."""
    tables: list[Table] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)    # most severe first
    articles: list[ArticlesOfPage] = field(default_factory=list)
    preparations: list[Preparation] = field(default_factory=list)  # of the scanned pages: how their image was made

    def add(self, page: PageResult) -> None:
        super().add(page)
        self.tables += page.tables
        self.flags += page.flags   # sorted by severity once the file is done (process_file)
        self.articles.append(page.articles)
        if page.preparation:
            self.preparations.append(page.preparation)


class Timer:
    def __init__(self, seconds: dict[str, float]):
        self.seconds = seconds

    def __call__(self, stage: str):
        timer = self

        class _Stage:
            def __enter__(self):
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                timer.seconds[stage] = timer.seconds.get(stage, 0.0) + time.perf_counter() - self.start
        return _Stage()


def table_id(prefix: str, page: int, n: int, rotation: int = 0) -> str:
    """p3-t2: the page's second table; p3r90-t1: the first table of page 3 read turned 90° (Page.rotation)."""
    return f"{prefix}-p{page}{f'r{rotation}' if rotation else ''}-t{n}"


def tables_of_positioned_page(page: Page, hints: LayoutHints, prefix: str, timer: Timer) -> list[Table]:
    with timer("layout"):
        regions = find_tables(page, hints)
    with timer("reassemble"):
        tables = [t for n, r in enumerate(regions, start=1)
                  for t in tables_of_region(r, page.source, page.page, table_id(prefix, page.page, n, page.rotation),
                                            hints)]
    return [boxes_on_page(t, page).model_copy(update={"rotation": page.rotation}) for t in tables
            if not is_prose(t, hints)]


SENTENCE_MARKS = re.compile("[。，；]")


def is_prose(table: Table, hints: LayoutHints) -> bool:
    """Running text caught in a ruled box: no rows, or mostly cells of sentences (see prose_share in layouts/).
    Such a grid is no table; its words go back to the page's articles."""
    texts = [t for row in table.rows for t in [row.label] + [c.printed for c in row.cells] if t.strip()]
    if not texts:
        return True
    prose = sum(len(t.replace(" ", "")) >= hints.prose_chars or bool(SENTENCE_MARKS.search(t)) for t in texts)
    return prose >= hints.prose_share * len(texts)


def tables_of_text_page(page: Page, hints: LayoutHints, prefix: str, timer: Timer) -> list[Table]:
    from extractor.flow_tables import tables_from_text
    with timer("reassemble"):
        tables = tables_from_text(page, hints)
    for n, table in enumerate(tables, start=1):
        table.table_id = table_id(prefix, page.page, n)
    return tables


@dataclass(frozen=True)
class OcrOptions:
    backend: str = "rapidocr"   # extractor.ocr.get_backend name: rapidocr (bundled) or paddleocr (if installed)
    articles: bool = False      # OCR article paragraphs too (slower), not just the tables
    mode: str = "auto"          # PDF pages: auto (OCR where the text layer fails its check), always, never


@dataclass(frozen=True)
class ReadOptions:
    pages: frozenset[int] | None = None  # 1-based page numbers to read (PDF pages, TIFF frames, dump pages); all
    password: str | None = None          # opens an encrypted PDF


def pdf_pages(path: Path, timer: Timer, ocr: OcrOptions, warnings: list[str],
              options: ReadOptions) -> Iterator[Page]:
    """The pages of a PDF, one at a time: the text layer where it passes its check (extractor.text_layer), OCR
    elsewhere."""
    from extractor.read_image import ocr_pdf_areas, ocr_pdf_page
    from extractor.text_layer import check_text_layer, with_ocr_inside
    settings = TextLayerSettings()

    def scanned(page: Page) -> list[Page]:   # the page, and a view of a block printed turned on it
        with timer("ocr"):
            return ocr_pdf_page(path, page.page, backend=ocr.backend, ocr_articles=ocr.articles)

    for page in timed(each_pdf_page(path, options.pages, options.password), timer, "read"):
        if page.kind == "scan":
            yield from scanned(page) if ocr.mode != "never" else [page]
            continue
        if ocr.mode == "always":
            yield from scanned(page)
            continue
        verdict = check_text_layer(page, settings)
        if ocr.mode == "never":
            if not verdict.trusted or verdict.uncovered:
                reasons = say("oddity.joiner").join(verdict.reasons) or say("text_layer.uncovered_images")
                warnings.append(say("text_layer.kept", path=path, page=page.page, reasons=reasons))
            yield page
        elif not verdict.trusted:
            warnings.append(say("text_layer.ocr_page", path=path, page=page.page,
                                reasons=say("oddity.joiner").join(verdict.reasons)))
            yield from scanned(page)
        elif verdict.uncovered:
            with timer("ocr"):
                printed = ocr_pdf_areas(path, page.page, verdict.uncovered, settings.min_paper,
                                        settings.max_midtones, backend=ocr.backend, ocr_articles=ocr.articles)
            if printed:
                warnings.append(say("text_layer.ocr_images", path=path, page=page.page, count=len(printed)))
            yield with_ocr_inside(page, printed) if printed else page
        else:
            yield page


def read_pages(path: Path, timer: Timer, ocr: OcrOptions = OcrOptions(), warnings: list[str] | None = None,
               options: ReadOptions = ReadOptions()) -> tuple[str, Iterator[Page]]:
    """The file's kind (pdf, scan or text) and its pages with the characters printed (extractor.characters), read
    one at a time as they are asked for, so that a long PDF or TIFF holds one page in memory, not all of them.
    (A PDF whose pages all need OCR turns out a "scan" at the end.)"""
    from extractor.characters import page_as_printed
    kind, pages = read_raw_pages(path, timer, ocr, warnings if warnings is not None else [], options)
    if options.pages:  # a PDF reads only the pages asked for; the frames of a TIFF, the pages of a dump are cut here
        pages = (p for p in pages if p.page in options.pages)
    return kind, map(page_as_printed, pages)


def read_raw_pages(path: Path, timer: Timer, ocr: OcrOptions, warnings: list[str],
                   options: ReadOptions) -> tuple[str, Iterator[Page]]:
    suffix = path.suffix.lower()
    if not path.exists():
        if path.is_symlink():
            raise InputError(say("input.dangling_link", path=path, target=os.readlink(path)))
        raise InputError(say("input.no_such_file", path=path))
    if path.is_dir():  # a folder given as an input is walked; one that comes here could not be
        try:
            os.listdir(path)
        except OSError as exc:
            raise InputError(say("input.folder_unreadable", path=path, error=exc.strerror)) from exc
        raise InputError(say("input.is_folder", path=path))
    if suffix in PDF_SUFFIXES:
        return "pdf", pdf_pages(path, timer, ocr, warnings, options)
    if suffix in IMAGE_SUFFIXES:
        from extractor.read_image import image_pages
        return "scan", timed(image_pages(path, backend=ocr.backend, ocr_articles=ocr.articles), timer, "ocr")
    if suffix in TEXT_SUFFIXES:
        from extractor.read_text import read_text_dump
        with timer("read"):
            return "text", read_text_dump(path)
    raise InputError(say("input.unsupported", path=path, suffix=suffix or "(none)",
                         images=", ".join(sorted(IMAGE_SUFFIXES))))


def timed(pages: Iterator[Page], timer: Timer, stage: str) -> Iterator[Page]:
    """pages, the time spent producing each counted to stage."""
    while True:
        with timer(stage):
            page = next(pages, None)
        if page is None:
            return
        yield page


def unparsed_flag(table: Table) -> Flag:
    return Flag(source=table.source, page=table.page, table_id=table.table_id, kind=FlagKind.unparsed_table,
                severity=Severity.warning, printed=table.title,
                message=say("flag.unparsed_table", title=table.title or "", reason=table.unparsed_reason))


def process_file(path: Path | str, layout: str = "jiaozuo_daily", ocr: OcrOptions = OcrOptions(),
                 id_prefix: str | None = None, options: ReadOptions = ReadOptions()) -> FileResult:
    """The whole file's result, its pages' findings held together (process_pages without streaming)."""
    path = Path(path)
    result = FileResult(source=path.name, path=str(path))
    for _ in process_pages(path, result, layout, ocr, id_prefix, options):
        pass
    result.flags = by_severity(result.flags)   # stable: each page's order kept within a severity
    return result


def process_pages(path: Path, into: FileSummary, layout: str = "jiaozuo_daily", ocr: OcrOptions = OcrOptions(),
                  id_prefix: str | None = None, options: ReadOptions = ReadOptions()) -> Iterator[PageResult]:
    """Each page's result as soon as it is done, counted in `into` (a FileResult keeps it too); into's kind,
    warnings, error and seconds are final once the pages end. A file that fails part way has its error set and
    ends; the pages it gave before stand as they were. id_prefix names the file's tables (default: the file name's
    stem; a batch passes unique ones)."""
    timer = Timer(into.seconds)
    start = time.perf_counter()
    try:
        hints = load_layout(layout)
        into.kind, pages = read_pages(path, timer, ocr, into.warnings, options)
        per_page = tables_of_text_page if into.kind == "text" else tables_of_positioned_page
        scanned = 0
        for page in pages:
            scanned += page.kind == "scan"
            into.ocr_backend = into.ocr_backend or page.ocr_backend
            done = PageResult(page=page.page, rotation=page.rotation, preparation=page.preparation,
                              text="\n".join(page.lines) if into.kind == "text" else None)
            if page.kind == "scan" and page.ocr_backend is None:
                into.warnings.append(say("input.no_text_layer", path=path, page=page.page))
            else:
                done = with_findings(done, page, hints, id_prefix or path.stem, per_page, timer)
            into.add(done)
            yield done
        if options.pages and not into.pages:  # a dump's or a TIFF's pages are counted as they are read
            raise InputError(say("input.pages_not_found", path=path, pages=",".join(map(str, sorted(options.pages)))))
        if into.kind == "pdf" and scanned == into.pages:
            into.kind = "scan"
        if not into.table_ids:
            into.warnings.append(say("input.no_table", path=path))
    except InputError as exc:
        into.error = str(exc)
    except OSError as exc:  # no permission, an I/O error of the disk: the file, not the tool
        into.error = say("input.cannot_read", path=path, error=exc.strerror or exc)
    except Exception as exc:  # a bug on one page must not stop a batch; the message still names the file
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        into.error = say("input.internal", path=path, error=f"{type(exc).__name__}: {first_line}")
    into.seconds["total"] = time.perf_counter() - start


def with_findings(done: PageResult, page: Page, hints: LayoutHints, prefix: str,
                  per_page: Callable[[Page, LayoutHints, str, Timer], list[Table]], timer: Timer) -> PageResult:
    """The page's tables (rows named by the gazetteer), their flags and its articles."""
    page = with_known_words(page, hints)
    tables = per_page(page, hints, prefix, timer)
    for row in (r for t in tables for r in t.rows):
        row.place = hints.canonical_place(row.label)
    with timer("articles"):
        articles = articles_of_page(page, hints, [t.box for t in tables if t.box], prefix)
    with timer("check"):
        flags = [f for table in tables
                 for f in review_flags(table, check_table(table) if table.columns else [unparsed_flag(table)], hints)]
    return done.model_copy(update={"tables": tables, "flags": by_severity(flags), "articles": articles})
