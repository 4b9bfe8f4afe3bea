"""The whole CLI: bad inputs named in one-line messages, the batch going on, outputs whole."""
import json
import re
import shutil

import pandas as pd
import pytest

from conftest import REPO
from extractor.cli import main
from extractor.export import CELL_COLUMNS, FLAG_COLUMNS

DATA = REPO / "tests" / "data"
BAD = ["corrupt.pdf", "empty.pdf", "encrypted.pdf", "not_a_pdf.pdf"]


@pytest.mark.parametrize("name,words", [
    ("corrupt.pdf", "已损坏"), ("empty.pdf", "空文件"), ("encrypted.pdf", "已加密"), ("not_a_pdf.pdf", "不是 PDF"),
])
def test_bad_pdf_gets_one_line_naming_the_file_and_exit_1(tmp_path, capsys, name, words):
    code = main(["extract", str(DATA / name), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    line = next(l for l in err.splitlines() if name in l and "错误" in l)
    assert words in line
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"][0]["status"] == "failed" and name in manifest["errors"][0]


def test_missing_file_and_wrong_type_are_reported(tmp_path, capsys):
    (tmp_path / "page.docx").write_bytes(b"PK\x03\x04")
    code = main(["extract", str(tmp_path / "nope.pdf"), str(tmp_path / "page.docx"), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    assert "nope.pdf：文件不存在" in err
    assert "page.docx：不支持的文件类型 .docx" in err


def test_page_without_table_is_a_warning_not_a_failure(tmp_path, capsys):
    code = main(["extract", str(DATA / "no_table.pdf"), "-o", str(tmp_path / "out")])
    assert code == 0
    assert "no_table.pdf：没有找到表格" in capsys.readouterr().err
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
    summary = err[err.index("个失败"):]
    assert all(name in summary for name in BAD)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["inputs"]) == len(BAD) + len(good)
    assert not list((tmp_path / "out").rglob(".*.*"))  # no temporary files left behind
    if good:
        assert manifest["tables_found"] > 0
        assert not pd.read_csv(tmp_path / "out" / "cells.csv").empty


def test_same_file_name_in_two_folders_keeps_both_tables_and_brackets_survive(tmp_path, capsys):
    for folder, sample in (("d1", "p01_ruled_3level.pdf"), ("d2", "p03_ruled_flat.pdf")):
        (tmp_path / folder).mkdir()
        shutil.copy(REPO / "samples" / sample, tmp_path / folder / "page[final].pdf")
    shutil.copy(DATA / "corrupt.pdf", tmp_path / "d2" / "bad[x].pdf")
    code = main(["extract", str(tmp_path / "d1"), str(tmp_path / "d2"), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1 and "bad[x].pdf：PDF 已损坏" in err
    cells = pd.read_csv(tmp_path / "out" / "cells.csv")
    assert cells["table_id"].nunique() == 2 == len(list((tmp_path / "out" / "tables").glob("*.csv")))
    articles = pd.read_csv(tmp_path / "out" / "articles.csv")
    assert len(articles) > 0 and articles["article_id"].is_unique


def test_unknown_layout_and_output_that_is_a_file_are_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["extract", str(DATA / "no_table.pdf"), "-o", str(tmp_path / "out"), "--layout", "nosuch"])
    assert "没有版式 nosuch" in capsys.readouterr().err
    (tmp_path / "afile").write_text("x")
    assert main(["extract", str(DATA / "no_table.pdf"), "-o", str(tmp_path / "afile")]) == 2
    assert "afile 已存在，但不是文件夹" in capsys.readouterr().err


def test_a_second_run_into_the_same_folder_leaves_no_stale_table_files(tmp_path):
    out = tmp_path / "out"
    assert main(["extract", str(REPO / "samples" / "p01_ruled_3level.pdf"), "-o", str(out)]) == 0
    assert main(["extract", str(REPO / "samples" / "p03_ruled_flat.pdf"), "-o", str(out)]) == 0
    assert [p.name for p in (out / "tables").iterdir()] == ["p03_ruled_flat-p1-t1.csv"]


def test_an_ocr_backend_that_is_not_installed_is_refused_before_the_batch(tmp_path, capsys):
    import importlib.util
    if importlib.util.find_spec("paddleocr"):
        pytest.skip("paddleocr is installed here")
    code = main(["extract", str(DATA / "no_table.pdf"), "-o", str(tmp_path / "out"), "--ocr-backend", "paddleocr"])
    assert code == 2 and "paddleocr" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_version_and_help_import_none_of_the_pipeline(tmp_path):
    """`baozhi --version` and `--help` answer without loading pandas, duckdb, opencv, OCR or jieba (seconds)."""
    import subprocess
    import sys
    probe = ("import sys\nfrom extractor.cli import main\n"
             "for argv in (['--version'], ['--help'], ['extract', '--help']):\n"
             "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
             "print(' '.join(sorted(m for m in ('pandas', 'duckdb', 'cv2', 'jieba', 'rapidocr_onnxruntime', "
             "'pdfplumber', 'rich.progress') if m in sys.modules)))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert "0.1.0" in done.stdout and "extract" in done.stdout
    assert done.stdout.splitlines()[-1] == ""


def test_messages_are_chinese_by_default_and_english_with_lang_en(tmp_path, capsys):
    bad = [str(DATA / "corrupt.pdf"), str(REPO / "samples" / "p01_ruled_3level.pdf")]
    assert main(["extract", *bad, "-o", str(tmp_path / "zh")]) == 1
    err = capsys.readouterr().err
    assert "corrupt.pdf：PDF 已损坏或不完整" in err and "2 个文件中有 1 个失败" in err
    assert main(["extract", *bad, "-o", str(tmp_path / "en"), "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert "corrupt.pdf: damaged or truncated PDF" in err and "1 of 2 files failed" in err
    zh, en = (pd.read_csv(tmp_path / lang / "flags.csv") for lang in ("zh", "en"))
    assert list(zh["kind"]) == list(en["kind"]) and len(zh) > 0  # the kinds are the contract, in any language
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in zh["message"])
    rate = zh[zh["kind"] == "rate_mismatch"]["message"].iloc[0]
    assert "，报纸印为 " in rate and rate.endswith("。")
    assert "; the page prints " in en[en["kind"] == "rate_mismatch"]["message"].iloc[0]
    zh_report = (tmp_path / "zh" / "report.html").read_text(encoding="utf-8")
    en_report = (tmp_path / "en" / "report.html").read_text(encoding="utf-8")
    assert "标记（按类别）" in zh_report and "Flags by kind" not in zh_report and '<html lang="zh">' in zh_report
    assert "Flags by kind" in en_report
    manifest = json.loads((tmp_path / "zh" / "manifest.json").read_text(encoding="utf-8"))
    assert "PDF 已损坏" in manifest["errors"][0]


def test_layout_from_a_file_path_and_an_unloadable_one(tmp_path, capsys):
    own = tmp_path / "my_paper.toml"
    own.write_text('extends = "jiaozuo_daily"\nname = "my_paper"\n', encoding="utf-8")
    assert main(["extract", str(REPO / "samples" / "p01_ruled_3level.pdf"), "-o", str(tmp_path / "out"),
                 "--layout", str(own)]) == 0
    assert json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))["layout"] == str(own)
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "broken"\n', encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["export", "--db", "x.duckdb", "-o", str(tmp_path), "--layout", str(broken)])
    err = capsys.readouterr().err
    assert "broken.toml 读不了" in err and "Traceback" not in err


def test_formats_write_each_table_with_its_header_and_a_sidecar(tmp_path):
    import openpyxl
    out = tmp_path / "out"
    assert main(["extract", str(REPO / "samples" / "p01_ruled_3level.pdf"), "-o", str(out),
                 "--format", "csv,meta,xlsx,parquet,json"]) == 0
    base = out / "tables" / "p01_ruled_3level-p1-t1"
    meta = json.loads(base.with_suffix(".meta.json").read_text(encoding="utf-8"))
    assert (meta["title"], meta["date"], meta["unit"]) == ("焦作市燃气居民用户安全装置加装情况统计表", "2022-09-25", "户")
    assert meta["columns"][0] == ["燃气报警器", "管道气", "户数"]
    assert list(pd.read_csv(base.with_suffix(".csv")).columns)[1:] == meta["column_names"]
    sheet = openpyxl.load_workbook(base.with_suffix(".xlsx")).active
    assert sheet["A1"].value == meta["title"] and sheet["A3"].value == "户"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert "B5:E5" in merged and sheet["B5"].value == "燃气报警器"  # the group word over its four columns
    frame = pd.read_parquet(base.with_suffix(".parquet"))
    assert frame.loc["沁阳市", ("燃气报警器", "管道气", "户数")] == 87326
    data = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
    assert data["index"][0] == "沁阳市" and data["data"][0][0] == 87326
    # a later run without them leaves no stale files of other formats
    assert main(["extract", str(REPO / "samples" / "p01_ruled_3level.pdf"), "-o", str(out)]) == 0
    assert sorted(p.name for p in (out / "tables").iterdir()) == [base.name + ".csv"]


def test_pages_quiet_verbose_and_a_log_line_per_file(tmp_path, capsys):
    dump = tmp_path / "two.txt"
    dump.write_text("第一页\f第二页\n", encoding="utf-8")
    assert main(["extract", str(dump), "-o", str(tmp_path / "a"), "--pages", "2"]) == 0
    err = capsys.readouterr().err
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"][0]["pages"] == 1
    # not a terminal here: one log line per file, and the warning
    assert "two.txt：完成，1 页，0 张表" in err and "没有找到表格" in err
    assert main(["extract", str(dump), "-o", str(tmp_path / "b"), "-q"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["extract", str(dump), "-o", str(tmp_path / "c"), "-v", "--lang", "en"]) == 0
    err = capsys.readouterr().err
    assert "two.txt: ok, 2 pages, 0 tables" in err and re.search(r"read \d+\.\d\d s, .*total \d+\.\d\d s", err)
    with pytest.raises(SystemExit):
        main(["extract", str(dump), "-o", str(tmp_path / "d"), "--pages", "3-1"])
    assert "1,3-5" in capsys.readouterr().err


def test_cells_csv_has_the_place_role_and_is_total_a_researcher_joins_on(tmp_path):
    out = tmp_path / "out"
    assert main(["extract", str(REPO / "samples" / "p02_open_2level.pdf"), "-o", str(out)]) == 0
    cells = pd.read_csv(out / "cells.csv", dtype={"value": str})
    assert list(cells.columns) == CELL_COLUMNS
    wen = cells[cells["row"].str.replace(" ", "") == "温县"]
    assert set(wen["place"]) == {"温县"}
    total = cells[cells["row"] == "合计"]
    assert total["is_total"].all() and not cells[cells["row"] != "合计"]["is_total"].any()
    assert total["place"].isna().all()
    households = total[total["column"] == "自闭阀 / 户数"]
    assert households["value"].tolist() == ["721470"] and households["role"].tolist() == ["denominator"]
    assert set(cells[cells["column"].str.endswith("安装率")]["role"]) == {"rate"}
    # the 合计 row leaves its ranks blank; the counts and ranks of the table stay integers all the same
    text = next((out / "tables").glob("*.csv")).read_text(encoding="utf-8-sig")
    assert "\n合计,721470,239538,499,33.2,,722132," in text and "\n示范区,28500,6300,0,22.1,9," in text
