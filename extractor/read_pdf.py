"""Born-digital PDF pages become text pieces: pdfplumber words with boxes, and ruling lines from vector graphics."""
from __future__ import annotations

import io
import logging
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.exceptions import PdfminerException

from extractor.errors import InputError
from extractor.messages import say
from schemas.document import Box, Page, Ruling, Word

# pdfminer logs a warning per glyph of a font it finds odd (chromium's CJK subsets lack a FontBBox): noise to a
# user, since the text comes out all the same; real failures raise and are reported per file
logging.getLogger("pdfminer").setLevel(logging.ERROR)

# A rect thinner than this (points) is a ruling line drawn as a filled rectangle.
RULE_THICKNESS = 2.0


# A page's characters drawn turned a quarter (a landscape table on a portrait page) are read as a view of their own
# when there are at least this many of them; fewer are a turned label or a page number, read where they stand.
MIN_TURNED_CHARS = 20
# Upright glyphs stacked one under another (竖排 headlines, kickers, a vertical row label) are one vertical word when
# at least this many follow each other, each closer to the next than this share of its size and with no glyph
# beside it on its line nearer than NEAR_GLYPH of a glyph size (see beside).
MIN_VERTICAL_RUN = 3
NEAR_GLYPH = 0.25
VERTICAL_GAP = 0.35
WORD_SETTINGS = {"x_tolerance": 1.5, "y_tolerance": 2, "keep_blank_chars": False, "extra_attrs": ["size"]}
# pdfminer keeps every object, object stream and font it has parsed for the life of the document: memory would grow
# with every page of a long PDF. This many of each, the most recently used, are kept (a page's fonts and shared
# resources are used again on the next pages).
PDF_CACHE_ENTRIES = 512


class RecentOnly(OrderedDict):
    """A mapping that keeps only its `size` most recently used entries (pdfminer's caches test `in`, then get)."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def __getitem__(self, key):
        value = super().__getitem__(key)
        self.move_to_end(key)
        return value

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        if len(self) > self.size:
            self.popitem(last=False)


def rulings_of(edges: list[dict], width: float, height: float) -> list[Ruling]:
    rulings = []
    for edge in edges:
        box = Box(x0=edge["x0"], top=edge["top"], x1=edge["x1"], bottom=edge["bottom"])
        if box.x1 <= 1 or box.x0 >= width - 1 or box.bottom <= 1 or box.top >= height - 1:
            continue  # the page's own edge (a clip or background rectangle some producers draw), not a ruling
        if box.width > RULE_THICKNESS and box.width >= box.height:
            rulings.append(Ruling(box=box, orientation="h"))
        elif box.height > RULE_THICKNESS and box.height > box.width:
            rulings.append(Ruling(box=box, orientation="v"))
    return rulings


def beside(char: dict, line_mates: list[dict]) -> bool:
    """Whether another glyph stands on char's line closer than NEAR_GLYPH of the smaller one's size: the glyphs of a line
    of text nearly touch, while the columns of vertical text stand apart by their line spacing."""
    return any(o is not char and o["top"] < char["bottom"] and o["bottom"] > char["top"]
               and min(abs(o["x0"] - char["x1"]), abs(char["x0"] - o["x1"])) < NEAR_GLYPH * min(char["size"], o["size"])
               for o in line_mates)


def alone_on_their_lines(chars: list[dict]) -> list[dict]:
    """The glyphs with none beside them (see beside); neighbours looked up by x in sorted order, so that a page
    of ten thousand glyphs costs no more than its glyphs' near neighbours."""
    by_x = sorted(chars, key=lambda c: c["x0"])
    starts = [c["x0"] for c in by_x]
    widest = max((c["x1"] - c["x0"] for c in chars), default=0)
    alone = []
    for c in chars:
        if not c["text"].strip():
            continue
        reach = NEAR_GLYPH * c["size"]
        near = by_x[bisect_left(starts, c["x0"] - widest - reach):bisect_right(starts, c["x1"] + reach)]
        if not beside(c, near):
            alone.append(c)
    return alone


def vertical_runs(chars: list[dict]) -> list[list[dict]]:
    """Runs of upright glyphs stacked in one column, each read top to bottom; a column that starts level with a
    run just to its right, in the same size, continues it (a vertical headline set in two columns)."""
    alone = alone_on_their_lines(chars)
    columns: dict[tuple[int, int], list[dict]] = {}
    for c in alone:
        columns.setdefault((round(c["x0"]), round(c["size"])), []).append(c)
    runs = []
    for column in columns.values():
        run: list[dict] = []
        for c in sorted(column, key=lambda c: c["top"]):
            if run and c["top"] - run[-1]["bottom"] > VERTICAL_GAP * c["size"]:
                runs.append(run)
                run = []
            run.append(c)
        runs.append(run)
    runs.sort(key=lambda r: (-r[0]["x0"], r[0]["top"]))   # right to left, as vertical text is read
    chained: list[list[dict]] = []
    for run in runs:
        head = run[0]
        before = next((r for r in chained if len(r) >= MIN_VERTICAL_RUN and abs(r[-1]["size"] - head["size"]) < 0.5
                       and 0 <= r[-1]["x0"] - head["x1"] < head["size"]
                       and abs(min(c["top"] for c in r) - head["top"]) < VERTICAL_GAP * head["size"]), None)
        if before is not None:
            before.extend(run)
        else:
            chained.append(list(run))
    return [r for r in chained if len(r) >= MIN_VERTICAL_RUN]


def vertical_word(run: list[dict]) -> Word:
    return Word(text="".join(c["text"] for c in run), confidence=1.0, size=run[0]["size"], vertical=True,
                box=Box.enclosing(Box(x0=c["x0"], top=c["top"], x1=c["x1"], bottom=c["bottom"]) for c in run))


def words_of(chars: list[dict], rulings: list[Ruling]) -> list[Word]:
    """The words of chars (pdfplumber's word extractor), each cut where a column ruling passes between two of its
    glyphs: a figure right-aligned in its cell and the label left-aligned in the next one print with no space
    between them (11焦东街道), yet the ruling parts them."""
    columns = [r.box for r in rulings if r.orientation == "v"]
    out = []
    for word in pdfplumber.utils.text.extract_words(chars, return_chars=True, **WORD_SETTINGS):
        # only the rulings crossing the word are looked at glyph by glyph (most words have none)
        cuts = [r.xmid for r in columns if r.top < word["bottom"] and r.bottom > word["top"]
                and word["x0"] < r.xmid < word["x1"]]
        glyphs = word["chars"]
        parts = [[glyphs[0]]]
        for a, b in zip(glyphs, glyphs[1:]):
            if any((a["x0"] + a["x1"]) / 2 < x < (b["x0"] + b["x1"]) / 2 for x in cuts):
                parts.append([])
            parts[-1].append(b)
        for part in parts:
            out.append(Word(text="".join(c["text"] for c in part), confidence=1.0, size=part[0]["size"],
                            box=Box(x0=min(c["x0"] for c in part), top=min(c["top"] for c in part),
                                    x1=max(c["x1"] for c in part), bottom=max(c["bottom"] for c in part))))
    return out


def turn(char_dir: tuple[float, float]) -> int:
    """Degrees the page must be turned clockwise for text whose glyphs advance along char_dir (the text matrix's
    first row, PDF space with y up) to read left to right: 0, 90 (text running up) or 270 (running down)."""
    a, b = char_dir
    if abs(b) > abs(a):
        return 90 if b > 0 else 270
    return 0


def turned(obj: dict, rotation: int, width: float, height: float) -> dict:
    """obj's box in the frame of the page turned clockwise by rotation degrees (90 or 270)."""
    if rotation == 90:   # (x, y) → (height − y, x)
        box = {"x0": height - obj["bottom"], "x1": height - obj["top"], "top": obj["x0"], "bottom": obj["x1"]}
    else:                # (x, y) → (y, width − x)
        box = {"x0": obj["top"], "x1": obj["bottom"], "top": width - obj["x1"], "bottom": width - obj["x0"]}
    return {**obj, **box, "doctop": box["top"], "upright": True, "matrix": (1, 0, 0, 1, 0, 0)}


def turned_view(page: pdfplumber.page.Page, chars: list[dict], rotation: int, number: int, source: str) -> Page:
    """The characters of one turned block, and the rulings around them, as a page turned to read them upright."""
    width, height = float(page.width), float(page.height)
    area = Box.enclosing(Box(x0=c["x0"], top=c["top"], x1=c["x1"], bottom=c["bottom"]) for c in chars)
    near = [e for e in page.edges if area.contains(Box(x0=e["x0"], top=e["top"], x1=e["x1"], bottom=e["bottom"]),
                                                   slack=2 * max(c["size"] for c in chars))]
    upright = [turned(c, rotation, width, height) for c in chars]
    new_w, new_h = height, width
    rulings = rulings_of([turned(e, rotation, width, height) for e in near], new_w, new_h)
    return Page(source=source, page=number, kind="pdf", width=new_w, height=new_h, words=words_of(upright, rulings),
                rulings=rulings, rotation=rotation)


def pdf_views(page: pdfplumber.page.Page, number: int, source: str) -> list[Page]:
    """The page as read upright, then a turned view for each direction enough of its characters run in."""
    # fake bold prints every glyph twice, a hair apart (新新时时代代): one copy is the text
    page = page.dedupe_chars(tolerance=1)
    by_turn: dict[int, list[dict]] = {}
    for char in page.chars:
        by_turn.setdefault(turn(char["matrix"][:2]), []).append(char)
    turned_chars = {r: chars for r, chars in by_turn.items() if r and len(chars) >= MIN_TURNED_CHARS}
    runs = vertical_runs(by_turn.get(0, []))
    stacked = {id(c) for run in runs for c in run}
    upright = page.filter(lambda obj: obj.get("object_type") != "char"
                          or (turn(obj["matrix"][:2]) not in turned_chars and id(obj) not in stacked))
    rulings = rulings_of(page.edges, float(page.width), float(page.height))
    words = words_of(upright.chars, rulings) + [vertical_word(run) for run in runs]
    images = [Box(x0=im["x0"], top=im["top"], x1=im["x1"], bottom=im["bottom"]) for im in page.images]
    views = [Page(source=source, page=number, kind="pdf" if words or turned_chars else "scan",
                  width=float(page.width), height=float(page.height), words=words, rulings=rulings, images=images)]
    return views + [turned_view(page, chars, r, number, source) for r, chars in sorted(turned_chars.items())]


def damaged(path: Path, exc: BaseException) -> InputError:
    with path.open("rb") as f:
        head = f.read(5)
    if head != b"%PDF-":
        return InputError(say("input.not_a_pdf", path=path))
    return InputError(say("input.damaged_pdf", path=path, error=type(exc).__name__))


def repaired(path: Path) -> io.BytesIO | None:
    """The PDF as pdfium rewrites it: pdfium rebuilds a cross-reference table whose offsets are wrong, which
    pdfminer cannot; None when pdfium cannot open the file either."""
    import pypdfium2 as pdfium
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        return None
    try:
        if len(pdf) == 0:
            return None
        copy = io.BytesIO()
        pdf.save(copy)
        copy.seek(0)
        return copy
    finally:
        pdf.close()


def open_pdf(path: Path, source: Path | io.BytesIO | None = None, password: str | None = None) -> pdfplumber.PDF:
    if path.stat().st_size == 0:
        raise InputError(say("input.empty_bytes", path=path))
    locked = say("input.wrong_password" if password else "input.encrypted", path=path)
    try:
        pdf = pdfplumber.open(source or path, password=password or "")
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise InputError(locked) from exc
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise InputError(locked) from exc
        raise damaged(path, cause) from exc
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise damaged(path, exc) from exc
    pdf.doc._cached_objs = RecentOnly(PDF_CACHE_ENTRIES)
    pdf.doc._parsed_objs = RecentOnly(PDF_CACHE_ENTRIES)
    pdf.rsrcmgr._cached_fonts = RecentOnly(PDF_CACHE_ENTRIES)
    return pdf


def page_count(pdf: pdfplumber.PDF, path: Path) -> int:
    try:
        return len(pdf.pages)
    except Exception as exc:  # pdfminer raises many types on damaged page trees
        raise damaged(path, exc) from exc


def read_pdf(path: Path, pages: frozenset[int] | None = None, password: str | None = None) -> list[Page]:
    return list(each_pdf_page(path, pages, password))


def each_pdf_page(path: Path, pages: frozenset[int] | None = None, password: str | None = None) -> Iterator[Page]:
    """One Page per PDF page (of those numbered in pages, 1-based, when given), plus one per turned block on it
    (Page.rotation), read one page at a time (a page's parsed objects are dropped before the next is read); a page
    with no text layer comes back with no words and kind 'scan'. A PDF whose cross-reference table pdfminer cannot
    use is read from the copy pdfium repairs. password opens an encrypted PDF."""
    try:
        yield from _pages(path, pages, password)
    except InputError:
        raise
    except Exception as exc:  # pdfminer raises many types on damaged objects, at any page
        raise damaged(path, exc) from exc


def _pages(path: Path, pages: frozenset[int] | None, password: str | None) -> Iterator[Page]:
    pdf = open_pdf(path, password=password)
    try:
        count = page_count(pdf, path)
    except InputError:
        count = 0
    if count == 0:
        copy = repaired(path)
        if copy is None:
            pdf.close()
            raise InputError(say("input.no_pages", path=path))
        pdf.close()
        pdf = open_pdf(path, copy, password)
        count = page_count(pdf, path)
    wanted = sorted(pages) if pages else range(1, count + 1)
    if not any(1 <= n <= count for n in wanted):
        pdf.close()
        raise InputError(say("input.page_out_of_range", path=path, pages=",".join(map(str, wanted)), count=count))
    try:
        for number in (n for n in wanted if 1 <= n <= count):
            page = pdf.pages[number - 1]
            try:
                views = pdf_views(page, number, path.name)
            except Exception as exc:
                raise InputError(say("input.page_unreadable", path=path, page=number,
                                     error=f"{type(exc).__name__}: {exc}")) from exc
            page.close()  # its characters, objects and layout, cached by pdfplumber, are not needed again
            # nor is the page itself: pdfminer keeps its content streams decoded for as long as it is listed
            pdf.pages[number - 1] = None
            yield from views
    finally:
        pdf.stream.close()  # not pdf.close(), which would close the pages released above
