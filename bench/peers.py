"""Peers on the same pages: rows of the ground truth that each tool recovers whole (label and every value in
order, as printed), and seconds per page. Used by bench/run.py; needs the `bench` extra (camelot-py)."""
from __future__ import annotations

import json
import time
import unicodedata
from pathlib import Path
from typing import Callable

from extractor.hints import squeeze

Rows = list[list[str]]


def clean(text: str | None) -> str:
    return squeeze(unicodedata.normalize("NFKC", text or ""))


def truth_rows(truth_path: Path) -> list[list[str]]:
    tables = json.loads(truth_path.read_text(encoding="utf-8"))
    rows = [r for t in tables for r in t["rows"] + ([t["total"]] if t.get("total") else [])]
    return [[clean(r["label"])] + [clean(v) for v in r["values"] if clean(v)] for r in rows]


def recovered(expected: list[list[str]], got: Rows) -> int:
    """How many expected rows appear whole among the got rows (empty cells ignored; a two-panel row may be half)."""
    cells = [[clean(c) for c in row if clean(c)] for row in got]
    hits = 0
    for row in expected:
        n = len(row)
        if any(any(line[i:i + n] == row for i in range(len(line) - n + 1)) for line in cells):
            hits += 1
    return hits


def ours(pdf: Path) -> Rows:
    from extractor.pipeline import process_file
    return [[r.label] + [c.printed for c in r.cells] for t in process_file(pdf).tables for r in t.rows]


def pdfplumber_tables(pdf: Path) -> Rows:
    import pdfplumber
    with pdfplumber.open(pdf) as doc:
        return [row for page in doc.pages for table in page.extract_tables() for row in table]


def camelot_flavor(flavor: str) -> Callable[[Path], Rows]:
    def run(pdf: Path) -> Rows:
        import camelot
        tables = camelot.read_pdf(str(pdf), pages="all", flavor=flavor)
        return [list(row) for t in tables for row in t.df.values.tolist()]
    return run


def img2table_with_our_ocr(image: Path) -> Rows:
    """img2table's table finder with the same OCR backend as ours, through img2table's OCR interface."""
    import numpy as np
    from img2table.document import Image
    from img2table.ocr._types import OCRData, OCRInstance

    from extractor.ocr import get_backend

    class SameOcr(OCRInstance):
        def of(self, document) -> OCRData | None:
            records = {}
            for page, img in enumerate(document.images):
                for n, line in enumerate(get_backend("rapidocr").read(np.asarray(img))):
                    x1, y1, x2, y2 = line.bbox
                    records.setdefault(page, []).append({
                        "id": f"w{page}_{n}", "parent": f"w{page}_{n}", "value": line.text,
                        "confidence": int(100 * line.confidence), "x1": int(x1), "y1": int(y1),
                        "x2": int(x2), "y2": int(y2)})
            return OCRData(records=records) if records else None

    tables = Image(str(image)).extract_tables(ocr=SameOcr(), borderless_tables=True, implicit_rows=True)
    return [list(row) for t in tables for row in t.df.fillna("").values.tolist()]


SCAN_TOOLS: dict[str, Callable[[Path], Rows]] = {
    "baozhi": ours,
    "img2table + same OCR": img2table_with_our_ocr,
}

PDF_TOOLS: dict[str, Callable[[Path], Rows]] = {
    "baozhi": ours,
    "pdfplumber extract_tables": pdfplumber_tables,
    "camelot lattice": camelot_flavor("lattice"),
    "camelot stream": camelot_flavor("stream"),
}


def compare(tools: dict[str, Callable[[Path], Rows]], pages: list[tuple[Path, Path]]) -> list[dict]:
    out = []
    for name, tool in tools.items():
        expected = hits = 0
        seconds = 0.0
        error = None
        for page, truth in pages:
            rows = truth_rows(truth)
            start = time.perf_counter()
            try:
                got = tool(page)
            except Exception as exc:  # a peer failing on a page is a result, not a crash of the bench
                got, error = [], f"{type(exc).__name__}: {exc}"[:80]
            seconds += time.perf_counter() - start
            expected += len(rows)
            hits += recovered(rows, got)
        out.append({"tool": name, "rows": f"{hits}/{expected}", "share": hits / expected if expected else 1.0,
                    "seconds_per_page": seconds / max(len(pages), 1), "error": error})
    return out
