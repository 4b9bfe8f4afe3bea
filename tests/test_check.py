"""The checks stage on its own: tables built from hand-checked truth, and copies with errors planted in them."""
import copy
from decimal import Decimal

import pytest

from conftest import table_from_truth
from extractor.check import check_table
from extractor.numbers import parse_number
from extractor.roles import read_note, role_of
from schemas.flags import PRINTING_ERRORS, FlagKind

ERROR_KINDS = {k.value for k in PRINTING_ERRORS}


def kinds(flags):
    return [(f.kind.value, f.row) for f in flags]


def squeeze(s):
    return "".join((s or "").split())


def test_every_truth_table_gives_exactly_its_expected_findings(seed_truth):
    for truth in seed_truth:
        flags = check_table(table_from_truth(truth))
        found = {(f.kind.value, squeeze(f.row)) for f in flags}
        for expected in truth["expected_flags"]:
            if expected.get("row"):
                assert (expected["kind"], squeeze(expected["row"])) in found, (truth["id"], expected, kinds(flags))
            else:
                assert expected["kind"] in {k for k, _ in found}, (truth["id"], expected)
        expected_kinds = {e["kind"] for e in truth["expected_flags"]}
        spurious = [f for f in flags if f.kind.value in ERROR_KINDS | {"rank_rule", "zero_denominator",
                                                                       "denominator_mismatch"}
                    and f.kind.value not in expected_kinds]
        assert not spurious, (truth["id"], kinds(spurious))


def test_rank_rule_is_reported_once_per_rank_column_not_per_row(seed_truth):
    truth = next(t for t in seed_truth if t["id"] == "000-nonresidential")
    flags = check_table(table_from_truth(truth))
    rule = [f for f in flags if f.kind == FlagKind.rank_rule]
    rank_columns = sum(1 for c in truth["columns"] if c[-1] == "名次")
    assert len(rule) == rank_columns
    assert not [f for f in flags if f.kind == FlagKind.rank_mismatch]


def planted(truth, row, col, value):
    t = copy.deepcopy(truth)
    t["rows"][row]["values"][col] = value
    return t


def test_planted_wrong_rate_is_flagged_with_the_recomputed_value(seed_truth):
    truth = next(t for t in seed_truth if t["id"] == "000-residential")
    col = [c[-1] for c in truth["columns"]].index("安装率")
    flags = check_table(table_from_truth(planted(truth, 3, col, "32.1%")))
    wrong = [f for f in flags if f.kind == FlagKind.rate_mismatch]
    assert len(wrong) == 1 and wrong[0].row == truth["rows"][3]["label"]
    num, den = (Decimal(truth["rows"][3]["values"][i]) for i in (col - 1, col - 2))
    assert wrong[0].expected == f"{(num / den * 100).quantize(Decimal('0.1'))}%"


def test_two_swapped_ranks_give_two_rank_mismatches_and_no_rule_finding(seed_truth):
    truth = next(t for t in seed_truth if t["id"] == "000-residential")
    col = [c[-1] for c in truth["columns"]].index("名次")
    t = copy.deepcopy(truth)
    a, b = t["rows"][0]["values"][col], t["rows"][1]["values"][col]
    t["rows"][0]["values"][col], t["rows"][1]["values"][col] = b, a
    flags = check_table(table_from_truth(t))
    wrong = [f for f in flags if f.kind == FlagKind.rank_mismatch]
    assert sorted(f.row for f in wrong) == sorted([t["rows"][0]["label"], t["rows"][1]["label"]])
    assert {f.expected for f in wrong} == {a, b}
    assert not [f for f in flags if f.kind == FlagKind.rank_rule]


def test_wrong_total_is_flagged_and_right_totals_are_not(seed_truth):
    truth = next(t for t in seed_truth if t.get("total"))
    assert not [f for f in check_table(table_from_truth(truth)) if f.kind == FlagKind.total_mismatch]
    t = copy.deepcopy(truth)
    t["total"]["values"][1] = str(int(t["total"]["values"][1]) + 100)
    wrong = [f for f in check_table(table_from_truth(t)) if f.kind == FlagKind.total_mismatch]
    assert len(wrong) == 1
    assert wrong[0].expected == truth["total"]["values"][1]


def test_ranks_following_dense_ranking_are_a_rule_finding(seed_truth):
    truth = next(t for t in seed_truth if t["id"] == "000-rectification")
    col = 3  # 名次 of 整改率: printed with shared ranks 1,1,… for ties at 100%
    t = copy.deepcopy(truth)
    shared = sorted({int(r["values"][col]) for r in t["rows"]})
    for r in t["rows"]:
        r["values"][col] = str(shared.index(int(r["values"][col])) + 1)
    rule = [f for f in check_table(table_from_truth(t)) if f.kind == FlagKind.rank_rule and "名次" in f.column]
    assert rule and "dense" in rule[0].message


@pytest.mark.parametrize("printed,value,odd", [
    ("14.9%", 14.9, False), ("１", 1.0, True), ("100.%", 100.0, True), ("87,326", 87326.0, False),
    ("0.00%", 0.0, False), ("", None, False),
])
def test_parse_number(printed, value, odd):
    p = parse_number(printed)
    assert p.value == value
    assert bool(p.oddity) == odd


def test_roles_come_from_the_vocabulary():
    assert [role_of(w) for w in ["户数", "已安装数", "安装率", "名次", "环比新增安装数", "发现问题隐患数", "执法检查次数"]] == \
        ["denominator", "numerator", "rate", "rank", "increment", "denominator", "count"]


def test_note_rules_are_read():
    rules = read_note("1.整改率=问题整改数/发现问题隐患数*100%，整改率高的排名高，整改率同样的以整改数多的优先排名；"
                      "2.执法检查排名以执法检查次数为依据，检查次数高的排名高； 3.执法处罚次数高的排名高。")
    assert ("整改率", "问题整改数", "发现问题隐患数") in rules.formulas
    assert any(by == "整改数" for _, by in rules.tiebreaks)
    assert any(by == "执法检查次数" for _, by in rules.bases)
    assert any(by == "执法处罚次数" for _, by in rules.bases)
