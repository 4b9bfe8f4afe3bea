"""The cell grid (extractor/grid.py) on hand-placed words and rulings: one structure for ruled, three-line and
rule-less tables, spans, wrapped cells, panels, footers, row-spanning labels, captions and bands."""
from extractor.check import check_table
from extractor.grid import build_grid, grid_of_rows
from extractor.hints import load_layout, squeeze
from extractor.reassemble import reassemble, tables_of_region
from schemas.document import Box, Region, Ruling, Word
from schemas.flags import FlagKind
from schemas.grid import CellKind

HINTS = load_layout()
SIZE = 8.0


def word(text, x0, top, size=SIZE):
    width = size * sum(0.55 if ch.isascii() else 1.0 for ch in text)
    return Word(text=text, box=Box(x0=x0, top=top, x1=x0 + width, bottom=top + size), size=size)


def centred(text, mid, top):
    w = word(text, 0, top)
    return word(text, mid - w.box.width / 2, top)


def h(x0, x1, y):
    return Ruling(box=Box(x0=x0, x1=x1, top=y, bottom=y), orientation="h")


def v(x, top, bottom):
    return Ruling(box=Box(x0=x, x1=x, top=top, bottom=bottom), orientation="v")


ROWS = [("沁阳市", "87326", "29577", "33.9%", "2"), ("孟州市", "80147", "29440", "36.7%", "1"),
        ("温县", "71840", "19860", "27.6%", "3")]
MIDS = [60, 130, 190, 250, 300]   # column centres: label, 户数, 已安装数, 安装率, 名次
EDGES = [30, 95, 160, 220, 280, 320]


def table_words(body_top=140, pitch=16):
    """A two-level header: 县（市、区） | 自闭阀 › 户数, 已安装/数 (broken over two lines), 安装率 | 名次."""
    words = [centred("县（市、区）", MIDS[0], 112), centred("自闭阀", (MIDS[1] + MIDS[3]) / 2, 104),
             centred("户数", MIDS[1], 120), centred("已安装", MIDS[2], 116), centred("数", MIDS[2], 125),
             centred("安装率", MIDS[3], 120), centred("名次", MIDS[4], 112)]
    for r, row in enumerate(ROWS):
        words += [centred(text, mid, body_top + r * pitch) for text, mid in zip(row, MIDS)]
    return words


def ruled(words_top=100, bottom=190):
    """Every cell bordered; the group cell 自闭阀 spans three columns, 县（市、区） and 名次 two header rows."""
    rules = [v(x, words_top, bottom) for x in (EDGES[0], EDGES[1], EDGES[4], EDGES[5])]
    rules += [v(x, 114, bottom) for x in (EDGES[2], EDGES[3])]
    rules += [h(EDGES[0], EDGES[5], y) for y in (words_top, 135, 154, 170, bottom)]
    rules += [h(EDGES[1], EDGES[4], 114)]
    return rules


def three_line():
    return [h(EDGES[0], EDGES[5], 100), h(EDGES[1], EDGES[4], 114), h(EDGES[0], EDGES[5], 135),
            h(EDGES[0], EDGES[5], 190)]


def paths(table):
    return [c.path for c in table.columns]


EXPECTED = [["自闭阀", "户数"], ["自闭阀", "已安装数"], ["自闭阀", "安装率"], ["名次"]]


def test_ruled_three_line_and_rule_less_tables_give_the_same_table():
    for rulings in (ruled(), three_line(), []):
        table = reassemble(Region(words=table_words(), rulings=rulings, title="测试统计表"), "t.pdf", 1, "t", HINTS)
        assert paths(table) == EXPECTED, rulings
        assert table.label_header == "县（市、区）"
        assert [r.label for r in table.rows] == [r[0] for r in ROWS]
        assert [[c.printed for c in r.cells] for r in table.rows] == [list(r[1:]) for r in ROWS]


def test_grid_cells_carry_spans_and_kinds():
    grid = build_grid(table_words(), ruled(), HINTS.grid)
    group = next(c for c in grid.cells if c.text == "自闭阀")
    assert (group.row, group.col, group.col_span) == (0, 1, 3)
    broken = next(c for c in grid.cells if c.text == "已安装数")
    assert broken.kind == CellKind.header and broken.col == 2
    assert next(c for c in grid.cells if c.text == "县（市、区）").kind == CellKind.label_header
    assert next(c for c in grid.cells if c.text == "沁阳市").kind == CellKind.label
    assert [ln.source.value for ln in grid.col_lines] == ["ruling"] * 6


def test_a_table_without_header_gets_numbered_columns_not_a_data_row():
    words = [centred(text, mid, 140 + r * 16) for r, row in enumerate(ROWS) for text, mid in zip(row, MIDS)]
    table = reassemble(Region(words=words, title="测试统计表"), "t.pdf", 1, "t", HINTS)
    assert paths(table) == [["列1"], ["列2"], ["列3"], ["列4"]]
    assert [r.label for r in table.rows] == ["沁阳市", "孟州市", "温县"]


def test_label_wrapped_onto_a_second_line_stays_one_cell():
    words = table_words(pitch=24)
    words = [w for w in words if w.text != "孟州市"]
    words += [centred("孟州市燃", MIDS[0], 156 - 5), centred("气公司", MIDS[0], 156 + 5)]
    table = reassemble(Region(words=words, title="测试统计表"), "t.pdf", 1, "t", HINTS)
    assert [r.label for r in table.rows] == ["沁阳市", "孟州市燃气公司", "温县"]
    assert table.rows[1].cells[0].printed == "80147"


def test_footer_row_spanning_columns_is_kept_apart_and_checked():
    words = table_words()
    # the label reaches over the 户数 column; its one figure stands under 已安装数
    words += [word("全市累计已安装户数", 32, 190), centred("78870", MIDS[2], 190)]
    table = reassemble(Region(words=words, title="测试统计表"), "t.pdf", 1, "t", HINTS)
    assert [r.label for r in table.rows] == [r[0] for r in ROWS]
    assert [(f.label, f.printed, f.column) for f in table.footers] == [("全市累计已安装户数", "78870", "自闭阀 / 已安装数")]
    wrong = [f for f in check_table(table) if f.kind == FlagKind.total_mismatch]
    assert len(wrong) == 1 and wrong[0].column == "自闭阀 / 已安装数" and wrong[0].expected == "78877"
    right = table.model_copy(update={"footers": [table.footers[0].model_copy(update={"printed": "78877"})]})
    assert not [f for f in check_table(right) if f.kind == FlagKind.total_mismatch]


def test_two_panels_of_unequal_length_under_one_header():
    left = table_words()
    shift = 300
    right = [w.model_copy(update={"box": Box(x0=w.box.x0 + shift, x1=w.box.x1 + shift, top=w.box.top,
                                             bottom=w.box.bottom)}) for w in left if w.box.top < 170]
    renamed = {"沁阳市": "解放区", "孟州市": "山阳区"}
    right = [w.model_copy(update={"text": renamed.get(w.text, w.text)}) for w in right]
    table = reassemble(Region(words=left + right, title="测试统计表"), "t.pdf", 1, "t", HINTS)
    assert paths(table) == EXPECTED
    assert [r.label for r in table.rows] == ["沁阳市", "孟州市", "温县", "解放区", "山阳区"]


def test_label_printed_once_beside_several_ruled_rows_labels_each():
    words = [centred("等级", 60, 104), centred("车道数", 130, 104), centred("基准值", 190, 104),
             centred("高速公路", 60, 137), centred("八", 130, 121), centred("2.5000", 190, 121),
             centred("六", 130, 137), centred("2.1333", 190, 137), centred("四", 130, 153), centred("1.6667", 190, 153),
             centred("一级公路", 60, 169), centred("六", 130, 169), centred("1.3333", 190, 169)]
    rules = [v(x, 100, 180) for x in (30, 95, 160, 220)] + [h(30, 220, y) for y in (100, 115, 164, 180)]
    rules += [h(95, 220, y) for y in (131, 147)]
    table = reassemble(Region(words=words, rulings=rules, title="测试统计表"), "t.pdf", 1, "t", HINTS)
    assert [(r.label, r.cells[0].printed) for r in table.rows] == [
        ("高速公路", "八"), ("高速公路", "六"), ("高速公路", "四"), ("一级公路", "六")]


def test_bands_across_a_frame_part_stacked_tables_and_a_caption_is_a_title():
    words = [word("第一项", 35, 104), word("内容", 35, 120), centred("件数", 150, 120), centred("金额", 240, 120),
             word("规章", 35, 136), centred("1", 150, 136), centred("11", 240, 136),
             word("文件", 35, 152), centred("8", 150, 152), centred("66", 240, 152),
             word("第五项", 35, 168), word("内容", 35, 184), centred("决定数量", 195, 184),
             word("许可", 35, 200), centred("447228", 195, 200)]
    rules = [v(30, 100, 215), v(280, 100, 215), v(110, 116, 163), v(200, 116, 163), v(110, 180, 215)]
    rules += [h(30, 280, y) for y in (100, 116, 132, 148, 164, 180, 196, 215)]
    tables = tables_of_region(Region(words=words, rulings=rules, title="二、主动公开情况"), "t.pdf", 1, "t", HINTS)
    assert [(t.title, paths(t), [r.label for r in t.rows]) for t in tables] == [
        ("第一项", [["件数"], ["金额"]], ["规章", "文件"]), ("第五项", [["决定数量"]], ["许可"])]


def test_a_dump_table_meets_the_same_grid():
    grid = grid_of_rows([["县（市、区）"], ["自闭阀", "户数"], ["自闭阀", "安装率"], ["名次"]],
                        [["沁阳市", "87326", "33.9%", "2"], ["合计任务数", "", "", "158"]], HINTS.grid,
                        HINTS.total_labels)
    assert [grid.header_path(c) for c in range(4)] == [["县（市、区）"], ["自闭阀", "户数"], ["自闭阀", "安装率"], ["名次"]]
    footer = next(c for c in grid.cells if c.text == "合计任务数")
    assert footer.kind == CellKind.footer and footer.col_span == 3


def test_group_rules_side_by_side_are_not_the_top_rule_of_a_three_line_table():
    # two group headers (自闭阀, 联动) each with its short rule; together they cover all but the stub column
    words = [centred("县（市、区）", MIDS[0], 112), centred("自闭阀", (MIDS[1] + MIDS[2]) / 2, 104),
             centred("联动", (MIDS[3] + MIDS[4]) / 2, 104)]
    words += [centred(t, m, 120) for t, m in zip(("户数", "已安装数", "户数", "已安装数"), MIDS[1:])]
    words += [centred(text, mid, 140 + r * 16) for r, row in enumerate(ROWS) for text, mid in zip(row, MIDS)]
    rules = [h(EDGES[0], EDGES[5], 100), h(EDGES[1], EDGES[3] - 1, 114), h(EDGES[3] + 1, EDGES[5], 114),
             h(EDGES[0], EDGES[5], 135), h(EDGES[0], EDGES[5], 190)]
    table = reassemble(Region(words=words, rulings=rules, title="测试统计表"), "t.pdf", 1, "t", HINTS)
    assert paths(table) == [["自闭阀", "户数"], ["自闭阀", "已安装数"], ["联动", "户数"], ["联动", "已安装数"]]
    assert table.label_header == "县（市、区）"


def test_a_column_filled_in_one_row_only_is_its_own_column():
    words = table_words()
    words += [word("备注", 335, 112), word("含新增", 335, 140 + 16)]
    table = reassemble(Region(words=words, title="测试统计表"), "t.pdf", 1, "t", HINTS)
    assert paths(table) == EXPECTED + [["备注"]]
    assert [c.printed for c in table.rows[1].cells] == ["80147", "29440", "36.7%", "1", "含新增"]


def test_first_labels_of_two_panels_wrapped_round_their_figures_stay_body():
    # 东方红 / 街道 and 焦北街 / 道: each label's two lines stand above and below its row's figures
    header = [("街道", 40), ("任务数", 100), ("名次", 150), ("街道", 210), ("任务数", 270), ("名次", 320)]
    words = [centred(t, m, 100) for t, m in header]
    labels = [(("东方红", "街道"), ("焦北街", "道")), (("焦东街", "道"), ("焦西街", "道"))]
    figures = [("486", "4", "374", "8"), ("648", "9", "100", "7")]
    for r, ((left, right), figs) in enumerate(zip(labels, figures)):
        top = 125 + r * 30
        words += [centred(left[0], 40, top - 9), centred(left[1], 40, top + 9),
                  centred(right[0], 210, top - 9), centred(right[1], 210, top + 9)]
        words += [centred(f, m, top) for f, m in zip(figs, (100, 150, 270, 320))]
    rules = [h(20, 340, 95), h(20, 340, 112), h(20, 340, 180)]
    table = reassemble(Region(words=words, rulings=rules, title="测试排名表"), "t.pdf", 1, "t", HINTS)
    assert paths(table) == [["任务数"], ["名次"]]
    assert table.label_header == "街道"
    assert [r.label for r in table.rows] == ["东方红街道", "焦东街道", "焦北街道", "焦西街道"]
    assert [c.printed for c in table.rows[2].cells] == ["374", "8"]


def test_a_ruled_schedule_without_header_is_all_rows_and_its_two_panels_are_found():
    rows = [("7月14日", "10:00—12:00", "丰收路社区", "7月18日", "8:00—10:00", "市图书馆"),
            ("7月15日", "10:00—12:00", "市体育中心", "7月19日", "9:00—11:00", "建设路小学"),
            ("7月16日", "10:00—12:30", "塔南路社区", "7月20日", "10:00—12:30", "焦作万达广场")]
    mids = [40, 110, 180, 260, 330, 410]
    words = [centred(text, mid, 104 + r * 16) for r, row in enumerate(rows) for text, mid in zip(row, mids)]
    rules = [h(10, 460, y) for y in (100, 116, 132, 148)] + [v(x, 100, 148) for x in (10, 75, 145, 220, 295, 365, 460)]
    table = reassemble(Region(words=words, rulings=rules, title="活动日程安排"), "t.pdf", 1, "t", HINTS)
    assert paths(table) == [["列1"], ["列2"]]
    assert [r.label for r in table.rows] == ["7月14日", "7月15日", "7月16日", "7月18日", "7月19日", "7月20日"]
    assert [c.printed for c in table.rows[3].cells] == ["8:00—10:00", "市图书馆"]


def test_panels_that_each_open_with_a_serial_number_column():
    header = [("序号", 30), ("站点", 70), ("应覆盖数", 120), ("名次", 170)]
    words = [centred(t, m + k * 180, 100) for k in (0, 1) for t, m in header]
    rows = [[("1", "B01", "538", "3"), ("2", "B02", "277", "5")], [("3", "B03", "493", "4"), ("4", "B04", "990", "1")]]
    for r, panels in enumerate(rows):
        for k, row in enumerate(panels):
            words += [centred(t, m + k * 180, 120 + r * 16) for t, (_, m) in zip(row, header)]
    table = reassemble(Region(words=words, title="测试统计表"), "t.pdf", 1, "t", HINTS)
    assert paths(table) == [["序号"], ["应覆盖数"], ["名次"]]
    assert table.label_header == "站点"
    assert [r.label for r in table.rows] == ["B01", "B03", "B02", "B04"]
    assert [c.printed for c in table.rows[2].cells] == ["2", "277", "5"]



def test_open_header_groups_of_a_line_share_its_columns_by_centring():
    # rule-less, three levels: 较大隐患 over eight columns, 一般隐患 over four; the far columns of 较大隐患 lie
    # nearer the word 一般隐患 than their own group's word
    leaves = ["应整改数", "整改数", "新增", "整改率"]
    mid = [60 + 40 * k for k in range(13)]  # column 0 holds the labels
    words = [centred("县市区", mid[0], 108)]
    words += [centred(leaf, mid[1 + k], 124) for k in range(12) for leaf in [leaves[k % 4]]]
    for name, first in (("居民", 1), ("非居民", 5), ("居民", 9)):
        words.append(centred(name, (mid[first] + mid[first + 3]) / 2, 108))
    words += [centred("较大隐患", (mid[1] + mid[8]) / 2, 92), centred("一般隐患", (mid[9] + mid[12]) / 2, 92)]
    for r, label in enumerate(("沁阳市", "孟州市", "温县")):
        words += [word(label, 40, 144 + 16 * r)] + [centred(str(10 + k + r), mid[1 + k], 144 + 16 * r) for k in range(12)]
    table = reassemble(Region(words=words, title="测试排名表"), "t.pdf", 1, "t", HINTS)
    groups = [("较大隐患", "居民")] * 4 + [("较大隐患", "非居民")] * 4 + [("一般隐患", "居民")] * 4
    assert paths(table) == [[*g, leaves[k % 4]] for k, g in enumerate(groups)]


def test_a_leaf_directly_under_a_top_group_beside_a_sub_group_is_not_taken_by_the_next_sub_group():
    # 一般隐患 › 居民 › 应整改数, 问题整改数 | 一般隐患 › 整改率, 名次 | 较大隐患 › the same: the second 居民 is
    # centred over 整改率 … 名次 of its left neighbour group as well as over its own two columns
    mid = [60 + 45 * k for k in range(9)]
    words = [centred("部门", mid[0], 116)]
    leaves = [("应整改数", 132), ("问题整改数", 132), ("整改率", 120), ("名次", 120)] * 2
    words += [centred(t, mid[1 + k], top) for k, (t, top) in enumerate(leaves)]
    words += [centred("居民", (mid[1] + mid[2]) / 2, 108), centred("居民", (mid[5] + mid[6]) / 2, 108)]
    words += [centred("一般隐患", (mid[1] + mid[4]) / 2, 94), centred("较大隐患", (mid[5] + mid[8]) / 2, 94)]
    for r, label in enumerate(("市城管局", "市住建局", "市财政局")):
        words += [centred(label, mid[0], 150 + 16 * r)] + [centred(str(10 + k), mid[1 + k], 150 + 16 * r)
                                                            for k in range(8)]
    table = reassemble(Region(words=words, title="测试统计表"), "t.pdf", 1, "t", HINTS)
    assert paths(table) == [[g, *sub, leaf] for g in ("一般隐患", "较大隐患")
                            for sub, leaf in ((["居民"], "应整改数"), (["居民"], "问题整改数"), ([], "整改率"), ([], "名次"))]


def test_a_serial_number_printed_against_its_label_is_parted_from_it():
    # Chromium, no padding, no ruling: 1沁阳市 is one word in the text layer
    words = [centred("序号", 30, 104), centred("地区", 70, 104)] + [centred(t, m, 104) for t, m in
                                                                zip(("户数", "已安装数", "安装率", "名次"), MIDS[1:])]
    for r, row in enumerate(ROWS):
        fused = word(f"{r + 1}{row[0]}", 26, 124 + 16 * r)
        words += [fused] + [centred(text, mid, 124 + 16 * r) for text, mid in zip(row[1:], MIDS[1:])]
    table = reassemble(Region(words=words, title="测试统计表"), "t.pdf", 1, "t", HINTS)
    assert [r.label for r in table.rows] == [r[0] for r in ROWS]
    assert [c.printed for c in table.rows[2].cells] == ["3", "71840", "19860", "27.6%", "3"]


def test_a_letter_spaced_sub_group_word_heads_its_group_all_the_same():
    # 居　民 printed letter-spaced over the middle of its three columns is cut at its blank into 居 | 民: still one
    # word, and it heads its three columns as 非居民 heads its three
    leaves = ["户数", "已安装数", "安装率"]
    mid = [60 + 40 * k for k in range(7)]
    words = [centred("县市区", mid[0], 108), centred("较大隐患", (mid[1] + mid[6]) / 2, 92)]
    words += [centred(leaves[k % 3], mid[1 + k], 124) for k in range(6)]
    words += [word("居", mid[2] - 9, 108), word("民", mid[2] + 4, 108), centred("非居民", mid[5], 108)]
    for r, label in enumerate(("沁阳市", "孟州市", "温县")):
        words += [word(label, 40, 144 + 16 * r)] + [centred(str(10 + k + r), mid[1 + k], 144 + 16 * r) for k in range(6)]
    table = reassemble(Region(words=words, title="测试排名表"), "t.pdf", 1, "t", HINTS)
    assert [[squeeze(w) for w in p] for p in paths(table)] == \
        [["较大隐患", g, leaves[k % 3]] for k, g in enumerate(["居民"] * 3 + ["非居民"] * 3)]


def test_a_gutter_inside_a_ruled_label_cell_is_no_column():
    # 7月 | 6日: the blank between month and day runs down every row, but the ruled header cell 日期 spans it
    words = [centred("日期", 60, 104), centred("时间", 140, 104), centred("地点", 220, 104)]
    for r, (day, time, place) in enumerate((("6日", "8:30", "人民公园"), ("7日", "9:00", "市民广场"),
                                             ("8日", "10:00", "龙源湖公园"))):
        words += [word("7月", 38, 124 + 16 * r), word(day, 62, 124 + 16 * r), centred(time, 140, 124 + 16 * r),
                  centred(place, 220, 124 + 16 * r)]
    rules = [v(x, 100, 172) for x in (30, 100, 180, 265)] + [h(30, 265, y) for y in (100, 118, 172)]
    table = reassemble(Region(words=words, rulings=rules, title="活动日程安排"), "t.pdf", 1, "t", HINTS)
    assert table.label_header == "日期"
    assert [r.label.replace(" ", "") for r in table.rows] == ["7月6日", "7月7日", "7月8日"]
    assert paths(table) == [["时间"], ["地点"]]


def test_a_remark_column_head_between_three_line_rules_is_no_note():
    # 备注 heads a column; only 备注：… (or 备注 with text after it) starts a note
    assert not HINTS.is_note("备注") and HINTS.is_note("备注：整改率=整改数/应整改数") and HINTS.is_note("注：单位为户")
    assert HINTS.note_body("备 注：完成率=完成数/任务数") == "完成率=完成数/任务数"
    words = table_words() + [centred("备注", 350, 112)] + [centred("已完成", 350, 140)]
    rules = [h(EDGES[0], 380, y) for y in (100, 135, 190)] + [h(EDGES[1], EDGES[4], 114)]
    from extractor.layout import find_tables
    from schemas.document import Page
    page = Page(source="t.pdf", page=1, kind="pdf", width=600, height=800, words=words, rulings=rules)
    [region] = find_tables(page, HINTS)
    assert min(w.box.top for w in region.words) < 110 and region.note is None
    table = reassemble(region, "t.pdf", 1, "t", HINTS)
    assert paths(table)[-1] == ["备注"] and table.rows[0].cells[-1].printed == "已完成"


def test_month_labels_are_not_serial_numbers_fused_to_a_label():
    # 1月 … 6月 count up row by row like fused serial numbers (1沁阳市), but 月 is no label of its own
    words = [centred("月份", 40, 104), centred("本年", 130, 104), centred("上年同期", 190, 104)]
    for r in range(6):
        words += [word(f"{r + 1}月", 30, 124 + 16 * r), centred(f"{100 + r}.5", 130, 124 + 16 * r),
                  centred(f"{200 + r}.5", 190, 124 + 16 * r)]
    table = reassemble(Region(words=words, title="经费收支明细表"), "t.pdf", 1, "t", HINTS)
    assert [r.label for r in table.rows] == [f"{r + 1}月" for r in range(6)]
    assert paths(table) == [["本年"], ["上年同期"]]


def test_three_panels_of_a_table_without_a_header_repeat_their_column_kinds():
    # a ruled price list printed without a header in three panels (c1_0152 of the corpus): 品名 | 单位 | 本期 |
    # 上期 | 涨跌, three times across; the unit column is text though one unit has a digit (元/5升), and the change
    # is printed with its sign (+0.15, -0.03)
    items = [("菜籽油", "元/5升", "9.13", "8.98", "+0.15"), ("鸡蛋", "元/斤", "5.26", "5.29", "-0.03"),
             ("西红柿", "元/斤", "23.22", "22.87", "+0.35"), ("羊肉", "元/斤", "25.50", "25.43", "+0.07"),
             ("白萝卜", "元/斤", "25.51", "25.14", "+0.37"), ("香蕉", "元/斤", "1.38", "0.87", "+0.51"),
             ("大葱", "元/斤", "31.55", "31.10", "+0.45"), ("苹果", "元/斤", "10.48", "10.03", "-0.45"),
             ("牛肉", "元/斤", "5.22", "5.66", "-0.44")]
    mids = [50, 105, 155, 202, 242]
    words = []
    for i, item in enumerate(items):
        panel, row = i % 3, i // 3
        words += [centred(text, mid + 240 * panel, 100 + 16 * row) for text, mid in zip(item, mids)]
    xs = [20 + 240 * p + x for p in range(3) for x in (0, 60, 110, 160, 205)] + [740]
    rules = [v(x, 95, 145) for x in xs] + [h(20, 740, y) for y in (95, 112, 128, 145)]
    table = reassemble(Region(words=words, rulings=rules, title="本周菜篮子价格一览表"), "t.pdf", 1, "t", HINTS)
    assert [c.path for c in table.columns] == [["列1"], ["列2"], ["列3"], ["列4"]]
    assert sorted((r.label, tuple(c.printed for c in r.cells)) for r in table.rows) == sorted(
        (label, tuple(rest)) for label, *rest in items)
