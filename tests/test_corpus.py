"""The committed subset of the random page corpus (tests/data/corpus, made by `bench/corpus.py --subset`): every
page scored against its truth, and the generator's truth self-check catching corrupted truths. Needs no chromium or
LibreOffice: the rendered pages are committed."""
import copy
import json
import sys
from pathlib import Path

import pytest

from extractor.evaluate import score_page
from extractor.pipeline import process_file

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "data" / "corpus"
sys.path.insert(0, str(REPO / "bench"))
import corpus  # noqa: E402  (bench/corpus.py: imports only the standard library at module level)

RECORDS = [json.loads(line) for line in (CORPUS / "corpus.jsonl").read_text(encoding="utf-8").splitlines() if line]


def truth_of(rec: dict) -> list[dict]:
    return json.loads((CORPUS / rec["truth"]).read_text(encoding="utf-8"))


def test_subset_is_small_and_mixed():
    assert 12 <= len(RECORDS) <= 20
    assert sum(p.stat().st_size for p in CORPUS.iterdir()) < 3_200_000
    producers = {r["producer"] + (r.get("lo_kind") or "") for r in RECORDS}
    assert {"reportlab", "chromium", "wkhtmltopdf", "libreofficedocx", "libreofficexlsx"} <= producers
    tables = [t["meta"] for r in RECORDS for t in truth_of(r)]
    assert {m["rules"] for m in tables} == {"ruled", "three-line", "none"}
    assert {1, 2, 3} <= {m["header_depth"] for m in tables}
    assert any(m["panels"] > 1 for m in tables) and any(m["footers"] for m in tables)
    assert any(r["table_free"] for r in RECORDS)
    assert sum(r["input"] == "scan" and r["dpi"] == 200 and r["file"].endswith(".jpg") for r in RECORDS) >= 2


# Pages the extractor does not yet read right, and why. Each must still fall short: when one is fixed, the test
# says so and it leaves this list (the open problems stay visible instead of lowering the bar for every page).
KNOWN_OPEN = {
    "c7_0045_lo_docx.pdf": "LibreOffice laid the three-panel table out wider than the page: its first labels are cut off",
    "c7_0066_wk_scan200.jpg": "OCR reads the dash of 9:30—11:00 as a hyphen",
}


@pytest.mark.parametrize("rec", RECORDS, ids=lambda r: r["file"])
def test_page_cells_right(rec):
    truth = truth_of(rec)
    result = process_file(CORPUS / rec["file"])
    assert result.error is None
    score = score_page(truth, result.tables, result.flags)
    if not truth:
        assert [t.title for t in result.tables if t.columns] == []
        return
    fraction = score.cells_right / score.cells
    needed = 0.995 if rec["input"] == "pdf" else 0.99
    if rec["file"] in KNOWN_OPEN:
        assert fraction < needed, f"{rec['file']} now reads right ({KNOWN_OPEN[rec['file']]}): take it off KNOWN_OPEN"
        return
    assert fraction >= needed, f"{score.cells_right}/{score.cells} cells right; first misses: {score.misses[:8]}"


def test_every_committed_truth_checks_itself():
    for rec in RECORDS:
        for table in truth_of(rec):
            corpus.check_truth(table)


def ranking_tables() -> list[dict]:
    return [t for r in RECORDS if r["input"] == "pdf" for t in truth_of(r)
            if t["meta"]["checks"]["rates"] and t["meta"]["kind"] == "ranking"]


def test_self_check_catches_a_changed_rate():
    table = copy.deepcopy(ranking_tables()[0])
    rate_col = table["meta"]["checks"]["rates"][0][0]
    row = next(r for r in table["rows"] if corpus.parse_number(r["values"][rate_col]) is not None
               and not any(f["row"] == r["label"] and f["col_index"] == rate_col for f in table["expected_flags"]))
    printed = row["values"][rate_col]
    value = corpus.parse_number(printed) + corpus.Decimal(1).scaleb(-corpus.decimals_of(printed))
    row["values"][rate_col] = f"{value}{'%' if printed.endswith('%') else ''}"
    with pytest.raises(corpus.TruthError):
        corpus.check_truth(table)
    # listed as a planted error, the same change passes
    table["expected_flags"].append({"kind": "rate_mismatch", "row": row["label"], "column": table["columns"][rate_col],
                                    "col_index": rate_col})
    corpus.check_truth(table)


def test_self_check_catches_a_dropped_planted_flag_and_changed_rank_and_total():
    planted = [t for t in ranking_tables() if t["expected_flags"]]
    assert planted, "the subset has a table with planted printing errors"
    table = copy.deepcopy(planted[0])
    table["expected_flags"] = table["expected_flags"][1:]
    with pytest.raises(corpus.TruthError):
        corpus.check_truth(table)
    ranked = next(t for t in ranking_tables() if t["meta"]["checks"]["ranks"])
    table = copy.deepcopy(ranked)
    rank_col = table["meta"]["checks"]["ranks"][0]["col"]
    row = next(r for r in table["rows"] if corpus.parse_number(r["values"][rank_col]) is not None)
    row["values"][rank_col] = str(int(row["values"][rank_col]) % 30 + 31)
    with pytest.raises(corpus.TruthError):
        corpus.check_truth(table)
    with_total = [t for t in ranking_tables() if t.get("total")]
    if with_total:
        table = copy.deepcopy(with_total[0])
        col = table["meta"]["checks"]["sums"][0]
        table["total"]["values"][col] = str(int(corpus.parse_number(table["total"]["values"][col]) or 0) + 7)
        with pytest.raises(corpus.TruthError):
            corpus.check_truth(table)
