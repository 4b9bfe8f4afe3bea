"""Reading a PDF's text layer (extractor/read_pdf.py): words as the page's rulings part them."""
import pytest

from extractor.read_pdf import read_pdf

reportlab = pytest.importorskip("reportlab")


def test_a_figure_and_the_label_in_the_next_cell_are_two_words(tmp_path):
    """Chromium prints a right-aligned figure and the left-aligned label of the next cell with no gap between
    their glyphs (11焦东街道); the column ruling between them parts them."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "touching.pdf"
    c = canvas.Canvas(str(path), pagesize=(300, 200))
    c.setFont("STSong-Light", 10)
    c.drawString(100, 100, "11焦东街道")
    c.line(111, 90, 111, 115)  # between "11" (two digits, 5 pt each) and 焦
    c.drawString(100, 60, "22焦西街道")  # no ruling here: one word
    c.save()
    page = read_pdf(path)[0]
    assert sorted(w.text for w in page.words) == sorted(["11", "焦东街道", "22焦西街道"])
