"""Articles of scanned pages (issue 5), with `ocr_articles` on: headlines and bodies as on the born-digital
original, and the tables still right. One whole-page 200-dpi scan (OCR'd whole in about 9 s)."""
import json
import unicodedata
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from extractor.evaluate import score_page
from extractor.hints import squeeze
from extractor.pipeline import FileResult, OcrOptions, process_file
from schemas.article import ArticlesOfPage
from test_articles import headline_hits, pdf_result

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SCAN = SAMPLES / "scans" / "p05_ruled_companies_scan.pdf"       # the whole page of p05, degraded, image only
ORIGINAL = SAMPLES / "p05_ruled_companies.pdf"
# The OCR cannot tell a half-width bracket or comma from a full-width one, nor “ from ", in this type.
QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", squeeze(text)).translate(QUOTES)


def folded(result: ArticlesOfPage) -> ArticlesOfPage:
    out = result.model_copy(deep=True)
    for a in out.articles:
        a.headline = fold(a.headline) if a.headline else None
        a.body = [fold(p) for p in a.body]
    return out


@pytest.fixture(scope="session")
def scanned() -> FileResult:
    result = process_file(SCAN, ocr=OcrOptions(articles=True))
    assert result.error is None, result.error
    return result


def test_headlines_of_a_scan_match_the_original(scanned):
    truth = [{"headline": fold(t["headline"]), "body_start": fold(t["body_start"])}
             for t in json.loads(ORIGINAL.with_suffix(".articles.json").read_text(encoding="utf-8"))]
    hits = headline_hits(folded(scanned.articles[0]), truth)
    assert hits / len(truth) >= 0.95, f"{hits}/{len(truth)}"


def test_no_body_text_lost(scanned):
    """Each story's body, in order, as the text layer of the original gives it (a misread character aside)."""
    got = {a.headline: fold("".join(a.body)) for a in folded(scanned.articles[0]).articles}
    for original in pdf_result(ORIGINAL).articles:
        want = fold("".join(original.body))
        body = got.get(fold(original.headline), "")
        same = sum(b.size for b in SequenceMatcher(None, want, body, autojunk=False).get_matching_blocks())
        assert same >= 0.97 * len(want), (original.headline, same, len(want))


def test_tables_of_the_scan_stay_right(scanned):
    truth = json.loads(SCAN.with_name(f"{SCAN.stem}.truth.json").read_text(encoding="utf-8"))
    s = score_page(truth, scanned.tables, scanned.flags)
    assert s.cell_accuracy >= 0.99, s.misses
    assert s.flags_found == s.flags_expected and s.false_errors == [], s.misses
