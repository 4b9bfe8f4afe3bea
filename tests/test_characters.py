"""Characters as printed (radical code points of real PDFs) and the text-layer check before a layer is trusted."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest

from extractor.characters import as_printed, is_simplified
from extractor.evaluate import score_page
from extractor.pipeline import OcrOptions, process_file
from extractor.read_pdf import read_pdf
from extractor.text_layer import check_text_layer
from schemas.document import Box, Page, Word

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[1]
# radicals, strokes, compatibility ideographs, private use, the replacement character: never text to hand on
FOREIGN = re.compile("[\u2e80-\u2fdf\u31c0-\u31ef\uf900-\ufaff\ue000-\uf8ff\ufffd\U0002f800-\U0002fa1f]")


def test_radicals_become_the_ideographs_printed():
    assert as_printed("燃⽓居⺠⽤⼾") == "燃气居民用户"
    assert as_printed("⻢村区") == "马村区"
    assert as_printed("⻓寿镇⻔⼾⻅⾯") == "长寿镇门户见面"


def test_a_traditional_page_keeps_traditional_forms():
    assert not is_simplified("燃氣居民用戶安裝率馬村區")
    assert as_printed("⼾數", simplified=False) == "戶數"
    assert as_printed("⾺村區", simplified=False) == "馬村區"


def test_compatibility_ideographs_decompose_and_odd_prints_stay():
    assert as_printed("\uf900") == "豈"           # CJK COMPATIBILITY IDEOGRAPH-F900 is 豈 U+8C48
    assert as_printed("１００.％ 100.% －3") == "１００.％ 100.% －3"


def test_a_chromium_page_in_noto_cjk_comes_out_without_radicals(tmp_path):
    pdf = DATA / "radicals_chromium_noto.pdf"   # chromium --print-to-pdf of radicals_chromium_noto.html
    with pdfplumber.open(pdf) as doc:
        raw = doc.pages[0].extract_text()
    assert "⼾数" in raw and "⻢村区" in raw       # the text layer really lies, so the test means something
    run = subprocess.run([sys.executable, "-m", "extractor.cli", "extract", str(pdf), "-o", str(tmp_path / "out")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    for out in (tmp_path / "out").rglob("*"):
        if out.is_file() and out.suffix in {".csv", ".json", ".jsonl", ".txt", ".html"}:
            found = FOREIGN.findall(out.read_text(encoding="utf-8"))
            assert not found, (out.name, found[:10])
    cells = (tmp_path / "out" / "cells.csv").read_text(encoding="utf-8-sig")
    assert "全市燃气居民用户报警器安装情况" in cells
    assert ",马村区,户数,1200," in cells and ",长寿镇,安装率,50.0%," in cells


def test_a_wkhtmltopdf_page_in_noto_cjk_comes_out_without_radicals_and_with_its_figures(tmp_path):
    # bench/corpus.py seed 1 page c1_0046_wk: wkhtmltopdf maps Noto Sans CJK glyphs to radicals (⽇报, ⼩区) as
    # Chromium does (all 29 chromium and 23 wkhtmltopdf Noto pages of that corpus do; LibreOffice's 22 do not)
    pdf = DATA / "radicals_wkhtmltopdf_noto.pdf"
    with pdfplumber.open(pdf) as doc:
        raw = doc.pages[0].extract_text()
    assert "焦作⽇报" in raw and "⽼旧⼩区改造" in raw
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "extractor.cli", "extract", str(pdf), "-o", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    for written in out.rglob("*"):
        if written.is_file() and written.suffix in {".csv", ".json", ".jsonl", ".txt", ".html"}:
            found = FOREIGN.findall(written.read_text(encoding="utf-8"))
            assert not found, (written.name, found[:10])
    # the table figures are those of the page's truth, as on pages of producers that map glyphs right
    truth = json.loads((DATA / "radicals_wkhtmltopdf_noto.truth.json").read_text(encoding="utf-8"))
    result = process_file(pdf)
    score = score_page(truth, result.tables, result.flags)
    assert score.cells_right >= 0.995 * score.cells, score.misses[:8]
    assert "老旧小区改造" in (out / "cells.csv").read_text(encoding="utf-8-sig")


def test_a_text_layer_of_unmapped_glyphs_is_not_trusted():
    box = Box(x0=10, top=10, x1=100, bottom=20)
    cid = Page(source="x.pdf", page=1, kind="pdf", width=595, height=842,
               words=[Word(text="(cid:1234)(cid:88)(cid:90)", box=box), Word(text="2023", box=box)])
    junk = Page(source="x.pdf", page=1, kind="pdf", width=595, height=842,
                words=[Word(text="ÄÅÇÈÉ¶ÊË", box=box), Word(text="ÌÍÎ", box=box)])
    private = Page(source="x.pdf", page=1, kind="pdf", width=595, height=842,
                   words=[Word(text="\ue001\ue002\ue003县", box=box)])
    for page in (cid, junk, private):
        verdict = check_text_layer(page)
        assert not verdict.trusted and verdict.reasons


@pytest.mark.parametrize("pdf", sorted((REPO / "samples").glob("*.pdf")) + sorted((DATA / "corpus").glob("*.pdf")),
                         ids=lambda p: p.name)
def test_good_text_layers_are_trusted_whole(pdf):
    for page in read_pdf(pdf):
        verdict = check_text_layer(page)
        assert verdict.trusted and not verdict.uncovered, (page.page, verdict)


def test_a_table_pasted_in_as_an_image_is_read_by_ocr():
    # chromium print of table_pasted_as_image.html: a text headline and paragraph above the scan of sample p03
    pdf = DATA / "table_pasted_as_image.pdf"
    truth = json.loads((REPO / "samples" / "scans" / "p03_ruled_flat_200dpi.truth.json").read_text(encoding="utf-8"))
    result = process_file(pdf)
    assert result.error is None
    assert any("图片" in w and "OCR" in w for w in result.warnings), result.warnings
    score = score_page(truth, result.tables, result.flags)
    assert score.cells_right == score.cells, score.misses
    assert score.flags_found == score.flags_expected and not score.false_errors

    trusting = process_file(pdf, ocr=OcrOptions(mode="never"))
    assert not any(t.rows for t in trusting.tables)
    assert any("--ocr never" in w for w in trusting.warnings)


def test_a_photograph_is_not_read_as_print():
    # chromium print of article_with_photo.html: a headline, a photograph (blurred noise) and its caption
    result = process_file(DATA / "article_with_photo.pdf")
    assert result.error is None
    assert not any("OCR" in w for w in result.warnings), result.warnings
    assert result.ocr_backend is None


def test_a_table_printed_turned_is_read_upright_with_boxes_on_the_page():
    # generated page (bench/corpus.py, seed 7): its second table is printed turned a quarter left
    pdf = DATA / "corpus" / "c7_0002_rl.pdf"
    turned = [p for p in read_pdf(pdf) if p.rotation]
    assert [p.rotation for p in turned] == [90]
    assert any(w.text.startswith("附表") for w in turned[0].words)    # reads left to right, not 表附 / 附 表
    title = next(w for w in turned[0].words if w.text.startswith("附表"))
    with pdfplumber.open(pdf) as doc:
        first = next(c for c in doc.pages[0].chars if c["text"] == "附" and not c["upright"])
    on_page = title.box.on_page(90, turned[0].width, turned[0].height)
    assert abs(on_page.x0 - first["x0"]) < 0.5 and abs(on_page.bottom - first["bottom"]) < 0.5
    result = process_file(pdf)
    table = next(t for t in result.tables if t.rotation == 90)
    assert table.title.startswith("附表") and table.rows
    # the table's box is in the page's frame: beside its title (rows of a turned table run left to right)
    assert table.box.x0 >= on_page.x1 - 1 and table.box.top < on_page.bottom and table.box.bottom > on_page.top
