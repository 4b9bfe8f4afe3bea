"""Reading a long PDF page by page (extractor/read_pdf.py): pdfminer's caches kept small change no page."""
import pypdfium2 as pdfium

import extractor.read_pdf as read_pdf_module
from conftest import SAMPLES
from extractor.read_pdf import each_pdf_page, read_pdf

NAMES = ["p01_ruled_3level", "p05_ruled_companies", "p02_open_2level", "p01_ruled_3level"]


def words_of(page):
    return [(w.text, round(w.box.x0, 2), round(w.box.top, 2)) for w in page.words]


def test_pages_read_with_tiny_caches_are_the_pages_read_alone(tmp_path, monkeypatch):
    joined = pdfium.PdfDocument.new()
    for name in NAMES:
        joined.import_pages(pdfium.PdfDocument(str(SAMPLES / f"{name}.pdf")), [0])
    path = tmp_path / "joined.pdf"
    joined.save(str(path))
    alone = [read_pdf(SAMPLES / f"{name}.pdf", frozenset({1}))[0] for name in NAMES]
    # two entries per cache: fonts and objects are parsed again and again, yet each page reads the same
    monkeypatch.setattr(read_pdf_module, "PDF_CACHE_ENTRIES", 2)
    pages = list(each_pdf_page(path))
    assert [p.page for p in pages] == [1, 2, 3, 4]
    for page, single in zip(pages, alone):
        assert page.words and words_of(page) == words_of(single)
        assert len(page.rulings) == len(single.rulings)
