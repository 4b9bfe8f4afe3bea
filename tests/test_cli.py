"""The whole CLI: bad inputs named in one-line messages, the batch going on, outputs whole."""
import json
import shutil

import pandas as pd
import pytest

from conftest import REPO
from extractor.cli import main
from extractor.export import CELL_COLUMNS, FLAG_COLUMNS

DATA = REPO / "tests" / "data"
BAD = ["corrupt.pdf", "empty.pdf", "encrypted.pdf", "not_a_pdf.pdf"]


@pytest.mark.parametrize("name,words", [
    ("corrupt.pdf", "damaged"), ("empty.pdf", "empty"), ("encrypted.pdf", "encrypted"), ("not_a_pdf.pdf", "not a PDF"),
])
def test_bad_pdf_gets_one_line_naming_the_file_and_exit_1(tmp_path, capsys, name, words):
    code = main(["extract", str(DATA / name), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    line = next(l for l in err.splitlines() if name in l and "error" in l)
    assert words in line
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"][0]["status"] == "failed" and name in manifest["errors"][0]


def test_missing_file_and_wrong_type_are_reported(tmp_path, capsys):
    (tmp_path / "page.docx").write_bytes(b"PK\x03\x04")
    code = main(["extract", str(tmp_path / "nope.pdf"), str(tmp_path / "page.docx"), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    assert "nope.pdf: no such file" in err
    assert "page.docx: unsupported file type" in err


def test_page_without_table_is_a_warning_not_a_failure(tmp_path, capsys):
    code = main(["extract", str(DATA / "no_table.pdf"), "-o", str(tmp_path / "out")])
    assert code == 0
    assert "no_table.pdf: no table found" in capsys.readouterr().err
    cells = pd.read_csv(tmp_path / "out" / "cells.csv")
    assert list(cells.columns) == CELL_COLUMNS and cells.empty
    assert list(pd.read_csv(tmp_path / "out" / "flags.csv").columns) == FLAG_COLUMNS


def test_batch_goes_on_after_bad_files_and_lists_them_at_the_end(tmp_path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in BAD:
        shutil.copy(DATA / name, inputs / name)
    good = sorted((REPO / "samples").glob("*.pdf"))[:1]
    for path in good:
        shutil.copy(path, inputs / path.name)
    code = main(["extract", str(inputs), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    summary = err[err.index("files failed"):]
    assert all(name in summary for name in BAD)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["inputs"]) == len(BAD) + len(good)
    assert not list((tmp_path / "out").rglob(".*.*"))  # no temporary files left behind
    if good:
        assert manifest["tables_found"] > 0
        assert not pd.read_csv(tmp_path / "out" / "cells.csv").empty
