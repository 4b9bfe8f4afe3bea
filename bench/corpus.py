#!/usr/bin/env python3
"""A generator of random newspaper-like pages carrying Chinese ranking tables (and other tables), with exact
ground truth, for benchmarking the table extractor on variety it was not tuned to.

    python bench/corpus.py --out bench/corpus_out --pdf 300 --scans 100 --seed 1 [--jobs 2]

Every page varies independently (each choice is drawn per page or per table and recorded in the truth meta):
producer (reportlab, chromium, wkhtmltopdf, libreoffice from .docx / .xlsx), CJK font family, rule style (ruled,
three-line, none), header depth 1–3 with spans, mixed depths and words broken over two lines, row-label kinds,
panels side by side, total / subtotal / footer rows, blank and 未填报 cells, table kinds (ranking, statement,
schedule, price list, score list), title / date / unit / note forms, orientation, tables among article columns,
table-free pages, and planted printing errors (wrong rate, rank, total) listed in expected_flags.

Before a page is written, the truth of each table is checked by `check_truth` (independent of the extractor):
every rate, rank, subtotal, total and footer is recomputed from the printed values, and the disagreements must be
exactly the planted ones. Output (one folder, deterministic for a seed):
  <page>.pdf / .png / .jpg     the page
  <page>.truth.json            list of tables in the format of extractor/evaluate.py (empty list: table-free page)
  corpus.jsonl                 one line per page file with its page-level meta
"""
from __future__ import annotations

import argparse
import copy
import glob
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = REPO.parent / "shared"
TEMPLATES = HERE / "corpus_templates"


class TruthError(AssertionError):
    """The truth of a table disagrees with itself beyond the planted errors."""


# =========================================================================================== vocabulary

COUNTIES = ["沁阳市", "孟州市", "温县", "博爱县", "武陟县", "修武县", "解放区", "山阳区", "马村区", "中站区", "示范区"]
COUNTY_GROUPS = [("县（市）", COUNTIES[:6]), ("城区", COUNTIES[6:])]
BUREAUS = ["市住建局", "市城管局", "市公安局", "市市场监管局", "市应急管理局", "市消防救援支队", "市交通运输局",
           "市教育局", "市卫健委", "市商务局", "市文广旅局", "市民政局", "市自然资源和规划局", "市生态环境局",
           "市水利局", "市农业农村局", "市财政局", "市发展改革委", "市工业和信息化局", "市人社局"]
COMPANY_PLACES = ["焦作", "焦作市", "沁阳市", "孟州市", "温县", "博爱县", "武陟县", "修武县"]
COMPANY_NAMES = ["中裕", "华润", "新奥", "港华", "昆仑", "豫燃", "恒通", "鑫源", "宏达", "金源", "瑞丰", "通达", "安泰"]
COMPANY_SUFFIXES = ["燃气有限公司", "燃气有限责任公司", "天然气有限公司", "液化气有限公司", "燃气公司"]
STREETS = {
    "解放区": ["焦西街道", "焦南街道", "焦北街道", "民主街道", "新华街道", "七百间街道", "上白作街道", "王褚街道"],
    "山阳区": ["百间房街道", "太行街道", "东方红街道", "光亚街道", "艺新街道", "焦东街道", "中星街道", "定和街道",
            "新城街道"],
    "马村区": ["待王街道", "马村街道", "冯营街道", "九里山街道", "演马街道", "安阳城街道"],
    "中站区": ["府城街道", "朱村街道", "月山街道", "王封街道", "李封街道", "冯封街道", "龙洞街道", "许衡街道"],
    "示范区": ["文苑街道", "阳庙街道", "李万街道", "宁郭街道"],
}
PRODUCE = [("大白菜", "元/斤"), ("土豆", "元/斤"), ("西红柿", "元/斤"), ("黄瓜", "元/斤"), ("茄子", "元/斤"),
           ("青椒", "元/斤"), ("芹菜", "元/斤"), ("白萝卜", "元/斤"), ("胡萝卜", "元/斤"), ("大葱", "元/斤"),
           ("猪肉（精瘦肉）", "元/斤"), ("牛肉", "元/斤"), ("羊肉", "元/斤"), ("鸡蛋", "元/斤"), ("白条鸡", "元/斤"),
           ("大米", "元/公斤"), ("面粉", "元/公斤"), ("花生油", "元/5升"), ("菜籽油", "元/5升"), ("苹果", "元/斤"),
           ("香蕉", "元/斤"), ("带鱼", "元/斤")]
STATEMENT_ITEMS = ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"]
PLACES_FOR_SCHEDULE = ["市民广场", "人民公园", "龙源湖公园", "市体育中心", "焦作万达广场", "丰收路社区", "解放区政府广场",
                       "山阳区文化中心", "塔南路社区", "幸福街社区", "市图书馆", "建设路小学"]
ACTIVITIES = ["燃气安全宣传", "消防安全演练", "垃圾分类宣传", "文明城市创建", "安全生产培训", "应急知识讲座",
              "入户安全检查", "志愿服务活动", "城市管理开放日", "普法宣传"]
STOCKS = ["焦作万方", "多氟多", "佰利联", "中原内配", "风神股份", "焦煤集团", "蒙牛焦作", "龙蟒佰利", "隆丰皮草", "中轴股份"]
REPORTERS = ["徐金华", "贾定兴", "陈彬", "詹长松", "高小豹", "刘金元", "郭剑", "王玉", "李晓帆", "张毅力", "杨帆", "赵改玲"]
SECTIONS = ["城市管理", "政务要闻", "综合新闻", "要闻", "专版", "经济", "社会"]
WEEK = "一二三四五六日"

SYNTH_HEADLINES = [
    "市城管局召开燃气安全专项整治推进会", "我市扎实推进燃气用户安全装置加装工作", "全市入户安全检查工作进展顺利",
    "示范区全力推进老旧管网改造", "温县开展燃气安全进社区宣传活动", "山阳区多措并举提升城市精细化管理水平",
    "修武县扎实开展城镇燃气安全隐患排查", "马村区持续推进背街小巷整治提升", "解放区召开垃圾分类工作推进会",
    "中站区开展城市管理领域安全生产大检查", "孟州市燃气安全整治取得阶段性成效", "沁阳市推进燃气报警器安装全覆盖",
    "博爱县城管局开展“马路办公”活动", "武陟县全面开展城镇燃气安全排查整治", "守护万家灯火 筑牢安全防线",
    "小网格 大作为", "城市管理“绣花功夫”见成效", "燃气安全无小事 责任落实是关键",
]

# ---- ranking themes: (group levels, leaf words). Each group carries den, num, [inc], [count], rate, [rank].
THEMES = [
    {"name": "devices", "title": "焦作市燃气{user}用户安全装置加装情况{suffix}", "user": ["居民", "非居民"],
     "suffix": ["统计表", "进度表", "情况表"],
     "l1": ["燃气报警器", "联动切断装置", "自闭阀", "金属软管"], "l2": ["管道气", "液化气"],
     "den": ["户数", "应安装户数"], "num": ["已安装数", "已安装户数"], "inc": ["环比新增安装数", "本周新增"],
     "rate": ["安装率"], "count": [], "unit": "单位：户", "range": (150, 90000), "share_den": True},
    {"name": "inspection", "title": "焦作市燃气用户入户安全检查{suffix}", "suffix": ["进度表", "情况统计表", "任务完成情况统计表"],
     "l1": ["居民用户", "非居民用户"], "l2": ["管道气", "液化气"],
     "den": ["应检户数", "任务数"], "num": ["已检户数", "完成数"], "inc": ["本周新增"], "rate": ["检查率", "完成率"],
     "count": [], "unit": "单位：户", "range": (200, 60000), "share_den": True},
    {"name": "rectify", "title": "焦作市燃气安全隐患整改情况{suffix}", "suffix": ["统计表", "通报表", "排名表"],
     "l1": ["一般隐患", "较大隐患"], "l2": ["居民", "非居民"],
     "den": ["发现问题隐患数", "应整改数"], "num": ["问题整改数", "整改数"], "inc": ["本周新增"], "rate": ["整改率"],
     "count": ["未整改数"], "unit": "单位：处", "range": (20, 3000), "share_den": False},
    {"name": "tasks", "title": "焦作市城市更新重点任务完成情况{suffix}", "suffix": ["统计表", "排名表", "一览表"],
     "l1": ["老旧小区改造", "背街小巷整治", "老旧管网改造"], "l2": ["上半年", "下半年"],
     "den": ["任务数", "年度任务"], "num": ["完成数", "已完成"], "inc": ["本月新增"], "rate": ["完成率"],
     "count": ["未完成数"], "unit": "单位：个", "range": (5, 400), "share_den": False},
    {"name": "garbage", "title": "焦作市生活垃圾分类工作推进情况{suffix}", "suffix": ["排名表", "统计表"],
     "l1": ["小区覆盖", "公共机构覆盖"], "l2": ["城区", "乡镇"],
     "den": ["应覆盖数", "计划数"], "num": ["已覆盖数", "完成数"], "inc": ["本月新增"], "rate": ["覆盖率"],
     "count": [], "unit": "单位：个", "range": (10, 900), "share_den": False},
]

BREAKS = {"名次": ("名", "次"), "已安装户数": ("已安装", "户数"), "已安装数": ("已安装", "数"),
          "环比新增安装数": ("环比新增", "安装数"), "发现问题隐患数": ("发现问题", "隐患数"), "应安装户数": ("应安装", "户数"),
          "问题整改数": ("问题", "整改数"), "应检户数": ("应检", "户数"), "已检户数": ("已检", "户数"),
          "未整改数": ("未整", "改数"), "本周新增": ("本周", "新增"), "本月新增": ("本月", "新增"), "综合得分": ("综合", "得分"),
          "县（市、区）": ("县", "（市、区）"), "应覆盖数": ("应覆", "盖数"), "已覆盖数": ("已覆", "盖数"),
          "安装率": ("安装", "率"), "完成率": ("完成", "率"), "整改率": ("整改", "率"), "发放资料（份）": ("发放资料", "（份）")}


# =========================================================================================== numbers

def fmt_rate(num: int, den: int, decimals: int, percent: bool) -> str:
    value = (Decimal(num) * 100 / Decimal(den)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{value}{'%' if percent else ''}"


def parse_number(text: str) -> Decimal | None:
    """A printed figure: 12345, 1,234, 14.9%, -3.20, +0.10; None for blank, —, 未填报 and words."""
    s = unicodedata.normalize("NFKC", text or "").strip().replace(",", "")
    s = s.rstrip("%")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", s):
        return None
    return Decimal(s)


def decimals_of(text: str) -> int:
    s = unicodedata.normalize("NFKC", text).rstrip("%")
    return len(s.split(".")[1]) if "." in s else 0


def round_rate(num: Decimal, den: Decimal, decimals: int) -> Decimal:
    return (num * 100 / den).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


# =========================================================================================== truth self-check

def row_kinds(table: dict) -> list[str]:
    return ["sub" if re.sub(r"\s+", "", r["label"]) == table["meta"].get("subtotal_label", "小计") else "data"
            for r in table["rows"]]


def recompute_findings(table: dict) -> list[tuple[str, str, int]]:
    """(kind, row label, column index) for every printed figure the table's own numbers contradict. Independent of
    the extractor: uses only the printed strings and the check spec in meta["checks"] (which columns are a rate's
    numerator and denominator, which column a rank ranks and its tie column, which columns add up)."""
    checks = table["meta"].get("checks") or {}
    n_cols = len(table["columns"])
    for r in table["rows"] + ([table["total"]] if table.get("total") else []):
        if len(r["values"]) != n_cols:
            raise TruthError(f"{table['id']}: row {r['label']} has {len(r['values'])} values for {n_cols} columns")
    kinds = row_kinds(table)
    rows = table["rows"]
    data = [r for r, k in zip(rows, kinds) if k == "data"]
    found: list[tuple[str, str, int]] = []
    num = lambda r, c: parse_number(r["values"][c])  # noqa: E731
    every = rows + ([table["total"]] if table.get("total") else [])
    for rate_c, num_c, den_c in checks.get("rates", []):
        for r in every:
            n, d, p = num(r, num_c), num(r, den_c), num(r, rate_c)
            if n is None or d is None or p is None or d == 0:
                continue
            if round_rate(n, d, decimals_of(r["values"][rate_c])) != p:
                found.append(("rate_mismatch", r["label"], rate_c))
    for spec in checks.get("ranks", []):
        rc = spec["col"]
        ranked = [r for r in data if num(r, rc) is not None]
        keys = []
        for r in ranked:
            if spec.get("rate"):
                n, d = num(r, spec["rate"][0]), num(r, spec["rate"][1])
                basis = Fraction(n) / Fraction(d) if d else Fraction(0)
            else:
                basis = Fraction(num(r, spec["by"]))
            sign = 1 if spec.get("descending", True) else -1
            tie = Fraction(num(r, spec["tie"]) or 0) if spec.get("tie") is not None else Fraction(0)
            keys.append((sign * basis, tie))
        for r, k in zip(ranked, keys):
            expected = 1 + sum(1 for o in keys if o > k)
            if Decimal(expected) != num(r, rc):
                found.append(("rank_mismatch", r["label"], rc))
    sums = checks.get("sums", [])
    groups = []
    since = []
    for r, k in zip(rows, kinds):
        if k == "data":
            since.append(r)
        else:
            groups.append((r, since))
            since = []
    if table.get("total"):
        groups.append((table["total"], data))
    for total_row, members in groups:
        for c in sums:
            printed = num(total_row, c)
            if printed is None:
                continue
            values = [num(r, c) for r in members if num(r, c) is not None]
            if sum(values, Decimal(0)) != printed:
                found.append(("total_mismatch", total_row["label"], c))
    for f in table.get("footers", []):
        if f.get("column") is None:
            continue
        c = f["col_index"]
        total = sum((num(r, c) for r in data if num(r, c) is not None), Decimal(0))
        if parse_number(f["value"]) != total:
            found.append(("total_mismatch", f["label"], c))
    return found


def check_truth(table: dict) -> None:
    """Raises TruthError unless the recomputed disagreements are exactly the planted expected_flags."""
    found = sorted(recompute_findings(table))
    expected = sorted((e["kind"], e["row"], e["col_index"]) for e in table.get("expected_flags", [])
                      if e["kind"] in ("rate_mismatch", "rank_mismatch", "total_mismatch"))
    if found != expected:
        raise TruthError(f"{table['id']}: recomputed findings {found} but planted {expected}")
    for e in table.get("expected_flags", []):
        if e.get("column") is not None and e["column"] != table["columns"][e["col_index"]]:
            raise TruthError(f"{table['id']}: flag column {e['column']} is not column {e['col_index']}")


# =========================================================================================== table generation

@dataclass
class PrintRow:
    kind: str            # data, sub, total
    label: str
    values: list[str]


@dataclass
class TableDraft:
    """A table's contents and how it is to be printed (the truth is derived from it)."""
    id: str
    kind: str
    title: str
    date: str | None
    date_printed: str | None
    label_header: str | None
    unit: str | None
    note: str | None
    columns: list[list[str]]
    rows: list[PrintRow]                     # data and subtotal rows (and the total) in logical order
    checks: dict
    flags: list[dict] = field(default_factory=list)
    footers: list[dict] = field(default_factory=list)
    labels: str = "counties"
    opts: dict = field(default_factory=dict)  # print options (rules, panels, positions, breaks …)
    meta: dict = field(default_factory=dict)


def pick_date(rng: random.Random) -> tuple[str, dict]:
    y = rng.choice([2021, 2022, 2022, 2023])
    m = rng.randint(1, 12)
    d = rng.randint(1, 28)
    import datetime
    day = datetime.date(y, m, d)
    return day.isoformat(), {"y": y, "m": m, "d": d, "week": WEEK[day.weekday()]}


def date_text(rng: random.Random, parts: dict) -> str:
    y, m, d = parts["y"], parts["m"], parts["d"]
    return rng.choice([f"（{y}.{m}.{d}）", f"{y}年{m}月{d}日", f"（{y}年{m}月{d}日）", f"截至{y}年{m}月{d}日",
                       f"（截至{y}年{m}月{d}日）"])


def make_labels(rng: random.Random, kind: str, n: int | None = None) -> tuple[list[str], str, list[int] | None]:
    """Row labels, the label header, and group sizes for subtotals (None when the labels do not group)."""
    if kind == "counties":
        wen = rng.choice(["温 县", "温县", "温　县"]) if rng.random() < 0.6 else "温县"
        labels = [wen if c == "温县" else c for c in COUNTIES]
        if rng.random() < 0.15:
            labels = labels[:-1]
        header = rng.choice(["县（市、区）", "县（市、区）", "县(市、区)", "县市区", "地区", "单位"])
        return labels, header, [6, len(labels) - 6]
    if kind == "bureaus":
        k = n or rng.randint(6, 14)
        return rng.sample(BUREAUS, k), rng.choice(["单位", "责任单位", "部门"]), None
    if kind == "companies":
        k = n or rng.randint(5, 12)
        seen = set()
        out = []
        while len(out) < k:
            name = rng.choice(COMPANY_PLACES) + rng.choice(COMPANY_NAMES) + rng.choice(COMPANY_SUFFIXES)
            if name not in seen:
                seen.add(name)
                out.append(name)
        return out, rng.choice(["企业名称", "企业", "单位", "名称"]), None
    if kind == "streets":
        districts = rng.sample(list(STREETS), rng.randint(2, 4))
        out, sizes = [], []
        for dname in districts:
            take = rng.sample(STREETS[dname], rng.randint(3, min(6, len(STREETS[dname]))))
            out += take
            sizes.append(len(take))
        return out, rng.choice(["街道", "乡镇（街道）", "区域", "单位"]), sizes
    if kind == "codes":
        k = n or rng.randint(10, 30)
        prefix = rng.choice(["A", "B", "JZ", "QY-", "WG"])
        return [f"{prefix}{i:02d}" for i in range(1, k + 1)], rng.choice(["编号", "代码", "网格编号", "站点"]), None
    raise ValueError(kind)


def ranking_note(rng: random.Random, rate: str, num: str, den: str, tie: str | None) -> tuple[str, str | None]:
    """The 备注 text and the tie column it names ("num", "den" or None)."""
    formula = rng.choice([f"{rate}={num}/{den}×100%", f"{rate}={num}/{den}*100%", f"{rate}＝{num}÷{den}×100%"])
    basis = rng.choice([f"本表以{rate}进行排名，", f"按{rate}高低排名，", f"名次按{rate}从高到低排列，", ""])
    if tie == "num":
        tie_text = rng.choice([f"{rate}相同的以{num}多的优先排名。", f"{rate}同样的以{num}多优先排名。"])
    elif tie == "den":
        tie_text = rng.choice([f"{rate}相同时按{den}多少排名。", f"{rate}相同的以{den}多的优先排名。"])
    else:
        tie_text = ""
    if basis:
        text = f"{basis}{formula}，{tie_text}" if tie_text else f"{basis}{formula}。"
    else:
        text = f"{formula}；{tie_text}" if tie_text else f"{formula}。"
    return text, tie


def size_factors(rng: random.Random, n: int) -> list[float]:
    return [math.exp(rng.uniform(-1.3, 1.3)) for _ in range(n)]


def seed_figures() -> list[list[tuple[int, int]]]:
    """(den, num) columns of the real seed tables (11 counties), to print real magnitudes now and then."""
    out = []
    for path in sorted((SHARED / "truth").glob("seed*.json")):
        for t in json.loads(path.read_text(encoding="utf-8")):
            for j, col in enumerate(t["columns"]):
                if col[-1] in ("户数", "发现问题隐患数", "应检户数") and j + 1 < len(t["columns"]):
                    pairs = []
                    for r in t["rows"][:11]:
                        d, n = parse_number(r["values"][j]), parse_number(r["values"][j + 1])
                        if d is None or n is None or d <= 0 or n > d:
                            break
                        pairs.append((int(d), int(n)))
                    if len(pairs) == 11:
                        out.append(pairs)
    return out


_SEED_FIGS: list | None = None


def gen_ranking(rng: random.Random, tid: str, labels_kind: str, max_leaves: int, depth: int | None = None,
                allow_subtotals: bool = True) -> TableDraft:
    global _SEED_FIGS
    themes = [t for t in THEMES if labels_kind != "companies" or t["name"] in ("devices", "inspection", "rectify")]
    theme = rng.choice(themes)
    depth = depth or rng.choice([1, 2, 2, 3, 3])
    den_w, num_w, rate_w = rng.choice(theme["den"]), rng.choice(theme["num"]), rng.choice(theme["rate"])
    has_inc = rng.random() < 0.25
    inc_w = rng.choice(theme["inc"])
    has_count = bool(theme["count"]) and rng.random() < 0.4
    count_w = theme["count"][0] if theme["count"] else None
    has_rank_any = rng.random() < 0.92
    percent = rng.random() < 0.85
    rate_header = rate_w if percent else rate_w + rng.choice(["（%）", "(%)"])
    decimals = rng.choice([0, 1, 1, 1, 2, 2])
    leaves_per_group = 3 + has_inc + has_count + has_rank_any
    # groups: tuples of header words above the leaves
    if depth == 1:
        groups = [()]
    elif depth == 2:
        words = theme["l1"] if rng.random() < 0.7 else theme["l2"]
        k = max(1, min(len(words), rng.randint(1, 3), max_leaves // leaves_per_group))
        groups = [(w,) for w in rng.sample(words, k) ]
        if len(groups) == 1 and rng.random() < 0.5 and len(words) > 1:
            groups = [(w,) for w in words[:2]]
    else:
        l1 = rng.sample(theme["l1"], rng.randint(1, min(3, len(theme["l1"]))))
        groups = []
        for a in l1:
            l2 = theme["l2"][:rng.choice([1, 2, 2])]
            groups += [(a, b) for b in l2]
        while len(groups) * leaves_per_group > max_leaves and len(groups) > 1:
            groups.pop()
    groups = [g for g in groups]
    if len(groups) * leaves_per_group > max_leaves:
        has_inc = has_count = False
        leaves_per_group = 3 + has_rank_any
    # mixed depth: in a 3-level table, a device with one gas subgroup prints rate (and rank) directly under it
    first_words = [g[0] for g in groups] if depth == 3 else []
    mixed = {g for g in groups if depth == 3 and first_words.count(g[0]) == 1 and rng.random() < 0.4}
    labels, label_header, group_sizes = make_labels(rng, labels_kind)
    n = len(labels)
    columns: list[list[str]] = []
    roles: list[tuple[str, int]] = []   # (role, group index)
    index_col = rng.random() < 0.12
    if index_col:
        columns.append(["序号"])
        roles.append(("id", -1))
    for gi, g in enumerate(groups):
        base = list(g)
        short = base[:1] if g in mixed else base
        columns.append(base + [den_w]); roles.append(("den", gi))
        columns.append(base + [num_w]); roles.append(("num", gi))
        if has_inc:
            columns.append(base + [inc_w]); roles.append(("inc", gi))
        if has_count:
            columns.append(base + [count_w]); roles.append(("count", gi))
        columns.append(short + [rate_header]); roles.append(("rate", gi))
        if has_rank_any:
            columns.append(short + ["名次"]); roles.append(("rank", gi))
    remark_col = rng.random() < 0.1
    if remark_col:
        columns.append(["备注"]); roles.append(("text", -1))
    # figures
    lo, hi = theme["range"]
    factors = size_factors(rng, n)
    den_keys = {}
    for gi, g in enumerate(groups):
        if theme["share_den"] and depth == 3:
            den_keys[gi] = g[1]
        elif theme["share_den"] and depth == 2 and theme["name"] == "devices" and g[0] in theme["l1"]:
            den_keys[gi] = "all"
        else:
            den_keys[gi] = gi
    if _SEED_FIGS is None:
        _SEED_FIGS = seed_figures()
    use_seed = labels_kind == "counties" and n == 11 and _SEED_FIGS and rng.random() < 0.3
    dens: dict = {}
    for key in set(den_keys.values()):
        scale = math.exp(rng.uniform(math.log(lo), math.log(hi)))
        if use_seed:
            dens[key] = [d for d, _ in rng.choice(_SEED_FIGS)]
        else:
            dens[key] = [max(lo, int(scale * f)) for f in factors]
    tie_kind = rng.choice(["num", "num", "den", None])
    note, tie_kind = ranking_note(rng, rate_w, num_w, den_w, tie_kind)
    unreported = rng.randrange(n) if rng.random() < 0.12 else None
    progress = rng.uniform(0.25, 0.97)
    nums: dict[int, list[int]] = {}
    if n > 14 and decimals == 0:
        decimals = 1
    for gi in range(len(groups)):
        d = dens[den_keys[gi]]
        vals: list[int] = []
        for i in range(n):
            for _attempt in range(300):
                if rng.random() < 0.12 and _attempt < 5:
                    v = d[i]
                else:
                    r = min(0.999, max(0.0, rng.gauss(progress, 0.18 + _attempt / 300)))
                    v = min(d[i], int(round(d[i] * r)))
                if ranking_ok(rng, d[:i + 1], vals + [v], decimals, tie_kind, unreported):
                    break
            else:
                raise RuntimeError("no tie-free figures")
            vals.append(v)
        nums[gi] = vals
    # rows
    rows: list[PrintRow] = []
    for i, label in enumerate(labels):
        values = []
        for (role, gi) in roles:
            if role == "id":
                values.append(str(i + 1))
            elif role == "text":
                values.append(rng.choice(["已完成", "数据未更新", "含新增用户"]) if rng.random() < 0.25 else "")
            elif i == unreported and role in ("num", "rate", "rank", "count", "inc"):
                values.append({"num": "未填报", "rate": "—", "rank": "—", "count": "—", "inc": ""}[role])
            elif role == "den":
                values.append(str(dens[den_keys[gi]][i]))
            elif role == "num":
                values.append(str(nums[gi][i]))
            elif role == "inc":
                values.append("" if rng.random() < 0.12 else str(rng.randint(0, max(1, nums[gi][i] // 40))))
            elif role == "count":
                values.append(str(dens[den_keys[gi]][i] - nums[gi][i]))
            elif role == "rate":
                values.append(fmt_rate(nums[gi][i], dens[den_keys[gi]][i], decimals, percent))
            elif role == "rank":
                values.append("")  # filled below
        rows.append(PrintRow("data", label, values))
    col_of = {(role, gi): j for j, (role, gi) in enumerate(roles)}
    checks = {"rates": [], "ranks": [], "sums": []}
    for gi in range(len(groups)):
        checks["rates"].append([col_of[("rate", gi)], col_of[("num", gi)], col_of[("den", gi)]])
        checks["sums"] += [col_of[("den", gi)], col_of[("num", gi)]]
        if has_inc:
            checks["sums"].append(col_of[("inc", gi)])
        if has_count:
            checks["sums"].append(col_of[("count", gi)])
        if has_rank_any:
            tie_col = {"num": col_of[("num", gi)], "den": col_of[("den", gi)], None: None}[tie_kind]
            checks["ranks"].append({"col": col_of[("rank", gi)], "rate": [col_of[("num", gi)], col_of[("den", gi)]],
                                    "tie": tie_col, "descending": True})
    fill_ranks(rows, checks)
    # total, subtotals, footers
    opts: dict = {}
    has_total = rng.random() < 0.5
    subtotals = (allow_subtotals and group_sizes and has_total and rng.random() < 0.3)
    if subtotals:
        out, k = [], 0
        for size in group_sizes:
            out += rows[k:k + size]
            out.append(PrintRow("sub", "小计", [""] * len(columns)))
            k += size
        rows = out
    if has_total:
        rows.append(PrintRow("total", rng.choice(["合计", "合计", "全市", "总计", "全市合计"]), [""] * len(columns)))
    draft = TableDraft(id=tid, kind="ranking", title="", date=None, date_printed=None, label_header=label_header,
                       unit=theme["unit"], note=note, columns=columns, rows=rows, checks=checks, labels=labels_kind)
    draft.meta.update(theme=theme["name"], mixed_depth=bool(mixed), index_column=index_col, remark_column=remark_col,
                      unreported=unreported is not None, tie=tie_kind, seed_figures=bool(use_seed),
                      rate_decimals=decimals, rate_percent=percent)
    draft.opts["roles"] = [r for r, _ in roles]
    # planted errors: rank errors among data rows first (ranks are computed before totals)
    plant = rng.random() < 0.4
    kinds_planted = []
    if plant:
        kinds_planted = rng.choices(["rate", "rank", "total"], k=rng.choice([1, 1, 2, 3]))
    for kind in kinds_planted:
        if kind == "rank":
            plant_rank(rng, draft)
    compute_totals(draft)
    for kind in kinds_planted:
        if kind == "total":
            plant_total(rng, draft)
    compute_total_rates(draft, decimals, percent)
    for kind in kinds_planted:
        if kind == "rate":
            plant_rate(rng, draft)
    # footers: a row under the table whose label spans several columns and states one total
    if rng.random() < 0.15 and not index_col:
        draft.footers = make_footers(rng, draft)
    title = theme["title"].format(user=rng.choice(theme.get("user", [""])), suffix=rng.choice(theme["suffix"]))
    if labels_kind == "companies":
        title = title.replace("焦作市", "焦作市各燃气企业")
    elif labels_kind == "streets":
        title = title.replace("焦作市", "城区各街道")
    elif labels_kind == "bureaus":
        title = title.replace("焦作市", "市直有关部门")
    draft.title = title
    draft.meta["planted"] = kinds_planted
    return draft


def ranking_ok(rng, dens, nums, decimals, tie_kind, unreported) -> bool:
    """No two rows print the same rate unless their exact rates are equal, and equal rates can be told apart by the
    tie column (or share a rank when the note names no tie rule)."""
    seen: dict[str, list[tuple[Fraction, int]]] = {}
    for i, (d, v) in enumerate(zip(dens, nums)):
        if i == unreported:
            continue
        printed = fmt_rate(v, d, decimals, False)
        exact = Fraction(v, d)
        tie = {"num": v, "den": d, None: 0}[tie_kind]
        for e, t in seen.get(printed, []):
            if e != exact or (tie_kind is not None and t == tie):
                return False
        seen.setdefault(printed, []).append((exact, tie))
    return True


def fill_ranks(rows: list[PrintRow], checks: dict) -> None:
    data = [r for r in rows if r.kind == "data"]
    for spec in checks["ranks"]:
        ranked = [r for r in data if parse_number(r.values[spec["rate"][1]]) and
                  parse_number(r.values[spec["rate"][0]]) is not None]
        keys = []
        for r in ranked:
            n, d = int(r.values[spec["rate"][0]]), int(r.values[spec["rate"][1]])
            tie = int(r.values[spec["tie"]]) if spec["tie"] is not None else 0
            keys.append((Fraction(n, d), tie))
        for r, k in zip(ranked, keys):
            r.values[spec["col"]] = str(1 + sum(1 for o in keys if o > k))


def compute_totals(draft: TableDraft) -> None:
    since: list[PrintRow] = []
    data = [r for r in draft.rows if r.kind == "data"]
    for r in draft.rows:
        members = since if r.kind == "sub" else data if r.kind == "total" else None
        if members is None:
            since.append(r)
            continue
        for c in draft.checks["sums"]:
            vals = [parse_number(m.values[c]) for m in members]
            vals = [v for v in vals if v is not None]
            r.values[c] = plain(sum(vals, Decimal(0))) if vals else ""
        if r.kind == "sub":
            since = []


def plain(d: Decimal) -> str:
    return format(d, "f")


def compute_total_rates(draft: TableDraft, decimals: int, percent: bool) -> None:
    for r in draft.rows:
        if r.kind == "data":
            continue
        for rate_c, num_c, den_c in draft.checks["rates"]:
            n, d = parse_number(r.values[num_c]), parse_number(r.values[den_c])
            r.values[rate_c] = fmt_rate(int(n), int(d), decimals, percent) if n is not None and d else ""


def add_flag(draft: TableDraft, kind: str, row: PrintRow, col: int, note: str) -> None:
    draft.flags.append({"kind": kind, "row": row.label, "column": draft.columns[col], "col_index": col,
                        "printed": row.values[col], "note": "PLANTED: " + note})


def flagged(draft: TableDraft, row: PrintRow, col: int) -> bool:
    return any(f["row"] == row.label and f["col_index"] == col for f in draft.flags)


def plant_rank(rng: random.Random, draft: TableDraft) -> None:
    cands = [(r, s["col"]) for s in draft.checks["ranks"] for r in draft.rows
             if r.kind == "data" and parse_number(r.values[s["col"]]) is not None and not flagged(draft, r, s["col"])]
    if not cands:
        return
    row, col = rng.choice(cands)
    n = sum(1 for r in draft.rows if r.kind == "data" and parse_number(r.values[col]) is not None)
    true = int(row.values[col])
    wrong = rng.choice([v for v in range(1, n + 1) if v != true] or [true + 1])
    row.values[col] = str(wrong)
    add_flag(draft, "rank_mismatch", row, col, f"ranks {true}, printed {wrong}")


def plant_total(rng: random.Random, draft: TableDraft) -> None:
    cands = [(r, c) for r in draft.rows if r.kind in ("sub", "total") for c in draft.checks["sums"]
             if parse_number(r.values[c]) is not None and not flagged(draft, r, c)]
    if not cands:
        return
    row, col = rng.choice(cands)
    true = int(parse_number(row.values[col]))
    delta = rng.choice([1, 2, 9, 10, 100, 1000, rng.randint(3, 500)]) * rng.choice([1, -1])
    if true + delta < 0:
        delta = abs(delta)
    row.values[col] = str(true + delta)
    add_flag(draft, "total_mismatch", row, col, f"the rows add up to {true}, printed {true + delta}")


def plant_rate(rng: random.Random, draft: TableDraft) -> None:
    cands = []
    for rate_c, num_c, den_c in draft.checks["rates"]:
        for r in draft.rows:
            if parse_number(r.values[rate_c]) is not None and not flagged(draft, r, rate_c) and \
                    not any(f["row"] == r.label and f["kind"] == "total_mismatch" for f in draft.flags):
                cands.append((r, rate_c))
    if not cands:
        return
    row, col = rng.choice(cands)
    text = row.values[col]
    dec = decimals_of(text)
    value = parse_number(text)
    unit = Decimal(1).scaleb(-dec)
    for _ in range(50):
        how = rng.choice(["shift", "swap", "big"])
        if how == "swap" and len(re.sub(r"\D", "", text)) >= 2:
            digits = re.sub(r"\D", "", text)
            i = rng.randrange(len(digits) - 1)
            sw = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:]
            new = Decimal(sw).scaleb(-dec)
        elif how == "big":
            new = value + unit * rng.choice([-1, 1]) * rng.randint(10, 300)
        else:
            new = value + unit * rng.choice([-1, 1]) * rng.randint(1, 9)
        new = new.quantize(unit)
        if Decimal(0) <= new <= Decimal(100) and new != value:
            break
    else:
        return
    wrong = f"{new}{'%' if text.endswith('%') else ''}"
    row.values[col] = wrong
    add_flag(draft, "rate_mismatch", row, col, f"recomputes to {text}, printed {wrong}")


def make_footers(rng: random.Random, draft: TableDraft) -> list[dict]:
    roles = draft.opts["roles"]
    out = []
    for role, word in (("den", "合计{w}"), ("num", "累计{w}")):
        if role not in roles:
            continue
        c = roles.index(role)
        leaf = draft.columns[c][-1]
        label = word.format(w=leaf if role == "den" else leaf.replace("已", "完成")) if rng.random() < 0.7 else \
            ("全市合计任务数" if role == "den" else "累计完成整治数")
        data = [r for r in draft.rows if r.kind == "data"]
        total = sum((parse_number(r.values[c]) for r in data if parse_number(r.values[c]) is not None), Decimal(0))
        out.append({"label": label, "value": plain(total), "column": draft.columns[c], "col_index": c})
        if rng.random() < 0.5:
            break
    return out


# ---- other kinds: statement, schedule, price list, score list (header paths; no planted errors) -------------

def gen_statement(rng: random.Random, tid: str, max_leaves: int) -> TableDraft:
    depth = rng.choice([1, 2, 2])
    if rng.random() < 0.5:
        labels, label_header = rng.sample(BUREAUS, rng.randint(5, 10)), rng.choice(["单位", "部门"])
        labels_kind = "bureaus"
    else:
        k = rng.randint(6, 12)
        labels, label_header, labels_kind = STATEMENT_ITEMS[:k], "月份", "months"
    if depth == 1:
        columns = [["本期"], ["上期"], ["增减额"]]
    else:
        tops = rng.choice([["收入", "支出"], ["财政拨款", "其他收入"], ["预算数", "执行数"]])
        subs = rng.choice([["本期", "上期"], ["本月", "累计"], ["本年", "上年同期"]])
        columns = [[a, b] for a in tops for b in subs]
    rows = []
    for label in labels:
        vals = []
        cents = [rng.randint(1000, 900000) for _ in columns]
        if depth == 1:
            cents[2] = cents[0] - cents[1]
        vals = [f"{Decimal(c).scaleb(-2):.2f}" for c in cents]
        rows.append(PrintRow("data", label, vals))
    sums = list(range(len(columns)))
    draft = TableDraft(id=tid, kind="statement", title="", date=None, date_printed=None, label_header=label_header,
                       unit=rng.choice(["单位：万元", "单位：元", "单位：万元"]), note=None, columns=columns, rows=rows,
                       checks={"rates": [], "ranks": [], "sums": sums}, labels=labels_kind)
    if rng.random() < 0.5:
        draft.rows.append(PrintRow("total", "合计", [""] * len(columns)))
        compute_totals(draft)
    org = rng.choice(["焦作市城市管理局", "焦作市市政设施管理所", "焦作市环境卫生服务中心", "焦作市园林绿化中心"])
    draft.title = f"{org}{rng.choice(['财务收支情况表', '收支情况统计表', '经费收支明细表'])}"
    if rng.random() < 0.4:
        draft.note = rng.choice(["本表数据未经审计。", "增减额=本期-上期。", "数据来源：市财政局国库支付系统。"])
    draft.opts["roles"] = ["count"] * len(columns)
    return draft


def gen_schedule(rng: random.Random, tid: str, max_leaves: int) -> TableDraft:
    depth = rng.choice([1, 1, 2])
    k = rng.randint(4, 9)
    import datetime
    start = datetime.date(2022, rng.randint(3, 11), rng.randint(1, 20))
    labels = [f"{(start + datetime.timedelta(days=i)).month}月{(start + datetime.timedelta(days=i)).day}日"
              for i in range(k)]
    if depth == 1:
        columns = [["时间"], ["地点"], ["活动内容"], ["责任单位"]]
    else:
        columns = [["上午", "时间"], ["上午", "地点"], ["下午", "时间"], ["下午", "地点"], ["责任单位"]]
    rows = []
    for label in labels:
        vals = []
        for col in columns:
            leaf = col[-1]
            if leaf == "时间":
                h = rng.choice([8, 9, 10]) if col[0] != "下午" else rng.choice([14, 15, 16])
                vals.append(f"{h}:{rng.choice(['00', '30'])}—{h + 2}:{rng.choice(['00', '30'])}")
            elif leaf == "地点":
                vals.append(rng.choice(PLACES_FOR_SCHEDULE))
            elif leaf == "活动内容":
                vals.append(rng.choice(ACTIVITIES))
            else:
                vals.append(rng.choice(BUREAUS))
        rows.append(PrintRow("data", label, vals))
    draft = TableDraft(id=tid, kind="schedule", title="", date=None, date_printed=None, label_header="日期",
                       unit=None, note=None, columns=columns, rows=rows, checks={"rates": [], "ranks": [], "sums": []},
                       labels="dates")
    draft.title = rng.choice(["全市燃气安全宣传活动安排表", "“城市管理开放日”活动日程安排", "安全生产月活动安排一览表",
                              "志愿服务活动安排表"])
    draft.opts["roles"] = ["text"] * len(columns)
    return draft


def gen_pricelist(rng: random.Random, tid: str, max_leaves: int) -> TableDraft:
    depth = rng.choice([1, 2])
    items = rng.sample(PRODUCE, rng.randint(6, 14))
    if depth == 1:
        columns = [["单位"], ["本期价格"], ["上期价格"], ["涨跌"]]
    else:
        columns = [["单位"], ["零售价格", "本期"], ["零售价格", "上期"], ["涨跌"]]
    rows = []
    for name, unit in items:
        now = rng.randint(80, 4000)
        before = max(10, now + rng.randint(-60, 60))
        diff = now - before
        sign = "+" if diff > 0 else ""
        rows.append(PrintRow("data", name, [unit, f"{now / 100:.2f}", f"{before / 100:.2f}",
                                             f"{sign}{diff / 100:.2f}" if diff else "0.00"]))
    draft = TableDraft(id=tid, kind="pricelist", title="", date=None, date_printed=None, label_header="品名",
                       unit=None, note=None, columns=columns, rows=rows, checks={"rates": [], "ranks": [], "sums": []},
                       labels="produce")
    draft.title = rng.choice(["焦作市区主要农副产品价格监测表", "市区主要副食品零售价格", "本周菜篮子价格一览表"])
    draft.note = rng.choice([None, "数据来源：市发展改革委价格监测中心。", "涨跌=本期价格-上期价格。"])
    draft.opts["roles"] = ["text", "count", "count", "count"]
    return draft


def gen_scorelist(rng: random.Random, tid: str, max_leaves: int) -> TableDraft:
    depth = rng.choice([1, 2])
    labels_kind = rng.choice(["counties", "bureaus", "streets"])
    labels, label_header, _ = make_labels(rng, labels_kind)
    if depth == 1:
        parts = [["基础分"], ["加分"], ["扣分"]]
    else:
        parts = [["考核得分", w] for w in rng.choice([["日常考核", "专项考核", "群众满意度"], ["日常考核", "暗访考核"]])]
    columns = parts + [["综合得分"], ["名次"]]
    rows = []
    for label in labels:
        tenths = [rng.randint(50, 400) if depth == 2 else v for v in
                  ([rng.randint(700, 900), rng.randint(0, 80), rng.randint(0, 60)] if depth == 1 else [0] * len(parts))]
        score = tenths[0] + tenths[1] - tenths[2] if depth == 1 else sum(tenths)
        rows.append(PrintRow("data", label, [f"{t / 10:.1f}" for t in tenths] + [f"{score / 10:.1f}", ""]))
    sc, rk = len(parts), len(parts) + 1
    scores = [Decimal(r.values[sc]) for r in rows]
    for r, s in zip(rows, scores):
        r.values[rk] = str(1 + sum(1 for o in scores if o > s))
    draft = TableDraft(id=tid, kind="scorelist", title="", date=None, date_printed=None, label_header=label_header,
                       unit=rng.choice([None, "单位：分"]), note="", columns=columns, rows=rows,
                       checks={"rates": [], "ranks": [{"col": rk, "by": sc, "tie": None, "descending": True}],
                               "sums": []}, labels=labels_kind)
    draft.note = rng.choice(["名次按综合得分排列。", "名次按综合得分由高到低排列，得分相同的名次并列。", "综合得分高的排名靠前。"])
    draft.title = rng.choice(["城市管理综合考评结果", "第三季度城市精细化管理考核排名", "燃气安全工作考核得分情况"])
    draft.opts["roles"] = ["count"] * len(parts) + ["score", "rank"]
    return draft


def headerless(draft: TableDraft) -> None:
    """A table printed without any header row: the truth names its columns 列1, 列2 …"""
    draft.opts["headerless"] = True
    draft.label_header = None
    for e in draft.flags:
        e["column"] = [f"列{e['col_index'] + 1}"]
    for f in draft.footers:
        f["column"] = [f"列{f['col_index'] + 1}"] if f.get("column") else None
    draft.opts["printed_columns"] = draft.columns
    draft.columns = [[f"列{j + 1}"] for j in range(len(draft.columns))]


def gen_table(rng: random.Random, tid: str, max_leaves: int, kind: str | None = None) -> TableDraft:
    kind = kind or rng.choices(["ranking", "statement", "schedule", "pricelist", "scorelist"],
                               weights=[70, 8, 7, 7, 8])[0]
    if kind == "ranking":
        labels_kind = rng.choices(["counties", "bureaus", "companies", "streets", "codes"], weights=[55, 12, 13, 12, 8])[0]
        for attempt in range(10):
            try:
                draft = gen_ranking(rng, tid, labels_kind, max_leaves)
                break
            except RuntimeError:
                if attempt == 9:
                    raise
    else:
        draft = {"statement": gen_statement, "schedule": gen_schedule, "pricelist": gen_pricelist,
                 "scorelist": gen_scorelist}[kind](rng, tid, max_leaves)
        if kind in ("pricelist", "schedule") and rng.random() < 0.15:
            headerless(draft)
    decorate(rng, draft)
    return draft


def decorate(rng: random.Random, draft: TableDraft) -> None:
    """Title, date, unit and note forms and positions; how the table is printed."""
    iso, parts = pick_date(rng)
    o = draft.opts
    o["date_pos"] = rng.choices(["in_title", "under", "above_right", "none"], weights=[25, 25, 35, 15])[0]
    if o["date_pos"] != "none":
        draft.date, draft.date_printed = iso, date_text(rng, parts)
        if o["date_pos"] == "in_title" and not draft.date_printed.startswith("（"):
            draft.date_printed = f"（{draft.date_printed}）"
    o["unit_pos"] = rng.choice(["above_left", "above_right", "under_title"]) if draft.unit and rng.random() < 0.85 \
        else "none"
    if o["unit_pos"] == "none":
        draft.unit = None
    o["title_prefix"] = rng.choice(["", "", "", "表1 ", "附表："]) if draft.kind == "ranking" else ""
    if draft.note:
        o["note_prefix"] = rng.choice(["备注：", "备注：", "注：", "说明："])
    o["rules"] = rng.choices(["ruled", "three-line", "none"], weights=[45, 35, 20])[0]
    o["note_in_table"] = bool(draft.note) and o["rules"] == "ruled" and rng.random() < 0.15
    o["breaks"] = {w: BREAKS[w] for col in draft.columns for w in col if w in BREAKS and rng.random() < 0.45} \
        if rng.random() < 0.6 else {}
    if draft.label_header in BREAKS and rng.random() < 0.3:
        o["breaks"][draft.label_header] = BREAKS[draft.label_header]
    o["label_wrap"] = draft.labels in ("companies", "streets", "bureaus") and rng.random() < 0.5
    o["align"] = rng.choice(["center", "center", "right"])
    o["size"] = rng.choice([7.5, 8, 8.5, 9, 9, 9.5, 10])
    o["pad"] = rng.uniform(0.25, 0.6)
    o["label_align"] = rng.choice(["center", "left", "left"])
    o["title_size"] = rng.choice([11, 12, 13, 14])
    o["title_align"] = "left" if rng.random() < 0.15 else "center"
    o["stretch"] = rng.random() < 0.5
    n_rows = sum(1 for r in draft.rows if r.kind == "data")
    leaves = len(draft.columns)
    can_panel = n_rows >= 8 and leaves <= 9 and not any(r.kind == "sub" for r in draft.rows) and not draft.footers \
        and not o["note_in_table"]
    o["panels"] = rng.choices([1, 2, 3], weights=[55, 30, 15])[0] if can_panel else 1
    if o["panels"] == 3 and n_rows < 9:
        o["panels"] = 2
    o["panel_order"] = rng.choice(["down", "down", "across"]) if o["panels"] > 1 else "down"
    o["total_position"] = "none"
    if any(r.kind == "total" for r in draft.rows):
        o["total_position"] = "top" if rng.random() < 0.25 and o["panels"] == 1 else "bottom"


def truth_of(draft: TableDraft, source: str, producer: str, font: str, orientation: str) -> dict:
    """The truth table in the format of extractor/evaluate.py, rows in print order (panel by panel)."""
    printed = printed_sequence(draft)
    data_rows = [r for r in printed if r.kind in ("data", "sub")]
    total = next((r for r in printed if r.kind == "total"), None)
    o = draft.opts
    meta = {"producer": producer, "font": font, "rules": o["rules"],
            "header_depth": 0 if o.get("headerless") else max(len(c) for c in draft.columns),
            "panels": o["panels"], "panel_order": o["panel_order"] if o["panels"] > 1 else None,
            "labels": draft.labels, "orientation": orientation, "kind": draft.kind,
            "has_total": total is not None, "total_position": o["total_position"] if total else None,
            "subtotals": any(r.kind == "sub" for r in printed), "footers": len(draft.footers),
            "header_breaks": sorted(o["breaks"]), "label_wrap": o["label_wrap"], "date_pos": o["date_pos"],
            "unit_pos": o["unit_pos"], "note_in_table": o["note_in_table"], "rotated": o.get("rotated", False),
            "narrow": o.get("narrow", False), "font_size": o["size"], "stretch": o["stretch"],
            "title_align": o.get("title_align", "center"), "title_prefix": o["title_prefix"],
            "subtotal_label": "小计", "checks": draft.checks, **draft.meta}
    t = {"id": draft.id, "source": source, "title": draft.title, "date": draft.date,
         "label_header": draft.label_header, "unit": draft.unit, "note": draft.note,
         "columns": draft.columns,
         "rows": [{"label": r.label, "values": list(r.values)} for r in data_rows],
         "total": {"label": total.label, "values": list(total.values)} if total else None,
         "footers": [{k: v for k, v in f.items()} for f in draft.footers],
         "expected_flags": draft.flags, "page": 1, "meta": meta}
    return t


def printed_sequence(draft: TableDraft) -> list[PrintRow]:
    """Rows in the order the truth lists them: the total where it is printed; panels one after another."""
    rows = [r for r in draft.rows if r.kind != "total"]
    total = [r for r in draft.rows if r.kind == "total"]
    if draft.opts["total_position"] == "top":
        seq = total + rows
    else:
        seq = rows + total
    panels = panel_split(seq, draft.opts["panels"], draft.opts["panel_order"])
    return [r for p in panels for r in p]


def panel_split(seq: list, k: int, order: str) -> list[list]:
    if k == 1:
        return [list(seq)]
    if order == "across":
        return [seq[i::k] for i in range(k)]
    size = math.ceil(len(seq) / k)
    return [seq[i * size:(i + 1) * size] for i in range(k)]


# =========================================================================================== fonts and text

FAMILIES = ["WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "AR PL UMing CN", "AR PL UKai CN", "Noto Sans CJK SC",
            "Noto Serif CJK SC"]
TTF_FAMILIES = FAMILIES[:4]          # reportlab embeds TrueType outlines only (no CFF-based Noto)
_FONT_FILES: dict | None = None


def font_files() -> dict[str, tuple[str, int]]:
    """family → (file, index in the collection), found with fc-list (regular weights only)."""
    global _FONT_FILES
    if _FONT_FILES is None:
        out = subprocess.run(["fc-list", "-f", "%{file}|%{index}|%{family}|%{style}\n"], capture_output=True,
                             text=True).stdout
        found = {}
        for line in out.splitlines():
            try:
                path, index, families, style = line.split("|")
            except ValueError:
                continue
            if any(w in style for w in ("Bold", "Black", "Medium", "Heavy")):
                continue
            for fam in families.split(","):
                if fam in FAMILIES and fam not in found:
                    found[fam] = (path, int(index))
        _FONT_FILES = found
    return _FONT_FILES


class Metrics:
    """Advance widths of one font family (FreeType through PIL), in points at a given size."""

    def __init__(self, family: str):
        from PIL import ImageFont
        path, index = font_files()[family]
        self.family = family
        self.font = ImageFont.truetype(path, 200, index=index)
        self.cache: dict[str, float] = {}

    def width(self, text: str, size: float) -> float:
        total = 0.0
        for ch in text:
            w = self.cache.get(ch)
            if w is None:
                w = self.cache[ch] = self.font.getlength(ch) / 200.0
            total += w
        return total * size


_METRICS: dict[str, Metrics] = {}


def metrics(family: str) -> Metrics:
    if family not in _METRICS:
        _METRICS[family] = Metrics(family)
    return _METRICS[family]


NO_START = set("，。、；：？！）」』”’》〉】…%．,.;:!?)")
NO_END = set("（「『“‘《〈【(")


def wrap(text: str, width: float, size: float, m: Metrics, first_indent: float = 0.0) -> list[str]:
    """Greedy CJK line breaking: no line starts with closing punctuation or ends with an opening one."""
    lines, cur, cur_w = [], "", first_indent
    for ch in text:
        w = m.width(ch, size)
        if cur and cur_w + w > width + 0.01:
            if ch in NO_START and len(cur) > 1:
                move = cur[-1]
                lines.append(cur[:-1])
                cur, cur_w = move, m.width(move, size)
            elif cur[-1] in NO_END and len(cur) > 1:
                move = cur[-1]
                lines.append(cur[:-1])
                cur, cur_w = move, m.width(move, size)
            else:
                lines.append(cur)
                cur, cur_w = "", 0.0
        cur += ch
        cur_w += w
    if cur:
        lines.append(cur)
    return lines


def load_prose() -> tuple[list[str], list[str]]:
    """Paragraphs and headlines from the seed page dumps (spaces of the column layout removed)."""
    paras, heads = [], []
    for path in sorted((SHARED / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for block in re.split(r"\n\s*\n", text):
            p = re.sub(r"\s+", "", block)
            if not p:
                continue
            cjk = sum("\u4e00" <= c <= "\u9fff" for c in p)
            digits = sum(c.isdigit() for c in p)
            # no table furniture in the prose: notes, formulas and table titles belong to tables only
            furniture = re.search(r"备注|注：|[=＝]|统计表|进度表|名次|排名", p)
            if len(p) >= 40 and cjk >= 0.75 * len(p) and digits < 0.08 * len(p) and "|" not in p and not furniture:
                paras.append(p)
            elif 9 <= len(p) <= 24 and cjk >= 0.85 * len(p) and not re.search(r"[,，、。：:；;（(）)·□﹃]|记者|编辑|\d", p) \
                    and not re.search(r"(表|情况|排名|统计)", p) and p not in heads:
                heads.append(p)
    return paras, heads + SYNTH_HEADLINES


# =========================================================================================== table block geometry

@dataclass
class Cell:
    r: int
    c: int
    rs: int
    cs: int
    lines: list[str]
    align: str = "center"
    role: str = "value"          # header, label, value, footer, note, blank, gap
    borders: dict = field(default_factory=dict)   # t/b/l/r → line width


@dataclass
class Line:
    x: float
    y: float                     # top of the line box
    text: str
    size: float
    width: float | None = None   # set for justified lines
    bold: bool = False


@dataclass
class Rule:
    x0: float
    y0: float
    x1: float
    y1: float
    lw: float


@dataclass
class Block:
    """One printed table with its title, date, unit and note lines, in its own coordinates (origin top left)."""
    draft: TableDraft
    w: float
    h: float
    lines: list[Line]
    rules: list[Rule]            # short inset rules under group headers (three-line)
    cells: list[Cell]
    colw: list[float]
    rowh: list[float]
    gx: float
    gy: float
    size: float
    lh: float
    header_rows: int
    rotated: bool = False
    x: float = 0.0
    y: float = 0.0
    family: str = ""
    parts: dict = field(default_factory=dict)   # title lines, under / left / right lines and note, for flowing producers

    def col_x(self, c: int) -> float:
        return self.gx + sum(self.colw[:c])

    def row_y(self, r: int) -> float:
        return self.gy + sum(self.rowh[:r])

    def footprint(self) -> tuple[float, float]:
        return (self.h, self.w) if self.rotated else (self.w, self.h)


def display_lines(word: str, breaks: dict) -> list[str]:
    return list(breaks.get(word, (word,)))


def header_cells(paths: list[list[str] | None], depth: int, breaks: dict, col0: int) -> list[Cell]:
    """Header cells of one panel. paths[i] is a value column's path, None for the label column (spans all rows)."""
    cells = []
    n = len(paths)
    for level in range(depth):
        i = 0
        while i < n:
            p = paths[i]
            if p is None:
                if level == 0:
                    cells.append(Cell(0, col0 + i, depth, 1, [], role="header"))
                i += 1
                continue
            if level < len(p) - 1:
                j = i + 1
                while j < n and paths[j] is not None and len(paths[j]) - 1 > level and paths[j][:level + 1] == p[:level + 1]:
                    j += 1
                cells.append(Cell(level, col0 + i, 1, j - i, display_lines(p[level], breaks), role="header"))
                i = j
            elif level == len(p) - 1:
                cells.append(Cell(level, col0 + i, depth - level, 1, display_lines(p[-1], breaks), role="header"))
                i += 1
            else:
                i += 1
    return cells


def split_label(label: str, width: float, size: float, m: Metrics) -> list[str]:
    if m.width(label, size) <= width:
        return [label]
    return wrap(label, width, size, m)


def build_block(draft: TableDraft, m: Metrics, size: float | None = None, target_width: float | None = None,
                narrow_width: float | None = None) -> Block:
    o = draft.opts
    size = size or o["size"]
    lh = size * 1.3
    padh = size * 0.45 + 1.0
    padv = size * o["pad"]
    printed_cols = o.get("printed_columns") or draft.columns
    depth = 0 if o.get("headerless") else max(len(c) for c in printed_cols)
    k = o["panels"]
    breaks = o["breaks"]
    index_col = bool(draft.meta.get("index_column"))
    # printed columns of one panel: ("v", j) or ("label",)
    pcols: list[tuple] = []
    for j in range(len(printed_cols)):
        if j == 0 and index_col:
            pcols.append(("v", 0))
            pcols.append(("label",))
        elif not (j == 0 and index_col):
            if j == 0 or (j == 1 and index_col and ("label",) in pcols):
                if ("label",) not in pcols:
                    pcols.append(("label",))
            pcols.append(("v", j))
    if ("label",) not in pcols:
        pcols.insert(0, ("label",))
    per = len(pcols)
    gap = o["rules"] != "ruled" and k > 1
    ncols = k * per + (k - 1 if gap else 0)
    panel_x0 = [p * (per + (1 if gap else 0)) for p in range(k)]
    rows_seq = [r for r in draft.rows if r.kind != "total"]
    totals = [r for r in draft.rows if r.kind == "total"]
    seq = totals + rows_seq if o["total_position"] == "top" else rows_seq + totals
    panels = panel_split(seq, k, o["panel_order"])
    n_body = max(len(p) for p in panels)
    cells: list[Cell] = []
    label_lines = {}
    # label wrapping width
    label_w = None
    labels = [r.label for r in seq]
    natural_label = max(m.width(x, size) for x in labels)
    if o["label_wrap"] or narrow_width:
        longest = max(len(x) for x in labels)
        chars = max(3, min(longest - 1, int(math.ceil(longest / 2)) + (1 if longest > 8 else 0)))
        label_w = m.width("国" * chars, size) + 0.5
        if narrow_width is None and natural_label <= label_w:
            label_w = None
    for r in seq:
        label_lines[id(r)] = split_label(r.label, label_w, size, m) if label_w else [r.label]
    # header
    for p in range(k):
        paths = [None if c[0] == "label" else printed_cols[c[1]] for c in pcols]
        if depth:
            hc = header_cells(paths, depth, breaks, panel_x0[p])
            for c in hc:
                if not c.lines:
                    c.lines = display_lines(draft.label_header, breaks) if draft.label_header else []
            cells += hc
    # body
    for p, items in enumerate(panels):
        for i, row in enumerate(items):
            r = depth + i
            for ci, c in enumerate(pcols):
                x = panel_x0[p] + ci
                if c[0] == "label":
                    cells.append(Cell(r, x, 1, 1, label_lines[id(row)], align=o["label_align"], role="label"))
                else:
                    text = row.values[c[1]]
                    cells.append(Cell(r, x, 1, 1, [text] if text else [], align=o["align"], role="value"))
        for i in range(len(items), n_body):
            for ci in range(per):
                cells.append(Cell(depth + i, panel_x0[p] + ci, 1, 1, [], role="blank"))
    r = depth + n_body
    # footers: label spanning the label column and two more, then one figure
    for f in draft.footers:
        span = min(3, per - 1)
        cells.append(Cell(r, 0, 1, span, [f["label"]], align="center", role="footer"))
        cells.append(Cell(r, span, 1, 1, [f["value"]], align=o["align"], role="footer"))
        if per - span - 1 > 0:
            cells.append(Cell(r, span + 1, 1, per - span - 1, [], role="blank"))
        r += 1
    note_row = None
    if o["note_in_table"]:
        note_row = r
        r += 1
    nrows = r
    # gap columns
    if gap:
        for p in range(k - 1):
            x = panel_x0[p] + per
            if depth:
                cells.append(Cell(0, x, depth, 1, [], role="gap"))
            cells.append(Cell(depth, x, n_body, 1, [], role="gap"))
    # widths
    colw = [0.0] * ncols
    for c in cells:
        if c.cs == 1 and c.role not in ("gap",):
            need = max((m.width(t, size) for t in c.lines), default=0.0) + 2 * padh
            colw[c.c] = max(colw[c.c], need)
    for c in cells:
        if c.role == "gap":
            colw[c.c] = size * 1.2
    if label_w:
        for p in range(k):
            li = panel_x0[p] + pcols.index(("label",))
            colw[li] = max(label_w + 2 * padh, max((m.width(x, size) + 2 * padh for c in cells if c.c == li and
                                                    c.role == "header" for x in c.lines), default=0))
    for c in sorted(cells, key=lambda c: c.cs):
        if c.cs > 1 and c.lines:
            need = max(m.width(t, size) for t in c.lines) + 2 * padh
            have = sum(colw[c.c:c.c + c.cs])
            if need > have:
                for x in range(c.c, c.c + c.cs):
                    colw[x] += (need - have) / c.cs
    # the note row's text wraps to the table width
    if note_row is not None:
        full = sum(colw)
        first = colw[0]
        text_w = full - first - 2 * padh
        lines = wrap(draft.note, text_w, size, m)
        cells.append(Cell(note_row, 0, 1, 1, [o["note_prefix"].rstrip("：:")], align="center", role="note"))
        cells.append(Cell(note_row, 1, 1, ncols - 1, lines, align="left", role="note"))
    natural = sum(colw)
    if target_width and target_width > natural:
        extra = target_width - natural
        grow = [x for x in range(ncols) if not any(c.role == "gap" and c.c == x for c in cells)]
        for x in grow:
            colw[x] += extra / len(grow)
    # heights
    rowh = [0.0] * nrows
    for c in cells:
        if c.rs == 1:
            rowh[c.r] = max(rowh[c.r], max(1, len(c.lines)) * lh + 2 * padv)
    for x in range(nrows):
        rowh[x] = max(rowh[x], lh + 2 * padv)
    for c in cells:
        if c.rs > 1:
            need = max(1, len(c.lines)) * lh + 2 * padv
            have = sum(rowh[c.r:c.r + c.rs])
            if need > have:
                rowh[c.r + c.rs - 1] += need - have
    if n_body:
        body_h = max(rowh[depth:depth + n_body])
        for x in range(depth, depth + n_body):
            rowh[x] = body_h
    apply_rules(o["rules"], cells, depth, n_body, nrows, ncols, note_row)
    gw, gh = sum(colw), sum(rowh)
    # title, date, unit and note lines around the grid
    lines: list[Line] = []
    y = 0.0
    ts = o["title_size"] if not narrow_width else min(o["title_size"], size + 2)
    title = o["title_prefix"] + draft.title + (draft.date_printed if o["date_pos"] == "in_title" else "")
    limit = max(gw, 120.0)
    tlines = [title]
    if narrow_width or m.width(title, ts) > limit:
        tw = m.width(title, ts)
        half = max(limit * 0.9, tw / 2 + ts * 2) if not narrow_width else limit
        tlines = wrap(title, min(half, limit), ts, m)
        while len(tlines) > 2 and ts > 8:
            ts -= 0.5
            tlines = wrap(title, limit, ts, m)
    bw = max(gw, max(m.width(t, ts) for t in tlines))
    for t in tlines:
        x = (bw - m.width(t, ts)) / 2 if o.get("title_align", "center") == "center" else (bw - gw) / 2
        lines.append(Line(x, y, t, ts, bold=True))
        y += ts * 1.35
    y += 2
    small = max(6.5, size - 0.5)
    under = [t for t in ((draft.date_printed if o["date_pos"] == "under" else None),
                         (draft.unit if o["unit_pos"] == "under_title" else None)) if t]
    if under:
        text = "　".join(under)
        lines.append(Line((bw - m.width(text, small)) / 2, y, text, small))
        y += small * 1.4
    left = draft.unit if o["unit_pos"] == "above_left" else None
    right = [t for t in ((draft.unit if o["unit_pos"] == "above_right" else None),
                         (draft.date_printed if o["date_pos"] == "above_right" else None)) if t]
    gx = (bw - gw) / 2
    if left or right:
        if left:
            lines.append(Line(gx, y, left, small))
        if right:
            text = "　".join(right)
            lines.append(Line(gx + gw - m.width(text, small), y, text, small))
        y += small * 1.45
    gy = y
    y += gh + 3
    if draft.note and not o["note_in_table"]:
        ns = small
        text = o["note_prefix"] + draft.note
        for i, t in enumerate(wrap(text, gw, ns, m)):
            lines.append(Line(gx, y, t, ns))
            y += ns * 1.4
    rules = []
    if o["rules"] == "three-line":
        for c in cells:
            if c.role == "header" and c.cs > 1 and c.r < depth - 1:
                x0 = gx + sum(colw[:c.c]) + 3
                x1 = gx + sum(colw[:c.c + c.cs]) - 3
                yy = gy + sum(rowh[:c.r + c.rs])
                rules.append(Rule(x0, yy, x1, yy, 0.5))
    check_coverage(cells, nrows, ncols)
    parts = {"title": tlines, "title_size": ts, "small": small, "under": "　".join(under) if under else None,
             "left": left, "right": "　".join(right) if right else None,
             "note": (o["note_prefix"] + draft.note) if draft.note and not o["note_in_table"] else None}
    return Block(draft, bw, y, lines, rules, cells, colw, rowh, gx, gy, size, lh, depth, family=m.family, parts=parts)


def check_coverage(cells: list[Cell], nrows: int, ncols: int) -> None:
    seen = {}
    for c in cells:
        for r in range(c.r, c.r + c.rs):
            for x in range(c.c, c.c + c.cs):
                if (r, x) in seen:
                    raise AssertionError(f"grid cell {(r, x)} covered twice")
                seen[(r, x)] = c
    missing = [(r, x) for r in range(nrows) for x in range(ncols) if (r, x) not in seen]
    if missing:
        raise AssertionError(f"grid cells {missing[:5]} not covered")


def apply_rules(style: str, cells: list[Cell], depth: int, n_body: int, nrows: int, ncols: int,
                note_row: int | None) -> None:
    if style == "ruled":
        for c in cells:
            c.borders = {"t": 0.5, "b": 0.5, "l": 0.5, "r": 0.5}
            if c.r == 0:
                c.borders["t"] = 0.9
            if c.r + c.rs == nrows:
                c.borders["b"] = 0.9
            if c.c == 0:
                c.borders["l"] = 0.9
            if c.c + c.cs == ncols:
                c.borders["r"] = 0.9
    elif style == "three-line":
        last = max(c.r + c.rs for c in cells if c.role != "note")
        for c in cells:
            b = {}
            if c.r == 0:
                b["t"] = 1.1
            if depth and c.r + c.rs == depth and c.r < depth:
                b["b"] = 0.5
            if c.r + c.rs == last:
                b["b"] = 1.1
            if depth == 0 and c.r == 0:
                b["t"] = 1.1
            c.borders = b


# =========================================================================================== page composition

PAPER = {"A3": (842.0, 1191.0), "A4": (595.0, 842.0)}
TABLE_PRODUCERS_ROTATE = ("reportlab", "chromium", "wkhtmltopdf")


@dataclass
class PageLayout:
    name: str
    w: float
    h: float
    family: str
    producer: str
    orientation: str
    body_size: float
    lines: list[Line] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    articles: list[dict] = field(default_factory=list)    # headline and paragraphs, for flowing producers
    meta: dict = field(default_factory=dict)


class Prose:
    def __init__(self, paras: list[str], heads: list[str]):
        self.paras, self.heads = paras, heads

    def article(self, rng: random.Random, date: dict, dateline: bool) -> dict:
        start = rng.randrange(len(self.paras))
        paras = (self.paras[start:] + self.paras[:start])[:40]
        if dateline:
            paras[0] = f"本报讯（记者{rng.choice(REPORTERS)}）{date['m']}月{date['d']}日，" + paras[0].lstrip("，")
        head = rng.choice(self.heads)
        sub = ("——" + rng.choice(self.heads)) if rng.random() < 0.15 else None
        return {"headline": head, "subtitle": sub, "paras": paras}


def stock_paragraph(rng: random.Random) -> str:
    idx = [("沪指", 3000, 3500), ("深成指", 10000, 13000), ("创业板指", 2000, 2800)]
    parts = [f"{n}报{rng.uniform(a, b):.2f}点，{rng.choice(['涨', '跌'])}{rng.uniform(0.05, 2.5):.2f}%" for n, a, b in idx]
    return "截至收盘，" + "；".join(parts) + "。两市成交额" + f"{rng.randint(6000, 12000)}亿元。"


def stock_rows(rng: random.Random) -> list[tuple[str, str, str]]:
    out = []
    for name in rng.sample(STOCKS, rng.randint(4, 7)):
        price = rng.uniform(3, 60)
        ch = rng.uniform(-3, 3)
        out.append((name, f"{price:.2f}", f"{ch:+.2f}%"))
    return out


def flow(rng: random.Random, rects: list[list[float]], items: list, size: float, lead: float, m: Metrics,
         out: list[Line]) -> None:
    """Flows paragraphs (str) and short lists (("list", title, rows)) through rects [x, y, w, h], line by line."""
    ri = 0
    cur_y = rects[0][1] if rects else 0

    def next_line() -> tuple[float, float, float] | None:
        nonlocal ri, cur_y
        while ri < len(rects):
            x, y, w, h = rects[ri]
            if cur_y + size <= y + h:
                pos = (x, cur_y, w)
                cur_y += lead
                return pos
            ri += 1
            if ri < len(rects):
                cur_y = rects[ri][1]
        return None

    for item in items:
        if isinstance(item, tuple):
            _, title, rows = item
            pos = next_line()
            if pos is None:
                return
            out.append(Line(pos[0], pos[1], title, size, bold=True))
            for name, a, b in rows:
                pos = next_line()
                if pos is None:
                    return
                x, y, w = pos
                out.append(Line(x, y, name, size))
                out.append(Line(x + w * 0.52, y, a, size))
                out.append(Line(x + w - m.width(b, size), y, b, size))
            continue
        width = rects[min(ri, len(rects) - 1)][2] if rects else 100
        text = "　　" + item
        lines = wrap(text, width, size, m)
        for i, t in enumerate(lines):
            pos = next_line()
            if pos is None:
                return
            x, y, w = pos
            last = i == len(lines) - 1
            out.append(Line(x, y, t, size, width=None if last or len(t) < 4 else w))


def article_in(rng: random.Random, layout: PageLayout, prose: Prose, date: dict, x: float, y: float, w: float,
               h: float, ncols: int, gut: float, m: Metrics, holes: list[tuple[int, float, float]] = (),
               traps: bool = False) -> None:
    """An article in a box: headline across it, body in ncols columns (holes: (column, top, bottom) kept free)."""
    size, lead = layout.body_size, layout.body_size * layout.meta["leading"]
    if h < lead * 3:
        return
    art = prose.article(rng, date, dateline=rng.random() < 0.5)
    top = y
    if h > lead * 8 and not any(hy0 <= y + 40 for _, hy0, _ in holes):
        hs = min(22.0, max(13.0, size * 1.4 + ncols * 1.5))
        while len(wrap(art["headline"], w, hs, m)) > 2 and hs > 9:
            hs -= 1
        for t in wrap(art["headline"], w, hs, m)[:2]:
            layout.lines.append(Line(x + (w - m.width(t, hs)) / 2, top, t, hs, bold=True))
            top += hs * 1.3
        if art["subtitle"]:
            ss = hs * 0.7
            t = wrap(art["subtitle"], w, ss, m)[0]
            layout.lines.append(Line(x + (w - m.width(t, ss)) / 2, top, t, ss))
            top += ss * 1.4
        top += lead * 0.4
    colw = (w - (ncols - 1) * gut) / ncols
    rects = []
    for c in range(ncols):
        cx = x + c * (colw + gut)
        spans = [(top, y + h)]
        for hc, hy0, hy1 in holes:
            if hc == c:
                spans = [(top, hy0 - lead * 0.5), (hy1 + lead * 0.5, y + h)]
        rects += [[cx, a, colw, b - a] for a, b in spans if b - a > size]
    items: list = list(art["paras"])
    if traps and rng.random() < 0.5:
        items.insert(rng.randint(1, len(items)), ("list", rng.choice(["今日行情", "焦作板块", "本地股行情"]), stock_rows(rng)))
    if traps and rng.random() < 0.5:
        items.insert(rng.randint(0, len(items)), stock_paragraph(rng))
    layout.articles.append(art)
    flow(rng, rects, items, size, lead, m, layout.lines)


def masthead(rng: random.Random, layout: PageLayout, date: dict, margin: float, m: Metrics) -> float:
    w = layout.w
    y = margin * 0.6
    datestr = f"{date['y']}年{date['m']}月{date['d']}日　星期{date['week']}"
    if rng.random() < 0.3:
        s = rng.choice([30, 36, 40])
        layout.lines.append(Line((w - m.width("焦作日报", s)) / 2, y, "焦作日报", s, bold=True))
        y += s * 1.2
        small = 9
        layout.lines.append(Line(margin, y, datestr, small))
        t = f"第{rng.randint(1, 8)}版"
        layout.lines.append(Line(w - margin - m.width(t, small), y, t, small))
        y += small * 1.6
    else:
        sec = rng.choice(SECTIONS)
        s = rng.choice([16, 18, 20])
        layout.lines.append(Line(margin, y, sec, s, bold=True))
        t = f"{datestr}　第{rng.randint(2, 12)}版"
        layout.lines.append(Line(w - margin - m.width(t, 9), y + s - 10, t, 9))
        y += s * 1.35
    layout.rules.append(Rule(margin, y, w - margin, y, 1.5))
    y += 4
    ed = f"■编辑：{rng.choice(REPORTERS)}　校对：{rng.choice(REPORTERS)}　组版：{rng.choice(REPORTERS)}"
    if rng.random() < 0.5:
        layout.lines.append(Line(margin, y, ed, 8))
        y += 8 * 1.5
    else:
        layout.lines.append(Line(margin, layout.h - margin * 0.7, ed, 8))
    return y + 6


def page_frame(rng: random.Random, producer: str) -> dict:
    paper = "A3" if rng.random() < 0.6 else "A4"
    orient = "landscape" if rng.random() < 0.15 else "portrait"
    w, h = PAPER[paper]
    if orient == "landscape":
        w, h = h, w
    if paper == "A3":
        ncol = rng.randint(6, 8) if orient == "landscape" else rng.randint(5, 7)
    else:
        ncol = rng.randint(4, 5) if orient == "landscape" else rng.randint(3, 4)
    return {"paper": paper, "orientation": orient, "w": w, "h": h, "ncol": ncol,
            "margin": rng.uniform(28, 44), "gut": rng.uniform(9, 14),
            "body_size": rng.choice([8.5, 9, 9.5, 10, 10.5]), "leading": rng.uniform(1.45, 1.65)}


def fit_block(rng: random.Random, make, m: Metrics, max_w: float, tries: int = 6) -> Block | None:
    """Builds a table (make(rng) → draft) until its block fits max_w, shrinking the type first."""
    for _ in range(tries):
        draft = make(rng)
        for size in (draft.opts["size"], draft.opts["size"] - 1, draft.opts["size"] - 1.5, 7.0, 6.5):
            if size < 6.5:
                continue
            block = build_block(draft, m, size=size)
            if block.w <= max_w:
                draft.opts["size"] = size
                return block
    return None


def compose_page(rng: random.Random, name: str, producer: str, family: str, n_tables: int, prose: Prose,
                 traps: bool) -> PageLayout:
    fr = page_frame(rng, producer)
    m = metrics(family)
    layout = PageLayout(name, fr["w"], fr["h"], family, producer, fr["orientation"], fr["body_size"])
    layout.meta.update(fr)
    iso, date = pick_date(rng)
    margin, gut, ncol = fr["margin"], fr["gut"], fr["ncol"]
    body_top = masthead(rng, layout, date, margin, m)
    body_bottom = fr["h"] - margin - (14 if layout.lines[-1].y > fr["h"] / 2 else 0)
    body_w = fr["w"] - 2 * margin
    colw = (body_w - (ncol - 1) * gut) / ncol
    colx = lambda c: margin + c * (colw + gut)  # noqa: E731
    span_w = lambda k: k * colw + (k - 1) * gut  # noqa: E731
    max_leaves = max(4, int((body_w - 80) / 34))
    placed: list[Block] = []
    y = body_top
    for t in range(n_tables):
        tid = f"{name}-t{t + 1}"
        rotate = (producer in TABLE_PRODUCERS_ROTATE and fr["orientation"] == "portrait" and rng.random() < 0.04
                  and not any(b.rotated for b in placed))
        narrow = not rotate and rng.random() < 0.14
        if narrow:
            def make(r, tid=tid):
                d = gen_ranking(r, tid, r.choice(["counties", "codes"]), 4, depth=1, allow_subtotals=False)
                decorate(r, d)
                d.opts.update(panels=1, panel_order="down", note_in_table=False, title_prefix="", stretch=False,
                              label_wrap=False, total_position="bottom" if d.opts["total_position"] != "none" else "none")
                d.footers = []
                d.opts["narrow"] = True
                return d
            block = None
            for _ in range(4):
                d = None
                try:
                    d = make(rng)
                except RuntimeError:
                    continue
                for size in (7.5, 7, 6.5):
                    b = build_block(d, m, size=size, narrow_width=colw)
                    if b.w <= colw:
                        d.opts["size"] = size
                        block = b
                        break
                if block:
                    break
            if block is None:
                narrow = False
        if not narrow:
            limit = (fr["h"] - body_top - margin - 40) if rotate else body_w
            block = fit_block(rng, lambda r, tid=tid: gen_table(r, tid, max_leaves), m, limit)
            if block is None:
                continue
            block.draft.opts["rotated"] = rotate
            block.rotated = rotate
        fw, fh = block.footprint()
        if y + fh + 10 > body_bottom:
            continue
        # maybe an article band before the table
        free = body_bottom - y - fh - 10
        if free > 200 and rng.random() < 0.5:
            bh = rng.uniform(120, min(380, free - 60))
            runs = split_runs(rng, ncol)
            for a, b in runs:
                article_in(rng, layout, prose, date, colx(a), y, span_w(b - a), bh, b - a, gut, m, traps=traps)
            y += bh + 10
            layout.rules.append(Rule(margin, y - 5, fr["w"] - margin, y - 5, 0.5))
        if narrow:
            c = rng.randrange(ncol)
            above = rng.uniform(3, 12) * layout.body_size * fr["leading"]
            bh = min(body_bottom - y, above + fh + rng.uniform(5, 15) * layout.body_size * fr["leading"])
            if above + fh > bh:
                above = max(0, bh - fh - 5)
            block.x, block.y = colx(c), y + above
            runs = split_runs(rng, ncol, must_contain=c)
            for a, b in runs:
                holes = [(c - a, y + above, y + above + fh)] if a <= c < b else []
                article_in(rng, layout, prose, date, colx(a), y, span_w(b - a), bh, b - a, gut, m, holes=holes,
                           traps=traps)
            placed.append(block)
            y += bh + 10
            continue
        k = max(1, math.ceil((fw + gut - 0.01) / (colw + gut)))
        k = min(k, ncol)
        if block.draft.opts["stretch"] and not rotate and span_w(k) > fw:
            stretched = build_block(block.draft, m, size=block.size, target_width=span_w(k))
            if stretched.w <= span_w(k) + 0.5:
                block = stretched
                block.rotated = False
                fw, fh = block.footprint()
        c0 = rng.choice(sorted({0, ncol - k, (ncol - k) // 2}))
        block.x = colx(c0) + (span_w(k) - fw) / 2
        block.y = y
        placed.append(block)
        for a, b in ((0, c0), (c0 + k, ncol)):
            if b > a and fh > 60:
                for ra, rb in split_runs(rng, b - a):
                    article_in(rng, layout, prose, date, colx(a + ra), y, span_w(rb - ra), fh, rb - ra, gut, m,
                               traps=traps)
        y += fh + 12
        layout.rules.append(Rule(margin, y - 6, fr["w"] - margin, y - 6, 0.5))
    if body_bottom - y > 40:
        for a, b in split_runs(rng, ncol):
            article_in(rng, layout, prose, date, colx(a), y, span_w(b - a), body_bottom - y, b - a, gut, m,
                       traps=traps)
    layout.blocks = placed
    layout.meta["date"] = iso
    return layout


def split_runs(rng: random.Random, ncol: int, must_contain: int | None = None) -> list[tuple[int, int]]:
    """Columns 0..ncol cut into runs of 1–3 columns (one article each)."""
    runs, a = [], 0
    while a < ncol:
        k = min(ncol - a, rng.choice([1, 2, 2, 3]))
        runs.append((a, a + k))
        a += k
    return runs


# =========================================================================================== producers

def text_baseline(top: float, size: float) -> float:
    return top + size * 0.86


def cell_text_lines(block: Block, c: Cell) -> list[tuple[float, float, str, float]]:
    """(x, top, text, width) of each line of a cell, in block coordinates."""
    x0, y0 = block.col_x(c.c), block.row_y(c.r)
    w = sum(block.colw[c.c:c.c + c.cs])
    h = sum(block.rowh[c.r:c.r + c.rs])
    padh = block.size * 0.45 + 1.0
    m = metrics(block.family)
    out = []
    top = y0 + (h - len(c.lines) * block.lh) / 2 + (block.lh - block.size) / 2
    for t in c.lines:
        tw = m.width(t, block.size)
        if c.align == "left":
            x = x0 + padh
        elif c.align == "right":
            x = x0 + w - padh - tw
        else:
            x = x0 + (w - tw) / 2
        out.append((x, top, t, tw))
        top += block.lh
    return out


def cell_borders(block: Block, c: Cell) -> list[Rule]:
    x0, y0 = block.col_x(c.c), block.row_y(c.r)
    x1, y1 = block.col_x(c.c + c.cs), block.row_y(c.r + c.rs)
    out = []
    for side, lw in c.borders.items():
        if not lw:
            continue
        if side == "t":
            out.append(Rule(x0, y0, x1, y0, lw))
        elif side == "b":
            out.append(Rule(x0, y1, x1, y1, lw))
        elif side == "l":
            out.append(Rule(x0, y0, x0, y1, lw))
        elif side == "r":
            out.append(Rule(x1, y0, x1, y1, lw))
    return out


_RL_FONTS: set = set()


def render_reportlab(layout: PageLayout, path: Path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas
    fam = layout.family
    fname = re.sub(r"\W", "", fam)
    if fname not in _RL_FONTS:
        file, index = font_files()[fam]
        pdfmetrics.registerFont(TTFont(fname, file, subfontIndex=index))
        _RL_FONTS.add(fname)
    m = metrics(fam)
    H = layout.h
    c = canvas.Canvas(str(path), pagesize=(layout.w, layout.h), invariant=1)
    c.setTitle(layout.name)

    def char_space(ln: Line) -> float:
        # Tc is graphics state and outlives BT/ET: every line sets it, or a justified line's spacing would stretch
        # every later line (table figures then overflow their cells)
        justified = ln.width and len(ln.text) > 1
        return (ln.width - m.width(ln.text, ln.size)) / (len(ln.text) - 1) if justified else 0

    def draw_line(ln: Line, dx: float = 0.0, dy: float = 0.0) -> None:
        t = c.beginText()
        t.setFont(fname, ln.size)
        t.setCharSpace(char_space(ln))
        t.setTextOrigin(dx + ln.x, H - (dy + text_baseline(ln.y, ln.size)))
        t.setTextRenderMode(2 if ln.bold else 0)
        if ln.bold:
            c.setLineWidth(ln.size * 0.03)
        t.textOut(ln.text)
        c.drawText(t)

    def draw_rule(r: Rule, dx: float = 0.0, dy: float = 0.0) -> None:
        c.setLineWidth(r.lw)
        c.line(dx + r.x0, H - (dy + r.y0), dx + r.x1, H - (dy + r.y1))

    for ln in layout.lines:
        draw_line(ln)
    for r in layout.rules:
        draw_rule(r)
    for b in layout.blocks:
        c.saveState()
        # block coordinates run y downwards from the block's top left; a rotated block is turned a quarter left
        if b.rotated:
            c.transform(0, 1, 1, 0, b.x, H - b.y - b.w)
        else:
            c.transform(1, 0, 0, -1, b.x, H - b.y)
        for ln in b.lines + [Line(x, top, t, b.size) for cell in b.cells for x, top, t, _ in cell_text_lines(b, cell)]:
            c.saveState()
            c.translate(ln.x, text_baseline(ln.y, ln.size))
            c.scale(1, -1)
            t = c.beginText()
            t.setFont(fname, ln.size)
            t.setCharSpace(char_space(ln))
            t.setTextOrigin(0, 0)
            t.setTextRenderMode(2 if ln.bold else 0)
            if ln.bold:
                c.setLineWidth(ln.size * 0.03)
            t.textOut(ln.text)
            c.drawText(t)
            c.restoreState()
        for cell in b.cells:
            for r in cell_borders(b, cell):
                c.setLineWidth(r.lw)
                c.line(r.x0, r.y0, r.x1, r.y1)
        for r in b.rules:
            c.setLineWidth(r.lw)
            c.line(r.x0, r.y0, r.x1, r.y1)
        c.restoreState()
    c.showPage()
    c.save()


_JINJA = None


def html_page(layout: PageLayout, scale: float = 1.0) -> str:
    """The page as absolutely positioned HTML (text lines, rules, real <table>s with spans and CSS borders).
    scale: CSS length per point (wkhtmltopdf prints 1pt of CSS as 0.768pt)."""
    global _JINJA
    import html as htmlmod

    import jinja2
    import markupsafe
    if _JINJA is None:
        _JINJA = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                                    trim_blocks=False)
        _JINJA.filters["pt"] = lambda v: f"{v * _JINJA.globals['scale']:.2f}pt"
    _JINJA.globals["scale"] = scale
    m = metrics(layout.family)

    def line(ln: Line) -> dict:
        ls = 0.0
        if ln.width and len(ln.text) > 1:
            ls = max(0.0, (ln.width - m.width(ln.text, ln.size)) / len(ln.text))
        return {"x": ln.x, "y": ln.y, "size": ln.size, "text": ln.text, "bold": ln.bold, "ls": ls}

    def rule(r: Rule) -> dict:
        if abs(r.y1 - r.y0) < 0.01:
            return {"horizontal": True, "x": min(r.x0, r.x1), "y": r.y0 - r.lw / 2, "len": abs(r.x1 - r.x0), "lw": r.lw}
        return {"horizontal": False, "x": r.x0 - r.lw / 2, "y": min(r.y0, r.y1), "len": abs(r.y1 - r.y0), "lw": r.lw}

    blocks = []
    for b in layout.blocks:
        rows = []
        for r in range(len(b.rowh)):
            cells = []
            for c in sorted((c for c in b.cells if c.r == r), key=lambda c: c.c):
                css = "".join(f"border-{ {'t': 'top', 'b': 'bottom', 'l': 'left', 'r': 'right'}[k] }:"
                              f"{v * scale:.2f}pt solid #000;" for k, v in c.borders.items() if v)
                cells.append({"rs": c.rs, "cs": c.cs, "align": c.align, "border_css": css,
                              "html": markupsafe.Markup("<br>".join(htmlmod.escape(t) for t in c.lines))})
            rows.append({"h": b.rowh[r], "cells": cells})
        blocks.append({"x": b.x, "y": b.y, "w": b.w, "h": b.h, "rotated": b.rotated, "gx": b.gx, "gy": b.gy,
                       "gw": sum(b.colw), "size": b.size, "lh": b.lh, "colw": b.colw, "rows": rows,
                       "lines": [line(x) for x in b.lines], "rules": [rule(x) for x in b.rules]})
    return _JINJA.get_template("page.html.j2").render(
        name=layout.name, family=layout.family, page_w=layout.w, page_h=layout.h,
        lines=[line(x) for x in layout.lines], rules=[rule(x) for x in layout.rules], blocks=blocks)


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--no-pdf-header-footer"]


def render_chromium(layout: PageLayout, path: Path, work: Path) -> None:
    html = work / f"{layout.name}.html"
    html.write_text(html_page(layout), encoding="utf-8")
    profile = work / f"chromium-profile-{os.getpid()}"
    cmd = ["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={path}", html.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 or not path.exists():
        raise RuntimeError(f"chromium failed on {html}: {proc.stderr[-500:]}")


WKHTML_SCALE = 1 / 0.768


def render_wkhtml(layout: PageLayout, path: Path, work: Path) -> None:
    html = work / f"{layout.name}.html"
    html.write_text(html_page(layout, WKHTML_SCALE), encoding="utf-8")
    mm = lambda v: f"{v * 25.4 / 72:.2f}mm"  # noqa: E731
    cmd = ["wkhtmltopdf", "-q", "--disable-smart-shrinking", "-T", "0", "-B", "0", "-L", "0", "-R", "0",
           "--page-width", mm(layout.w), "--page-height", mm(layout.h), "--title", layout.name, str(html), str(path)]
    env = dict(os.environ, XDG_RUNTIME_DIR=str(work))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    if not path.exists():
        raise RuntimeError(f"wkhtmltopdf failed on {html}: {proc.stderr[-500:]}")


# ---- LibreOffice: .docx (python-docx) and .xlsx (openpyxl), converted in batches by soffice ---------------

def docx_borders(cell, borders: dict) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    tc_pr = cell._tc.get_or_add_tcPr()
    el = OxmlElement("w:tcBorders")
    for key, edge in (("t", "top"), ("l", "left"), ("b", "bottom"), ("r", "right")):
        e = OxmlElement(f"w:{edge}")
        lw = borders.get(key, 0)
        e.set(qn("w:val"), "single" if lw else "nil")
        if lw:
            e.set(qn("w:sz"), str(max(2, int(round(lw * 8)))))
            e.set(qn("w:space"), "0")
            e.set(qn("w:color"), "000000")
        el.append(e)
    tc_pr.append(el)


def docx_font(run, family: str, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt
    run.font.name = family
    run.font.size = Pt(size)
    run.font.bold = bold
    r_pr = run._element.get_or_add_rPr()
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), family)


def docx_paragraph(container, text_lines: list[str], family: str, size: float, align: str = "left",
                   bold: bool = False, indent: float = 0.0, space_after: float = 0.0):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt
    p = container.add_paragraph()
    p.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                   "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(space_after)
    fmt.line_spacing = 1.0
    if indent:
        fmt.first_line_indent = Pt(indent)
    for i, t in enumerate(text_lines):
        run = p.add_run(t)
        docx_font(run, family, size, bold)
        if i < len(text_lines) - 1:
            run.add_break()
    return p


def render_docx(layout: PageLayout, path: Path, budget: int) -> None:
    """A word-processor page: masthead line, each table with its title lines and note, articles in a two- or
    three-column section after them (budget: article paragraphs)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt
    fam = layout.family
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = fam
    normal.font.size = Pt(layout.body_size)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), fam)
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE if layout.w > layout.h else WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Pt(layout.w), Pt(layout.h)
    mg = Pt(layout.meta["margin"])
    sec.left_margin = sec.right_margin = sec.top_margin = sec.bottom_margin = mg
    rng = random.Random(layout.name + "docx")
    head = layout.lines[0]
    docx_paragraph(doc, [head.text], fam, min(head.size, 20), "left", bold=True, space_after=4)
    date_line = next((ln.text for ln in layout.lines[1:4] if "星期" in ln.text), None)
    if date_line:
        docx_paragraph(doc, [date_line], fam, 9, "right", space_after=6)
    arts = list(layout.articles)
    for b in sorted(layout.blocks, key=lambda b: (b.y, b.x)):
        if arts and budget > 0 and rng.random() < 0.5:
            art = arts.pop(0)
            docx_paragraph(doc, [art["headline"]], fam, 15, "center", bold=True, space_after=3)
            for para in art["paras"][:2]:
                docx_paragraph(doc, [para], fam, layout.body_size, "justify", indent=layout.body_size * 2)
            budget -= 2
        pt = b.parts
        title_lines = pt["title"] if b.draft.opts.get("narrow") else ["".join(pt["title"])]
        docx_paragraph(doc, title_lines, fam, pt["title_size"], "center", bold=True)
        if pt["under"]:
            docx_paragraph(doc, [pt["under"]], fam, pt["small"], "center")
        if pt["left"] and pt["right"]:
            p = docx_paragraph(doc, [pt["left"]], fam, pt["small"], "left")
            tab_w = sum(b.colw) - 2
            p.paragraph_format.tab_stops.add_tab_stop(Pt(tab_w), alignment=2)
            run = p.add_run("\t" + pt["right"])
            docx_font(run, fam, pt["small"])
        elif pt["left"]:
            docx_paragraph(doc, [pt["left"]], fam, pt["small"], "left")
        elif pt["right"]:
            docx_paragraph(doc, [pt["right"]], fam, pt["small"], "right")
        nrows, ncols = len(b.rowh), len(b.colw)
        table = doc.add_table(rows=nrows, cols=ncols)
        table.autofit = False
        table.alignment = 1
        for c in b.cells:
            cell = table.cell(c.r, c.c)
            if c.rs > 1 or c.cs > 1:
                cell = cell.merge(table.cell(c.r + c.rs - 1, c.c + c.cs - 1))
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            para = cell.paragraphs[0]
            para.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                              "right": WD_ALIGN_PARAGRAPH.RIGHT}[c.align]
            para.paragraph_format.space_after = Pt(0)
            para.paragraph_format.space_before = Pt(0)
            for i, t in enumerate(c.lines):
                run = para.add_run(t)
                docx_font(run, fam, b.size)
                if i < len(c.lines) - 1:
                    run.add_break()
            docx_borders(cell, c.borders)
        for x, w in enumerate(b.colw):
            for r in range(nrows):
                table.cell(r, x).width = Pt(w + 6)
        for x, grid_col in enumerate(table._tbl.tblGrid.findall(qn("w:gridCol"))):
            grid_col.set(qn("w:w"), str(int((b.colw[x] + 6) * 20)))
        tbl_w = table._tbl.tblPr.find(qn("w:tblW"))
        if tbl_w is None:
            tbl_w = OxmlElement("w:tblW")
            table._tbl.tblPr.append(tbl_w)
        tbl_w.set(qn("w:type"), "dxa")
        tbl_w.set(qn("w:w"), str(int(sum(w + 6 for w in b.colw) * 20)))
        layout_el = OxmlElement("w:tblLayout")
        layout_el.set(qn("w:type"), "fixed")
        table._tbl.tblPr.append(layout_el)
        for r, h in enumerate(b.rowh):
            table.rows[r].height = Pt(h)
        if pt["note"]:
            docx_paragraph(doc, [pt["note"]], fam, pt["small"], "left", space_after=8)
        else:
            docx_paragraph(doc, [""], fam, 4, "left", space_after=6)
    if arts and budget > 0:
        new = doc.add_section(WD_SECTION.CONTINUOUS)
        cols = OxmlElement("w:cols")
        cols.set(qn("w:num"), str(rng.choice([2, 3])))
        cols.set(qn("w:space"), "340")
        new._sectPr.append(cols)
        for art in arts:
            if budget <= 0:
                break
            docx_paragraph(doc, [art["headline"]], fam, 14, "center", bold=True, space_after=3)
            for para in art["paras"][:max(1, min(4, budget))]:
                docx_paragraph(doc, [para], fam, layout.body_size, "justify", indent=layout.body_size * 2)
                budget -= 1
    doc.core_properties.title = layout.name
    doc.save(str(path))


def render_xlsx(layout: PageLayout, path: Path) -> None:
    """A spreadsheet printout: one table (the page's first) with its title rows and note, fitted to one page."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    b = layout.blocks[0]
    fam = layout.family
    fs = round(b.size + 2, 1)
    k = fs / b.size
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ncols, nrows = len(b.colw), len(b.rowh)
    pt = b.parts
    row = 1

    def merged(text: str, size: float, align: str, bold: bool = False, wrap_text: bool = False, lines: int = 1):
        nonlocal row
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        cell = ws.cell(row=row, column=1, value=text)
        cell.font = Font(name=fam, size=size, bold=bold)
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=wrap_text)
        ws.row_dimensions[row].height = size * 1.45 * lines + 2
        row += 1

    title = "".join(pt["title"])
    table_w = sum(b.colw) * k
    tsize = min(pt["title_size"] + 3, 0.92 * table_w / max(1, len(title)))
    if tsize >= fs:
        merged(title, round(tsize, 1), "center", bold=True)
    else:
        merged(title, fs + 1, "center", bold=True, wrap_text=True, lines=math.ceil(len(title) * (fs + 1) / (0.92 * table_w)))
    if pt["under"]:
        merged(pt["under"], fs - 1, "center")
    if pt["left"] or pt["right"]:
        half = max(1, ncols // 2)
        if pt["left"]:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=half)
            c = ws.cell(row=row, column=1, value=pt["left"])
            c.font = Font(name=fam, size=fs - 1)
            c.alignment = Alignment(horizontal="left", vertical="center")
        if pt["right"]:
            ws.merge_cells(start_row=row, start_column=half + 1, end_row=row, end_column=ncols)
            c = ws.cell(row=row, column=half + 1, value=pt["right"])
            c.font = Font(name=fam, size=fs - 1)
            c.alignment = Alignment(horizontal="right", vertical="center")
        row += 1
    top = row
    side = lambda lw: Side(style="medium" if lw >= 0.9 else "thin", color="000000") if lw else Side()  # noqa: E731
    border_at: dict = {}
    for c in b.cells:
        r0, c0 = top + c.r, 1 + c.c
        if c.rs > 1 or c.cs > 1:
            ws.merge_cells(start_row=r0, start_column=c0, end_row=r0 + c.rs - 1, end_column=c0 + c.cs - 1)
        cell = ws.cell(row=r0, column=c0, value="\n".join(c.lines) if c.lines else None)
        cell.font = Font(name=fam, size=fs)
        cell.alignment = Alignment(horizontal=c.align, vertical="center", wrap_text=len(c.lines) > 1)
        cell.number_format = "@"
        for rr in range(r0, r0 + c.rs):
            for cc in range(c0, c0 + c.cs):
                bd = border_at.setdefault((rr, cc), {})
                if rr == r0 and c.borders.get("t"):
                    bd["t"] = c.borders["t"]
                if rr == r0 + c.rs - 1 and c.borders.get("b"):
                    bd["b"] = c.borders["b"]
                if cc == c0 and c.borders.get("l"):
                    bd["l"] = c.borders["l"]
                if cc == c0 + c.cs - 1 and c.borders.get("r"):
                    bd["r"] = c.borders["r"]
    for (rr, cc), bd in border_at.items():
        if bd:
            ws.cell(row=rr, column=cc).border = Border(top=side(bd.get("t")), bottom=side(bd.get("b")),
                                                       left=side(bd.get("l")), right=side(bd.get("r")))
    for r, h in enumerate(b.rowh):
        ws.row_dimensions[top + r].height = h * k
    for x, w in enumerate(b.colw):
        ws.column_dimensions[get_column_letter(x + 1)].width = w * k / 5.6 + 1.5
    row = top + nrows
    if pt["note"]:
        width_chars = sum(b.colw) * k / (fs * 1.05)
        lines = max(1, math.ceil(len(pt["note"]) / max(8, width_chars)))
        merged(pt["note"], fs - 1, "left", wrap_text=True, lines=lines)
    ws.page_setup.orientation = "landscape" if layout.w > layout.h else "portrait"
    ws.page_setup.paperSize = 8 if max(layout.w, layout.h) > 1000 else 9
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.print_options.horizontalCentered = True
    ws.print_area = f"A1:{get_column_letter(ncols)}{row - 1}"
    wb.properties.title = layout.name
    wb.save(str(path))


def soffice_convert(files: list[Path], outdir: Path, work: Path) -> None:
    """One soffice call for many files (it starts slowly)."""
    if not files:
        return
    profile = work / "lo-profile"
    cmd = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--convert-to", "pdf",
           "--outdir", str(outdir), *map(str, files)]
    subprocess.run(cmd, capture_output=True, text=True, timeout=60 + 20 * len(files))


# =========================================================================================== rendered-page checks

RADICAL_RANGE = "\u2e80-\u2fdf"   # CJK radicals: what some fonts' ToUnicode maps give instead of the ideograph


def text_pattern(text: str) -> "re.Pattern":
    """A pattern for a truth string in a page's text layer: whitespace ignored, any CJK ideograph also matched by
    a radical code point (Noto CJK glyphs shared with radicals come out as ⻢, ⼾ … in chromium and wkhtmltopdf PDFs)."""
    parts = []
    for ch in re.sub(r"\s+", "", text):
        if "\u4e00" <= ch <= "\u9fff":
            parts.append(f"(?:{ch}|[{RADICAL_RANGE}])")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts))


def pdf_text(path: Path) -> tuple[int, str, tuple[float, float]]:
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(str(path))
    try:
        n = len(pdf)
        page = pdf[0]
        size = page.get_size()
        text = page.get_textpage().get_text_range()
        return n, text, size
    finally:
        pdf.close()


def verify_pdf(path: Path, truths: list[dict]) -> dict:
    """One page, and every label, figure and title of the truth present in the page's text layer."""
    n, text, size = pdf_text(path)
    flat = re.sub(r"\s+", "", text)
    missing = []
    for t in truths:
        wanted = [t["title"]] + [r["label"] for r in t["rows"]] + [v for r in t["rows"] for v in r["values"]]
        if t.get("total"):
            wanted += [t["total"]["label"], *t["total"]["values"]]
        wanted += [f["value"] for f in t.get("footers", [])]
        for w in wanted:
            if w and not text_pattern(w).search(flat):
                missing.append(w)
    return {"pages": n, "size": [round(size[0], 1), round(size[1], 1)], "missing": missing[:20],
            "n_missing": len(missing)}


def embedded_fonts(path: Path) -> list[str]:
    try:
        out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    names = []
    for line in out.splitlines()[2:]:
        name = line.split()[0] if line.split() else ""
        name = re.sub(r"^[A-Z]{6}\+", "", name)
        if name and name not in names:
            names.append(name)
    return names


# =========================================================================================== scans and photos

def degrade(pdf: Path, out_stem: Path, rng: random.Random, kind: str, force: dict | None = None) -> tuple[Path, dict]:
    """Rasters the page and makes it look scanned (skew, blur, noise, paper tone, JPEG) or photographed
    (perspective, uneven light and vignetting, colour cast). The dpi goes into the PNG pHYs / JPEG JFIF header,
    where extractor/read_image.py reads it (PIL's info['dpi'])."""
    import cv2
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image
    force = force or {}
    if kind == "scan":
        dpi = rng.choices([150, 200, 300], weights=[25, 50, 25])[0]
    else:
        dpi = rng.choice([150, 200, 200])
    dpi = force.get("dpi", dpi)
    doc = pdfium.PdfDocument(str(pdf))
    try:
        pil = doc[0].render(scale=dpi / 72.0, grayscale=(kind == "scan")).to_pil()
    finally:
        doc.close()
    deg: dict = {"kind": kind}
    if kind == "scan":
        img = np.asarray(pil.convert("L"), dtype=np.float32)
        paper, ink = rng.uniform(225, 252), rng.uniform(5, 45)
        img = ink + (paper - ink) * (img / 255.0)
        angle = rng.choice([0.0, rng.uniform(-3, 3), rng.uniform(-1, 1)])
        if abs(angle) > 0.01:
            h, w = img.shape
            mat = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
            img = cv2.warpAffine(img, mat, (w, h), flags=cv2.INTER_LINEAR, borderValue=float(paper))
        blur = rng.choice([0.0, rng.uniform(0.3, 1.2)])
        if blur:
            img = cv2.GaussianBlur(img, (0, 0), blur * dpi / 200)
        noise = rng.uniform(0, 14)
        nprng = np.random.default_rng(rng.randrange(2 ** 32))
        if noise:
            img = img + nprng.normal(0, noise, img.shape).astype(np.float32)
        speckle = rng.random() < 0.3
        if speckle:
            mask = nprng.random(img.shape) < 0.0008
            img[mask] = ink
        out = np.clip(img, 0, 255).astype(np.uint8)
        image = Image.fromarray(out, "L")
        deg.update(skew=round(angle, 3), blur=round(blur, 3), noise=round(noise, 2), paper=round(paper),
                   ink=round(ink), speckle=speckle)
    else:
        img = np.asarray(pil.convert("RGB"), dtype=np.float32)
        h, w = img.shape[:2]
        margin = int(0.05 * max(w, h))
        W, H = w + 2 * margin, h + 2 * margin
        jitter = lambda: rng.uniform(0, 0.035) * min(w, h)  # noqa: E731
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        dst = np.float32([[margin + jitter(), margin + jitter()], [margin + w - jitter(), margin + jitter()],
                          [margin + w - jitter(), margin + h - jitter()], [margin + jitter(), margin + h - jitter()]])
        mat = cv2.getPerspectiveTransform(src, dst)
        bg = [rng.uniform(60, 140)] * 3
        img = cv2.warpPerspective(img, mat, (W, H), flags=cv2.INTER_LINEAR, borderValue=bg)
        yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
        cx, cy = rng.uniform(0.3, 0.7) * W, rng.uniform(0.3, 0.7) * H
        r = np.sqrt(((xx - cx) / W) ** 2 + ((yy - cy) / H) ** 2)
        vig = rng.uniform(0.25, 0.55)
        light = 1.0 - vig * np.clip(r / 0.75, 0, 1) ** 2
        gx, gy = rng.uniform(-0.25, 0.25), rng.uniform(-0.25, 0.25)
        light = light * (1.0 + gx * (xx / W - 0.5) + gy * (yy / H - 0.5))
        cast = np.float32([rng.uniform(0.85, 1.0), rng.uniform(0.92, 1.0), rng.uniform(0.95, 1.05)])
        img = img * light[..., None] * cast[None, None, :]
        blur = rng.uniform(0.4, 1.3)
        img = cv2.GaussianBlur(img, (0, 0), blur * dpi / 200)
        nprng = np.random.default_rng(rng.randrange(2 ** 32))
        noise = rng.uniform(2, 10)
        img = img + nprng.normal(0, noise, img.shape).astype(np.float32)
        out = np.clip(img, 0, 255).astype(np.uint8)
        image = Image.fromarray(out, "RGB")
        deg.update(perspective=round(float(np.abs(dst - src - margin).max()), 1), vignetting=round(vig, 3),
                   light_gradient=[round(gx, 3), round(gy, 3)], cast=[round(float(c), 3) for c in cast],
                   blur=round(blur, 3), noise=round(noise, 2), border_px=margin)
    fmt = "jpg" if kind == "photo" or rng.random() < 0.5 else "png"
    fmt = force.get("format", fmt)
    path = out_stem.with_name(f"{out_stem.name}_{kind}{dpi}.{fmt}")
    if fmt == "jpg":
        q = force.get("quality", rng.randint(55, 92))
        image.save(path, "JPEG", quality=q, dpi=(dpi, dpi))
        deg["jpeg_quality"] = q
    else:
        image.save(path, "PNG", dpi=(dpi, dpi), optimize=False)
    deg["format"] = fmt
    return path, {"dpi": dpi, "degradation": deg}


# =========================================================================================== the corpus

PRODUCERS = {"reportlab": 30, "chromium": 25, "wkhtmltopdf": 20, "libreoffice": 25}
SHORT = {"reportlab": "rl", "chromium": "cr", "wkhtmltopdf": "wk", "libreoffice": "lo"}
_PROSE: Prose | None = None


def prose() -> Prose:
    global _PROSE
    if _PROSE is None:
        paras, heads = load_prose()
        # keep text every TrueType family can print (reportlab has no fallback font)
        paras = [p for p in paras if all_printable(p)]
        heads = [h for h in heads if all_printable(h)]
        _PROSE = Prose(paras, heads)
    return _PROSE


_CMAPS: list | None = None


def all_printable(text: str) -> bool:
    global _CMAPS
    if _CMAPS is None:
        from reportlab.pdfbase.ttfonts import TTFont
        _CMAPS = [set(TTFont("probe", font_files()[f][0], subfontIndex=font_files()[f][1]).face.charToGlyph)
                  for f in TTF_FAMILIES]
    return all(ord(ch) in cm for cm in _CMAPS for ch in text if not ch.isspace())


def plan_page(seed: int, i: int) -> dict:
    rng = random.Random(f"{seed}:plan:{i}")
    producer = rng.choices(list(PRODUCERS), weights=list(PRODUCERS.values()))[0]
    table_free = rng.random() < 0.1
    lo_kind = None
    if producer == "libreoffice":
        lo_kind = "docx" if table_free or rng.random() < 0.6 else "xlsx"
    family = rng.choice(TTF_FAMILIES if producer == "reportlab" else FAMILIES)
    n_tables = 0 if table_free else rng.choices([1, 2, 3], weights=[55, 30, 15])[0]
    if lo_kind == "xlsx":
        n_tables = 1
    name = f"c{seed}_{i:04d}_{SHORT[producer]}{'_' + lo_kind if lo_kind else ''}"
    return {"index": i, "name": name, "producer": producer, "lo_kind": lo_kind, "family": family,
            "table_free": table_free, "n_tables": n_tables, "traps": table_free or rng.random() < 0.25}


def layout_of(seed: int, plan: dict) -> PageLayout:
    rng = random.Random(f"{seed}:page:{plan['index']}")
    layout = compose_page(rng, plan["name"], plan["producer"], plan["family"], plan["n_tables"], prose(),
                          plan["traps"])
    if plan["lo_kind"] == "xlsx":
        layout.blocks = layout.blocks[:1]
        for b in layout.blocks:
            b.rotated = False
            b.draft.opts["rotated"] = False
    if plan["lo_kind"] == "docx":
        for b in layout.blocks:
            b.rotated = False
            b.draft.opts["rotated"] = False
    return layout


def truths_of(layout: PageLayout, plan: dict, source: str) -> list[dict]:
    producer = plan["producer"] + (f"-{plan['lo_kind']}" if plan["lo_kind"] else "")
    out = []
    for b in sorted(layout.blocks, key=lambda b: (b.y, b.x)):
        t = truth_of(b.draft, source, producer, layout.family, layout.orientation)
        t["meta"]["rotated"] = b.rotated
        t["meta"]["paper"] = layout.meta["paper"]
        check_truth(t)
        out.append(t)
    return out


def page_record(plan: dict, layout: PageLayout, file: str, truth_file: str, truths: list[dict], check: dict,
                seconds: float) -> dict:
    return {"file": file, "truth": truth_file, "producer": plan["producer"], "lo_kind": plan["lo_kind"],
            "font": layout.family, "input": "pdf", "dpi": None, "degradation": None, "n_tables": len(truths),
            "table_free": not truths, "orientation": layout.orientation, "paper": layout.meta["paper"],
            "rotated_table": any(b.rotated for b in layout.blocks), "traps": plan["traps"], "check": check,
            "seconds": round(seconds, 2)}


def write_json(path: Path, data) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


def make_page(args: tuple) -> dict:
    """Worker: lays out and renders one page (LibreOffice pages only get their .docx/.xlsx here)."""
    seed, plan, out, work, budget = args
    out, work = Path(out), Path(work)
    start = time.perf_counter()
    layout = layout_of(seed, plan)
    pdf = out / f"{plan['name']}.pdf"
    truths = truths_of(layout, plan, pdf.name)
    producer = plan["producer"]
    if producer == "reportlab":
        render_reportlab(layout, pdf)
    elif producer == "chromium":
        render_chromium(layout, pdf, work)
    elif producer == "wkhtmltopdf":
        render_wkhtml(layout, pdf, work)
    elif plan["lo_kind"] == "docx":
        render_docx(layout, work / f"{plan['name']}.docx", budget)
        return {"plan": plan, "pending": str(work / f"{plan['name']}.docx")}
    else:
        render_xlsx(layout, work / f"{plan['name']}.xlsx")
        return {"plan": plan, "pending": str(work / f"{plan['name']}.xlsx")}
    return finish_page(plan, layout, pdf, truths, time.perf_counter() - start)


def finish_page(plan: dict, layout: PageLayout, pdf: Path, truths: list[dict], seconds: float) -> dict:
    check = verify_pdf(pdf, truths)
    check["fonts"] = embedded_fonts(pdf)
    truth_file = pdf.with_suffix("").name + ".truth.json"
    write_json(pdf.with_name(truth_file), truths)
    return {"plan": plan, "record": page_record(plan, layout, pdf.name, truth_file, truths, check, seconds)}


def finish_lo(args: tuple) -> dict:
    seed, plan, out = args
    layout = layout_of(seed, plan)
    pdf = Path(out) / f"{plan['name']}.pdf"
    truths = truths_of(layout, plan, pdf.name)
    if not pdf.exists():
        return {"plan": plan, "failed": "soffice wrote no PDF"}
    n, _, _ = pdf_text(pdf)
    if n != 1:
        return {"plan": plan, "overflow": n}
    return finish_page(plan, layout, pdf, truths, 0.0)


def make_scan(args: tuple) -> dict:
    seed, k, rec, out = args
    out = Path(out)
    rng = random.Random(f"{seed}:scan:{k}")
    kind = "photo" if rng.random() < 0.25 else "scan"
    pdf = out / rec["file"]
    stem = out / pdf.stem
    start = time.perf_counter()
    path, info = degrade(pdf, stem, rng, kind)
    if path.exists() and any(r == path.name for r in []):
        pass
    truths = json.loads((out / rec["truth"]).read_text(encoding="utf-8"))
    for t in truths:
        t["source"] = path.name
        t["meta"]["input"] = kind
        t["meta"]["dpi"] = info["dpi"]
    truth_file = path.with_suffix("").name + ".truth.json"
    write_json(out / truth_file, truths)
    r = dict(rec, file=path.name, truth=truth_file, input=kind, dpi=info["dpi"], degradation=info["degradation"],
             source_pdf=rec["file"], check=None, seconds=round(time.perf_counter() - start, 2))
    return {"record": r}


def init_worker() -> None:
    prose()


def generate(out: Path, n_pdf: int, n_scans: int, seed: int, jobs: int, keep_work: bool = False,
             only: list[str] | None = None) -> list[dict]:
    import multiprocessing as mp
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()) and not (out / "corpus.jsonl").exists() and not (out / ".corpus").exists():
        raise SystemExit(f"{out} holds files that are not a corpus; refusing to overwrite")
    for p in out.iterdir():
        if p.is_file() and (p.suffix in (".pdf", ".png", ".jpg", ".json", ".jsonl", ".tmp") or p.name == ".corpus"):
            p.unlink()
    (out / ".corpus").write_text("generated by bench/corpus.py\n")
    (out / ".gitignore").write_text("*\n")
    work = out / "_work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    t0 = time.perf_counter()
    plans = [plan_page(seed, i) for i in range(n_pdf)]
    if only:
        plans = [p for p in plans if p["producer"] in only or (p["lo_kind"] or "") in only]
    records: list[dict] = []
    failures: list[str] = []
    ctx = mp.get_context("fork")
    with ctx.Pool(jobs, initializer=init_worker) as pool:
        pending = []
        for res in pool.imap_unordered(make_page, [(seed, p, str(out), str(work), 14) for p in plans], chunksize=1):
            if "record" in res:
                records.append(res["record"])
            elif "pending" in res:
                pending.append(res)
        t1 = time.perf_counter()
        print(f"rendered {len(records)} pages directly, {len(pending)} for LibreOffice in {t1 - t0:.0f}s", flush=True)
        budget = 14
        while pending:
            # one soffice call per batch (and per worker, two batches side by side)
            files = [Path(p["pending"]) for p in pending]
            halves = [files[j::jobs] for j in range(jobs)]
            procs = []
            for j, part in enumerate(halves):
                if part:
                    profile = work / f"lo{j}"
                    profile.mkdir(exist_ok=True)
                    procs.append(subprocess.Popen(
                        ["soffice", f"-env:UserInstallation={(profile / 'profile').as_uri()}", "--headless",
                         "--norestore", "--convert-to", "pdf", "--outdir", str(out), *map(str, part)],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            for proc in procs:
                proc.wait(timeout=120 + 30 * len(files))
            again = []
            for res in pool.imap_unordered(finish_lo, [(seed, p["plan"], str(out)) for p in pending]):
                if "record" in res:
                    records.append(res["record"])
                elif "overflow" in res and budget > 0:
                    again.append(res["plan"])
                else:
                    failures.append(f"{res['plan']['name']}: {res.get('failed') or 'more than one page'}")
            budget = budget // 2 - 1 if budget > 2 else 0
            pending = []
            for plan in again:
                (out / f"{plan['name']}.pdf").unlink(missing_ok=True)
                res = make_page((seed, plan, str(out), str(work), max(0, budget)))
                pending.append(res)
            if again:
                print(f"  {len(again)} LibreOffice pages ran over one page; again with {max(0, budget)} paragraphs",
                      flush=True)
        t2 = time.perf_counter()
        print(f"{len(records)} PDF pages in {t2 - t0:.0f}s", flush=True)
        pdfs = sorted(records, key=lambda r: r["file"])
        rng = random.Random(f"{seed}:scans")
        chosen = [pdfs[k % len(pdfs)] for k in rng.sample(range(len(pdfs)), min(n_scans, len(pdfs)))] if pdfs else []
        while len(chosen) < n_scans and pdfs:
            chosen.append(rng.choice(pdfs))
        for res in pool.imap_unordered(make_scan, [(seed, k, rec, str(out)) for k, rec in enumerate(chosen)]):
            records.append(res["record"])
        print(f"{len(chosen)} scans and photos in {time.perf_counter() - t2:.0f}s", flush=True)
    records.sort(key=lambda r: r["file"])
    with open(out / "corpus.jsonl", "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if not keep_work:
        shutil.rmtree(work, ignore_errors=True)
    bad = [r for r in records if r.get("check") and (r["check"]["pages"] != 1 or r["check"]["n_missing"])]
    print(f"corpus: {len(records)} page files in {out} ({time.perf_counter() - t0:.0f}s); "
          f"{len(bad)} PDFs whose text layer lacks some truth strings; {len(failures)} failed", flush=True)
    for r in bad[:10]:
        print(f"  {r['file']}: {r['check']['n_missing']} missing, e.g. {r['check']['missing'][:5]}")
    for f in failures:
        print(f"  failed: {f}")
    return records


SUBSET_WANTS = [("producer", v) for v in ("reportlab", "chromium", "wkhtmltopdf", "libreoffice-docx",
                                          "libreoffice-xlsx")] + \
    [("rules", v) for v in ("ruled", "three-line", "none")] + [("header_depth", v) for v in (1, 2, 3)] + \
    [("panels", v) for v in (2, 3)] + [("panel_order", "across"), ("footers", True), ("subtotals", True),
                                       ("total_position", "top"), ("kind", "statement"), ("kind", "scorelist"),
                                       ("kind", "pricelist"), ("kind", "schedule"), ("mixed_depth", True),
                                       ("labels", "companies"), ("labels", "streets"), ("planted", True),
                                       ("narrow", True), ("rotated", True), ("orientation", "landscape")]


def table_features(t: dict) -> set:
    m = t["meta"]
    feats = {(k, m.get(k)) for k in ("producer", "rules", "header_depth", "panels", "panel_order", "subtotals",
                                       "total_position", "kind", "mixed_depth", "labels", "narrow", "rotated",
                                       "orientation")}
    feats.add(("footers", bool(m.get("footers"))))
    feats.add(("planted", bool(t["expected_flags"])))
    return feats


def make_subset(dest: Path, seed: int, jobs: int, n_pages: int = 14, n_scans: int = 2) -> None:
    """A small committed corpus (tests/data/corpus): pages of a fixed seed chosen greedily to cover producers,
    rule styles, depths, panels, footers, subtotals, kinds and a table-free page, plus two 200-dpi JPEG scans."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        records = generate(tmp, 90, 0, seed, jobs)
        cands = []
        for r in records:
            truths = json.loads((tmp / r["truth"]).read_text(encoding="utf-8"))
            size = (tmp / r["file"]).stat().st_size
            if r["check"]["n_missing"] or size > 260_000:
                continue
            feats = set().union(*(table_features(t) for t in truths)) if truths else {("table_free", True)}
            cands.append((r, feats, size))
        chosen, covered = [], set()
        wants = set(SUBSET_WANTS) | {("table_free", True)}
        per_producer: Counter = Counter()
        producer = lambda c: c[0]["producer"] + (c[0]["lo_kind"] or "")  # noqa: E731
        while len(chosen) < n_pages and cands:
            allowed = [c for c in cands if per_producer[producer(c)] < 3] or cands
            best = max(allowed, key=lambda c: (len((c[1] & wants) - covered), -per_producer[producer(c)], -c[2]))
            chosen.append(best)
            covered |= best[1] & wants
            per_producer[producer(best)] += 1
            cands.remove(best)
        dest.mkdir(parents=True, exist_ok=True)
        for p in dest.iterdir():
            if p.is_file():
                p.unlink()
        out_records = []
        for r, _, _ in sorted(chosen, key=lambda c: c[0]["file"]):
            shutil.copy(tmp / r["file"], dest / r["file"])
            shutil.copy(tmp / r["truth"], dest / r["truth"])
            out_records.append(dict(r, seconds=None))
        # scans: A4 pages with tables, 200 dpi, JPEG
        a4 = [r for r, _, _ in chosen if r["paper"] == "A4" and r["n_tables"] and r["orientation"] == "portrait"]
        a4 = a4 or [r for r, _, _ in chosen if r["n_tables"]]
        rng = random.Random(f"{seed}:subset-scans")
        for k, r in enumerate(a4[:n_scans]):
            path, info = degrade(dest / r["file"], dest / Path(r["file"]).stem, rng, "scan",
                                 {"dpi": 200, "format": "jpg", "quality": 65})
            truths = json.loads((dest / r["truth"]).read_text(encoding="utf-8"))
            for t in truths:
                t["source"] = path.name
                t["meta"]["input"] = "scan"
                t["meta"]["dpi"] = 200
            truth_file = path.with_suffix("").name + ".truth.json"
            write_json(dest / truth_file, truths)
            out_records.append(dict(r, file=path.name, truth=truth_file, input="scan", dpi=200,
                                    degradation=info["degradation"], source_pdf=r["file"], check=None, seconds=None))
    with open(dest / "corpus.jsonl", "w", encoding="utf-8") as fh:
        for r in sorted(out_records, key=lambda r: r["file"]):
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    total = sum(p.stat().st_size for p in dest.iterdir())
    print(f"subset: {len(out_records)} page files in {dest}, {total / 1e6:.2f} MB; "
          f"not covered: {sorted(map(str, wants - covered))}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=HERE / "corpus_out")
    ap.add_argument("--pdf", type=int, default=300, help="born-digital PDF pages")
    ap.add_argument("--scans", type=int, default=100, help="scans and photos made from some of them")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", nargs="*", help="only these producers (reportlab chromium wkhtmltopdf docx xlsx)")
    ap.add_argument("--keep-work", action="store_true", help="keep the HTML/DOCX/XLSX sources in OUT/_work")
    ap.add_argument("--subset", type=Path, help="write the small committed corpus (tests/data/corpus) here instead")
    args = ap.parse_args(argv)
    if args.subset:
        make_subset(args.subset, args.seed, args.jobs)
        return
    generate(args.out, args.pdf, args.scans, args.seed, args.jobs, args.keep_work, args.only)


if __name__ == "__main__":
    main()
