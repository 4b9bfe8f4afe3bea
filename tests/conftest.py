import json
import os
import shutil
from pathlib import Path

import pytest

from extractor import archive
from extractor.cli import main

from schemas.table import Cell, Column, Row, Table

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES = REPO / "samples"


TIMING = {"files": "EXCLUDE (seconds, ingested_at)"}  # the columns that differ between two runs of one batch


@pytest.fixture(scope="session")
def inputs(tmp_path_factory):
    """Four sample PDFs and the two seed dumps that print the residential table."""
    if not (SHARED / "seeds").exists():
        pytest.skip("../shared/seeds is not beside the repository")
    folder = tmp_path_factory.mktemp("inputs")
    for path in sorted(SAMPLES.glob("*.pdf"))[:4] + sorted((SHARED / "seeds").glob("00[01]_*.txt")):
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="session")
def full_db(inputs, tmp_path_factory):
    """An uninterrupted ingest of the inputs on two local worker processes, its messages in the default language
    whichever test first asks for it (the runs compared with it speak the default)."""
    db = tmp_path_factory.mktemp("full") / "archive.duckdb"
    asked = os.environ.pop("BAOZHI_LANG", None)
    try:
        assert main(["ingest", str(inputs), "--db", str(db), "--workers", "2"]) == 0
    finally:
        if asked is not None:
            os.environ["BAOZHI_LANG"] = asked
    return db


def content(db) -> dict[str, list[tuple]]:
    """Every row of every table of an archive, in one order, without the timings."""
    with archive.connect(db, read_only=True) as con:
        return {t: con.execute(f"SELECT * {TIMING.get(t, '')} FROM {t} ORDER BY ALL").fetchall()
                for t in archive.TABLES}


def truth_files() -> list[Path]:
    return sorted((SHARED / "truth").glob("seed*.json"))


def table_from_truth(truth: dict, source: str = "truth") -> Table:
    """A Table built straight from hand-checked truth, so that checks can be tested apart from reassembly."""
    rows = [Row(label=r["label"], cells=[Cell(printed=v) for v in r["values"]]) for r in truth["rows"]]
    if truth.get("total"):
        total = truth["total"]
        rows.append(Row(label=total["label"], cells=[Cell(printed=v) for v in total["values"]], is_total=True))
    return Table(source=source, page=1, table_id=truth["id"], title=truth["title"], note=truth["note"],
                 columns=[Column(path=c) for c in truth["columns"]], rows=rows)


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language (zh), and a test's `--lang en` (which sets BAOZHI_LANG in this
    process) is undone after it: else it leaks into the next module's worker processes, started before any
    function-scoped fixture runs (monkeypatch.delenv of an absent variable restores nothing)."""
    os.environ.pop("BAOZHI_LANG", None)
    yield
    os.environ.pop("BAOZHI_LANG", None)


@pytest.fixture(scope="session")
def seed_truth() -> list[dict]:
    if not truth_files():
        pytest.skip("../shared/truth is not beside the repository")
    return [t for f in truth_files() for t in json.loads(f.read_text(encoding="utf-8"))]
