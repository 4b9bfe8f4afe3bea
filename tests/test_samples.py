"""The whole CLI on the committed sample pages, scored against the ground truth rendered with them."""
import json

import pandas as pd
import pytest

from conftest import SAMPLES
from extractor.cli import main
from extractor.evaluate import same_text, score_page
from extractor.pipeline import process_file

PDFS = sorted(SAMPLES.glob("*.pdf"))


def truth_of(pdf):
    return json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    assert main(["extract", *map(str, PDFS), "-o", str(out)]) == 0
    return out


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_every_table_cell_header_and_planted_error(pdf):
    truth = truth_of(pdf)
    result = process_file(pdf)
    assert result.error is None
    assert len([t for t in result.tables if t.columns]) == len(truth)
    score = score_page(truth, result.tables, result.flags)
    assert score.misses == [] and score.false_errors == []
    assert score.cells_right == score.cells and score.headers_right == score.headers
    assert score.flags_found == score.flags_expected


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_title_date_unit_and_note_are_found(pdf):
    result = process_file(pdf)
    for truth in truth_of(pdf):
        table = next(t for t in result.tables if same_text(t.title, truth["title"]))
        assert table.date == truth["date"]
        assert same_text(table.note, truth["note"])
        assert same_text(table.label_header, truth["label_header"])
        unit = (truth.get("unit") or "").replace("单位：", "").replace("单位:", "") or None
        assert table.unit == unit


def test_cells_csv_holds_every_printed_cell_with_its_box(extracted):
    cells = pd.read_csv(extracted / "cells.csv", dtype={"printed": str}, keep_default_na=False)
    expected = sum(len(t["columns"]) * (len(t["rows"]) + bool(t.get("total"))) for p in PDFS for t in truth_of(p))
    assert len(cells) == expected
    filled = cells[cells["printed"] != ""]
    assert (filled["x0"].astype(float) < filled["x1"].astype(float)).all()
    assert (filled["y0"].astype(float) < filled["y1"].astype(float)).all()
    row = cells[(cells["column"] == "燃气报警器 / 管道气 / 安装率") & (cells["row"].str.replace(" ", "") == "沁阳市")].iloc[0]
    assert row["printed"].endswith("%") and float(row["value"]) == float(row["printed"].rstrip("%"))


def test_flags_csv_and_manifest_count_the_same_findings(extracted):
    flags = pd.read_csv(extracted / "flags.csv")
    manifest = json.loads((extracted / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["flags_by_kind"] == flags["kind"].value_counts().to_dict()
    assert manifest["tables_found"] == sum(len(truth_of(p)) for p in PDFS)
    assert manifest["pages"] == len(PDFS) and manifest["errors"] == []
    planted = {(f["kind"], f.get("row", "").replace(" ", "")) for p in PDFS for t in truth_of(p)
               for f in t["expected_flags"] if f["kind"] in ("rate_mismatch", "rank_mismatch", "total_mismatch")}
    found = {(k, str(r).replace(" ", "")) for k, r in zip(flags["kind"], flags["row"])}
    assert planted <= found


def test_wide_table_csv_has_one_row_per_label_and_one_column_per_header_path(extracted):
    for pdf in PDFS:
        result = process_file(pdf)
        for table, truth in zip(result.tables, truth_of(pdf)):
            wide = pd.read_csv(extracted / "tables" / f"{table.table_id}.csv")
            assert len(wide) == len(truth["rows"]) + bool(truth.get("total"))
            assert len(wide.columns) == len(truth["columns"]) + 1
