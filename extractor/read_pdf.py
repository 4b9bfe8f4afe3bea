"""Born-digital PDF pages become text pieces: pdfplumber words with boxes, and ruling lines from vector graphics."""
from __future__ import annotations

import logging
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.exceptions import PdfminerException

from extractor.errors import InputError
from schemas.document import Box, Page, Ruling, Word

# pdfminer logs a warning per glyph of a font it finds odd (chromium's CJK subsets lack a FontBBox): noise to a
# user, since the text comes out all the same; real failures raise and are reported per file
logging.getLogger("pdfminer").setLevel(logging.ERROR)

# A rect thinner than this (points) is a ruling line drawn as a filled rectangle.
RULE_THICKNESS = 2.0


def pdf_rulings(page: pdfplumber.page.Page) -> list[Ruling]:
    rulings = []
    for edge in page.edges:
        box = Box(x0=edge["x0"], top=edge["top"], x1=edge["x1"], bottom=edge["bottom"])
        if box.x1 <= 1 or box.x0 >= page.width - 1 or box.bottom <= 1 or box.top >= page.height - 1:
            continue  # the page's own edge (a clip or background rectangle some producers draw), not a ruling
        if edge["orientation"] == "h" and box.width > RULE_THICKNESS:
            rulings.append(Ruling(box=box, orientation="h"))
        elif edge["orientation"] == "v" and box.height > RULE_THICKNESS:
            rulings.append(Ruling(box=box, orientation="v"))
    return rulings


def pdf_words(page: pdfplumber.page.Page) -> list[Word]:
    # fake bold prints every glyph twice, a hair apart (新新时时代代): one copy is the text
    page = page.dedupe_chars(tolerance=1)
    words = page.extract_words(x_tolerance=1.5, y_tolerance=2, keep_blank_chars=False, extra_attrs=["size"])
    return [Word(text=w["text"], box=Box(x0=w["x0"], top=w["top"], x1=w["x1"], bottom=w["bottom"]),
                 confidence=1.0, size=w["size"]) for w in words]


def damaged(path: Path, exc: BaseException) -> InputError:
    head = path.read_bytes()[:5]
    if head != b"%PDF-":
        return InputError(f"{path}: not a PDF (the file does not start with %PDF-)")
    return InputError(f"{path}: damaged or truncated PDF ({type(exc).__name__})")


def open_pdf(path: Path) -> pdfplumber.PDF:
    if path.stat().st_size == 0:
        raise InputError(f"{path}: empty file (0 bytes)")
    try:
        return pdfplumber.open(path)
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise InputError(f"{path}: encrypted PDF, cannot read without its password") from exc
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise InputError(f"{path}: encrypted PDF, cannot read without its password") from exc
        raise damaged(path, cause) from exc
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise damaged(path, exc) from exc


def read_pdf(path: Path) -> list[Page]:
    """One Page per PDF page; a page with no text layer comes back with no words and kind 'scan'."""
    pdf = open_pdf(path)
    with pdf:
        try:
            count = len(pdf.pages)
        except Exception as exc:  # pdfminer raises many types on damaged page trees
            raise damaged(path, exc) from exc
        if count == 0:
            raise InputError(f"{path}: PDF has no pages")
        pages = []
        for number, page in enumerate(pdf.pages, start=1):
            try:
                words = pdf_words(page)
                rulings = pdf_rulings(page)
            except Exception as exc:
                raise InputError(f"{path}: page {number} cannot be read ({type(exc).__name__}: {exc})") from exc
            images = [Box(x0=im["x0"], top=im["top"], x1=im["x1"], bottom=im["bottom"]) for im in page.images]
            pages.append(Page(source=path.name, page=number, kind="pdf" if words else "scan",
                              width=float(page.width), height=float(page.height), words=words, rulings=rulings,
                              images=images))
        return pages
