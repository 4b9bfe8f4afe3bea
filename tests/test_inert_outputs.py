"""No output attacks its reader: text a spreadsheet would run as a formula is written inert (OWASP's leading
apostrophe) in every CSV, the JSON outputs keep what was printed, and report.html shows markup as text."""
import csv
import json
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from extractor.cli import main
from extractor.export import inert_frame, inert_text

HYPERLINK = '=HYPERLINK("http://x","沁阳市")'
INJECTION_DUMP = (
    "焦作市燃气报警器安装情况统计表\n"
    "县市区\t户数\t已安装数\t安装率\t@名次\n"
    f"{HYPERLINK}\t100\t50\t50.0%\t2\n"
    "温县\t200\t150\t75.0%\t1\n"
    "@SUM(A1)\t-3\t-1.5\t-2\t3\n"
    "+cmd|' /C calc'!A0\t10\t5\t50.0%\t4\n"
    "\n"
    "-2+3+cmd|' /C calc'!A0 本报讯 记者从市住建局获悉，全市燃气报警器安装工作进展顺利，各县市区按照要求推进，"
    "截至目前已完成大部分任务，群众反映良好，下一步将继续加大工作力度。\n"
)


@pytest.mark.parametrize("text,written", [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3+cmd|x", "'-2+3+cmd|x"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-", "'-"),
    ("-3", "-3"), ("-1.5", "-1.5"), ("+2", "+2"), ("-0.5%", "-0.5%"), ("温县", "温县"), ("14.9%", "14.9%"),
    ("a=b", "a=b"), ("", ""),
])
def test_the_owasp_rule_with_plain_signed_numbers_kept(text, written):
    assert inert_text(text) == written


def test_number_columns_and_missing_values_are_left_alone():
    frame = pd.DataFrame({"=label": ["=x", None, "-3"], "value": [-3.0, None, 1.5], "n": pd.array([-1, 2, None], "Int64")})
    out = inert_frame(frame)
    assert list(out.columns) == ["'=label", "value", "n"]
    assert out["'=label"].tolist()[0] == "'=x" and out["'=label"].isna().tolist()[1] and out["'=label"][2] == "-3"
    assert out["value"].equals(frame["value"]) and out["n"].equals(frame["n"])
    assert frame.columns[0] == "=label" and frame["=label"][0] == "=x"  # the caller's frame is not changed


def csv_cells(path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [cell for row in csv.reader(f) for cell in row]


def live(cells: list[str]) -> list[str]:
    """Cells a spreadsheet would read as a formula: a formula start that is not a signed number."""
    return [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"[+-][0-9.]+%?", c)]


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    root = tmp_path_factory.mktemp("inj")
    dump = root / "inj.txt"
    dump.write_text(INJECTION_DUMP, encoding="utf-8")
    assert main(["extract", str(dump), "-o", str(root / "out")]) == 0
    return root / "out"


def test_extract_csvs_hold_no_live_formula_and_keep_negative_numbers(injected):
    files = [injected / "cells.csv", injected / "flags.csv", injected / "articles.csv",
             *(injected / "tables").glob("*.csv")]
    assert len(files) == 4
    for path in files:
        assert live(csv_cells(path)) == [], path.name
    cells = csv_cells(injected / "cells.csv")
    assert "'" + HYPERLINK in cells and "'@SUM(A1)" in cells and "'@名次" in cells
    assert "-3" in cells and "-1.5" in cells             # printed negative numbers stay numbers
    wide = pd.read_csv(next((injected / "tables").glob("*.csv")), encoding="utf-8-sig")
    assert "'@名次" in wide.columns and wide["户数"].tolist() == [100, 200, -3, 10]
    body = pd.read_csv(injected / "articles.csv", encoding="utf-8-sig")["body"][0]
    assert body.startswith("'-2+3+cmd")


def test_json_outputs_keep_what_was_printed(injected):
    records = [json.loads(line) for line in (injected / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert any(r["record"] == "article" and r["body"][0].startswith("-2+3+cmd") for r in records)


def test_archive_export_csvs_hold_no_live_formula(tmp_path):
    dump = tmp_path / "in" / "inj.txt"
    dump.parent.mkdir()
    dump.write_text(INJECTION_DUMP, encoding="utf-8")
    db = tmp_path / "a.duckdb"
    assert main(["ingest", str(dump.parent), "--db", str(db), "--workers", "1"]) == 0
    import duckdb
    with duckdb.connect(str(db), read_only=True) as con:  # the archive keeps what was printed
        assert HYPERLINK in {r for (r,) in con.execute('SELECT "row" FROM cells').fetchall()}
    assert main(["export", "--db", str(db), "-o", str(tmp_path / "exp")]) == 0
    files = [tmp_path / "exp" / "flags.csv", *(tmp_path / "exp" / "series").glob("*.csv")]
    assert len(files) == 2
    for path in files:
        assert live(csv_cells(path)) == [], path.name
    assert "'" + HYPERLINK in csv_cells(files[1]) and "-3" in csv_cells(files[1])


MARKUP_DUMP = (
    "<script>alert(1)</script>燃气报警器安装情况统计表\n"
    "县市区\t户数\t已安装数\t安装率\t名次\n"
    "<img src=x onerror=alert(2)>\t100\t50\t60.0%\t2\n"
    "温县\t200\t150\t75.0%\t1\n"
    "备注：<b onclick=alert(3)>安装率</b>=已安装数/户数。\n"
    "\n"
    "本报讯 记者从市住建局获悉，<iframe src=javascript:alert(4)></iframe>全市燃气报警器安装工作进展顺利，"
    "各县市区按照要求推进，截至目前已完成大部分任务，群众反映良好，下一步将继续加大工作力度。\n"
)


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.handlers, self.scripts, self.text = [], [], 0, []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        self.scripts += tag == "script"

    def handle_data(self, data):
        self.text.append(data)


def test_report_shows_markup_in_titles_labels_notes_and_articles_as_text(tmp_path):
    dump = tmp_path / "<i onmouseover=alert(5)>page.txt"
    dump.write_text(MARKUP_DUMP, encoding="utf-8")
    assert main(["extract", str(dump), "-o", str(tmp_path / "out")]) == 0
    parser = Tags()
    parser.feed((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    assert not {"img", "iframe", "i"} & set(parser.tags) and parser.handlers == [] and parser.scripts == 1
    text = "".join(parser.text)
    for markup in ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "<b onclick=alert(3)>",
                   "<iframe src=javascript:alert(4)>", "<i onmouseover=alert(5)>page.txt"):
        assert markup in text   # shown to the reader as the page printed it
