"""What of a scanned page the recogniser is given (extractor/read_image.py's reading plan) and how its readings
become words: synthetic ink and boxes, no OCR model needed."""
import numpy as np

from extractor.read_image import glyph_lines, parted_lines, prose_lines, stacked_lines, without_specks


def test_long_ragged_row_labels_beside_their_figures_are_read_but_justified_paragraphs_are_not():
    h = 20.0
    labels = [(40, 120 + 30 * r, 40 + h * n, 120 + 30 * r + h) for r, n in enumerate((11, 13, 10, 12, 11, 13))]
    figures = [(300 + 80 * k, y0, 340 + 80 * k, y1) for _, y0, _, y1 in labels for k in range(3)]
    paragraph = [(700, 120 + 30 * r, 700 + h * 15, 120 + 30 * r + h) for r in range(6)]
    prose = prose_lines(labels + figures + paragraph)
    assert not any(prose[:len(labels)]) and all(prose[-len(paragraph):])


def test_a_box_over_two_stacked_glyphs_is_read_a_line_at_a_time():
    # 名 / 次: two glyphs 20 px tall, 4 px apart, with a speck of noise in the gap
    ink = np.zeros((60, 30), np.uint8)
    ink[5:25, 5:25] = 255
    ink[29:49, 5:25] = 255
    ink[27, 12] = 255
    lines = [(0, 10, 200, 30)] * 5  # the page's median line height: 20 px
    assert stacked_lines((0, 0, 30, 60), ink, lines) == [(0, 5, 30, 25), (0, 29, 30, 49)]
    assert stacked_lines((0, 0, 30, 28), ink, lines) == [(0, 0, 30, 28)]  # one line tall: as detected


def test_the_strokes_of_one_glyph_are_not_lines_of_their_own():
    ink = np.zeros((24, 20), np.uint8)
    for y in (3, 11, 19):  # 三
        ink[y:y + 2, 2:18] = 255
    assert glyph_lines(ink, 24) == [(3, 21)]


def test_overlapping_boxes_of_two_stacked_lines_are_cut_apart():
    upper, lower = (214.0, 145.0, 235.0, 157.0), (211.0, 153.0, 240.0, 166.0)
    beside = (260.0, 146.0, 280.0, 157.0)
    assert parted_lines([upper, lower, beside]) == [(214.0, 145.0, 235.0, 155.0), (211.0, 155.0, 240.0, 166.0), beside]


def test_an_unsure_point_after_a_figure_is_a_speck():
    assert without_specks("117.", [0.99, 0.72, 0.99, 0.84]) == ("117", [0.99, 0.72, 0.99])
    assert without_specks("WG05.", [0.98, 0.99, 0.57, 0.99, 0.63]) == ("WG05", [0.98, 0.99, 0.57, 0.99])
    assert without_specks(".", [0.65]) == ("", [])
    assert without_specks("1.", [0.99, 0.98]) == ("1.", [0.99, 0.98])  # read sure: printed
    assert without_specks("注.", [0.99, 0.5]) == ("注.", [0.99, 0.5])


def test_a_lone_bar_of_ink_in_a_cell_is_a_dash_but_a_stroke_of_a_glyph_is_not():
    from extractor.read_image import Scan, dash_words
    from schemas.document import Box, Word
    scan = Scan(gray=np.zeros((200, 400), np.uint8), dpi=72.0)  # a pixel is a point
    ink = np.zeros((200, 400), np.uint8)
    ink[50:52, 100:110] = 255   # a dash in a cell of 10-point text
    ink[50:52, 200:210] = 255   # 二: two bars 4 points apart
    ink[54:56, 200:210] = 255
    figure = Word(text="36", box=Box(x0=300, top=45, x1=311, bottom=55))
    [dash] = dash_words(scan, ink, [figure])
    assert dash.text == "—" and dash.box.x0 == 100 and abs(dash.box.ymid - 51) < 0.5
    assert dash_words(scan, ink, [figure, Word(text="—", box=Box(x0=99, top=46, x1=111, bottom=56))]) == []
