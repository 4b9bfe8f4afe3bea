"""A long file is worked through a page at a time (issue 13): the pipeline gives each page's findings as soon as
the page is read, the batch writes them to its journal and lets them go, and every output is written from the
journal a page at a time. (How flat memory then is, in bytes, is measured by bench/memory_bench.py.)"""
import gc
import json
import weakref

import pandas as pd
import pypdfium2 as pdfium

from conftest import SAMPLES
from extractor import archive
from extractor import batch as batch_module
from extractor import pipeline
from extractor.batch import Batch
from extractor.cli import main
from extractor.export import CELL_COLUMNS, write_csv, write_csv_chunks
from extractor.pipeline import FileSummary, PageResult, process_file, process_pages

DUMP = ("焦作市燃气报警器安装情况统计表\n县市区\t户数\t已安装数\t安装率\t名次\n"
        "沁阳市\t100\t50\t50.0%\t2\n温县\t200\t150\t75.0%\t1\n")


def repeated_pdf(path, pages: int):
    src, out = pdfium.PdfDocument(str(SAMPLES / "p01_ruled_3level.pdf")), pdfium.PdfDocument.new()
    for _ in range(pages):
        out.import_pages(src, [0])
    out.save(str(path))
    return path


def test_each_page_is_given_before_the_next_is_read(tmp_path, monkeypatch):
    pdf = repeated_pdf(tmp_path / "three.pdf", 3)
    read = []
    each_pdf_page = pipeline.each_pdf_page

    def counted(*args):
        for page in each_pdf_page(*args):
            read.append(page.page)
            yield page
    monkeypatch.setattr(pipeline, "each_pdf_page", counted)
    summary = FileSummary(source=pdf.name, path=str(pdf))
    given = []
    for page in process_pages(pdf, summary):
        assert read == [page.page]   # this page read, the next not yet
        read.clear()
        given.append(page)
    assert [p.page for p in given] == [1, 2, 3] and summary.pages == 3 and not summary.error
    whole = process_file(pdf)   # the same pipeline, its pages held together
    assert [t.table_id for p in given for t in p.tables] == summary.table_ids == [t.table_id for t in whole.tables]
    assert sum(len(p.flags) for p in given) == summary.flag_count == len(whole.flags) > 0


class Tracked(PageResult):
    """A PageResult whose instances alive can be counted: each made is seen by the functions in SEEN."""
    def model_post_init(self, _context) -> None:
        for see in SEEN:
            see(self)


SEEN: list = []


def let_go(pages, given: list[weakref.ref]):
    """pages as Tracked, each checking that every page given before the last one (still its taker's loop variable)
    is gone: taken, written out and let go."""
    for page in pages:
        gc.collect()
        assert [r for r in given[:-1] if r() is not None] == []
        tracked = Tracked(**dict(page))
        given.append(weakref.ref(tracked))
        yield tracked
        del tracked


def test_the_batch_holds_one_page_at_a_time(tmp_path, monkeypatch):
    dump = tmp_path / "five.txt"
    dump.write_text("\f".join([DUMP] * 5), encoding="utf-8")
    out = tmp_path / "out"
    batch = Batch(out, {})
    batch.prepare()
    given: list[weakref.ref] = []
    summary = batch.read(dump, "five", lambda into: let_go(process_pages(dump, into), given))
    assert summary.pages == 5 and len(given) == 5
    assert len((out / ".partial" / f"{batch.key(dump, 'five')}.pages.jsonl").read_text().splitlines()) == 5

    alive, most = [], [0]

    def count(page: Tracked) -> None:   # each page read back from the journal
        alive.append(weakref.ref(page))
        gc.collect()
        most[0] = max(most[0], sum(r() is not None for r in alive))
    monkeypatch.setattr(batch_module, "PageResult", Tracked)
    SEEN.append(count)
    try:
        batch.finish({"inputs": []}, ["csv", "meta"])
    finally:
        SEEN.clear()
    assert len(alive) > 5 * 3    # every output is a pass over the pages...
    assert most[0] <= 2          # ...holding one page (and the report's page being drawn)
    assert len(pd.read_csv(out / "cells.csv", encoding="utf-8-sig")) == 5 * 8
    assert len(list((out / "tables").glob("*.meta.json"))) == 5


def test_a_csv_written_in_chunks_has_the_bytes_of_the_whole_frame(tmp_path):
    """Chunks whose columns hold only None, or floats and None, or strings needing an apostrophe, format as the
    whole frame does."""
    records = [{"source": "a.pdf", "page": 1, "row": "=HYPERLINK(1)", "value": "87326", "confidence": None,
                "x0": 1.5, "is_total": False},
               {"source": "a.pdf", "page": 2, "row": "温县", "value": "", "confidence": 0.93, "x0": None,
                "is_total": True, "place": "温县"},
               {"source": "b.txt", "page": 1, "row": "-3", "value": "14.9", "confidence": None, "x0": None,
                "is_total": False}]
    write_csv(tmp_path / "whole.csv", pd.DataFrame(records, columns=CELL_COLUMNS))
    write_csv_chunks(tmp_path / "chunks.csv", CELL_COLUMNS,
                     [pd.DataFrame([r], columns=CELL_COLUMNS) for r in records] + [pd.DataFrame(columns=CELL_COLUMNS)])
    assert (tmp_path / "chunks.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()


def test_a_file_failing_part_way_leaves_none_of_its_pages_in_the_outputs(tmp_path, monkeypatch):
    """Its first pages were journaled as they came; the file failed, so none is written out or listed."""
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text(DUMP, encoding="utf-8")
    bad.write_text("\f".join([DUMP.replace("沁阳市", "孟州市")] * 3), encoding="utf-8")
    with_findings = pipeline.with_findings

    def failing(done, page, *args):
        if page.source == "bad.txt" and page.page == 3:
            raise RuntimeError("a bug on page 3")
        return with_findings(done, page, *args)
    monkeypatch.setattr(pipeline, "with_findings", failing)
    out = tmp_path / "out"
    assert main(["extract", str(good), str(bad), "-o", str(out)]) == 1
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    failed = next(i for i in manifest["inputs"] if i["source"] == "bad.txt")
    assert failed["status"] == "failed" and "a bug on page 3" in failed["error"]
    assert failed["tables"] == [] and failed["flags"] == failed["articles"] == 0
    cells = pd.read_csv(out / "cells.csv", encoding="utf-8-sig")
    assert set(cells["source"]) == {"good.txt"} and "孟州市" not in set(cells["row"])
    assert {p.stem for p in (out / "tables").iterdir()} == set(manifest["inputs"][0]["tables"])


def test_ingest_keeps_rows_of_a_file_not_its_pages(tmp_path):
    """The archive's worker puts each page's rows into columns as it comes and lets the page go."""
    dump = tmp_path / "five.txt"
    dump.write_text("\f".join([DUMP] * 5), encoding="utf-8")
    summary = FileSummary(source=dump.name, path=str(dump))
    given: list[weakref.ref] = []
    item = archive.ingested("hash", summary, let_go(process_pages(dump, summary), given))
    assert len(given) == 5 and summary.pages == 5
    assert item.rows["pages"].num_rows == 5 and item.rows["cells"].num_rows == 5 * 8
    assert set(item.rows["pages"].column("kind").to_pylist()) == {"text"}
    con = archive.connect(":memory:")
    archive.store(con, item, "jiaozuo_daily")
    assert con.execute("SELECT count(*) FROM cells WHERE file_hash = 'hash'").fetchone()[0] == 5 * 8
