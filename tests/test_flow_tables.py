"""Tables rebuilt from text dumps, checked against the hand-checked truth in ../shared/truth, and against
variants of the seed dumps built here (rows removed or reordered, a column group dropped, a title or a
value changed) so that nothing rests on these rows, columns or titles."""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from extractor.flow_tables import tables_from_text
from extractor.hints import load_layout, load_roles, squeeze
from extractor.read_text import read_text_dump
from schemas.document import Page
from schemas.table import Table

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
HALF_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# The nested table the truth leaves out (see ../shared/truth/README.md): it must come back unparsed.
NESTED_TABLE_WORDS = "老旧管网改造"
NEW_TITLE = "某市燃气用户安全装置检查汇总表"
FLOW_VALUE = re.compile(r"^[0-9０-９.%]+$")


# ---- loading ------------------------------------------------------------------------------------------

def shared(*parts: str) -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared folder missing: {SHARED}")
    return SHARED.joinpath(*parts)


def truth(prefix: str) -> list[dict]:
    return json.loads(shared("truth", f"seed{prefix}.json").read_text(encoding="utf-8"))


def seed_lines(prefix: str) -> tuple[str, list[str]]:
    path = next(shared("seeds").glob(f"{prefix}_*.txt"))
    return path.name, read_text_dump(path)[0].lines


def parse(lines: list[str], source: str = "variant.txt") -> list[Table]:
    return tables_from_text(Page(kind="text", source=source, page=1, lines=lines), load_layout())


def by_title(tables: list[Table], title: str) -> Table:
    matches = [t for t in tables if t.title == title]
    assert len(matches) == 1, f"{title!r} among {[t.title for t in tables]}"
    return matches[0]


# ---- comparison with truth ----------------------------------------------------------------------------

def half(text: str) -> str:
    return text.translate(HALF_WIDTH_DIGITS)


def full_width_parens(text: str) -> str:
    return squeeze(text).replace("(", "（").replace(")", "）")


def assert_matches_truth(table: Table, expected: dict) -> None:
    assert table.unparsed_reason is None, table.unparsed_reason
    assert table.title == expected["title"]
    assert table.date == expected["date"]
    assert full_width_parens(table.label_header) == full_width_parens(expected["label_header"])
    assert table.note == expected["note"]
    assert [c.path for c in table.columns] == expected["columns"]
    body = [r for r in table.rows if not r.is_total]
    assert [squeeze(r.label) for r in body] == [squeeze(r["label"]) for r in expected["rows"]]
    for row, want in zip(body, expected["rows"]):
        assert [half(c.printed) for c in row.cells] == want["values"], row.label
    totals = [r for r in table.rows if r.is_total]
    if "total" in expected:
        assert [(squeeze(r.label), [half(c.printed) for c in r.cells]) for r in totals] == \
            [(squeeze(expected["total"]["label"]), expected["total"]["values"])]
    else:
        assert totals == []


@pytest.mark.parametrize("prefix, layout", [("000", "flow"), ("001", "tsv")])
def test_truth_tables(prefix, layout):
    source, lines = seed_lines(prefix)
    tables = parse(lines, source)
    for expected in truth(prefix):
        table = by_title(tables, expected["title"])
        assert table.layout == layout
        assert table.source == expected["source"]
        assert_matches_truth(table, expected)


def test_nested_table_comes_back_unparsed_with_its_raw_text():
    source, lines = seed_lines("000")
    tables = parse(lines, source)
    truth_titles = {t["title"] for t in truth("000")}
    others = [t for t in tables if t.title not in truth_titles]
    assert len(others) == 1 and NESTED_TABLE_WORDS in others[0].title
    nested = others[0]
    assert (nested.columns, nested.rows) == ([], [])
    assert nested.unparsed_reason
    raw = nested.raw_text.split("\n")
    assert raw[0].strip() == nested.title
    start = [line.strip() for line in lines].index(nested.title)
    assert raw == lines[start:start + len(raw)]                     # a contiguous slice of the page
    assert any(line.startswith("备注") for line in raw)
    totals = [line for line in lines[start:] if squeeze(line) == "合计"]      # the per-group totals end it
    assert [line for line in raw if squeeze(line) == "合计"] == totals


# ---- variants of the column-flowed dump ---------------------------------------------------------------

class FlowDump:
    """Where a truth table of the flowed dump sits: its title line, row-label lines and value runs.
    Found from the truth (row labels, number of columns), not from the code under test."""

    def __init__(self, lines: list[str], expected: dict):
        self.lines = list(lines)
        self.expected = copy.deepcopy(expected)
        stripped = [line.strip() for line in lines]
        self.title = stripped.index(expected["title"])
        self.labels = []
        at = self.title
        for row in expected["rows"]:
            at = next(i for i in range(at + 1, len(lines)) if squeeze(lines[i]) == squeeze(row["label"]))
            self.labels.append(at)
        n, values = len(expected["rows"]), []
        for i in range(at + 1, len(lines)):
            if len(values) == n * len(expected["columns"]):
                break
            if FLOW_VALUE.match(stripped[i]):
                values.append(i)
        self.runs = [values[k:k + n] for k in range(0, len(values), n)]

    def header_line(self, word: str) -> int:
        return next(i for i in range(self.title, len(self.lines)) if self.lines[i].strip() == word)


def flow_table(title: str) -> tuple[list[str], dict]:
    _, lines = seed_lines("000")
    return lines, next(t for t in truth("000") if t["title"] == title)


# for parametrize: empty (pytest skips those tests, saying so) when ../shared is absent
FLOW_TITLES = [t["title"] for t in json.loads((SHARED / "truth" / "seed000.json").read_text(encoding="utf-8"))] \
    if (SHARED / "truth" / "seed000.json").is_file() else []


def flow_titles() -> list[str]:
    """Titles of the column-flowed tables of seed 000 (the test skips when ../shared is absent)."""
    return [t["title"] for t in truth("000")]


def remove_rows(lines: list[str], expected: dict, drop: list[int]) -> tuple[list[str], dict]:
    dump = FlowDump(lines, expected)
    gone = {dump.labels[k] for k in drop} | {run[k] for run in dump.runs for k in drop}
    want = copy.deepcopy(expected)
    want["rows"] = [r for k, r in enumerate(expected["rows"]) if k not in drop]
    return [line for i, line in enumerate(lines) if i not in gone], want


def reorder_rows(lines: list[str], expected: dict, order: list[int]) -> tuple[list[str], dict]:
    dump = FlowDump(lines, expected)
    out = list(lines)
    for slots in [dump.labels] + dump.runs:
        for new, old in zip(slots, order):
            out[new] = lines[slots[old]]
    want = copy.deepcopy(expected)
    want["rows"] = [expected["rows"][k] for k in order]
    return out, want


@pytest.mark.parametrize("title", FLOW_TITLES)
def test_flow_rows_removed(title):
    lines, expected = flow_table(title)
    variant, want = remove_rows(lines, expected, [0, 4, 10])
    assert_matches_truth(by_title(parse(variant), title), want)


@pytest.mark.parametrize("title", FLOW_TITLES)
def test_flow_rows_reordered(title):
    lines, expected = flow_table(title)
    order = list(reversed(range(len(expected["rows"]))))
    variant, want = reorder_rows(lines, expected, order)
    assert_matches_truth(by_title(parse(variant), title), want)


def test_flow_row_renamed_and_value_changed():
    title = flow_titles()[0]
    lines, expected = flow_table(title)
    dump = FlowDump(lines, expected)
    variant, want = list(lines), copy.deepcopy(expected)
    variant[dump.labels[0]] = "新 城 区"
    want["rows"][0]["label"] = "新城区"
    variant[dump.runs[1][2]] = "54321"
    want["rows"][2]["values"][1] = "54321"
    variant[dump.title] = NEW_TITLE
    want["title"] = NEW_TITLE
    assert_matches_truth(by_title(parse(variant), NEW_TITLE), want)


def test_flow_column_group_dropped():
    title = flow_titles()[0]
    lines, expected = flow_table(title)
    groups = list(dict.fromkeys(c[0] for c in expected["columns"]))
    dropped, following = groups[1], groups[2]
    dump = FlowDump(lines, expected)
    start, end = dump.header_line(dropped), dump.header_line(following)
    variant = lines[:start] + lines[end:]
    keep = [k for k, c in enumerate(expected["columns"]) if c[0] != dropped]
    want = copy.deepcopy(expected)
    want["columns"] = [expected["columns"][k] for k in keep]
    for row in want["rows"]:
        row["values"] = [row["values"][k] for k in keep]
    assert_matches_truth(by_title(parse(variant), title), want)


def test_flow_total_row_without_ranks():
    """A 合计 row added after the last label: its rank cells are not printed, so rank runs are one short."""
    title = flow_titles()[0]
    lines, expected = flow_table(title)
    dump = FlowDump(lines, expected)
    ranks = set(load_roles()["rank"]["words"])
    inserts = {dump.labels[-1]: "合 计"}
    for run, path in zip(dump.runs, expected["columns"]):
        if path[-1] not in ranks:
            inserts[run[-1]] = "999"
    variant = []
    for i, line in enumerate(lines):
        variant.append(line)
        if i in inserts:
            variant += ["", inserts[i]]
    want = copy.deepcopy(expected)
    want["total"] = {"label": "合计", "values": ["" if p[-1] in ranks else "999" for p in expected["columns"]]}
    assert_matches_truth(by_title(parse(variant), title), want)


def test_flow_run_of_wrong_length_is_unparsed_not_a_wrong_grid():
    title = flow_titles()[0]
    lines, expected = flow_table(title)
    dump = FlowDump(lines, expected)
    variant = [line for i, line in enumerate(lines) if i != dump.runs[3][5]]
    table = by_title(parse(variant), title)
    assert (table.columns, table.rows) == ([], [])
    assert table.unparsed_reason and table.raw_text.startswith(lines[dump.title])


# ---- variants of the tab-separated dump ---------------------------------------------------------------

def tsv_table() -> tuple[list[str], dict, dict[str, int]]:
    _, lines = seed_lines("001")
    expected = truth("001")[0]
    labels = [r["label"] for r in expected["rows"]] + [expected["total"]["label"]]
    rows = {squeeze(line.split("\t")[0]): i for i, line in enumerate(lines)
            if "\t" in line and squeeze(line.split("\t")[0]) in map(squeeze, labels)}
    return lines, expected, rows


def test_tsv_rows_removed_and_reordered():
    lines, expected, rows = tsv_table()
    keep = list(reversed(expected["rows"][1:-2]))
    body = [rows[squeeze(r["label"])] for r in expected["rows"]]
    variant = lines[:body[0]] + [lines[rows[squeeze(r["label"])]] for r in keep] + lines[body[-1] + 1:]
    want = copy.deepcopy(expected)
    want["rows"] = keep
    assert_matches_truth(by_title(parse(variant), expected["title"]), want)


def test_tsv_total_removed_title_and_value_changed():
    lines, expected, rows = tsv_table()
    variant = [line for i, line in enumerate(lines) if i != rows[squeeze(expected["total"]["label"])]]
    variant[variant.index(expected["title"])] = NEW_TITLE
    row = rows[squeeze(expected["rows"][3]["label"])]
    cells = variant[row].split("\t")
    cells[2] = "4321"
    variant[row] = "\t".join(cells)
    want = copy.deepcopy(expected)
    del want["total"]
    want["title"] = NEW_TITLE
    want["rows"][3]["values"][1] = "4321"
    assert_matches_truth(by_title(parse(variant), NEW_TITLE), want)


def test_tsv_column_group_dropped():
    lines, expected, _ = tsv_table()
    dropped = expected["columns"][0][0]
    gone = {k + 1 for k, c in enumerate(expected["columns"]) if c[0] == dropped}   # +1: the label column
    variant = ["\t".join(c for k, c in enumerate(line.split("\t")) if k not in gone) if "\t" in line else line
               for line in lines]
    keep = [k for k, c in enumerate(expected["columns"]) if c[0] != dropped]
    want = copy.deepcopy(expected)
    want["columns"] = [expected["columns"][k] for k in keep]
    for row in want["rows"] + [want["total"]]:
        row["values"] = [row["values"][k] for k in keep]
    assert_matches_truth(by_title(parse(variant), expected["title"]), want)


# ---- article text around and inside a flowed table ---------------------------------------------

ARTICLE = "本报讯（记者）9月23日，全市召开燃气安全工作推进会，部署下一步重点工作。"
VERTICAL_HEADLINE = list("提升城市文明程度夯实民生幸福")


def test_flow_article_paragraph_between_columns_is_skipped():
    title = flow_titles()[0]
    lines, expected = flow_table(title)
    groups = list(dict.fromkeys(c[0] for c in expected["columns"]))
    at = FlowDump(lines, expected).header_line(groups[2])
    variant = lines[:at] + [ARTICLE, "", ARTICLE[:14], ARTICLE[14:], ""] + lines[at:]
    assert_matches_truth(by_title(parse(variant), title), expected)


def test_flow_vertical_headline_after_table_is_article_text():
    source, lines = seed_lines("000")
    expected = truth("000")[0]
    end = FlowDump(lines, expected).runs[-1][-1]
    variant = lines[:end + 1] + [""] + VERTICAL_HEADLINE + [""] + lines[end + 1:]
    tables = parse(variant, source)
    assert len(tables) == len(parse(lines, source))
    assert_matches_truth(by_title(tables, expected["title"]), expected)


def test_title_like_headline_over_article_text_is_no_table():
    _, lines = seed_lines("002")
    variant = ["全市燃气安全检查情况统计表", "", ARTICLE, ""] + lines
    assert parse(variant) == []


def test_flow_header_word_broken_over_paragraphs_is_rejoined():
    """A leaf word split by a blank line ('问题整' / '改数') is still one word, not a group and a leaf."""
    title = flow_titles()[2]
    lines, expected = flow_table(title)
    dump = FlowDump(lines, expected)
    leaf = expected["columns"][1][-1]
    at = next(i for i in range(dump.labels[-1], dump.runs[1][0])
              if lines[i].strip() and leaf.startswith(lines[i].strip()) and lines[i].strip() != leaf)
    variant = lines[:at + 1] + [""] + lines[at + 1:]
    assert_matches_truth(by_title(parse(variant), title), expected)
