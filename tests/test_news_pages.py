"""Real born-digital newspaper pages (issue 10, bench/real/news): no output of them holds a code point that is never
the printed text (a radical, a compatibility ideograph, a private-use character, U+FFFD). The pages are third-party
files kept out of the repository (SOURCES-news.md says where each comes from); a page that is not there is skipped."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from extractor.cli import main

NEWS = Path(__file__).resolve().parents[1] / "bench" / "real" / "news"
# CJK Radicals Supplement and Kangxi Radicals, CJK Compatibility Ideographs (and supplement), private use, U+FFFD
NOT_PRINTED = re.compile("[\u2e80-\u2fdf\uf900-\ufaff\ue000-\uf8ff\ufffd\U0002f800-\U0002fa1f\U000f0000-\U0010ffff]")
TEXT_OUTPUTS = {".csv", ".json", ".jsonl", ".html", ".md", ".txt"}


def born_digital_pages() -> list[str]:
    names = []
    for truth in sorted(NEWS.glob("*.headlines.json")):
        if json.loads(truth.read_text(encoding="utf-8")).get("born_digital"):
            names.append(truth.name[: -len(".headlines.json")] + ".pdf")
    return names


@pytest.mark.parametrize("name", born_digital_pages())
def test_outputs_hold_only_printed_characters(name, tmp_path):
    page = NEWS / name
    if not page.exists():
        pytest.skip(f"{name} is not here (third-party page: bench/fetch_news.py brings it, see bench/real/news/SOURCES-news.md)")
    out = tmp_path / "out"
    assert main(["extract", str(page), "-o", str(out), "--format", "csv,json", "-q"]) == 0
    written = [p for p in out.rglob("*") if p.suffix in TEXT_OUTPUTS]
    assert any(p.suffix == ".jsonl" or "article" in p.name for p in written), "no article output written"
    odd = {p.name: sorted({f"U+{ord(c):04X}" for c in NOT_PRINTED.findall(p.read_text(encoding="utf-8"))})
           for p in written}
    assert not {k: v for k, v in odd.items() if v}
