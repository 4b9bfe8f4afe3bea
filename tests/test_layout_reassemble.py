"""Layout and reassembly stages on their own: sample pages for layout, hand-placed words for reassembly."""
import json

import pytest

from conftest import SAMPLES
from extractor.hints import load_layout
from extractor.layout import find_tables, is_prose
from extractor.read_pdf import read_pdf
from extractor.reassemble import reassemble
from schemas.document import Box, Region, Ruling, Word

HINTS = load_layout()


def word(text, x0, top, size=8.0):
    width = size * len(text) * (0.55 if text.isascii() else 1.0)
    return Word(text=text, box=Box(x0=x0, top=top, x1=x0 + width, bottom=top + size), size=size)


def right(text, x1, top, size=8.0):
    w = word(text, 0, top, size)
    return word(text, x1 - w.box.width, top, size)


def test_read_pdf_gives_words_with_boxes_and_rulings():
    page = read_pdf(SAMPLES / "p01_ruled_3level.pdf")[0]
    assert page.kind == "pdf" and page.width and page.height
    assert any(w.text == "沁阳市" for w in page.words)
    assert sum(r.orientation == "v" for r in page.rulings) >= 5
    open_table = find_tables(read_pdf(SAMPLES / "p02_open_2level.pdf")[0], HINTS)[0]
    assert not [r for r in open_table.rulings if r.orientation == "v"]


@pytest.mark.parametrize("name", ["p01_ruled_3level", "p02_open_2level", "p04_threeline_2panel", "p06_open_two_tables"])
def test_layout_finds_each_table_without_the_article_text_around_it(name):
    page = read_pdf(SAMPLES / f"{name}.pdf")[0]
    truth = json.loads((SAMPLES / f"{name}.truth.json").read_text(encoding="utf-8"))
    regions = find_tables(page, HINTS)
    assert [r.title for r in regions] == [t["title"] for t in truth]
    for region in regions:
        assert region.words and not [w.text for w in region.words if is_prose(w)]
        assert all(region.box.contains(w.box, slack=1) for w in region.words)


def test_page_without_table_gives_no_region():
    assert find_tables(read_pdf(SAMPLES / "p07_articles_only.pdf")[0], HINTS) == []


def open_table_words(x_label=40, x_first=110, pitch=45, with_panel=False):
    """A two-level open table: 县（市、区） | 自闭阀 › 户数, 已安装数, 安装率, 名/次 (名次 broken over two lines)."""
    # the group word is centred over the headers of the columns it heads, as printers set it
    words = [word("自闭阀", (x_first + 14 + x_first + 3 * pitch + 30) / 2 - 12, 100)]
    leaves = ["户数", "已安装数", "安装率"]
    words += [word("县（市、区）", x_label - 4, 110)]
    for i, leaf in enumerate(leaves):
        words.append(right(leaf, x_first + i * pitch + 30, 115))
    words += [right("名", x_first + 3 * pitch + 30, 111), right("次", x_first + 3 * pitch + 30, 120)]
    rows = [("沁阳市", "87326", "29577", "33.9%", "2"), ("温 县", "71840", "19860", "27.6%", "3"),
            ("孟州市", "80147", "29440", "36.7%", "1")]
    for r, (label, *values) in enumerate(rows):
        top = 135 + 14 * r
        for part, dx in zip(label.split(" "), (0, 14)):
            words.append(word(part, x_label + dx, top))
        for i, v in enumerate(values):
            words.append(right(v, x_first + i * pitch + 30, top))
    return words, rows


def test_open_table_headers_spans_and_broken_words():
    words, rows = open_table_words()
    table = reassemble(Region(kind="table", words=words, title="测试统计表"), "t.pdf", 1, "t1", HINTS)
    assert table.layout == "open"
    assert [c.path for c in table.columns] == [["自闭阀", "户数"], ["自闭阀", "已安装数"], ["自闭阀", "安装率"],
                                               ["自闭阀", "名次"]]
    assert table.label_header == "县（市、区）"
    assert [r.label for r in table.rows] == [r[0] for r in rows]
    assert [[c.printed for c in r.cells] for r in table.rows] == [list(r[1:]) for r in rows]


def test_two_panels_under_one_header_become_one_table():
    left, rows = open_table_words()
    shift = 300
    right_panel = [w.model_copy(update={"box": Box(x0=w.box.x0 + shift, x1=w.box.x1 + shift, top=w.box.top,
                                                   bottom=w.box.bottom)}) for w in left]
    renamed = {"沁阳市": "解放区", "温": "山", "县": "阳区", "孟州市": "示范区"}
    right_panel = [w.model_copy(update={"text": renamed.get(w.text, w.text)}) for w in right_panel]
    table = reassemble(Region(kind="table", words=left + right_panel, title="测试统计表"), "t.pdf", 1, "t1", HINTS)
    assert len(table.columns) == 4
    assert [r.label.replace(" ", "") for r in table.rows] == ["沁阳市", "温县", "孟州市", "解放区", "山阳区", "示范区"]


def test_ruled_table_takes_columns_from_the_rulings():
    words, rows = open_table_words()
    # the group cell 自闭阀 spans the four value columns: their inner rulings start under it
    rulings = [Ruling(box=Box(x0=x, x1=x + 0.5, top=95 if x in (30, 100, 280) else 110, bottom=180), orientation="v")
               for x in (30, 100, 145, 190, 235, 280)]
    rulings += [Ruling(box=Box(x0=30, x1=280, top=y, bottom=y + 0.5), orientation="h") for y in (95, 110, 130, 180)]
    table = reassemble(Region(kind="table", words=words, rulings=rulings, title="测试统计表"), "t.pdf", 1, "t1", HINTS)
    assert table.layout == "ruled"
    assert [c.path[-1] for c in table.columns] == ["户数", "已安装数", "安装率", "名次"]
    assert all(c.path[0] == "自闭阀" for c in table.columns)


@pytest.mark.parametrize("name", ["p01_ruled_3level", "p02_open_2level", "p04_threeline_2panel", "p06_open_two_tables"])
def test_a_table_without_a_recognised_title_is_still_found_with_its_headers(name):
    page = read_pdf(SAMPLES / f"{name}.pdf")[0]
    truth = json.loads((SAMPLES / f"{name}.truth.json").read_text(encoding="utf-8"))
    page.words = [w for w in page.words if not HINTS.is_title(w.text)]
    regions = find_tables(page, HINTS)
    assert len(regions) == len(truth) and all(r.title is None for r in regions)
    for region, t in zip(regions, truth):
        table = reassemble(region, "x.pdf", 1, "t", HINTS)
        assert [c.path for c in table.columns] == t["columns"]
        assert len(table.rows) == len(t["rows"]) + bool(t.get("total"))


def test_two_titled_tables_side_by_side_are_two_tables():
    from schemas.document import Page
    left, rows = open_table_words()
    shift = 300
    right_words = [w.model_copy(update={"box": Box(x0=w.box.x0 + shift, x1=w.box.x1 + shift, top=w.box.top,
                                                    bottom=w.box.bottom)}) for w in left]
    titles = [word("燃气报警器安装情况统计表", 40, 80, 10), word("燃气隐患整改情况统计表", 340, 80, 10)]
    page = Page(source="s.pdf", page=1, kind="pdf", width=700, height=400, words=titles + left + right_words)
    regions = find_tables(page, HINTS)
    assert [r.title for r in regions] == ["燃气报警器安装情况统计表", "燃气隐患整改情况统计表"]
    for region in regions:
        table = reassemble(region, "s.pdf", 1, "t", HINTS)
        assert [c.path[-1] for c in table.columns] == ["户数", "已安装数", "安装率", "名次"]
        assert len(table.rows) == len(rows)


def test_a_column_printed_left_of_the_row_labels_is_kept():
    words, rows = open_table_words(x_label=80, x_first=150)
    words.append(word("排名", 20, 115))
    words += [right(rank, 40, 135 + 14 * r) for r, rank in enumerate(["2", "3", "1"])]
    table = reassemble(Region(words=words, title="测试统计表"), "t.pdf", 1, "t1", HINTS)
    assert [c.path[-1] for c in table.columns] == ["排名", "户数", "已安装数", "安装率", "名次"]
    assert [r.cells[0].printed for r in table.rows] == ["2", "3", "1"]


@pytest.mark.parametrize("printed,title,date", [
    ("燃气报警器安装情况统计表（截至2022年9月25日）", "燃气报警器安装情况统计表", "2022-09-25"),
    ("表1燃气报警器安装情况统计表（2022.9.25）", "表1燃气报警器安装情况统计表", "2022-09-25"),
    ("燃气报警器安装情况统计表（一）", "燃气报警器安装情况统计表（一）", None),
])
def test_title_lines_with_a_date_a_number_or_a_bracket(printed, title, date):
    from schemas.document import Page
    words, _ = open_table_words()
    page = Page(source="s.pdf", page=1, kind="pdf", width=500, height=400, words=[word(printed, 40, 80, 10)] + words)
    region = find_tables(page, HINTS)[0]
    assert region.title == title
    table = reassemble(region, "s.pdf", 1, "t", HINTS)
    assert table.date == date


def test_a_list_run_into_an_article_is_no_table_but_a_headed_one_is():
    from schemas.document import Page
    article = ["截至收盘，沪指报3319点，两市成交额", "放大，个股涨多跌少，本地股表现如下："]
    after = ["焦作板块整体走强，其中有色金属板块", "领涨，成交较前一日明显放大。"]
    stocks = [("中轴股份", "51.81", "-0.55%"), ("焦煤集团", "14.18", "-0.17%"), ("隆丰皮草", "19.88", "+0.55%"),
              ("蒙牛焦作", "8.25", "+0.67%")]

    def page(header):
        words = [word(t, 20, 100 + 12 * i) for i, t in enumerate(article)]
        top = 130 + (12 if header else 0)
        if header:
            words += [word("名称", 20, 130), right("收盘价", 130, 130), right("涨跌幅", 180, 130)]
        for r, (name, price, change) in enumerate(stocks):
            words += [word(name, 20, top + 12 * r), right(price, 130, top + 12 * r), right(change, 180, top + 12 * r)]
        below = top + 12 * len(stocks) + 4
        words += [word(t, 20, below + 12 * i) for i, t in enumerate(after)]
        return Page(source="t.pdf", page=1, kind="pdf", width=300, height=400, words=words)

    assert find_tables(page(header=False), HINTS) == []
    headed = find_tables(page(header=True), HINTS)
    assert len(headed) == 1 and {"名称", "中轴股份", "-0.55%"} <= {w.text for w in headed[0].words}


def test_two_three_line_tables_of_one_width_stacked_are_two_tables():
    from schemas.document import Page

    def h(y):
        return Ruling(box=Box(x0=30, x1=260, top=y, bottom=y), orientation="h")

    words, rulings = [], []
    for k, (title, top) in enumerate((("甲县燃气安装情况统计表", 80), ("乙县燃气安装情况统计表", 220))):
        words.append(word(title, 60, top))
        words += [word("单位", 40, top + 20), right("户数", 150, top + 20), right("已安装", 240, top + 20)]
        for r, label in enumerate(("一组", "二组", "三组")):
            words += [word(label, 40, top + 40 + 14 * r), right(str(100 + r), 150, top + 40 + 14 * r),
                      right(str(50 + r + k), 240, top + 40 + 14 * r)]
        rulings += [h(top + 15), h(top + 32), h(top + 85)]
    words.append(word("备注：按已安装户数排列。", 40, 170))
    page = Page(source="t.pdf", page=1, kind="pdf", width=300, height=400, words=words, rulings=rulings)
    regions = find_tables(page, HINTS)
    assert [r.title for r in regions] == ["甲县燃气安装情况统计表", "乙县燃气安装情况统计表"]
    tables = [reassemble(r, "t.pdf", 1, f"t{k}", HINTS) for k, r in enumerate(regions)]
    assert [[row.label for row in t.rows] for t in tables] == [["一组", "二组", "三组"]] * 2
    assert [c.printed for c in tables[1].rows[0].cells] == ["100", "51"]


def test_an_article_column_beside_a_table_stays_out_even_where_its_commas_stand_apart():
    # a photo of a page: the article's lines, cut by OCR at their commas, need not fall in the table's rows, and
    # the photo's dark edge reads as a page-high vertical rule at the far left
    from schemas.document import Page
    words, rows = open_table_words(x_label=120, x_first=190)
    title = word("燃气报警器安装情况统计表", 150, 80)
    article = []
    for k, (left, rest) in enumerate([("新时代团结奋斗", ""), ("一以习近", "平同志"), ("党中央情系天山", ""),
                                       ("儿女引领", "新疆发"), ("发展纪实本报", ""), ("讯记者", "焦娇摄")]):
        top = 104 + 11 * k
        article.append(word(left, 20, top))
        if rest:  # OCR cuts the line at its comma: the comma and the rest of the line are words of their own
            article += [word("，", 20 + 8 * len(left), top), word(rest, 28 + 8 * len(left), top)]
    edge = Ruling(box=Box(x0=0.5, top=0, x1=0.5, bottom=800), orientation="v")
    page = Page(source="photo.jpg", page=1, kind="scan", width=600, height=800, words=[title] + words + article,
                rulings=[edge])
    [region] = find_tables(page, HINTS)
    assert not any(w in region.words for w in article) and edge not in region.rulings
    table = reassemble(region, "photo.jpg", 1, "t1", HINTS)
    assert [r.label.replace(" ", "") for r in table.rows] == [r[0].replace(" ", "") for r in rows]


def test_a_title_wrapped_over_a_date_and_unit_line_stays_out_of_the_header():
    # a narrow table in an article column (wkhtmltopdf, c1_0035 of the corpus): the title's first line does not
    # end like a title, so the table is found from its rows; the header block stops at the date and unit lines
    from schemas.document import Page
    words = [word("焦作市燃气用户入户安全检查任务完成情", 20, 60, 9), word("况统计表", 78, 71, 9),
             word("(2021年5月22日)", 80, 83, 6), right("单位：户", 180, 92, 6)]
    xs = [60, 100, 140, 175]
    words += [word("站点", 20, 102, 6)] + [right(h, x, 102, 6) for h, x in zip(["应检户数", "已检户数", "完成率(%)", "名次"], xs)]
    rows = [("JZ01", "10675", "10214", "96", "2"), ("JZ02", "7978", "7978", "100", "1"),
            ("JZ03", "6484", "4551", "70", "4"), ("JZ04", "1718", "1473", "86", "3")]
    for r, (label, *values) in enumerate(rows):
        words += [word(label, 20, 114 + 11 * r, 6)] + [right(v, x, 114 + 11 * r, 6) for v, x in zip(values, xs)]
    page = Page(source="s.pdf", page=1, kind="pdf", width=200, height=300, words=words)
    [region] = find_tables(page, HINTS)
    assert region.title == "焦作市燃气用户入户安全检查任务完成情况统计表"
    table = reassemble(region, "s.pdf", 1, "t", HINTS)
    assert [c.path for c in table.columns] == [["应检户数"], ["已检户数"], ["完成率(%)"], ["名次"]]
    assert table.date == "2021-05-22" and table.unit == "户"
    assert [r.label for r in table.rows] == [r[0] for r in rows]


def test_serials_fused_to_labels_in_two_panels_alternating_across_keep_their_header():
    # Chromium prints a right-aligned serial hard against the next cell's label (1沁阳市); with rows alternating
    # across two panels the serials count up by two down each panel (1, 3, 5 | 2, 4, 6); the header word 序号 is
    # wider than its column of digits and overhangs the body's left edge (c1_0175 of the corpus)
    from schemas.document import Page
    words = [word("测试完成情况统计表", 120, 60, 10)]
    labels = ["沁阳市", "孟州市", "温县", "武陟县", "博爱县", "修武县"]
    for shift in (0, 250):
        words += [word("序号", 34 + shift, 90, 8), word("县（市、区）", 58 + shift, 90, 8),
                  right("户数", 160 + shift, 90, 8), right("完成率", 215 + shift, 90, 8)]
    for i, label in enumerate(labels):
        shift, r = (0, i // 2) if i % 2 == 0 else (250, i // 2)
        top = 106 + 14 * r
        words += [word(f"{i + 1}{label}", 46 + shift, top, 8), right(str(1000 + i), 160 + shift, top, 8),
                  right(f"{50 + i}.0", 215 + shift, top, 8)]
    page = Page(source="s.pdf", page=1, kind="pdf", width=520, height=300, words=words)
    [region] = find_tables(page, HINTS)
    table = reassemble(region, "s.pdf", 1, "t", HINTS)
    assert [c.path for c in table.columns] == [["序号"], ["户数"], ["完成率"]]
    assert sorted((r.label, r.cells[0].printed) for r in table.rows) == sorted(
        (label, str(i + 1)) for i, label in enumerate(labels))


def test_a_date_wrapped_onto_the_line_under_the_title_takes_the_bracket_it_opened():
    # 焦作市…完成情况统计表（截 / 至2023年9月12日） over a table: the title keeps no half bracket
    from schemas.document import Page
    words, _ = open_table_words()
    words = [w.model_copy(update={"box": w.box.model_copy(update={"top": w.box.top + 20, "bottom": w.box.bottom + 20})})
             for w in words]
    title = [word("燃气报警器安装情况统计表（截", 60, 80, 10), word("至2023年9月12日）", 110, 93, 10)]
    page = Page(source="s.pdf", page=1, kind="pdf", width=500, height=400, words=title + words)
    [region] = find_tables(page, HINTS)
    assert region.title == "燃气报警器安装情况统计表"
    assert reassemble(region, "s.pdf", 1, "t", HINTS).date == "2023-09-12"


def test_a_remarks_column_of_words_beside_the_figures_is_the_tables():
    # a rule-less table found from its rows of figures: its 备注, filled in one row, stands right of the figures
    # and of the title's stretch (c1_0038 of the corpus); its words are no malformed figures
    from extractor.check import check_table
    from schemas.document import Page
    from schemas.flags import FlagKind
    words, rows = open_table_words()
    words += [word("备注", 300, 115), word("已完成", 296, 149)]
    page = Page(source="s.pdf", page=1, kind="pdf", width=500, height=400,
                words=[word("燃气报警器安装情况统计表", 80, 80, 10)] + words)
    [region] = find_tables(page, HINTS)
    table = reassemble(region, "s.pdf", 1, "t", HINTS)
    assert [c.path[-1] for c in table.columns] == ["户数", "已安装数", "安装率", "名次", "备注"]
    assert [r.cells[-1].printed for r in table.rows] == ["", "已完成", ""]
    assert not [f for f in check_table(table) if f.kind == FlagKind.malformed_number]


@pytest.mark.parametrize("size,title", [(12, "市区主要副食品零售价格"), (8, None)])
def test_a_line_in_larger_type_flush_left_over_a_table_is_its_title(size, title):
    # no title ending (价格), not centred: its type, larger than the table's, makes it the title (c1_0008); the same
    # words in the table's own type are no title
    from schemas.document import Page
    words, _ = open_table_words()
    page = Page(source="s.pdf", page=1, kind="pdf", width=500, height=400,
                words=[word("市区主要副食品零售价格", 40, 96 - size, size)] + words)
    [region] = find_tables(page, HINTS)
    assert region.title == title


@pytest.mark.parametrize("label_x", [36, 100])
def test_footer_rows_under_a_rule_less_table_are_its_footers(label_x):
    # 合计户数 ·· 239313 and 累计已安装数 ·· 78877 under the body: one figure each, so the run of rows of figures
    # stopped above them (c1_0004); the label set over the first value column instead of the label column
    # (LibreOffice centres a merged cell's text, c1_0243) is a footer all the same
    from extractor.check import check_table
    from schemas.document import Page
    from schemas.flags import FlagKind
    words, rows = open_table_words()
    words += [word("合计户数", label_x, 180), right("239313", 220, 180), word("累计已安装数", label_x, 194),
              right("78870", 220, 194)]
    page = Page(source="s.pdf", page=1, kind="pdf", width=500, height=400,
                words=[word("燃气报警器安装情况统计表", 80, 80, 10)] + words)
    [region] = find_tables(page, HINTS)
    table = reassemble(region, "s.pdf", 1, "t", HINTS)
    assert [r.label for r in table.rows] == [r[0] for r in rows]
    assert [(f.label, f.printed) for f in table.footers] == [("合计户数", "239313"), ("累计已安装数", "78870")]
    wrong = [f for f in check_table(table) if f.kind == FlagKind.total_mismatch]
    assert [(f.row, f.expected) for f in wrong] == [("累计已安装数", "78877")]
