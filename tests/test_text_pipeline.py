"""Text dumps through the whole CLI: the same outputs as PDFs, checked against ../shared/truth."""
import json

import pandas as pd
import pytest

from conftest import SHARED
from extractor.cli import main
from extractor.evaluate import score_page
from extractor.pipeline import process_file

SEEDS = sorted((SHARED / "seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    if not SEEDS:
        pytest.skip("../shared/seeds is not beside the repository")
    out = tmp_path_factory.mktemp("out")
    assert main(["extract", *map(str, SEEDS), "-o", str(out)]) == 0
    return out


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_seed_tables_and_findings_match_the_truth(seed):
    truth_path = SHARED / "truth" / f"seed{seed.name[:3]}.json"
    truth = json.loads(truth_path.read_text(encoding="utf-8")) if truth_path.exists() else []
    result = process_file(seed)
    score = score_page(truth, result.tables, result.flags)
    assert score.misses == [] and score.false_errors == []
    assert score.cells_right == score.cells and score.flags_found == score.flags_expected


def test_dump_outputs_have_no_boxes_and_keep_unparsed_tables(out):
    cells = pd.read_csv(out / "cells.csv")
    assert len(cells) > 0 and cells[["x0", "y0", "x1", "y1"]].isna().all().all()
    flags = pd.read_csv(out / "flags.csv")
    unparsed = flags[flags["kind"] == "unparsed_table"]
    assert len(unparsed) >= 1
    for table_id in unparsed["table_id"]:
        raw = (out / "tables" / f"{table_id}.txt").read_text(encoding="utf-8")
        assert "老旧管网改造" in raw and len(raw.splitlines()) > 10
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {i["kind"] for i in manifest["inputs"]} == {"text"}
