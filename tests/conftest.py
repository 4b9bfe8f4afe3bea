import json
from pathlib import Path

import pytest

from schemas.table import Cell, Column, Row, Table

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES = REPO / "samples"


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
def default_language(monkeypatch):
    """Every test starts in the default language (zh); a test's `--lang en` is undone after it."""
    monkeypatch.delenv("BAOZHI_LANG", raising=False)


@pytest.fixture(scope="session")
def seed_truth() -> list[dict]:
    if not truth_files():
        pytest.skip("../shared/truth is not beside the repository")
    return [t for f in truth_files() for t in json.loads(f.read_text(encoding="utf-8"))]
