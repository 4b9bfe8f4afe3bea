"""OCR backends and the review of OCR doubts against what a table knows."""
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractor.check import check_table
from extractor.hints import load_layout
from extractor.ocr import OcrLine, digits_for_lookalikes, get_backend
from extractor.ocr_review import one_char_readings, review_flags
from extractor.read_image import split_line
from schemas.flags import FlagKind, Severity
from schemas.table import Cell, Column, Row, Table

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


def rate_table(printed_rate: str, confidence: float) -> Table:
    """沁阳市 171/1000 = 17.1%; the rate cell as OCR read it, with the given confidence."""
    rows = [("沁阳市", "1000", "171", "17.1%"), ("孟州市", "2000", "500", "25.0%"), ("温 县", "400", "100", "25.0%")]
    table = Table(source="scan.png", page=1, table_id="t1", title="安装情况统计表",
                  columns=[Column(path=["户数"]), Column(path=["已安装数"]), Column(path=["安装率"])],
                  rows=[Row(label=label, cells=[Cell(printed=v, confidence=0.99) for v in values])
                        for label, *values in rows])
    table.rows[0].cells[2] = Cell(printed=printed_rate, confidence=confidence)
    return table


def test_unsure_1_for_7_misread_becomes_ocr_suspect():
    table = rate_table("11.1%", confidence=0.62)
    flags = check_table(table)
    assert [f.kind for f in flags] == [FlagKind.rate_mismatch]
    reviewed = review_flags(table, flags, load_layout())
    suspect = [f for f in reviewed if f.kind == FlagKind.ocr_suspect]
    assert len(suspect) == 1 and suspect[0].expected == "17.1%" and suspect[0].severity == Severity.warning
    assert suspect[0].printed == "11.1%" and suspect[0].row == "沁阳市"
    assert not any(f.kind == FlagKind.rate_mismatch for f in reviewed)
    assert any(f.kind == FlagKind.low_confidence and f.severity == Severity.info for f in reviewed)


def test_sure_reading_keeps_the_printing_error():
    table = rate_table("11.1%", confidence=0.99)
    reviewed = review_flags(table, check_table(table), load_layout())
    assert [f.kind for f in reviewed] == [FlagKind.rate_mismatch]
    assert reviewed[0].severity == Severity.error


def test_unsure_cell_no_confusion_explains_keeps_the_printing_error():
    table = rate_table("12.4%", confidence=0.5)   # no single look-alike swap gives 17.1%
    reviewed = review_flags(table, check_table(table), load_layout())
    assert FlagKind.rate_mismatch in [f.kind for f in reviewed]
    assert FlagKind.ocr_suspect not in [f.kind for f in reviewed]


def test_lost_percent_sign_and_decimal_point_are_readings():
    assert "17.1%" in one_char_readings("17.1")
    assert "17.1%" in one_char_readings("171%")


def test_threshold_can_be_given():
    table = rate_table("11.1%", confidence=0.62)
    reviewed = review_flags(table, check_table(table), load_layout(), threshold=0.5)
    assert [f.kind for f in reviewed] == [FlagKind.rate_mismatch]


def test_born_digital_tables_are_left_alone():
    table = rate_table("11.1%", confidence=1.0)
    for row in table.rows:
        for cell in row.cells:
            cell.confidence = 1.0
    flags = check_table(table)
    assert review_flags(table, flags, load_layout()) == flags


def test_label_one_character_off_a_place_name():
    table = rate_table("17.1%", confidence=0.99)
    table.rows[1].label = "孟洲市"
    table.rows[2].label = "高新区"                      # an alias of 示范区: not a misreading
    flags = [f for f in review_flags(table, check_table(table), load_layout()) if f.kind == FlagKind.ocr_suspect]
    assert [(f.row, f.expected) for f in flags] == [("孟洲市", "孟州市")]


def test_lookalikes_only_where_the_word_is_a_number():
    assert digits_for_lookalikes("。") == "0"
    assert digits_for_lookalikes("1O5") == "105"
    assert digits_for_lookalikes("ok") == "ok"


def test_split_line_at_cell_gaps():
    line = OcrLine(text="87326 12989 14.9%", box=[(0, 0), (300, 0), (300, 20), (0, 20)], confidence=0.9,
                   char_confidences=[0.9] * 17, char_centres=[5 + 10 * i for i in range(5)] + [55]
                   + [105 + 10 * i for i in range(5)] + [155] + [205 + 10 * i for i in range(5)])
    pieces = split_line(line, cuts=[90.0, 190.0], em=20)
    assert [p[0] for p in pieces] == ["87326", "12989", "14.9%"]
    assert pieces[1][1] == 90.0 and pieces[1][2] == 190.0


def test_unknown_backend_and_missing_paddle_say_what_is_missing():
    with pytest.raises(ValueError, match="没有 OCR 后端 nope"):
        get_backend("nope")
    try:
        import paddleocr  # noqa: F401
    except ImportError:
        with pytest.raises(RuntimeError, match="paddleocr"):
            get_backend("paddleocr")


def test_rapidocr_reads_a_rendered_line_with_char_confidences():
    if not Path(FONT).is_file():
        pytest.skip(f"font missing: {FONT} (Debian's fonts-wqy-zenhei; make test-deps installs it)")
    image = Image.new("L", (700, 80), 255)
    ImageDraw.Draw(image).text((20, 18), "沁阳市 87326 14.9%", fill=0, font=ImageFont.truetype(FONT, 36))
    backend = get_backend("rapidocr")
    lines = backend.read(np.array(image))
    text = "".join(line.text for line in lines).replace(" ", "")
    assert text == "沁阳市8732614.9%"
    for line in lines:
        assert len(line.char_confidences) == len(line.text) and len(line.char_centres) == len(line.text)
    assert "PP-OCRv4" in backend.version


def test_narrow_cells_are_read_at_the_lowered_width_floor():
    """Crops are padded to ocr.toml's [recognition] min_width, not rapidocr's 320 px: short figures of table cells,
    a lone 0 among them, still read as printed."""
    if not Path(FONT).is_file():
        pytest.skip(f"font missing: {FONT} (Debian's fonts-wqy-zenhei; make test-deps installs it)")
    from extractor.ocr import ocr_settings
    figures = ["0", "7", "36", "512", "14.9%", "87326"]
    image = Image.new("L", (200, 60 * len(figures) + 20), 255)
    draw = ImageDraw.Draw(image)
    for i, figure in enumerate(figures):
        draw.text((30, 20 + 60 * i), figure, fill=0, font=ImageFont.truetype(FONT, 24))
    backend = get_backend("rapidocr")
    assert backend.recognizer.rec_image_shape[2] == ocr_settings()["recognition"]["min_width"] < 320
    rects = [(25.0, 14.0 + 60 * i, 40.0 + 14 * len(f), 50.0 + 60 * i) for i, f in enumerate(figures)]
    lines = backend.read(np.array(image), plan=lambda _: rects)
    assert [digits_for_lookalikes(line.text.strip()) for line in lines] == figures


def test_low_confidence_only_where_the_table_cannot_confirm_the_figure():
    """An unsure 0 whose row's rate is 0.0% is confirmed (reading it as 8 or 6 would break the rate); an unsure
    figure no check involves (执法检查次数, in no formula, no total) is flagged; an unsure word is not a figure."""
    rows = [("沁阳市", "1000", "0", "0.0%", "13", "已完成"), ("孟州市", "2000", "500", "25.0%", "7", "未完成")]
    table = Table(source="scan.png", page=1, table_id="t1", title="安装情况统计表",
                  columns=[Column(path=[w]) for w in ("户数", "已安装数", "安装率", "执法检查次数", "备注")],
                  rows=[Row(label=label, cells=[Cell(printed=v, confidence=0.99) for v in values])
                        for label, *values in rows])
    for row, col in ((0, 1), (1, 3), (1, 4)):
        table.rows[row].cells[col].confidence = 0.5
    low = [(f.row, f.column) for f in review_flags(table, check_table(table), load_layout())
           if f.kind == FlagKind.low_confidence]
    assert low == [("孟州市", "执法检查次数")]


FAKE_PADDLEOCR = """
# The interface of PaddleOCR 3.x that baozhi uses: the PaddleOCR pipeline's keyword arguments and predict().
import numpy as np
made = []

class PaddleOCR:
    def __init__(self, **kwargs):
        made.append(kwargs)

    def predict(self, image):
        assert image.ndim == 3 and image.shape[2] == 3  # BGR, as PaddleOCR takes an image array
        return [{"rec_texts": ["沁阳市", "14.9%", " "], "rec_scores": [0.98, 0.71, 0.2],
                 "rec_polys": [np.array([[2, 3], [40, 3], [40, 15], [2, 15]]),
                               np.array([[50, 3], [80, 3], [80, 15], [50, 15]]), np.zeros((4, 2))]}]
"""


def fake_model(folder: Path, name: str) -> None:
    folder.mkdir(parents=True)
    for file in ("inference.json", "inference.pdiparams"):
        (folder / file).write_bytes(b"")
    (folder / "inference.yml").write_text(f"Global:\n  model_name: {name}\n", encoding="utf-8")


def test_paddleocr_3_backend_through_a_fake_of_its_interface(tmp_path, monkeypatch, request):
    """PaddleOCR's models cannot be downloaded here: a stand-in package with its 3.x interface checks that the
    backend finds the model folders, passes them by the 3.x names, keeps the classifiers off, reads predict()."""
    from extractor.ocr import PaddleOcrBackend
    (tmp_path / "pkgs" / "paddleocr").mkdir(parents=True)
    (tmp_path / "pkgs" / "paddleocr" / "__init__.py").write_text(FAKE_PADDLEOCR, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "pkgs"))
    request.addfinalizer(lambda: sys.modules.pop("paddleocr", None))  # later tests see no paddleocr installed
    models = tmp_path / "models"
    fake_model(models / "PP-OCRv5_server_det", "PP-OCRv5_server_det")
    with pytest.raises(RuntimeError) as missing:
        PaddleOcrBackend(models)
    assert "*_rec/" in str(missing.value) and "inference.pdiparams" in str(missing.value)
    assert "*_det/" not in str(missing.value) and "BAOZHI_PADDLE_MODELS" in str(missing.value)
    fake_model(models / "PP-OCRv5_server_rec", "PP-OCRv5_server_rec")
    monkeypatch.setenv("BAOZHI_PADDLE_MODELS", str(models))
    backend = PaddleOcrBackend()
    import paddleocr
    kwargs = paddleocr.made[-1]
    assert kwargs["text_detection_model_dir"] == str(models / "PP-OCRv5_server_det")
    assert kwargs["text_recognition_model_name"] == "PP-OCRv5_server_rec"
    assert not kwargs["use_textline_orientation"] and not kwargs["use_doc_orientation_classify"]
    lines = backend.read(np.full((20, 90), 255, dtype=np.uint8))
    assert [(l.text, l.confidence) for l in lines] == [("沁阳市", 0.98), ("14.9%", 0.71)]
    assert lines[1].bbox == (50.0, 3.0, 80.0, 15.0)
    assert "PP-OCRv5_server_det" in backend.version
