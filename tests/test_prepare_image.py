"""Page images made ready before layout (extractor/prepare_image.py): turned pages put upright, photo captures
squared up and evenly lit; and the tables of such pages read as those of the straight scan."""
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from extractor.evaluate import score_page
from extractor.ocr import get_backend
from extractor.pipeline import process_file
from extractor.prepare_image import apply, page_corners, prepare, prepare_settings
from extractor.read_image import load_frames

SCANS = Path(__file__).resolve().parents[1] / "samples" / "scans"
PAGE = SCANS / "p06_open_two_tables_150dpi.jpg"   # two open tables and a title at 150 dpi: the smallest sample
TABLE = SCANS / "p03_ruled_flat_200dpi.jpg"       # one ruled table, with truth
# Image.transpose's counter-clockwise turns, and the clockwise turn that undoes each
UNDO = {Image.Transpose.ROTATE_90: 90, Image.Transpose.ROTATE_180: 180, Image.Transpose.ROTATE_270: 270}


def truth_of(scan: Path) -> list[dict]:
    return json.loads(scan.with_suffix(".truth.json").read_text(encoding="utf-8"))


def turned(scan: Path, how: Image.Transpose, folder: Path) -> Path:
    out = folder / f"{scan.stem}_{how.name.lower()}.png"
    with Image.open(scan) as image:
        image.transpose(how).save(out, dpi=image.info.get("dpi", (200, 200)))
    return out


def photographed(scan: Path, folder: Path, seed: int = 3) -> tuple[Path, np.ndarray]:
    """The page as a phone photographs it (as bench/corpus.py makes photo captures): on a darker table, seen at an
    angle, lit from one side with the corners in shadow; and where its corners went."""
    rng = np.random.default_rng(seed)
    gray = cv2.imread(str(scan), cv2.IMREAD_GRAYSCALE).astype(np.float32)
    h, w = gray.shape
    margin = int(0.06 * max(w, h))
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = src + margin + rng.uniform(-0.03, 0.03, (4, 2)).astype(np.float32) * min(w, h)
    size = (w + 2 * margin, h + 2 * margin)
    photo = cv2.warpPerspective(gray, cv2.getPerspectiveTransform(src, dst), size, borderValue=90.0)
    yy, xx = np.mgrid[0:size[1], 0:size[0]].astype(np.float32)
    light = (1.0 - 0.4 * (((xx / size[0] - 0.6) ** 2 + (yy / size[1] - 0.4) ** 2) / 0.5)) * (0.85 + 0.3 * xx / size[0])
    photo = np.clip(photo * light + rng.normal(0, 4, photo.shape), 0, 255).astype(np.uint8)
    out = folder / f"{scan.stem}_photo.jpg"
    Image.fromarray(photo).save(out, quality=85, dpi=(200, 200))
    return out, dst


def loaded(path: Path) -> tuple[np.ndarray, float]:
    return next(load_frames(path, None))


@pytest.mark.parametrize("how", list(UNDO), ids=lambda h: h.name)
def test_a_turned_page_is_put_upright(how, tmp_path):
    gray, dpi = loaded(turned(PAGE, how, tmp_path))
    upright, done = prepare(gray, dpi, 1, get_backend())
    assert done.turn == UNDO[how] and done.corners is None
    straight, _ = loaded(PAGE)
    assert upright.shape == straight.shape
    # the very pixels of the straight scan (JPEG aside), not a mirror image of them
    assert np.abs(upright.astype(int) - straight.astype(int)).mean() < 3


def test_an_upright_scan_is_left_as_it_is():
    gray, dpi = loaded(TABLE)
    prepared, done = prepare(gray, dpi, 1, get_backend())
    assert (done.turn, done.corners, done.flattened) == (0, None, False)
    assert prepared is gray


def test_a_photo_capture_is_squared_up_and_evenly_lit(tmp_path):
    path, corners = photographed(TABLE, tmp_path)
    gray, dpi = loaded(path)
    found = page_corners(gray, prepare_settings())
    assert found is not None
    assert np.abs(np.float32(found) - corners).max() < 0.01 * max(gray.shape)
    prepared, done = prepare(gray, dpi, 1, get_backend())
    assert done.flattened and done.turn == 0
    h, w = cv2.imread(str(TABLE), cv2.IMREAD_GRAYSCALE).shape
    assert abs(prepared.shape[0] - h) < 0.05 * h and abs(prepared.shape[1] - w) < 0.05 * w
    # paper as white in the shadowed corners as in the light: the light's spread is gone
    paper = [np.percentile(part, 90) for part in (prepared[: h // 4, : w // 4], prepared[-h // 4:, -w // 4:])]
    assert min(paper) > 225 and abs(paper[0] - paper[1]) < 15
    # the preparation, done again from the file, gives the same image (report.html draws the boxes on it)
    assert np.array_equal(apply(gray, done), prepared)


def test_tables_of_turned_pages_and_photos_read_as_the_straight_scan(tmp_path):
    """Cells right on the straight scan, the scan upside down and its photo capture (before turned pages and photos
    were prepared: 0/110 and 0/110)."""
    straight = process_file(TABLE)
    upside_down = process_file(turned(TABLE, Image.Transpose.ROTATE_180, tmp_path))
    photo = process_file(photographed(TABLE, tmp_path)[0])
    scores = [score_page(truth_of(TABLE), r.tables, r.flags) for r in (straight, upside_down, photo)]
    assert scores[0].cells_right == scores[0].cells
    assert all(s.cells_right >= 0.98 * s.cells for s in scores[1:]), [(s.cells_right, s.cells) for s in scores]
    assert upside_down.preparations[0].turn == 180 and photo.preparations[0].corners


def test_a_table_laid_on_its_side_on_the_page_is_read_turned(tmp_path):
    """A portrait page: an upright table on top, below it a wide table laid on its side (read by turning the page a
    quarter clockwise), as newspapers print a table too wide for the column. The page stays as it is; the block is
    read as a turned view, its table's boxes brought back to the page."""
    with Image.open(SCANS / "p02_open_2level_200dpi.jpg") as top, Image.open(TABLE) as table:
        top, side = top.convert("L"), table.convert("L").transpose(Image.Transpose.ROTATE_90)
        paper = int(np.median(np.asarray(top)))
        page = Image.new("L", (top.width, top.height + side.height + 80), paper)
        page.paste(top, (0, 0))
        page.paste(side, ((top.width - side.width) // 2, top.height + 40))
        path = tmp_path / "page_with_a_turned_table.png"
        page.save(path, dpi=(200, 200))
    result = process_file(path)
    done = result.preparations[0]
    assert result.pages == 1 and (done.turn, done.block_turn) == (0, 90)
    x0, y0, x1, y1 = done.block      # the block found inside the pasted table, not over the upright one
    left = (top.width - side.width) // 2
    assert top.height + 20 <= y0 < y1 <= page.height and left - 20 <= x0 < x1 <= left + side.width + 20
    turned = [t for t in result.tables if t.rotation == 90]
    assert len(turned) == 1 and len(result.tables) == 2
    # the turned table's box on the page, in points (200 dpi): below the upright table
    assert turned[0].box.top * 200 / 72 >= top.height - 40
    upright = [t for t in result.tables if not t.rotation]
    for truth, tables in ((truth_of(TABLE), turned), (truth_of(SCANS / "p02_open_2level_200dpi.jpg"), upright)):
        score = score_page(truth, tables, result.flags)
        assert score.cells_right >= 0.98 * score.cells, (score.cells_right, score.cells, score.misses[:5])
