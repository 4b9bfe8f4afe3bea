#!/usr/bin/env python3
"""Render synthetic born-digital newspaper pages (焦作日报 look-alikes) with ranking tables.

Run from the repo root:  .venv/bin/python samples/render.py

For every page it writes, next to this script:
  <name>.pdf           the page (reportlab, wqy-zenhei TTC subfont 0 embedded as subsets)
  <name>.truth.json    list of table objects, same shape as /work/shared/truth/seed*.json
                       plus "page", "layout" and "unit"
  <name>.articles.json list of {headline, body_start} in page order

Article text comes from samples/article_source.json (extracted once from the real text dumps in
/work/shared/seeds; pass --refresh-articles to rebuild it).  Output is deterministic
(reportlab invariant mode).  Before anything is written each table is self-checked: every rate
is recomputed with ROUND_HALF_UP at the printed precision, ranks are recomputed from the note's
rule, totals are summed, and the set of inconsistencies found must equal the declared
expected_flags (planted printing errors + real flags carried over from the seed tables).
"""
import datetime
import glob
import json
import os
import re
import sys
from decimal import Decimal, ROUND_HALF_UP
from fractions import Fraction

from reportlab.lib.pagesizes import A3, A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

HERE = os.path.dirname(os.path.abspath(__file__))
FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
SEEDS = "/work/shared/seeds"
F = "WQY"
pdfmetrics.registerFont(TTFont(F, FONT_PATH, subfontIndex=0))

M = 40            # page margin
HGAP = 24         # horizontal gap between cells of a band (>= 12 pt between table and text)
VGAP = 16         # vertical gap between bands
BODY = 10         # article body size
LEAD = 15        # article leading
CGUT = 12         # gutter between article columns
TS = 8.5          # table font size
RH = 14.0         # table body row height
CHAR_LIMIT = 560  # distinct glyphs per page (keeps the embedded font subsets small)
WEEK = "一二三四五六日"


def sw(s, size):
    return pdfmetrics.stringWidth(s, F, size)


# --------------------------------------------------------------------------- article text
def build_article_source():
    """Articles (headline + body paragraphs) from the text dumps whose headline precedes the body."""
    arts = []
    for f in sorted(glob.glob(os.path.join(SEEDS, "*.txt"))):
        if not os.path.basename(f)[:3] in ("001", "004"):
            continue
        def clean(s):
            s = re.sub(r"\s+", " ", s).strip()
            return re.sub(r"(?<=[^\x00-\x7f]) (?=\S)|(?<=\S) (?=[^\x00-\x7f])", "", s)
        paras = [p for p in (clean(p) for p in re.split(r"\n\s*\n", open(f, encoding="utf-8").read())) if p]
        heads = [i for i in range(len(paras) - 1)
                 if 6 <= len(paras[i]) <= 40 and "。" not in paras[i]
                 and re.match(r"(本报讯|本报记者)", paras[i + 1])]
        for n, i in enumerate(heads):
            end = heads[n + 1] if n + 1 < len(heads) else len(paras)
            body = []
            for p in paras[i + 1:end]:
                if p.endswith("摄") or "→" in p:
                    continue
                # stop at table dumps, continuation notes of other stories and table titles
                if (sum(ch.isdigit() for ch in p) > 0.15 * len(p) or p.startswith(("(上接", "（上接"))
                        or "县(市、区)" in p or "县（市、区）" in p or re.match(r"焦作市燃气", p)):
                    break
                if body and not re.search(r"[。！？!?”」）)]$", body[-1]):
                    body[-1] += p
                else:
                    body.append(p)
            while body and not re.search(r"[。！？!?”」）)]$", body[-1]):
                body[-1] = body[-1][:max(body[-1].rfind(ch) for ch in "。！？!?")+1]
                if not body[-1]:
                    body.pop()
            if not body:
                continue
            if re.match(r"本报记者\(记者[^)]*\)$", body[0]) and len(body) > 1:
                body = [body[0] + body[1]] + body[2:]
            if len("".join(body)) >= 150:
                arts.append({"seed": os.path.basename(f), "headline": paras[i].replace(" ", "　"),
                             "body": body})
    return arts


def load_articles(refresh=False):
    path = os.path.join(HERE, "article_source.json")
    if refresh or not os.path.exists(path):
        arts = build_article_source()
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(arts, fh, ensure_ascii=False, indent=1)
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


# --------------------------------------------------------------------------- table data
DISTRICTS = ["沁阳市", "孟州市", "温 县", "博爱县", "武陟县", "修武县",
             "解放区", "山阳区", "马村区", "中站区", "示范区"]


def rows_from(text):
    out = []
    for line in text.strip().splitlines():
        parts = line.split("|")
        label = parts[0].strip()
        vals = []
        for p in parts[1:]:
            vals += ["" if v == "_" else v for v in p.split()]
        out.append((label, vals))
    return out


def pct(n, d, prec):
    q = Decimal(1).scaleb(-prec)
    return str((Decimal(n) / Decimal(d) * 100).quantize(q, ROUND_HALF_UP)) + "%"


def rank_of(keys):
    """1-based ranks by key tuples descending (keys assumed distinct)."""
    order = sorted(range(len(keys)), key=lambda i: keys[i], reverse=True)
    r = [0] * len(keys)
    for pos, i in enumerate(order):
        r[i] = pos + 1
    return r


def table_p01():
    g1, g2 = ["燃气报警器", "管道气"], ["金属软管", "液化气"]
    leaf = ["户数", "已安装数", "安装率", "名\n次"]
    rows = rows_from("""
沁阳市 | 87326 12989 14.9% 5 | 662 388 58.61% 4
孟州市 | 80147 2267 2.3% 10 | 6149 427 6.94% 10
温 县 | 71840 4378 6.1% 7 | 4150 1978 47.66% 5
博爱县 | 37743 8735 23.1% 2 | 625 156 24.96% 7
武陟县 | 69280 570 0.8% 11 | 8675 1434 16.53% 8
修武县 | 32422 5150 15.9% 4 | 2150 880 40.93% 6
解放区 | 145100 6700 4.6% 8 | 56 52 92.86% 1
山阳区 | 129327 9242 7.1% 6 | 36 5 13.89% 9
马村区 | 20229 905 4.5% 9 | 1991 1335 67.05% 3
中站区 | 27656 19520 70.6% 1 | 0 0 0.00% 11
示范区 | 28500 6300 22.1% 3 | 2318 1556 67.13% 2
""")
    return dict(
        id="p01-residential", title="焦作市燃气居民用户安全装置加装情况统计表", date="2022-09-25",
        label_header="县（市、区）", unit="单位：户", layout="ruled",
        cols=[g1 + [x] for x in leaf] + [g2 + [x] for x in leaf], rows=rows, total=None,
        note="本表以居民安装率进行排名，居民安装率=居民已安装户数/居民应安装户数*100%，安装率同样的以安装户数多优先排名。",
        rates=[(2, 1, 0), (6, 5, 4)],
        ranks=[(3, ("ratio", 1, 0), 1), (7, ("ratio", 5, 4), 5)],
        flags=[
            dict(kind="rate_mismatch", row="孟州市", col=2, printed="2.3%",
                 note="PLANTED: 2267/80147 = 2.8%, printed 2.3%"),
            dict(kind="zero_denominator", row="中站区", col=6,
                 note="carried from seed 000: 0/0 printed 0.00%"),
        ],
        from_seed="000-residential (燃气报警器/管道气 and 金属软管/液化气 blocks)")


def table_p02():
    leaf = ["户数", "已安装数", "环比新增\n安装数", "安装率", "名次"]
    rows = rows_from("""
沁阳市 | 87326 29577 0 33.9% 6 | 87988 87899 0 99.9% 3
孟州市 | 80147 29440 60 36.7% 5 | 80147 48055 60 60.0% 8
温 县 | 71840 19860 0 27.6% 7 | 71840 63625 0 88.6% 7
博爱县 | 37743 9325 0 24.7% 8 | 37743 37743 0 100.0% 1
武陟县 | 69280 37514 173 54.1% 3 | 69280 62666 148 90.5% 6
修武县 | 32422 23356 36 72.0% 1 | 32422 31881 36 98.3% 5
解放区 | 137000 51200 230 37.4% 4 | 137000 71440 240 52.1% 9
山阳区 | 129327 9874 0 7.6% 11 | 129327 36778 0 28.4% 11
马村区 | 20229 3572 0 17.7% 10 | 20229 8458 0 41.8% 10
中站区 | 27656 19520 0 70.6% 2 | 27656 27450 0 99.3% 4
示范区 | 28500 6300 0 22.1% 9 | 28500 28500 0 100.0% 1
合计 | 721470 239538 499 33.2% _ | 722132 504495 484 69.9% _
""")
    return dict(
        id="p02-residential-progress", title="焦作市燃气居民用户管道气安全装置加装情况进度表",
        date="2022-11-21", label_header="县（市、区）", unit=None, layout="open",
        cols=[["自闭阀", x] for x in leaf] + [["金属软管", x] for x in leaf],
        rows=rows[:-1], total=rows[-1],
        note="本表以安装率进行排名,安装率=已安装户数/应安装户数×100%。",
        rates=[(3, 1, 0), (8, 6, 5)],
        ranks=[(4, ("ratio", 1, 0), None), (9, ("ratio", 6, 5), None)],
        same_den=[(0, 5)],
        flags=[dict(kind="denominator_mismatch", row="沁阳市", col=None,
                    note="carried from seed 001: 户数 87326 under 自闭阀 vs 87988 under 金属软管 in the same row")],
        from_seed="001-residential-progress (自闭阀 and 金属软管 管道气 blocks)")


def table_p03():
    cols = [["发现问题\n隐患数"], ["问题\n整改数"], ["整改率"], ["名\n次"], ["执法检\n查次数"],
            ["应检\n户数"], ["名\n次"], ["执法处\n罚次数"], ["名\n次"]]
    rows = rows_from("""
沁阳市 | 979 914 93.4% 10 780 1350 9 9 9
孟州市 | 306 306 100% 1 864 1415 8 20 5
温 县 | 260 260 100% 1 1088 712 5 57 2
博爱县 | 335 325 97% 9 945 434 6 6 11
武陟县 | 178 178 100% 1 1100 698 4 7 10
修武县 | 374 374 100% 1 1121 395 3 48 3
解放区 | 42 42 100% 1 1720 1767 2 11 6
山阳区 | 24 24 100% 1 245 1275 10 10 8
马村区 | 175 175 100% 1 850 237 7 31 4
中站区 | 253 253 100% 1 1850 374 1 78 1
示范区 | 63 44 69.8% 11 243 565 11 10 7
""")
    return dict(
        id="p03-rectification", title="焦作市燃气非居民用户安全隐患整改、执法处罚情况统计表",
        date="2022-09-25", label_header="县（市、区）", unit=None, layout="ruled",
        cols=cols, rows=rows, total=None,
        note="1.整改率=问题整改数/发现问题隐患数*100%，整改率高的排名高，整改率同样的以整改数多的优先排名；"
             "2.执法检查排名以执法检查次数为依据，检查次数高的排名高； 3.执法处罚次数高的排名高。",
        rates=[(2, 1, 0)],
        ranks=[(3, ("ratio", 1, 0), 1), (6, ("value", 4), None), (8, ("value", 7), None)],
        flags=[
            dict(kind="rank_mismatch", row="孟州市", col=6,
                 note="PLANTED swap: second 名次 (执法检查次数 864) should be 7, printed 8"),
            dict(kind="rank_mismatch", row="马村区", col=6,
                 note="PLANTED swap: second 名次 (执法检查次数 850) should be 8, printed 7"),
            dict(kind="rank_rule", row=None, col=None,
                 note="carried from seed 000: 整改率 rows tied at 100% all printed rank 1 although the note says ties go to the larger 整改数"),
        ],
        from_seed="000-rectification (complete)")


def table_p04():
    base = [(3200, 3013), (2850, 2790), (2400, 2188), (1800, 1800), (2600, 2311), (1500, 1462),
            (4100, 3690), (3900, 3354), (1200, 1141), (1300, 1287), (1600, 1508)]
    ranks = rank_of([(Fraction(b, a), b) for a, b in base])
    rows = [(lab, [str(a), str(b), pct(b, a, 1), str(r)]) for lab, (a, b), r in zip(DISTRICTS, base, ranks)]
    assert len({v[2] for _, v in rows}) == len(rows), "printed rates must be distinct"
    return dict(
        id="p04-inspection-tasks", title="焦作市燃气用户入户安全检查任务完成情况统计表",
        date="2022-10-09", label_header="县（市、区）", unit="单位：户", layout="three-line",
        panels=2, cols=[["任务数"], ["完成数"], ["完成率"], ["名次"]], rows=rows, total=None,
        note="本表以完成率进行排名，完成率=完成数/任务数×100%，完成率相同的以完成数多的优先排名。",
        rates=[(2, 1, 0)], ranks=[(3, ("ratio", 1, 0), 1)], flags=[], from_seed=None)


def table_p05():
    labels = ["华润燃气", "新奥燃气", "中站区燃气公司", "中裕燃气", "沁阳市燃气公司", "孟州市燃气公司",
              "温县燃气公司", "博爱县燃气公司", "武陟县燃气公司", "修武县燃气公司"]
    insp = [(186420, 171306), (142380, 133917), (27656, 26910), (95210, 84306), (87988, 80211),
            (80147, 71560), (71840, 66093), (37743, 36101), (69280, 60127), (32422, 31456)]
    haz = [(2315, 2207), (1876, 1802), (402, 402), (1263, 1140), (1105, 998), (968, 905),
           (870, 812), (455, 447), (1012, 903), (388, 381)]
    ranks = rank_of([(Fraction(b, a), b) for a, b in insp])
    rows = []
    for lab, (a, b), (h, k), r in zip(labels, insp, haz, ranks):
        rows.append((lab, [str(a), str(b), pct(b, a, 1), str(h), str(k), pct(k, h, 1), str(r)]))
    ta, tb = sum(a for a, _ in insp), sum(b for _, b in insp)
    th, tk = sum(h for h, _ in haz), sum(k for _, k in haz)
    tb_printed = int(str(tb)[:-2] + str(tb)[-1] + str(tb)[-2])  # transposed last two digits
    assert tb_printed != tb
    total = ("合计", [str(ta), str(tb_printed), pct(tb, ta, 1), str(th), str(tk), pct(tk, th, 1), ""])
    return dict(
        id="p05-company-inspection", title="全市燃气经营企业居民用户入户安检情况统计表",
        date="2022-10-30", label_header="燃气企业", unit="单位：户", layout="ruled",
        cols=[["应检户数"], ["已检户数"], ["检查率"], ["发现隐患\n户数"], ["已整改\n户数"], ["整改率"], ["名次"]],
        rows=rows, total=total,
        note="本表以入户安检率进行排名，检查率=已检户数/应检户数×100%，检查率相同的以已检户数多的优先排名；"
             "整改率=已整改户数/发现隐患户数×100%。",
        rates=[(2, 1, 0), (5, 4, 3)], ranks=[(6, ("ratio", 1, 0), 1)],
        flags=[dict(kind="total_mismatch", row="合计", col=1, printed=str(tb_printed),
                    note=f"PLANTED: column sums to {tb}, printed {tb_printed} (last two digits swapped)")],
        from_seed=None)


def table_p06a():
    g1, g2 = ["金属软管", "管道气"], ["金属软管", "液化气"]
    leaf = ["户数", "已安装数", "安装率", "名次"]
    rows = rows_from("""
沁阳市 | 230 212 92.17% 11 | 1120 1093 97.59% 9
孟州市 | 443 443 100% 1 | 972 883 90.84% 10
温 县 | 425 425 100% 1 | 287 287 100.% 1
博爱县 | 172 172 100% 1 | 262 112 42.75% 11
武陟县 | 444 444 100% 1 | 254 254 100% 1
修武县 | 317 317 100% 1 | 78 78 100% 1
解放区 | 605 605 100% 1 | 1062 1062 100% 1
山阳区 | 507 507 100% 1 | 653 653 100% 1
马村区 | 24 24 100% 1 | 213 213 100% 1
中站区 | 94 94 100% 1 | 280 280 100% 1
示范区 | 112 112 100% 1 | 453 445 98.23% 8
""")
    return dict(
        id="p06-nonresidential", title="焦作市燃气非居民用户安全装置加装情况统计表", date="2022-09-25",
        label_header="县（市、区）", unit="单位：户", layout="open",
        cols=[g1 + [x] for x in leaf] + [g2 + [x] for x in leaf], rows=rows, total=None,
        note="本表以非居民安装率进行排名，非居民安装率=非居民已安装户数/非居民应安装户数*100%，安装率同样的以安装户数多优先排名。",
        rates=[(2, 1, 0), (6, 5, 4)],
        ranks=[(3, ("ratio", 1, 0), 1), (7, ("ratio", 5, 4), 5)],
        flags=[
            dict(kind="rank_rule", row=None, col=None,
                 note="carried from seed 000: in both blocks rows tied at 100% all printed rank 1 although the note says ties go to the larger installed count"),
            dict(kind="malformed_number", row="温 县", col=6, printed="100.%",
                 note="carried from seed 000: printed '100.%'"),
        ],
        from_seed="000-nonresidential (金属软管 blocks)")


def table_p06b():
    labels = ["市城管局", "市住建局", "市应急管理局", "市市场监管局", "市教育局", "市消防救援支队"]
    base = [(40, 38, 5200), (30, 30, 3100), (25, 24, 2800), (20, 17, 1900), (15, 15, 4200), (35, 33, 3600)]
    ranks = rank_of([(Fraction(b, a), b) for a, b, _ in base])
    rows = [(lab, [str(a), str(b), pct(b, a, 1), str(c), str(r)]) for lab, (a, b, c), r in zip(labels, base, ranks)]
    ta, tb, tc = (sum(x[i] for x in base) for i in range(3))
    return dict(
        id="p06-publicity", title="市直有关部门燃气安全宣传活动开展情况统计表", date="2022-09-25",
        label_header="单位", unit=None, layout="open",
        cols=[["计划场次"], ["开展场次"], ["完成率"], ["发放资料\n（份）"], ["名次"]], rows=rows,
        total=("合计", [str(ta), str(tb), pct(tb, ta, 1), str(tc), ""]),
        note="完成率=开展场次/计划场次×100%，按完成率排名，完成率相同的以开展场次多的优先排名。",
        rates=[(2, 1, 0)], ranks=[(4, ("ratio", 1, 0), 1)], flags=[], from_seed=None)


# --------------------------------------------------------------------------- self-check
RATE_RE = re.compile(r"^(\d+)(?:\.(\d+))?%$")


def self_check(t):
    found = set()
    rows = t["rows"]
    rate_cols = {r[0] for r in t["rates"]}
    rank_cols = {r[0] for r in t["ranks"]}

    def check_rates(label, vals):
        for rc, nc, dc in t["rates"]:
            s = vals[rc]
            m = RATE_RE.match(s)
            if not m:
                found.add(("malformed_number", label, rc))
                continue
            n, d = int(vals[nc]), int(vals[dc])
            if d == 0:
                found.add(("zero_denominator", label, rc))
                continue
            prec = len(m.group(2) or "")
            if pct(n, d, prec) != s:
                found.add(("rate_mismatch", label, rc))

    for label, vals in rows:
        assert len(vals) == len(t["cols"]), (t["id"], label)
        check_rates(label, vals)
    for rc, prim, tb in t["ranks"]:
        def pkey(v):
            if prim[0] == "ratio":
                n, d = int(v[prim[1]]), int(v[prim[2]])
                return Fraction(n, d) if d else Fraction(-1)
            return int(v[prim[1]])
        keys = [(pkey(v), int(v[tb]) if tb is not None else 0) for _, v in rows]
        order = sorted(keys, reverse=True)
        for (label, vals), k in zip(rows, keys):
            p = int(vals[rc])
            first = order.index(k) + 1
            strict = set(range(first, first + order.count(k)))
            shared = 1 + sum(1 for o in order if o[0] > k[0])
            if p in strict:
                continue
            if p == shared:
                if tb is not None:
                    found.add(("rank_rule", None, None))
                continue
            found.add(("rank_mismatch", label, rc))
    for a, b in t.get("same_den", []):
        for label, vals in rows:
            if vals[a] != vals[b]:
                found.add(("denominator_mismatch", label, None))
    if t["total"]:
        tl, tv = t["total"]
        for j in range(len(t["cols"])):
            if j in rank_cols:
                assert tv[j] == "", (t["id"], j)
            elif j not in rate_cols:
                if sum(int(v[j]) for _, v in rows) != int(tv[j]):
                    found.add(("total_mismatch", tl, j))
        check_rates(tl, tv)
    declared = {(f["kind"], f["row"], f["col"]) for f in t["flags"]}
    assert found == declared, (t["id"], "found", sorted(found, key=str), "declared", sorted(declared, key=str))


def truth_obj(t, source):
    cols = [[w.replace("\n", "") for w in p] for p in t["cols"]]
    o = dict(id=t["id"], source=source, title=t["title"], date=t["date"], label_header=t["label_header"],
             columns=cols, rows=[dict(label=l, values=v) for l, v in t["rows"]])
    if t["total"]:
        o["total"] = dict(label=t["total"][0], values=t["total"][1])
    o["note"] = t["note"]
    flags = []
    for f in t["flags"]:
        g = dict(kind=f["kind"])
        if f["row"] is not None:
            g["row"] = f["row"]
        if f["col"] is not None:
            g["column"] = cols[f["col"]]
            g["col_index"] = f["col"]
        if "printed" in f:
            g["printed"] = f["printed"]
        g["note"] = f["note"]
        flags.append(g)
    o["expected_flags"] = flags
    o["page"] = 1
    o["layout"] = t["layout"]
    o["unit"] = t["unit"]
    if t.get("from_seed"):
        o["from_seed"] = t["from_seed"]
    return o


# --------------------------------------------------------------------------- drawing
class Page:
    def __init__(self, name, size):
        self.name = name
        self.path = os.path.join(HERE, name + ".pdf")
        self.c = canvas.Canvas(self.path, pagesize=size, invariant=1, pageCompression=1)
        self.c.setTitle(name)
        self.c.setAuthor("baozhi samples/render.py")
        self.W, self.H = size
        self.used = set()
        self.arts = []      # (x, ytop, w, h, ncols) filled last
        self.records = []
        self.table_boxes = []   # (x0, y0, x1, y1) of each table block
        self.text_boxes = []    # (x0, y0, x1, y1) of each article line

    def text(self, x, y, s, size, align="l", bold=False):
        if not s:
            return
        w = sw(s, size)
        x0 = x if align == "l" else (x - w if align == "r" else x - w / 2)
        t = self.c.beginText()
        t.setFont(F, size)
        t.setTextRenderMode(2 if bold else 0)
        if bold:
            self.c.setLineWidth(size * 0.035)
        t.setTextOrigin(x0, y)
        t.textOut(s)
        self.c.drawText(t)
        self.used.update(s)

    def hline(self, x0, x1, y, lw=0.5):
        self.c.setLineWidth(lw)
        self.c.line(x0, y, x1, y)

    def vline(self, x, y0, y1, lw=0.5):
        self.c.setLineWidth(lw)
        self.c.line(x, y0, x, y1)


NO_START = set("，。、；：？！）》」』”’,.;:?!)%")


TOKEN = re.compile(r"[A-Za-z0-9.%*/=+\-]+|.", re.S)


def wrap(text, size, width, indent=0.0):
    """Greedy line breaking; runs of ASCII digits/letters are never split."""
    lines, cur, w = [], "", indent
    for tok in TOKEN.findall(text):
        cw = sw(tok, size)
        if w + cw > width and cur and tok not in NO_START:
            lines.append(cur)
            cur, w = tok, cw
        else:
            cur += tok
            w += cw
    if cur:
        lines.append(cur)
    return lines


class TableBlock:
    """Title, date/unit line, table (optionally split in panels), note."""

    def __init__(self, t):
        self.t = t
        self.layout = t["layout"]
        self.panels = t.get("panels", 1)
        self.pad = 3.0 if self.layout != "open" else 5.0
        cols = t["cols"]
        self.depth = max(len(p) for p in cols)
        cells = []
        for l in range(self.depth):
            j = 0
            while j < len(cols):
                p = cols[j]
                if len(p) <= l:
                    j += 1
                    continue
                k = j + 1
                if len(p) > l + 1:
                    while k < len(cols) and len(cols[k]) > l + 1 and cols[k][:l + 1] == p[:l + 1]:
                        k += 1
                cells.append([l, l + 1 if len(p) > l + 1 else self.depth, j, k, p[l]])
                j = k
        self.cells = cells
        allrows = t["rows"] + ([t["total"]] if t["total"] else [])
        lw = lambda s: max(sw(x, TS) for x in s.split("\n"))
        self.wl = max([sw(r[0], TS) for r in allrows] + [lw(t["label_header"])]) + 2 * self.pad + 4
        wv = []
        for j in range(len(cols)):
            wv.append(max([sw(r[1][j], TS) for r in allrows] + [lw(cols[j][-1])]) + 2 * self.pad)
        for l0, l1, c0, c1, txt in cells:
            need = lw(txt) + 2 * self.pad + 4
            have = sum(wv[c0:c1])
            if have < need:
                for j in range(c0, c1):
                    wv[j] += (need - have) / (c1 - c0)
        self.wv = wv
        lh = TS + 1.5
        hl = [lh + 5] * self.depth
        for l0, l1, c0, c1, txt in sorted(cells, key=lambda c: c[1] - c[0]):
            need = txt.count("\n") * lh + lh + 5
            have = sum(hl[l0:l1])
            if have < need:
                hl[l1 - 1] += need - have
        self.hl = hl
        self.tw = self.wl + sum(wv)
        self.th = sum(hl) + RH * self._nrows()
        self.gap = 18
        self.table_w = self.panels * self.tw + (self.panels - 1) * self.gap
        self.w = max(self.table_w, sw(t["title"], 11) + 20)
        self.note_lines = wrap("备注：" + t["note"], TS, self.w)
        self.h = 16 + 12 + self.th + 5 + len(self.note_lines) * (TS + 2.5)

    def _split(self):
        rows = self.t["rows"]
        if self.panels == 1:
            return [rows + ([self.t["total"]] if self.t["total"] else [])]
        n = (len(rows) + 1) // 2
        return [rows[:n], rows[n:]]

    def _nrows(self):
        return max(len(p) for p in self._split())

    def _ctext(self, pg, x, w, ytop, h, txt, bold=False):
        lines = txt.split("\n")
        lh = TS + 1.5
        y = ytop - h / 2 + (len(lines) - 1) * lh / 2 - TS * 0.36
        for ln in lines:
            pg.text(x + w / 2, y, ln, TS, "c", bold)
            y -= lh

    def draw(self, pg, x, ytop):
        t = self.t
        pg.table_boxes.append((x, ytop - self.h, x + self.w, ytop))
        cx = x + self.w / 2
        pg.text(cx, ytop - 12, t["title"], 11, "c", bold=True)
        y, m, d = t["date"].split("-")
        pg.text(cx, ytop - 25, f"（{y}.{int(m)}.{int(d)}）", 8, "c")
        tx0 = x + (self.w - self.table_w) / 2
        if t["unit"]:
            pg.text(tx0 + self.table_w, ytop - 25, t["unit"], 8, "r")
        ttop = ytop - 28
        panels = self._split()
        for pi, prows in enumerate(panels):
            self._draw_panel(pg, tx0 + pi * (self.tw + self.gap), ttop, prows)
        if self.layout == "three-line":
            x1 = tx0 + self.table_w
            pg.hline(tx0, x1, ttop, 1.1)
            pg.hline(tx0, x1, ttop - sum(self.hl), 0.5)
            pg.hline(tx0, x1, ttop - self.th, 1.1)
        ny = ttop - self.th - 5 - TS
        for ln in self.note_lines:
            pg.text(x, ny, ln, TS)
            ny -= TS + 2.5

    def _draw_panel(self, pg, x0, ttop, prows):
        ruled = self.layout == "ruled"
        xs = [x0, x0 + self.wl]
        for w in self.wv:
            xs.append(xs[-1] + w)
        ys = [ttop]
        for h in self.hl:
            ys.append(ys[-1] - h)
        hb = ys[-1]
        # header
        self._ctext(pg, xs[0], self.wl, ttop, ttop - hb, self.t["label_header"])
        if ruled:
            pg.c.setLineWidth(0.4)
            pg.c.rect(xs[0], hb, self.wl, ttop - hb)
        for l0, l1, c0, c1, txt in self.cells:
            cx0, cx1 = xs[c0 + 1], xs[c1 + 1]
            self._ctext(pg, cx0, cx1 - cx0, ys[l0], ys[l0] - ys[l1], txt)
            if ruled:
                pg.c.setLineWidth(0.4)
                pg.c.rect(cx0, ys[l1], cx1 - cx0, ys[l0] - ys[l1])
            elif self.layout == "three-line" and l1 < self.depth:
                pg.hline(cx0 + 2, cx1 - 2, ys[l1], 0.4)
        # body
        rank_cols = {r[0] for r in self.t["ranks"]}
        y = hb
        for label, vals in prows:
            yb = y - RH
            base = y - RH / 2 - TS * 0.36
            if self.layout == "open":
                pg.text(xs[0] + self.pad, base, label, TS)
            else:
                pg.text(xs[0] + self.wl / 2, base, label, TS, "c")
            for j, v in enumerate(vals):
                if self.layout == "open" and j not in rank_cols:
                    pg.text(xs[j + 2] - self.pad, base, v, TS, "r")
                else:
                    pg.text((xs[j + 1] + xs[j + 2]) / 2, base, v, TS, "c")
            if ruled:
                pg.hline(xs[0], xs[-1], yb, 0.4)
            y = yb
        if ruled:
            bottom = hb - RH * len(prows)
            for xx in xs:
                pg.vline(xx, bottom, hb, 0.4)
            pg.c.setLineWidth(0.9)
            pg.c.rect(xs[0], bottom, xs[-1] - xs[0], ttop - bottom)


def masthead(pg, date, ban, section, headline, kicker=None):
    W, H = pg.W, pg.H
    big = 26 if W > 700 else 20
    pg.text(M, H - M - big, "焦作日报", big, bold=True)
    d = datetime.date.fromisoformat(date)
    pg.text(W - M, H - M - 10, f"{d.year}年{d.month}月{d.day}日　星期{WEEK[d.weekday()]}", 9.5, "r")
    pg.text(W - M, H - M - 25, f"第{ban}版　{section}", 9.5, "r")
    y = H - M - big - 9
    pg.hline(M, W - M, y, 2.0)
    pg.hline(M, W - M, y - 3, 0.5)
    y -= 12
    if kicker:
        pg.text(W / 2, y - 11, kicker, 11, "c")
        y -= 16
    hs = 22 if W > 700 else 18
    pg.text(W / 2, y - hs, headline, hs, "c", bold=True)
    return y - hs - 16


def footer(pg, editor):
    pg.hline(M, pg.W - M, M + 14, 0.6)
    pg.text(M, M + 2, editor, 9)
    pg.text(pg.W - M, M + 2, "■新闻热线：8797000", 9, "r")
    return M + 14 + VGAP


def photo(pg, x, ytop, w, h, caption):
    text, credit = caption.rsplit("本报记者", 1)
    credit = "本报记者" + credit
    lines = wrap(text, 8, w)
    if sw(lines[-1] + "　" + credit, 8) <= w:
        lines[-1] += "　" + credit
    else:
        lines.append(credit)
    ph = h - len(lines) * 10.5 - 4
    pg.c.setFillGray(0.78)
    pg.c.rect(x, ytop - ph, w, ph, stroke=0, fill=1)
    pg.c.setFillGray(0)
    y = ytop - ph - 10
    for ln in lines:
        pg.text(x, y, ln, 8)
        y -= 10.5


def ad(pg, x, ytop, w, h, payload):
    """Public-service advertisement: framed box with a few large words (cheap in glyphs)."""
    big, small = payload
    pg.c.setLineWidth(1.2)
    pg.c.rect(x, ytop - h, w, h)
    pg.c.setLineWidth(0.4)
    pg.c.rect(x + 4, ytop - h + 4, w - 8, h - 8)
    size = min(40, (w - 40) / max(len(b) for b in big), (h - 40) / (len(big) * 1.4 + 0.6))
    total = len(big) * size * 1.4
    y = ytop - (h - total) / 2 - size
    for b in big:
        pg.text(x + w / 2, y, b, size, "c", bold=True)
        y -= size * 1.4
    pg.text(x + w - 16, ytop - h + 14, small, 9, "r")


def band(pg, ytop, height, cells, rule=True):
    """cells: list of (width|None, kind, payload). Returns next ytop."""
    W = pg.W - 2 * M
    fixed = sum(c[0] for c in cells if c[0] is not None)
    nflex = sum(1 for c in cells if c[0] is None)
    flex = (W - fixed - HGAP * (len(cells) - 1)) / nflex if nflex else 0
    x = M
    if nflex == 0:  # centre fixed content
        x = M + (W - fixed - HGAP * (len(cells) - 1)) / 2
    for w, kind, payload in cells:
        w = flex if w is None else w
        if kind == "table":
            payload.draw(pg, x + (w - payload.w) / 2, ytop)
        elif kind == "photo":
            photo(pg, x, ytop, w, height, payload)
        elif kind == "art":
            pg.arts.append((x, ytop, w, height, payload))
        elif kind == "ad":
            ad(pg, x, ytop, w, height, payload)
        x += w + HGAP
    y = ytop - height - VGAP
    if rule:
        pg.hline(M, pg.W - M, y + VGAP / 2, 0.3)
    return y


def sentence_cut(s):
    m = max(s.rfind(ch) for ch in "。！？")
    return s[:m + 1] if m >= 0 else s


def fill_articles(pg, pool, order):
    for i, (x, ytop, w, h, ncols) in enumerate(pg.arts):
        art = pool[order[i % len(order)]]
        hs = 14 if w > 250 else 12
        y = ytop
        for ln in wrap(art["headline"], hs, w):
            pg.text(x + w / 2, y - hs, ln, hs, "c", bold=True)
            y -= hs * 1.35
        y -= 6
        colw = (w - (ncols - 1) * CGUT) / ncols
        lpc = int((y - (ytop - h)) // LEAD)
        cap = lpc * ncols
        # glyph budget: whatever is left for the page
        share = CHAR_LIMIT - len(pg.used)
        allowed, newc = [], set()
        paras = []
        for p in art["body"]:
            q = ""
            for ch in p:
                if ch not in pg.used and ch not in newc:
                    if len(newc) >= share:
                        break
                    newc.add(ch)
                q += ch
            else:
                paras.append(p)
                continue
            q = sentence_cut(q)
            if q:
                paras.append(q)
            break
        # fit to capacity (cut at a sentence end)
        def layout(ps):
            out = []
            for p in ps:
                out += [(k == 0, ln) for k, ln in enumerate(wrap(p, BODY, colw, indent=2 * BODY))]
            return out
        lines = layout(paras)
        while len(lines) > cap and paras:
            keep = sum(len(ln) for _, ln in lines[:cap])
            flat, acc = [], 0
            for p in paras:
                if acc + len(p) <= keep:
                    flat.append(p)
                    acc += len(p)
                else:
                    cut = sentence_cut(p[:keep - acc])
                    if cut and cut != p:
                        flat.append(cut)
                    break
            if flat == paras:
                flat = paras[:-1]
            paras = flat
            lines = layout(paras)
        per = -(-len(lines) // ncols) if lines else 0
        for k, (first, ln) in enumerate(lines):
            c, r = divmod(k, per)
            lx, ly = x + c * (colw + CGUT) + (2 * BODY if first else 0), y - BODY - r * LEAD
            pg.text(lx, ly, ln, BODY)
            pg.text_boxes.append((lx, ly - 2.5, lx + sw(ln, BODY), ly + BODY))
        body = "".join(paras)
        pg.records.append(dict(headline=art["headline"], body_start=body[:8]))


# which articles of article_source.json fill the article slots of each page, in slot order
ARTICLE_ORDER = {
    "p01_ruled_3level": [0, 1, 2, 5],
    "p02_open_2level": [4, 6, 7, 3],
    "p03_ruled_flat": [1, 5, 2],
    "p04_threeline_2panel": [7, 6],
    "p05_ruled_companies": [4, 0, 3],
    "p06_open_two_tables": [5, 2, 7],
    "p07_articles_only": [13, 10, 8],
}
EDITORS = ["■编辑：郭　剑　|　校对：李　娜　|　组版：郑志强",
           "■编辑：郭　剑　|　校对：谢欣汝　|　组版：郑志强"]
CAPTIONS = [
    "9月22日，市城管局工作人员在山阳区一居民小区检查燃气报警器安装情况。本报记者　王冰　摄",
    "连日来，燃气企业工作人员深入居民家中开展入户安全检查。本报记者　高小豹　摄",
    "11月16日，执法人员对城区餐饮单位燃气使用情况进行检查。本报记者　高小豹　摄",
    "工作人员为居民更换金属软管。本报记者　王冰　摄",
    "市民在燃气安全宣传活动现场了解安全用气知识。本报记者　高小豹　摄",
    "3月30日，瑞庆汽车发动机技术有限公司工人在组装发动机。本报记者　刘金元　摄",
]


# --------------------------------------------------------------------------- pages
ADS = [
    (["生命至上　安全用气", "燃气安全　人人有责"], "焦作市城市管理局　宣"),
    (["文明焦作　从我做起"], "焦作日报社　宣"),
    (["关爱生命　安全用气"], "焦作市城市管理局　宣"),
    (["疫情防控　人人有责"], "焦作日报社　宣"),
]


def page_specs():
    """(name, size, date, ban, section, headline, kicker, tables, builder(pg, ytop, ybottom, blocks))"""
    P = []

    def p01(pg, y, yb, B):
        t = B[0]
        y = band(pg, y, t.h, [(t.w, "table", t), (None, "art", 3)])
        y = band(pg, y, 250, [(300, "photo", CAPTIONS[0]), (None, "art", 3)])
        y = band(pg, y, 230, [(None, "art", 2), (None, "art", 2)])
        band(pg, y, y - yb, [(None, "ad", ADS[0])], rule=False)
    P.append(("p01_ruled_3level", A3, "2022-09-26", 3, "城市管理", "全市城镇燃气安全专项整治深入推进",
              "燃气安全装置加装工作周通报", [table_p01()], p01))

    def p02(pg, y, yb, B):
        t = B[0]
        y = band(pg, y, 230, [(None, "art", 3), (280, "photo", CAPTIONS[1])])
        y = band(pg, y, t.h, [(t.w, "table", t), (None, "art", 2)])
        y = band(pg, y, 230, [(None, "art", 3), (None, "art", 2)])
        band(pg, y, y - yb, [(None, "ad", ADS[1])], rule=False)
    P.append(("p02_open_2level", A3, "2022-11-22", 4, "城市管理", "大干60天　确保全年红　焦作城管勇毅前行",
              None, [table_p02()], p02))

    def p03(pg, y, yb, B):
        t = B[0]
        y = band(pg, y, 230, [(None, "art", 4)])
        y = band(pg, y, t.h, [(None, "art", 2), (t.w, "table", t)])
        y = band(pg, y, 220, [(330, "photo", CAPTIONS[2]), (None, "art", 3)])
        band(pg, y, y - yb, [(None, "ad", ADS[2])], rule=False)
    P.append(("p03_ruled_flat", A3, "2022-09-26", 3, "城市管理", "以案促改　全面消除燃气安全隐患",
              "非居民用户隐患整改和执法处罚情况通报", [table_p03()], p03))

    def p04(pg, y, yb, B):
        t = B[0]
        y = band(pg, y, 170, [(None, "art", 2), (170, "photo", CAPTIONS[3])])
        y = band(pg, y, t.h, [(t.w, "table", t)])
        y = band(pg, y, 200, [(None, "art", 3)])
        band(pg, y, y - yb, [(None, "ad", ADS[0])], rule=False)
    P.append(("p04_threeline_2panel", A4, "2022-10-10", 5, "城市管理", "入户安检守护万家灯火",
              None, [table_p04()], p04))

    def p05(pg, y, yb, B):
        t = B[0]
        y = band(pg, y, 200, [(None, "art", 4)])
        y = band(pg, y, t.h, [(t.w, "table", t), (None, "art", 2)])
        y = band(pg, y, 220, [(None, "art", 2), (300, "photo", CAPTIONS[1])])
        band(pg, y, y - yb, [(None, "ad", ADS[2])], rule=False)
    P.append(("p05_ruled_companies", A3, "2022-10-31", 3, "城市管理", "燃气企业入户安检进度晾晒",
              "压实企业主体责任", [table_p05()], p05))

    def p06(pg, y, yb, B):
        ta, tb = B
        y = band(pg, y, ta.h, [(ta.w, "table", ta), (None, "art", 2)])
        y = band(pg, y, tb.h, [(None, "art", 2), (tb.w, "table", tb)])
        y = band(pg, y, 220, [(280, "photo", CAPTIONS[4]), (None, "art", 3)])
        band(pg, y, y - yb, [(None, "ad", ADS[0])], rule=False)
    P.append(("p06_open_two_tables", A3, "2022-09-26", 3, "城市管理", "非居民用户安全装置加装进展晾晒",
              None, [table_p06a(), table_p06b()], p06))

    def p07(pg, y, yb, B):
        y = band(pg, y, 260, [(None, "art", 2), (200, "photo", CAPTIONS[5])])
        y = band(pg, y, 200, [(None, "art", 2), (170, "art", 1)])
        band(pg, y, y - yb, [(None, "ad", ADS[3])], rule=False)
    P.append(("p07_articles_only", A4, "2022-03-31", 2, "政务要闻", "疫情防控和经济社会发展两手抓",
              None, [], p07))
    return P


def check_gaps(pg):
    for a in pg.table_boxes:
        for b in pg.text_boxes:
            dx = max(a[0] - b[2], b[0] - a[2], 0)
            dy = max(a[1] - b[3], b[1] - a[3], 0)
            assert max(dx, dy) >= 12, (pg.name, "article text too close to table", a, b)


def verify_pdf(name, truth):
    """pdfplumber must give back real characters: titles, labels and every printed value."""
    try:
        import pdfplumber
    except ImportError:
        print("  (pdfplumber not installed: extraction check skipped)")
        return
    with pdfplumber.open(os.path.join(HERE, name + ".pdf")) as pdf:
        page = pdf.pages[0]
        text = page.extract_text()
        assert "(cid:" not in text, name
        words = {w["text"] for w in page.extract_words()}
        flat = re.sub(r"\s", "", text)
        assert "焦作日报" in flat
        for t in truth:
            assert t["title"] in flat, (name, t["title"])
            rows = t["rows"] + ([t["total"]] if "total" in t else [])
            for r in rows:
                assert r["label"].replace(" ", "") in flat, (name, r["label"])
                for v in r["values"]:
                    assert not v or v in words, (name, r["label"], v)


def main():
    refresh = "--refresh-articles" in sys.argv
    pool = load_articles(refresh)
    assert len(pool) >= 8, "too few articles"
    for pno, (name, size, date, ban, section, headline, kicker, tables, build) in enumerate(page_specs()):
        for t in tables:
            self_check(t)
        pg = Page(name, size)
        blocks = [TableBlock(t) for t in tables]
        y0 = masthead(pg, date, ban, section, headline, kicker)
        yb = footer(pg, EDITORS[pno % 2])
        build(pg, y0, yb, blocks)
        fill_articles(pg, pool, ARTICLE_ORDER[name])
        check_gaps(pg)
        pg.c.showPage()
        pg.c.save()
        truth = [truth_obj(t, name + ".pdf") for t in tables]
        with open(os.path.join(HERE, name + ".truth.json"), "w", encoding="utf-8") as fh:
            json.dump(truth, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        with open(os.path.join(HERE, name + ".articles.json"), "w", encoding="utf-8") as fh:
            json.dump(pg.records, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        verify_pdf(name, truth)
        print(f"{name}.pdf  {os.path.getsize(pg.path):>7} bytes  glyphs={len(pg.used)}  "
              f"tables={len(tables)}  articles={len(pg.records)}")


if __name__ == "__main__":
    main()
