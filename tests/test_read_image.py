"""Scanned pages through the same layout, reassembly and checks as born-digital ones (samples/scans/)."""
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from extractor.errors import InputError
from extractor.evaluate import score_page
from extractor.cli import manifest
from extractor.pipeline import FileResult, process_file
from extractor.read_image import binarize, deskew, read_image, skew_angle
from schemas.flags import PRINTING_ERRORS, FlagKind

SCANS = Path(__file__).resolve().parents[1] / "samples" / "scans"


def truth_of(scan: Path) -> list[dict]:
    return json.loads((scan.parent / f"{scan.name.rsplit('.', 1)[0]}.truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def scanned():
    """process_file of each scan, computed once per session (OCR costs seconds a page)."""
    cache: dict[str, FileResult] = {}

    def get(name: str) -> FileResult:
        if name not in cache:
            cache[name] = process_file(SCANS / name)
        return cache[name]
    return get


def score(name: str, result: FileResult):
    assert result.error is None, result.error
    return score_page(truth_of(SCANS / name), result.tables, result.flags)


def test_clean_300dpi_page_recovers_every_cell(scanned):
    name = "p01_ruled_3level_300dpi.png"
    result = scanned(name)
    s = score(name, result)
    assert s.cells_right == s.cells, s.misses
    assert result.kind == "scan"


@pytest.mark.parametrize("name", ["p03_ruled_flat_200dpi.jpg", "p01_smudged_200dpi.jpg", "p02_open_2level_200dpi.jpg"])
def test_degraded_200dpi_scan_recovers_cells(scanned, name):
    s = score(name, scanned(name))
    assert s.cell_accuracy >= 0.99, s.misses


@pytest.mark.parametrize("name", ["p01_ruled_3level_300dpi.png", "p03_ruled_flat_200dpi.jpg",
                                  "p01_smudged_200dpi.jpg", "p04_p05_200dpi.tif", "p02_open_2level_200dpi.jpg"])
def test_planted_errors_found_and_no_false_printing_errors(scanned, name):
    s = score(name, scanned(name))
    assert s.flags_found == s.flags_expected, s.misses
    assert s.false_errors == []


def test_printing_error_and_ocr_doubt_in_one_table(scanned):
    """The smudged 7 of 博爱县's 8735 is read but doubted; the planted 孟州市 rate stays a printing error."""
    flags = scanned("p01_smudged_200dpi.jpg").flags
    assert any(f.kind == FlagKind.rate_mismatch and f.row == "孟州市" for f in flags)
    doubts = [f for f in flags if f.row == "博爱县" and f.kind in (FlagKind.low_confidence, FlagKind.ocr_suspect)]
    assert doubts, [f.model_dump() for f in flags]
    assert not any(f.row == "博爱县" and f.kind in PRINTING_ERRORS for f in flags)


def test_multipage_tiff_gives_one_page_per_frame(scanned):
    result = scanned("p04_p05_200dpi.tif")
    assert result.pages == 2
    assert sorted({t.page for t in result.tables}) == [1, 2]
    s = score("p04_p05_200dpi.tif", result)
    assert s.cells_right == s.cells, s.misses


def test_image_only_pdf_is_ocrd(scanned):
    result = scanned("p05_ruled_companies_scan.pdf")
    assert result.kind == "scan" and not result.warnings
    s = score("p05_ruled_companies_scan.pdf", result)
    assert s.cell_accuracy >= 0.99, s.misses
    assert any(f.kind == FlagKind.total_mismatch for f in result.flags)


def test_ocr_words_carry_confidences_and_backend(scanned):
    table = scanned("p01_ruled_3level_300dpi.png").tables[0]
    cells = [c for r in table.rows for c in r.cells if c.printed]
    assert all(c.confidence is not None and 0 < c.confidence <= 1 for c in cells)
    assert all(c.char_confidences and len(c.char_confidences) == len(c.printed.replace(" ", "")) for c in cells)


def test_read_image_records_backend_and_points():
    page = read_image(SCANS / "p04_p05_200dpi.tif")[0]
    assert page.kind == "scan" and page.ocr_backend.startswith("rapidocr")
    assert page.width == pytest.approx(1654 * 72 / 200, rel=1e-3)
    assert any(r.orientation == "h" for r in page.rulings)


def test_skew_is_measured_and_undone():
    page = np.full((800, 1200), 255, np.uint8)
    for y in range(100, 700, 30):
        cv2.rectangle(page, (100, y), (1100, y + 10), 0, -1)
    matrix = cv2.getRotationMatrix2D((600, 400), 1.2, 1.0)
    tilted = cv2.warpAffine(page, matrix, (1200, 800), borderValue=255)
    angle = skew_angle(binarize(tilted, 200), 200)
    assert angle == pytest.approx(-1.2, abs=0.15)
    assert abs(skew_angle(binarize(deskew(tilted, angle), 200), 200)) < 0.15


def test_corrupt_png_is_an_input_error(tmp_path):
    png = SCANS / "p01_ruled_3level_300dpi.png"
    broken = tmp_path / "broken.png"
    broken.write_bytes(png.read_bytes()[:5000])
    with pytest.raises(InputError, match="broken.png"):
        read_image(broken)
    assert "broken.png" in process_file(broken).error


def test_text_file_named_jpg_is_an_input_error(tmp_path):
    fake = tmp_path / "page.jpg"
    fake.write_text("not an image", encoding="utf-8")
    result = process_file(fake)
    assert result.error is not None and "page.jpg" in result.error and "不是本工具能读的图片" in result.error


def test_empty_image_file_is_an_input_error(tmp_path):
    empty = tmp_path / "empty.tif"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_image(empty)


def test_manifest_names_the_ocr_backend_and_its_version(scanned):
    result = scanned("p03_ruled_flat_200dpi.jpg")
    entry = manifest([result], 0.0, "jiaozuo_daily")
    assert entry["ocr_backends"] == [result.ocr_backend]
    assert result.ocr_backend.startswith("rapidocr") and any(c.isdigit() for c in result.ocr_backend)
    assert entry["inputs"][0]["ocr_backend"] == result.ocr_backend


def test_16_bit_grey_tiff_reads_like_its_8_bit_original(tmp_path, scanned):
    import numpy as np
    from PIL import Image
    name = "p03_ruled_flat_200dpi.jpg"
    eight = np.asarray(Image.open(SCANS / name).convert("L")).astype(np.uint16) * 257
    Image.fromarray(eight).save(tmp_path / "p03_16bit.tif", dpi=(200, 200))
    result = process_file(tmp_path / "p03_16bit.tif")
    assert score(name, result).cells_right == score(name, scanned(name)).cells_right
