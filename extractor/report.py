"""report.html: one static page for a person to check a run or an archive. Per page, the page image with its tables
outlined and every flagged cell marked (scans and photos: the image the boxes are on, prepared and deskewed; text
dumps: each table's text with the flagged figures marked, and the dump), and each flag beside the crop of the
printed cell with the printed and recomputed values; on top, flags by kind and by table. The pictures are files in
report_files/ beside it, loaded as they are scrolled to, so that the report of an archive of 1,000 pages opens at
once."""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Protocol

import duckdb
import pandas as pd
import pypdfium2 as pdfium
from PIL import Image

from extractor.archive import all_flags, box_fields, series_panel
from extractor.errors import InputError
from extractor.export import FLAG_COLUMNS, UNENCODABLE, atomic_write, cell_records, flags_by_severity
from extractor.messages import language, say
from extractor.pipeline import FileSummary, PageResult
from extractor.series import CROSS_ISSUE
from schemas.document import Box, Preparation

DPI = 100
PAD = 4.0  # points of page around a cropped cell, so that its neighbours show where it sits
BOX = ["x0", "y0", "x1", "y1"]
PAGE_COLUMNS = ["doc", "path", "source", "page", "kind", "text", "preparation"]
CELL_COLUMNS = ["doc", "table_id", "row", "column", "printed"] + BOX
FILES = "_files"     # report.html's pictures go in report_files/


@dataclass
class ReportData:
    """What a report shows; `doc` tells files apart (a path for a run, a content hash for an archive)."""
    title: str
    pages: pd.DataFrame   # doc, path, source, page, kind, text, preparation (a scan's, as JSON; None: found again)
    tables: pd.DataFrame  # doc, table_id, page, title, date, x0, y0, x1, y1
    flags: pd.DataFrame   # doc + FLAG_COLUMNS
    failed: list[str]     # errors of files that could not be read
    # (doc, page) → the cells of the page's tables: doc, table_id, row, column, printed, x0, y0, x1, y1; asked for
    # as each page is drawn, so that a run's cells are never all in memory
    cells: Callable[[str, int], pd.DataFrame]


def _table_record(doc: str, t) -> dict:
    return {"doc": doc, "table_id": t.table_id, "page": t.page, "title": t.title, "date": t.date, **box_fields(t.box)}


class RunFile(Protocol):
    """An input of a run as the report reads it (extractor.batch.Entry): its summary and its pages, all in order,
    or one page (with its turned views) again."""
    summary: FileSummary

    def __iter__(self) -> Iterator[PageResult]: ...

    def at(self, page: int) -> list[PageResult]: ...


def from_run(files: list[RunFile], title: str | None = None) -> ReportData:
    """A run's report: its pages, tables and flags gone through once (a row each is kept), the cells of a page read
    again when it is drawn."""
    ok = {f.summary.path: f for f in files if not f.summary.error}
    pages, tables, flags = [], [], []
    for path, f in ok.items():
        for page in f:
            if not page.rotation:   # a turned view is drawn on its page
                pages.append({"doc": path, "path": path, "source": f.summary.source, "page": page.page,
                              "kind": f.summary.kind, "text": page.text,
                              "preparation": page.preparation.model_dump_json() if page.preparation else None})
            tables += [_table_record(path, t) for t in page.tables]
            flags += [{"doc": path, **flag.model_dump(mode="json")} for flag in page.flags]

    def cells(doc: str, page: int) -> pd.DataFrame:
        return pd.DataFrame([{"doc": doc, **c} for found in ok[doc].at(page) for t in found.tables
                             for c in cell_records(t)], columns=CELL_COLUMNS)
    return ReportData(
        title=title or say("report.title_run"),
        pages=pd.DataFrame(pages, columns=PAGE_COLUMNS),
        tables=pd.DataFrame(tables, columns=["doc", "table_id", "page", "title", "date"] + BOX),
        flags=flags_by_severity(pd.DataFrame(flags, columns=["doc"] + FLAG_COLUMNS)),
        failed=[f.summary.error for f in files if f.summary.error],
        cells=cells,
    )


def from_archive(con: duckdb.DuckDBPyConnection, layout: str = "jiaozuo_daily") -> ReportData:
    """Everything stored, with the cross-issue flags of every series."""
    flags = all_flags(con, series_panel(con, layout)).rename(columns={"file_hash": "doc"})
    cells = con.execute('SELECT file_hash AS doc, table_id, "row", "column", printed, x0, y0, x1, y1 FROM cells').df()
    return ReportData(
        title=say("report.title_archive"),
        pages=con.execute("""SELECT p.file_hash AS doc, f.path, f.source, p.page, p.kind, p.text,
                             NULL AS preparation FROM pages p JOIN files f ON f.file_hash = p.file_hash AND f.status = 'ok'
                             ORDER BY f.source, p.page""").df(),
        tables=con.execute("""SELECT file_hash AS doc, table_id, page, title, strftime(date, '%Y-%m-%d') AS date,
                              x0, y0, x1, y1 FROM tables""").df(),
        flags=flags[["doc"] + FLAG_COLUMNS],
        failed=[e for (e,) in con.execute("SELECT error FROM files WHERE status = 'failed' ORDER BY path").fetchall()],
        cells=lambda doc, page: cells[cells["doc"] == doc],   # the page's tables pick theirs (_page_section)
    )


def _box(rec) -> Box | None:
    values = [getattr(rec, k) for k in BOX]
    return None if any(pd.isna(v) for v in values) else Box(x0=values[0], top=values[1], x1=values[2], bottom=values[3])


def flag_box(flag, cells: pd.DataFrame, table_box: Box | None) -> Box | None:
    """The printed cells a flag is about (a whole column for a per-column finding); the table when it names none."""
    hit = cells
    if pd.notna(flag.row):
        hit = hit[hit["row"] == flag.row]
    if pd.notna(flag.column):
        hit = hit[hit["column"] == flag.column]
    boxes = [b for b in map(_box, hit.itertuples()) if b is not None]
    if not boxes or hit is cells:
        return table_box
    union = boxes[0]
    for b in boxes[1:]:
        union = union.union(b)
    return union


@dataclass
class Picture:
    """A page as the report shows it: image at DPI, the page's size in points, and the image cells are cropped
    from with its pixels per point (a scan's prepared image at its own resolution: sharper crops than DPI's)."""
    image: Image.Image
    width: float
    height: float
    source: Image.Image
    scale: float

    def crop(self, box: Box) -> Image.Image:
        s = self.scale
        return self.source.crop((int((box.x0 - PAD) * s), int((box.top - PAD) * s),
                                 int((box.x1 + PAD) * s) + 1, int((box.bottom + PAD) * s) + 1))


def render_page(path: str, page: int) -> Picture | None:
    """A PDF page drawn at DPI; None when the PDF is gone or pdfium cannot draw it."""
    try:
        pdf = pdfium.PdfDocument(path)
    except (OSError, pdfium.PdfiumError):
        return None
    try:
        p = pdf[page - 1]
        width, height = p.get_size()
        image = p.render(scale=DPI / 72).to_pil()
        return Picture(image, width, height, image, DPI / 72)
    except pdfium.PdfiumError:
        return None
    finally:
        pdf.close()


def prepared_page(path: str, page: int, preparation: str | None) -> Picture | None:
    """A scanned page as its boxes were found on it: the image (a file's frame, or a PDF page drawn as it was for
    OCR) made again by its preparation (extractor.prepare_image) and deskewed; an archive, which keeps no
    preparations, finds them again. None when the file is gone or unreadable."""
    from extractor.ocr import get_backend
    from extractor.prepare_image import apply, prepare
    from extractor.read_image import DEFAULT_DPI, binarize, deskew, load_frames, render_pdf_page, skew_angle
    try:
        if Path(path).suffix.lower() == ".pdf":
            gray, dpi = render_pdf_page(Path(path), page, DEFAULT_DPI)
        else:
            gray, dpi = next(frame for n, frame in enumerate(load_frames(Path(path), None), start=1) if n == page)
    except (InputError, OSError, StopIteration):
        return None
    if preparation:
        done = Preparation.model_validate_json(preparation)
        gray = apply(gray, done)
    else:
        gray, done = prepare(gray, dpi, page, get_backend())
        done.skew = skew_angle(binarize(gray, dpi), dpi)
    source = Image.fromarray(deskew(gray, done.skew))
    shown = source.resize((max(1, round(source.width * DPI / dpi)), max(1, round(source.height * DPI / dpi))),
                          Image.Resampling.LANCZOS)
    return Picture(shown, source.width * 72 / dpi, source.height * 72 / dpi, source, dpi / 72)


class Files:
    """The report's pictures, written as files into a folder beside it (report_files/ of report.html)."""

    def __init__(self, folder: Path, address: str):
        self.folder, self.address = folder, address    # where they are written; the folder's name seen from the report
        folder.mkdir(parents=True, exist_ok=True)

    def add(self, name: str, image: Image.Image, fmt: str) -> str:
        """image saved as name; its address relative to the report."""
        image.convert("RGB").save(self.folder / name, format=fmt, quality=80)
        return f"{self.address}/{name}"


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else escape(str(value))


def _flag_item(n: int, flag, crop: str | None) -> str:
    picture = (f'<img class="crop" loading="lazy" src="{escape(crop)}" alt="printed cell">' if crop
               else '<span class="nocrop">—</span>')
    where = " · ".join(_text(v) for v in (flag.row, flag.column) if _text(v))
    return (f'<li class="flag {flag.severity}" data-kind="{flag.kind}" data-severity="{flag.severity}">'
            f'<span class="n">{n}</span>{picture}'
            f'<div><b>{flag.kind}</b> <span class="where">{where}</span><br>'
            f'{say("report.printed")} <code class="printed">{_text(flag.printed)}</code> · '
            f'{say("report.previous") if flag.kind in CROSS_ISSUE else say("report.recomputed")} '
            f'<code class="expected">{_text(flag.expected)}</code>'
            f'<div class="msg">{_text(flag.message)}</div></div></li>')


def _table_text(table, cells: pd.DataFrame, numbered: list[tuple[int, object]]) -> str:
    """A table of a text dump as its text, rows by columns, each flagged figure marked with its number (a dump has
    no page to mark it on)."""
    rows, columns = list(dict.fromkeys(cells["row"])), list(dict.fromkeys(cells["column"]))
    printed = {(c.row, c.column): c.printed for c in cells.itertuples()}
    marks: dict[tuple, list[tuple[int, object]]] = {}
    for n, f in numbered:
        for row in ([f.row] if pd.notna(f.row) else rows):
            for column in ([f.column] if pd.notna(f.column) else columns):
                marks.setdefault((row, column), []).append((n, f))

    def cell(row, column) -> str:
        text = _text(printed.get((row, column)))
        found = marks.get((row, column))
        if not found:
            return f"<td>{text}</td>"
        first = found[0][1]
        numbers = ",".join(str(n) for n, _ in found)
        return (f'<td class="mark {first.severity}" data-kind="{first.kind}" data-severity="{first.severity}">'
                f'<mark title="{_text(first.message)}">{text}</mark><sup>{numbers}</sup></td>')
    head = "".join(f"<th>{_text(c)}</th>" for c in columns)
    body = "".join(f"<tr><th>{_text(r)}</th>{''.join(cell(r, c) for c in columns)}</tr>" for r in rows)
    return (f'<table class="dumped"><caption>{_text(table.title)}</caption><tr><th></th>{head}</tr>{body}</table>')


def _page_section(anchor: str, page, tables: pd.DataFrame, cells: pd.DataFrame, flags: pd.DataFrame,
                  files: Files) -> str:
    is_pdf = Path(page.path).suffix.lower() == ".pdf"  # scanned PDFs too, whatever kind their pages were read as
    preparation = page.preparation if isinstance(page.preparation, str) else None
    if preparation or page.kind == "scan":
        picture = prepared_page(page.path, int(page.page), preparation)
    else:
        picture = render_page(page.path, int(page.page)) if is_pdf else None
    marks, items, numbered = [], [], []
    for t in tables.itertuples():
        box = _box(t)
        if box:
            marks.append(f'<rect class="table" x="{box.x0}" y="{box.top}" width="{box.width}" height="{box.height}">'
                         f'<title>{_text(t.title)}</title></rect>')
    for n, f in enumerate(flags.itertuples(), start=1):
        table = tables[tables["table_id"] == f.table_id]
        box = flag_box(f, cells[cells["table_id"] == f.table_id], _box(next(table.itertuples())) if len(table) else None)
        crop = None
        if box and picture:
            marks.append(f'<g class="mark {f.severity}" data-kind="{f.kind}" data-severity="{f.severity}"><rect x="{box.x0}" y="{box.top}" width="{box.width}" '
                         f'height="{box.height}"><title>{_text(f.message)}</title></rect>'
                         f'<text x="{box.x1 + 1}" y="{box.top + 6}">{n}</text></g>')
            crop = files.add(f"{anchor}-flag{n}.png", picture.crop(box), "PNG")
        numbered.append((n, f))
        items.append(_flag_item(n, f, crop))
    if picture:
        src = files.add(f"{anchor}.jpg", picture.image, "JPEG")
        sheet = (f'<div class="sheet" style="width:{picture.image.width}px;aspect-ratio:{picture.image.width}/'
                 f'{picture.image.height}"><img loading="lazy" src="{escape(src)}" alt="page">'
                 f'<svg viewBox="0 0 {picture.width} {picture.height}" preserveAspectRatio="none">{"".join(marks)}'
                 f'</svg></div>')
    elif is_pdf or page.kind == "scan":
        sheet = f'<p class="missing">{_text(say("report.no_image", path=page.path))}</p>'
    else:
        dumped = "".join(_table_text(t, cells[cells["table_id"] == t.table_id],
                                     [(n, f) for n, f in numbered if f.table_id == t.table_id])
                         for t in tables.itertuples())
        sheet = f'<div class="dump">{dumped}<details><summary>{say("report.dump")}</summary><pre>{_text(page.text)}</pre></details></div>'
    titles = "".join(f"<li>{_text(t.title)} <small>{_text(t.date)} · {_text(t.table_id)}</small></li>"
                     for t in tables.itertuples())
    return (f'<section class="page" id="{anchor}"><h2>{_text(say("report.page", source=page.source, page=page.page))}</h2>'
            f'<ul class="tables">{titles}</ul><div class="body">{sheet}'
            f'<ol class="flags">{"".join(items)}</ol></div></section>')


def _summary(data: ReportData) -> str:
    if data.flags.empty:
        return f"<p>{say('report.no_flags')}</p>"
    by_kind = flags_by_severity(data.flags.groupby(["kind", "severity"]).size().rename("flags").reset_index())
    titled = data.flags.merge(data.tables[["doc", "table_id", "title"]], on=["doc", "table_id"], how="left")
    by_table = (titled.fillna({"title": ""}).groupby(["source", "table_id", "title"], as_index=False)
                .agg(flags=("kind", "size"),
                     kinds=("kind", lambda k: ", ".join(f"{kind} {n}" for kind, n in k.value_counts().items()))))
    headings = {c: say(f"report.col_{c}") for c in ("kind", "severity", "flags", "source", "title", "kinds")}
    headings["table_id"] = say("report.col_table")
    return (f'<h2>{say("report.by_kind")}</h2>'
            + by_kind.rename(columns=headings).to_html(index=False, classes="summary by-kind")
            + f'<h2>{say("report.by_table")}</h2>'
            + by_table.rename(columns=headings).to_html(index=False, classes="summary by-table"))


STYLE = """
body{font-family:sans-serif;margin:1em 2em;color:#222} h2{font-size:1.1em;margin-top:1.5em}
table.summary{border-collapse:collapse} table.summary td,table.summary th{border:1px solid #ccc;padding:2px 8px}
.body{display:flex;gap:1.5em;align-items:flex-start} .sheet{position:relative;flex:0 1 auto;max-width:calc(100% - 24em)}
.sheet img{display:block;width:100%} .sheet svg{position:absolute;left:0;top:0;width:100%;height:100%}
rect.table{fill:none;stroke:#1f6feb;stroke-width:1.2} .mark rect{fill-opacity:.2;stroke-width:1}
.mark text{font-size:7px;font-weight:bold} .mark.error rect{fill:#e00;stroke:#e00} .mark.error text{fill:#e00}
.mark.warning rect{fill:#f80;stroke:#f80} .mark.warning text{fill:#c60} .mark.info rect{fill:#08c;stroke:#08c}
.mark.info text{fill:#06a} ol.flags{list-style:none;padding:0;min-width:22em;max-width:34em}
li.flag{display:flex;gap:.6em;align-items:flex-start;border-left:4px solid #ccc;padding:.3em .5em;margin-bottom:.5em}
li.flag.error{border-color:#e00} li.flag.warning{border-color:#f80} li.flag.info{border-color:#08c}
.n{font-weight:bold;min-width:1.5em} img.crop{max-width:14em;max-height:10em;border:1px solid #999}
.msg{color:#555;font-size:.9em} .dump{flex:0 1 auto;max-width:calc(100% - 24em);overflow:auto}
.dump pre{max-height:40em;overflow:auto;background:#f6f6f6;padding:.5em;white-space:pre-wrap}
table.dumped{border-collapse:collapse;margin-bottom:1em;font-size:.9em} table.dumped td,table.dumped th{border:1px solid #ddd;
padding:1px 6px} table.dumped td{text-align:right} td.mark mark{background:#fdd} td.mark.warning mark{background:#fe9}
td.mark.info mark{background:#def} td.mark sup{font-weight:bold} .failed{color:#b00} form.filter{margin:1em 0}
"""
# Counted on load and again as each picture arrives (they load as they are scrolled to), so that a headless browser's
# DOM dump tells whether every picture decoded. The filter shows
# the flags (list items and marks on the page) of one kind and/or severity; the address may preset it
# (report.html#kind=rate_mismatch&severity=error), so that a filtered view can be linked to.
SCRIPT = """const count = () => { const im = [...document.images]; document.body.dataset.images = im.length;
document.body.dataset.imagesDecoded = im.filter(i => i.complete && i.naturalWidth > 0).length; };
addEventListener('load', e => { if (e.target instanceof HTMLImageElement) count(); }, true);
addEventListener('load', () => { count();
const kind = document.getElementById('filter-kind'), severity = document.getElementById('filter-severity');
if (!kind) return;
const apply = () => { for (const el of document.querySelectorAll('[data-kind]')) {
  el.hidden = (kind.value && el.dataset.kind !== kind.value) || (severity.value && el.dataset.severity !== severity.value);
  el.style.display = el.hidden ? 'none' : ''; }
  document.body.dataset.flagsShown = document.querySelectorAll('li.flag:not([hidden])').length; };
const preset = new URLSearchParams(location.hash.slice(1));
if (preset.has('kind')) kind.value = preset.get('kind');
if (preset.has('severity')) severity.value = preset.get('severity');
kind.addEventListener('change', apply); severity.addEventListener('change', apply); apply(); });"""


def _filter(flags: pd.DataFrame) -> str:
    """Two selects: a kind and a severity of the flags present (all by default)."""
    if flags.empty:
        return ""
    ordered = flags_by_severity(flags)
    option = lambda value, label: f'<option value="{escape(value)}">{escape(label)}</option>'  # noqa: E731
    kinds = "".join(option(k, k) for k in dict.fromkeys(ordered["kind"]))
    severities = "".join(option(s, say(f"severity.{s}")) for s in dict.fromkeys(ordered["severity"]))
    everything = option("", say("report.all"))
    return (f'<form class="filter">{say("report.filter")} <select id="filter-kind">{everything}{kinds}</select> '
            f'<select id="filter-severity">{everything}{severities}</select></form>')


def render(data: ReportData, files: Files) -> Iterator[str]:
    """The report in pieces, a page section at a time: a page's pictures are drawn, written to files and dropped
    before the next page's, so that the report of a 500-page PDF takes the memory of one page."""
    pages = data.pages.sort_values(["source", "page"]).reset_index(drop=True)
    on_page = lambda frame, page: frame[(frame["doc"] == page.doc) & (frame["page"] == page.page)]  # noqa: E731
    contents = "".join(f'<li><a href="#page{n}">{_text(page.source)} p.{page.page}</a> — '
                       f'{say("report.contents", tables=len(on_page(data.tables, page)), flags=len(on_page(data.flags, page)))}</li>'
                       for n, page in enumerate(pages.itertuples(), start=1))
    failed = "".join(f"<li>{_text(e)}</li>" for e in data.failed)
    counts = say("report.counts", pages=len(data.pages), tables=len(data.tables), flags=len(data.flags),
                 failed=len(data.failed))
    yield (f'<!DOCTYPE html><html lang="{language()}"><head><meta charset="utf-8"><title>{_text(data.title)}</title>'
           f'<style>{STYLE}</style><script>{SCRIPT}</script></head><body>'
           f'<h1>{_text(data.title)}</h1><p>{counts}</p>'
           + (f'<ul class="failed">{failed}</ul>' if failed else "")
           + _summary(data) + _filter(data.flags) + f'<h2>{say("report.pages")}</h2><ul class="contents">{contents}</ul>')
    for n, page in enumerate(pages.itertuples(), start=1):
        yield _page_section(f"page{n}", page, on_page(data.tables, page), data.cells(page.doc, int(page.page)),
                            on_page(data.flags, page), files)
    yield "</body></html>"


def files_folder(path: Path) -> Path:
    """report_files/ beside report.html."""
    return path.with_name(f"{path.stem}{FILES}")


def write_report(path: Path, data: ReportData) -> None:
    """report.html and its pictures: these go into a new folder, which takes the old one's place just before the
    new report takes the old report's (a batch writes into its staging folder, moved into place as one unit by
    extractor.batch)."""
    folder = files_folder(path)
    new = folder.with_name(f".tmp.{folder.name}")   # named as atomic_write names its files
    shutil.rmtree(new, ignore_errors=True)
    files = Files(new, folder.name)

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", errors=UNENCODABLE) as out:
            out.writelines(render(data, files))
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(new, folder)
    try:
        atomic_write(path, write)
    finally:
        shutil.rmtree(new, ignore_errors=True)
