"""The per-file pipeline: read (pieces) → layout (regions) → reassemble (tables) → check (flags).
One input file is the unit of work; batching lives in the CLI."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from extractor.articles import articles_of_page
from extractor.check import check_table
from extractor.errors import InputError
from extractor.hints import LayoutHints, load_layout
from extractor.layout import find_tables
from extractor.messages import say
from extractor.ocr_review import review_flags
from extractor.read_pdf import read_pdf
from extractor.reassemble import tables_of_region
from schemas.article import ArticlesOfPage
from schemas.document import Page, TextLayerSettings, boxes_on_page
from schemas.flags import Flag, FlagKind, Severity, by_severity
from schemas.table import Table

PDF_SUFFIXES = {".pdf"}
TEXT_SUFFIXES = {".txt"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
SUPPORTED = PDF_SUFFIXES | TEXT_SUFFIXES | IMAGE_SUFFIXES


@dataclass
class FileResult:
    source: str
    path: str
    kind: str = ""
    pages: int = 0
    page_numbers: list[int] = field(default_factory=list)  # of the pages read (all, or those asked for)
    tables: list[Table] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    articles: list[ArticlesOfPage] = field(default_factory=list)
    ocr_backend: str | None = None   # which OCR read the scanned pages, with its version
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


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
    return [boxes_on_page(t, page).model_copy(update={"rotation": page.rotation}) for t in tables]


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


def pdf_pages(path: Path, timer: Timer, ocr: OcrOptions, warnings: list[str], options: ReadOptions) -> list[Page]:
    """The pages of a PDF: the text layer where it passes its check (extractor.text_layer), OCR elsewhere."""
    from extractor.read_image import ocr_pdf_area, ocr_pdf_page
    from extractor.text_layer import check_text_layer, with_ocr_inside
    settings = TextLayerSettings()

    def scanned(page: Page) -> Page:
        with timer("ocr"):
            return ocr_pdf_page(path, page.page, backend=ocr.backend, ocr_articles=ocr.articles)

    with timer("read"):
        pages = read_pdf(path, options.pages, options.password)
    read = []
    for page in pages:
        if page.kind == "scan":
            read.append(scanned(page) if ocr.mode != "never" else page)
            continue
        if ocr.mode == "always":
            read.append(scanned(page))
            continue
        verdict = check_text_layer(page, settings)
        if ocr.mode == "never":
            if not verdict.trusted or verdict.uncovered:
                reasons = say("oddity.joiner").join(verdict.reasons) or say("text_layer.uncovered_images")
                warnings.append(say("text_layer.kept", path=path, page=page.page, reasons=reasons))
            read.append(page)
        elif not verdict.trusted:
            warnings.append(say("text_layer.ocr_page", path=path, page=page.page,
                                reasons=say("oddity.joiner").join(verdict.reasons)))
            read.append(scanned(page))
        elif verdict.uncovered:
            with timer("ocr"):
                areas = [ocr_pdf_area(path, page.page, box, settings.min_paper, settings.max_midtones,
                                      backend=ocr.backend, ocr_articles=ocr.articles) for box in verdict.uncovered]
            printed = [a for a in areas if a is not None]
            if printed:
                warnings.append(say("text_layer.ocr_images", path=path, page=page.page, count=len(printed)))
            read.append(with_ocr_inside(page, printed) if printed else page)
        else:
            read.append(page)
    return read


def read_pages(path: Path, timer: Timer, ocr: OcrOptions = OcrOptions(), warnings: list[str] | None = None,
               options: ReadOptions = ReadOptions()) -> tuple[str, list[Page]]:
    """The file's pages with the characters printed (extractor.characters), and its kind: pdf, scan or text."""
    from extractor.characters import page_as_printed
    kind, pages = read_raw_pages(path, timer, ocr, warnings if warnings is not None else [], options)
    if options.pages:  # a PDF reads only the pages asked for; the frames of a TIFF, the pages of a dump are cut here
        chosen = [p for p in pages if p.page in options.pages]
        if not chosen:
            raise InputError(say("input.page_out_of_range", path=path, pages=",".join(map(str, sorted(options.pages))),
                                 count=len(pages)))
        pages = chosen
    return kind, [page_as_printed(p) for p in pages]


def read_raw_pages(path: Path, timer: Timer, ocr: OcrOptions, warnings: list[str],
                   options: ReadOptions) -> tuple[str, list[Page]]:
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(say("input.no_such_file", path=path))
    if suffix in PDF_SUFFIXES:
        pages = pdf_pages(path, timer, ocr, warnings, options)
        return ("scan" if all(p.kind == "scan" for p in pages) else "pdf"), pages
    if suffix in IMAGE_SUFFIXES:
        from extractor.read_image import read_image
        with timer("ocr"):
            return "scan", read_image(path, backend=ocr.backend, ocr_articles=ocr.articles)
    if suffix in TEXT_SUFFIXES:
        from extractor.read_text import read_text_dump
        with timer("read"):
            return "text", read_text_dump(path)
    raise InputError(say("input.unsupported", path=path, suffix=suffix or "(none)",
                         images=", ".join(sorted(IMAGE_SUFFIXES))))


def unparsed_flag(table: Table) -> Flag:
    return Flag(source=table.source, page=table.page, table_id=table.table_id, kind=FlagKind.unparsed_table,
                severity=Severity.warning, printed=table.title,
                message=say("flag.unparsed_table", title=table.title or "", reason=table.unparsed_reason))


def process_file(path: Path | str, layout: str = "jiaozuo_daily", ocr: OcrOptions = OcrOptions(),
                 id_prefix: str | None = None, options: ReadOptions = ReadOptions()) -> FileResult:
    """id_prefix names the file's tables (default: the file name's stem; a batch passes unique ones)."""
    path = Path(path)
    result = FileResult(source=path.name, path=str(path))
    timer = Timer(result.seconds)
    start = time.perf_counter()
    try:
        hints = load_layout(layout)
        result.kind, pages = read_pages(path, timer, ocr, result.warnings, options)
        result.pages = len(pages)
        result.page_numbers = [p.page for p in pages]
        result.ocr_backend = next((p.ocr_backend for p in pages if p.ocr_backend), None)
        per_page = tables_of_text_page if result.kind == "text" else tables_of_positioned_page
        for page in pages:
            if page.kind == "scan" and page.ocr_backend is None:
                result.warnings.append(say("input.no_text_layer", path=path, page=page.page))
                continue
            tables = per_page(page, hints, id_prefix or path.stem, timer)
            for row in (r for t in tables for r in t.rows):
                row.place = hints.canonical_place(row.label)
            result.tables += tables
            with timer("articles"):
                result.articles.append(articles_of_page(page, hints, [t.box for t in tables if t.box],
                                                        id_prefix or path.stem))
        with timer("check"):
            for table in result.tables:
                flags = check_table(table) if table.columns else [unparsed_flag(table)]
                result.flags += review_flags(table, flags, hints)
            result.flags = by_severity(result.flags)
        if not result.tables:
            result.warnings.append(say("input.no_table", path=path))
    except InputError as exc:
        result.error = str(exc)
    except Exception as exc:  # a bug on one page must not stop a batch; the message still names the file
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        result.error = say("input.internal", path=path, error=f"{type(exc).__name__}: {first_line}")
    result.seconds["total"] = time.perf_counter() - start
    return result
