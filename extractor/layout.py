"""Layout of a positioned page (born-digital or OCR'd): finds ranking tables with their title, date line, unit line
and note, and tells them apart from the article text, captions and furniture around them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from extractor.hints import SENTENCE_MARKS, LayoutHints, in_sentence, squeeze
from extractor.numbers import parse_number
from extractor.rulings import rule_stacks, ruled_boxes
from schemas.document import Box, Page, Region, Word
from schemas.grid import GridSettings

CJK = re.compile(r"[\u4e00-\u9fff]")


def is_numeric(text: str) -> bool:
    """A figure: a number as printed, odd prints included (１, 100.%), not text with digits in it (10＜μ≤20)."""
    p = parse_number(text)
    return p.value is not None


def is_prose(word: Word) -> bool:
    """Article text: a long run of CJK characters, as table cells never are."""
    return len(CJK.findall(word.text)) >= 9


@dataclass
class Phrase:
    """Words on one baseline that sit close together: a title, a note line, a line of an article column."""
    words: list[Word]

    @property
    def box(self) -> Box:
        return Box.enclosing(w.box for w in self.words)

    @property
    def text(self) -> str:
        out = self.words[0].text
        for prev, w in zip(self.words, self.words[1:]):
            gap = w.box.x0 - prev.box.x1
            out += (" " if gap > 0.2 * word_size(w) else "") + w.text
        return out


def word_size(word: Word) -> float:
    return word.size or word.box.height


def same_line(a: Box, b: Box) -> bool:
    overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
    return overlap > 0.5 * min(a.height, b.height)


def phrases(words: list[Word], gap_factor: float = 1.5) -> list[Phrase]:
    """Groups words into phrases: same line, gaps under gap_factor × the font size."""
    out: list[Phrase] = []
    for w in sorted(words, key=lambda w: (round(w.box.top), w.box.x0)):
        for ph in out:
            last = ph.words[-1]
            if same_line(last.box, w.box) and 0 <= w.box.x0 - last.box.x1 < gap_factor * word_size(w):
                ph.words.append(w)
                break
        else:
            out.append(Phrase([w]))
    return out


def rows_of(words: list[Word]) -> list[list[Word]]:
    """Clusters words into horizontal rows by vertical overlap, top to bottom."""
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: w.box.ymid):
        if rows and same_line(Box(x0=0, x1=1, top=min(x.box.top for x in rows[-1]),
                                  bottom=max(x.box.bottom for x in rows[-1])), w.box):
            rows[-1].append(w)
        else:
            rows.append([w])
    return [sorted(r, key=lambda w: w.box.x0) for r in rows]


def find_tables(page: Page, hints: LayoutHints) -> list[Region]:
    """Ruled tables first (their frame says which words are theirs, long labels included), then tables under a
    recognised title, then runs of numeric rows no title claimed."""
    all_phrases = phrases(page.words)
    claimed: set[int] = set()
    regions = ruled_regions(page, all_phrases, hints, claimed)
    titles = sorted((p for p in all_phrases if hints.is_title(p.text) and not any(id(w) in claimed for w in p.words)
                     and not ends_paragraph(p, all_phrases)), key=lambda p: p.box.top)
    titles = [continued_below(t, all_phrases, hints, claimed) for t in titles]
    for i, title in enumerate(titles):
        below = [t.box.top for t in titles[i + 1:] if t.box.x0 < title.box.xmid < t.box.x1 or
                 title.box.x0 < t.box.xmid < title.box.x1]
        limit = min(below, default=page.height or 1e9)
        # tables printed side by side: each takes the page up to the widest blank gap towards its neighbour
        beside = [t.box.xmid for t in titles if t is not title and abs(t.box.top - title.box.top) < 3 * t.box.height]
        below_title = [w for w in page.words if title.box.bottom < w.box.top < limit]
        left = max((x for x in beside if x < title.box.xmid), default=None)
        right = min((x for x in beside if x > title.box.xmid), default=None)
        span = (widest_gap(below_title, left, title.box.xmid) if left is not None else -1e9,
                widest_gap(below_title, title.box.xmid, right) if right is not None else 1e9)
        region = table_below(page, title, limit, all_phrases, hints, claimed, span)
        if region is not None:
            regions.append(region)
    return regions + untitled_tables(page, all_phrases, hints, claimed)


def ends_paragraph(line: Phrase, all_phrases: list[Phrase]) -> bool:
    """The last line of a paragraph (告知该商家再有此类情况): right under a line of running text of its size that
    starts where it starts. Such a line is article text, whatever it ends with."""
    box = line.box
    return any(0 <= box.top - p.box.bottom < 0.8 * box.height and abs(p.box.x0 - box.x0) < 0.5 * box.height
               and abs(p.box.height - box.height) < 0.2 * box.height and p.box.width > box.width
               and any(mark in p.text for mark in SENTENCE_MARKS + "、") for p in all_phrases)


def ruled_regions(page: Page, all_phrases: list[Phrase], hints: LayoutHints, claimed: set[int]) -> list[Region]:
    """Tables inside a frame of rulings (a ruled grid, or the stacked rules of a three-line table): every word in
    the frame is the table's; the title, date and unit lines are the short lines right above it, the 备注 the
    lines right under it."""
    regions = []
    settings = hints.grid
    grids = ruled_boxes(page.rulings, settings.snap_pt, settings.join_pt, settings.min_ruled_cells)
    stacks = [part for b in rule_stacks(page.rulings, settings.snap_pt, settings.join_pt, settings.max_header_pt)
              if not any(f.contains(b, slack=2) or b.contains(f, slack=2) for f in grids)
              for part in stacked_apart(b, page, all_phrases, hints)]
    for box in grids + stacks:
        inside = [w for w in page.words if id(w) not in claimed and box.x0 - 1 <= w.box.xmid <= box.x1 + 1
                  and box.top - 1 <= w.box.ymid <= box.bottom + 1]
        if len(rows_of(inside)) < 2 or box in stacks and sum(is_prose(w) for w in inside) > 0.2 * len(inside):
            continue  # rules round articles (a page's section rules) frame no table
        size = median(word_size(w) for w in inside)
        title, date, unit, furniture = lines_above(box, all_phrases, size, hints, claimed)
        note, note_words = find_note(all_phrases, box, size, hints)
        claimed.update(id(w) for w in inside + furniture + note_words)
        rulings = [r for r in page.rulings if box.contains(r.box, slack=2)]
        regions.append(Region(kind="table", box=Box.enclosing([box] + [w.box for w in furniture + note_words]),
                              title=title, date_printed=date, unit=unit, note=note, words=inside, rulings=rulings))
    return regions


def title_line(title: Box, other: Box, settings: GridSettings) -> bool:
    """Whether other is the next line of a title wrapped onto two: the same text size, right above or below it."""
    gap = max(title.top - other.bottom, other.top - title.bottom)
    return 0 <= gap < settings.title_wrap_gap * title.height \
        and abs(other.height - title.height) < settings.title_wrap_size * title.height


def stacked_apart(stack: Box, page: Page, all_phrases: list[Phrase], hints: LayoutHints) -> list[Box]:
    """The three-line tables of one stack of rules of one width: two such tables one above the other share the
    width, and the note of the first or the title of the second, printed between two of the rules, parts them."""
    snap = hints.grid.snap_pt
    ys = sorted({round(r.box.ymid, 1) for r in page.rulings if r.orientation == "h" and stack.top - snap
                 <= r.box.ymid <= stack.bottom + snap and r.box.x0 <= stack.x0 + snap and r.box.x1 >= stack.x1 - snap})
    cuts = [(a, b) for a, b in zip(ys, ys[1:]) if any(
        a < p.box.ymid < b and p.box.x0 < stack.x1 and p.box.x1 > stack.x0
        and (hints.is_title(p.text) or hints.is_note(p.text))
        for p in all_phrases)]
    if not cuts:
        return [stack]
    edges = [stack.top] + [y for cut in cuts for y in cut] + [stack.bottom]
    return [Box(x0=stack.x0, top=top, x1=stack.x1, bottom=bottom) for top, bottom in zip(edges[::2], edges[1::2])
            if bottom > top]


def wrapped_title(title: Phrase, all_phrases: list[Phrase], claimed: set[int], settings: GridSettings,
                  text: str | None = None) -> str:
    """A title's text with the line it wraps from: one wider line of the same size right above it, over the
    same stretch of the page (附表：…加装情 / 况情况表)."""
    text = squeeze(title.text) if text is None else text
    box = title.box
    above = [p for p in all_phrases if p.box.bottom <= box.top and title_line(box, p.box, settings)
             and p.box.x0 <= box.xmid <= p.box.x1 and p.box.width > box.width
             and not any(id(w) in claimed for w in p.words) and not any(mark in p.text for mark in SENTENCE_MARKS)]
    return squeeze(above[0].text) + text if len(above) == 1 else text


def continued_below(title: Phrase, all_phrases: list[Phrase], hints: LayoutHints, claimed: set[int]) -> Phrase:
    """A title with the line it wraps onto (焦作市…工作推进情况 / 统计表): the one phrase right under it, within its
    stretch of the page, alone on that line there, narrower, of its size, when the two read together as a title.
    A header line under a title has several phrases across the table, so it is never taken."""
    box = title.box
    under = [p for p in all_phrases if p.box.top >= box.bottom
             and 0 <= p.box.top - box.bottom < hints.grid.title_wrap_gap * box.height
             and p.box.x1 > box.x0 and p.box.x0 < box.x1 and not any(id(w) in claimed for w in p.words)]
    if len(under) == 1 and title_line(box, under[0].box, hints.grid) and under[0].box.width < box.width \
            and not any(is_numeric(w.text) for w in under[0].words) and hints.is_title(title.text + under[0].text):
        return Phrase(title.words + under[0].words)
    return title


def lines_above(box: Box, all_phrases: list[Phrase], size: float, hints: LayoutHints,
                claimed: set[int]) -> tuple[str | None, str | None, str | None, list[Word]]:
    """(title, date line, unit line, their words): the short lines stacked right above a table, nearest first,
    up to the title (a line the layout's title rules accept, else the first line that is not a date or unit)."""
    title = date = unit = None
    words: list[Word] = []
    edge = box.top
    near = [p for p in all_phrases if p.box.bottom <= box.top + 1 and p.box.x1 > box.x0 and p.box.x0 < box.x1
            and not any(id(w) in claimed for w in p.words)]
    # whole lines over the table's stretch: a title may be printed in pieces (表 7.5   停车区用地指标基准值), and
    # the headlines of articles beside the table may stand on its line
    above = sorted((Phrase(line) for line in rows_of([w for p in near for w in p.words
                                                      if w.box.x1 > box.x0 and w.box.x0 < box.x1])),
                   key=lambda p: -p.box.bottom)
    for ph in above:
        # a line of article text ends the search; a long line centred over the table, with no sentence marks,
        # is its title all the same (“城市管理开放日”活动日程安排)
        unmarked = not any(mark in ph.text for mark in SENTENCE_MARKS)
        centred = abs(ph.box.xmid - box.xmid) <= hints.grid.centred_offset * box.width and ph.box.width < box.width
        # or a line in larger type than the table's, flush left over it (市区主要副食品零售价格)
        larger = ph.box.height >= hints.grid.title_size * size and ph.box.width < box.width \
            and edge - ph.box.bottom <= hints.grid.line_reach * size  # near as the table's own lines stand
        far = edge - ph.box.bottom > hints.grid.line_reach * max(size, ph.box.height)
        if far or ends_paragraph(ph, all_phrases) or any(is_prose(w) for w in ph.words) \
                and not hints.is_title(ph.text) and not (unmarked and (centred or larger)):
            break
        text = squeeze(ph.text)
        furniture = hints.date_or_unit_line(text)
        if furniture:
            date, unit = date or furniture[0], unit or furniture[1]
            words += ph.words
            edge = ph.box.top
            continue
        found_date = hints.match_date(text)
        if found_date and date is None:
            date = found_date[0]
            text = hints.date_leftover.sub("", text.replace(squeeze(found_date[0]), ""))
        title = wrapped_title(ph, all_phrases, claimed, hints.grid, text)
        if date is not None:  # the date line under it may close a bracket the title opened
            title = hints.date_leftover.sub("", title)
        in_title = hints.match_date(title) if date is None else None  # a date wrapped with the title (截至20 / 21年1月4日）)
        if in_title:
            date = in_title[0]
            title = hints.date_leftover.sub("", title.replace(squeeze(in_title[0]), ""))
        words += ph.words
        break
    return title, date, unit, words


def widest_gap(words: list[Word], a: float, b: float) -> float:
    """The middle of the widest stretch between x = a and x = b that no word covers."""
    edges = [a]
    for x0, x1 in sorted((w.box.x0, w.box.x1) for w in words if w.box.x1 > a and w.box.x0 < b):
        if x0 > edges[-1]:
            edges += [x0, x1]
        else:
            edges[-1] = max(edges[-1], x1)
    edges.append(b)
    gaps = [(edges[i + 1] - edges[i], (edges[i] + edges[i + 1]) / 2) for i in range(0, len(edges) - 1, 2)]
    return max(gaps)[1] if gaps else (a + b) / 2


def untitled_tables(page: Page, all_phrases: list[Phrase], hints: LayoutHints, claimed: set[int]) -> list[Region]:
    """Tables printed without a title we recognise: runs of numeric rows no title claimed, with the short
    header lines right above them."""
    regions = []
    # the figures of a date line (2023年3月28日, a page head's date) are no table's body
    dates = {id(w) for p in all_phrases if hints.match_date(p.text) for w in p.words}
    while True:
        rest = [w for w in page.words if id(w) not in claimed and id(w) not in dates and not is_prose(w)]
        rows = numeric_rows(rest)
        if len(rows) < 3:
            return regions
        first = rows[0]
        x0, x1 = min(w.box.x0 for w in first), max(w.box.x1 for w in first)
        top = min(w.box.top for w in first)
        height = max(w.box.bottom for w in first) - top
        above = [r for r in rows_of([w for w in rest if w.box.bottom <= top and w.box.x1 > x0 - 100 and w.box.x0 < x1])]
        # header lines: close above the first row (within two line heights, or the body's own row pitch where
        # labels wrapped round their figures space the rows out), at most six of them
        pitch = min(w.box.top for w in rows[1]) - top if len(rows) > 1 else 0.0
        reach = max(2 * height, pitch if pitch < 4 * height else 0.0)
        for row in reversed(above[-6:]):
            # a date or unit line stands between a table's header and its title: nothing above it is header
            if top - max(w.box.bottom for w in row) > reach or hints.date_or_unit_line(" ".join(w.text for w in row)):
                break
            top = min(w.box.top for w in row)
        anchor = Phrase([Word(text="", box=Box(x0=x0, x1=x1, top=top - 2, bottom=top - 1))])
        before = len(claimed)
        region = table_below(page, anchor, page.height or 1e9, all_phrases, hints, claimed)
        if region is None or len(claimed) == before:
            claimed.update(id(w) for w in first)  # not a table: do not look at these rows again
            continue
        # the line right above, when it is no article text, names the table (…价格监测表, 城市管理综合考评结果)
        size = median(word_size(w) for w in region.words)
        title, date, unit, furniture = lines_above(region.box, all_phrases, size, hints, claimed)
        body_top = min(w.box.top for w in first)
        headed = any(len(line) >= 2 for line in rows_of([w for w in region.words if w.box.bottom <= body_top]))
        if title is None and not headed and prose_below(region.box, all_phrases, size, hints.grid.line_reach):
            continue  # a list run into an article's text (今日行情: 中轴股份 51.81 −0.55%), no table
        claimed.update(id(w) for w in furniture)
        regions.append(region.model_copy(update={
            "title": title, "date_printed": region.date_printed or date, "unit": region.unit or unit,
            "box": Box.enclosing([region.box] + [w.box for w in furniture])}))


def prose_below(box: Box, all_phrases: list[Phrase], size: float, reach: float) -> bool:
    """Whether article text goes on right under box (within reach text heights), over its stretch of the page."""
    return any(0 <= p.box.top - box.bottom < reach * size and p.box.x0 < box.x1 and p.box.x1 > box.x0
               and (in_sentence(p.text) or any(is_prose(w) for w in p.words)) for p in all_phrases)


def numeric_rows(words: list[Word]) -> list[list[Word]]:
    """Rows with at least two numbers: the body of a table."""
    return [r for r in rows_of([w for w in words if is_numeric(w.text)]) if len(r) >= 2]


def apart_by_prose(row: list[Word], prose: list[Word]) -> list[list[Word]]:
    """A line of figures cut where article text stands between two of them: figures of different page columns
    (a stock list beside a narrow table) are not one table row."""
    parts = [[row[0]]]
    for a, b in zip(row, row[1:]):
        if any(a.box.x1 <= p.box.xmid <= b.box.x0 and same_line(a.box, p.box) for p in prose):
            parts.append([b])
        else:
            parts[-1].append(b)
    return [p for p in parts if len(p) >= 2]


def body_rows(title: Phrase, words: list[Word], prose: list[Word] = ()) -> list[list[Word]]:
    """The run of numeric rows under a title, stopping at the first gap much wider than the row pitch."""
    near = [part for r in numeric_rows(words) for part in apart_by_prose(r, list(prose))]
    # of the figures on a line, those under the title's stretch of the page
    rows = [r for r in near if min(w.box.x0 for w in r) < title.box.x1 and max(w.box.x1 for w in r) > title.box.x0]
    if not rows:
        return []
    if len(rows) >= 3:
        # a table's figures stand in columns; figures of article text beside it (32.34 -0.91%) align with none
        def aligned(w: Word, row: list[Word]) -> bool:
            tol = 0.6 * word_size(w)
            return any(abs(o.box.x1 - w.box.x1) < tol or abs(o.box.xmid - w.box.xmid) < tol for o in row)
        keep = [w for r in rows for w in r if sum(aligned(w, o) for o in rows if o is not r) >= 2]
        rows = [r for r in rows_of(keep) if len(r) >= 2]
        if not rows:
            return []
    tops = [min(w.box.top for w in r) for r in rows]
    pitches = [b - a for a, b in zip(tops, tops[1:])]
    pitch = median(pitches) if pitches else 0
    run = [rows[0]]
    for row, gap in zip(rows[1:], pitches):
        if gap > 3 * pitch + 2:
            break
        run.append(row)
    return run


def row_bands(rows: list[list[Word]]) -> list[tuple[float, float]]:
    """The stretch of the page each body row owns: up to halfway to its neighbours (the ends as far out as the
    median gap), so that a label wrapped onto two lines around its row's figures still belongs to that row."""
    tops = [min(w.box.top for w in r) for r in rows]
    bottoms = [max(w.box.bottom for w in r) for r in rows]
    gaps = [max(0.0, t - b) for b, t in zip(bottoms, tops[1:])]
    half = (median(gaps) if gaps else max(b - t for t, b in zip(tops, bottoms))) / 2
    cuts = [(b + t) / 2 for b, t in zip(bottoms, tops[1:])]
    return list(zip([tops[0] - half] + cuts, cuts + [bottoms[-1] + half]))


def label_edge(rows: list[list[Word]], band: list[Word], x0: float, size: float, reach: float, share: float) -> float:
    """Where the row labels start: the text words left of the figures, taken a column at a time leftwards. A row's
    next word counts when it is no further from the row's edge than `reach` (the table's column pitch or a few
    characters); when no row has one that near, a column further out counts if it stands on at least `share` of
    the rows with one shared edge (left-aligned labels before right-aligned figures in wide columns). A column
    holding sentence punctuation anywhere down the table's rows (in any word over its stretch of the page: OCR
    parts a line at its commas, and the lines of an article beside the table need not fall in the table's rows)
    is an article beside the table, and ends the search."""
    edges = [x0] * len(rows)
    bands = row_bands(rows)
    while True:
        nearest = {}
        for i, (top, bottom) in enumerate(bands):
            left = [w for w in band if w.box.x1 <= edges[i] + 1 and top <= w.box.ymid < bottom and not is_numeric(w.text)]
            if left:
                nearest[i] = max(left, key=lambda w: w.box.x1)
        column = {i: w for i, w in nearest.items() if edges[i] - w.box.x1 <= reach}
        if not column and len(nearest) >= max(2, share * len(rows)) and any(
                max(e) - min(e) <= size for e in ([w.box.x0 for w in nearest.values()],
                                                  [w.box.xmid for w in nearest.values()],
                                                  [w.box.x1 for w in nearest.values()])):
            column = nearest
        if not column:
            return min(edges)
        a, b = min(w.box.x0 for w in column.values()), max(w.box.x1 for w in column.values())
        stack = [w for w in band if w.box.x0 < b and w.box.x1 > a and w.box.x1 <= max(edges) + 1
                 and bands[0][0] <= w.box.ymid < bands[-1][1]]
        if any(in_sentence(w.text) for w in stack):
            return min(edges)
        for i, w in column.items():
            edges[i] = min(edges[i], w.box.x0)


def text_column(band: list[Word], head: list[Word], box: Box, body_top: float, reach: float,
                hints: LayoutHints) -> list[Word]:
    """A column of words beside the figures, headed by a word of the layout's text_column_heads (备注) on the header
    lines within reach of the table's edge, with its cells: the short words under the head, down to the table's
    bottom. Nothing when article text stands under the head."""
    heads = [w for w in head if squeeze(w.text) in hints.text_column_heads
             and (0 <= w.box.x0 - box.x1 <= reach or 0 <= box.x0 - w.box.x1 <= reach)]
    out: list[Word] = []
    for h in heads:
        slack = h.box.height
        under = [w for w in band if body_top - 1 <= w.box.top and w.box.bottom <= box.bottom + 1
                 and w.box.x1 > h.box.x0 - slack and w.box.x0 < h.box.x1 + slack]
        if not any(is_prose(w) or in_sentence(w.text) for w in under):
            out += [h] + under
    return out


def below_footers(band: list[Word], rows: list[list[Word]], x0: float, x1: float, bottom: float, size: float,
                  hints: LayoutHints) -> float:
    """The bottom of the table with its footer rows (合计任务数 ·· 12345, 累计完成整治数 ·· 2042): lines right under
    the body, each a label and one figure over the table's stretch, no note and no sentence. A row of figures has
    two or more, so the body's run stops at them."""
    tops = [min(w.box.top for w in r) for r in rows]
    pitch = median(b - a for a, b in zip(tops, tops[1:])) if len(tops) > 1 else 2 * size
    while True:
        under = [w for w in band if bottom < w.box.top <= bottom + pitch and w.box.x0 >= x0 - size
                 and w.box.x1 <= x1 + size]
        lines = rows_of(under)
        if not lines:
            return bottom
        line = lines[0]
        figures = [w for w in line if is_numeric(w.text)]
        text = " ".join(w.text for w in line if not is_numeric(w.text))
        if len(figures) != 1 or not text or hints.is_note(text) or in_sentence(text) or any(map(is_prose, line)):
            return bottom
        bottom = max(w.box.bottom for w in line)


def table_below(page: Page, title: Phrase, limit: float, all_phrases: list[Phrase], hints: LayoutHints,
                claimed: set[int], span: tuple[float, float] = (-1e9, 1e9)) -> Region | None:
    band = [w for w in page.words if title.box.bottom - 1 < w.box.top < limit and id(w) not in claimed
            and span[0] <= w.box.xmid <= span[1]]
    rows = body_rows(title, [w for w in band if not is_prose(w)], [w for w in band if is_prose(w)])
    # the table ends at its note (备注/说明 under the last row): nothing below it is the table's
    notes = [p.box.top for p in all_phrases if rows and p.box.top > min(w.box.top for w in rows[0])
             and p.box.x0 < max(w.box.x1 for r in rows for w in r) and p.box.x1 > min(w.box.x0 for r in rows for w in r)
             and hints.is_note(p.text)]
    if notes:
        band = [w for w in band if w.box.top < min(notes)]
        rows = body_rows(title, [w for w in band if not is_prose(w)], [w for w in band if is_prose(w)])
    if len(rows) < 2:
        return None
    numbers = [w for r in rows for w in r]
    x0 = min(w.box.x0 for w in numbers)
    x1 = max(w.box.x1 for w in numbers)
    body_top = min(w.box.top for w in rows[0])
    body_bottom = max(w.box.bottom for w in rows[-1])
    size = median(word_size(w) for w in numbers)
    pitch = median(b.box.x0 - a.box.x0 for r in rows for a, b in zip(r, r[1:])) if any(len(r) > 1 for r in rows) else 0
    reach = max(6 * size, 1.5 * pitch)  # how far beside the figures a label or a column of words may stand
    x0 = label_edge(rows, band, x0, size, reach, hints.grid.far_label_rows)
    # the last row's label may wrap below its figures (冯营街 / 35.0 … / 道): its stretch of the page is the row's
    first_figure = min(w.box.x0 for w in rows[-1])
    tail = [w for w in band if w.box.bottom > body_bottom and w.box.top < row_bands(rows)[-1][1]
            and w.box.x0 >= x0 - 1 and w.box.x1 <= first_figure and not is_numeric(w.text)]
    body_bottom = max([body_bottom] + [w.box.bottom for w in tail])
    body_bottom = below_footers(band, rows, x0, x1, body_bottom, size, hints)
    # the table's own rules: those over its stretch of the page, not a rule across the page or its columns
    margin = max(4 * size, 0.25 * (x1 - x0))
    # (a vertical rule running on far above the title or below the body parts page columns, or is a photo's edge)
    rulings = [r for r in page.rulings if r.box.bottom >= title.box.bottom - 1 and r.box.top <= body_bottom + 2
               and r.box.x0 >= x0 - margin and r.box.x1 <= x1 + margin
               and r.box.top >= title.box.top - margin and r.box.bottom <= body_bottom + margin]
    if rulings:
        x0 = min(x0, min(r.box.x0 for r in rulings))
        x1 = max(x1, max(r.box.x1 for r in rulings))
    box = Box(x0=x0 - 1, top=title.box.bottom, x1=x1 + 1, bottom=body_bottom + 1)

    def inside(w: Word) -> bool:
        return w.box.xmid >= box.x0 and w.box.xmid <= box.x1 and w.box.top >= box.top - 1 and w.box.bottom <= box.bottom + 1

    # a header word wider than the column it heads (序号 over a column of single digits) may overhang the body's
    # edge: a header phrase with a word inside is the table's whole
    head = [w for w in band if box.top - 1 <= w.box.top and w.box.bottom <= body_top + 1]
    overhang = [w for p in phrases(head) if any(inside(w) for w in p.words) and not any(is_prose(w) for w in p.words)
                for w in p.words]
    overhang += text_column(band, head, box, body_top, reach, hints)
    if overhang:
        box = Box.enclosing([box] + [w.box for w in overhang])

    header_phrases = [p for p in phrases([w for w in band if inside(w) and w.box.bottom <= body_top + 1])]
    title_text = wrapped_title(title, all_phrases, claimed, hints.grid)
    in_title = hints.match_date(title_text)  # "…统计表（2022.9.25）" on one line
    date = in_title[0] if in_title else None
    unit = None
    furniture: list[Word] = []
    for ph in sorted(header_phrases, key=lambda p: p.box.top):
        found_date = hints.match_date(ph.text)
        found_unit = hints.unit_pattern.search(squeeze(ph.text))
        if found_date and date is None:
            date = found_date[0]
            furniture += ph.words
        elif found_unit and unit is None:
            unit = found_unit["unit"]
            furniture += ph.words
    note, note_words = find_note(all_phrases, box, size, hints)
    words = [w for w in band if inside(w) and w not in furniture and w not in note_words]
    claimed.update(id(w) for w in words + furniture + note_words + title.words)
    table_box = Box.enclosing([box, title.box] + [w.box for w in words + note_words + furniture])
    if in_title:
        title_text = hints.date_leftover.sub("", title_text.replace(squeeze(in_title[0]), ""))
    return Region(kind="table", box=table_box, title=title_text, date_printed=date, unit=unit, note=note,
                  words=words, rulings=rulings)


def find_note(all_phrases: list[Phrase], box: Box, size: float, hints: LayoutHints) -> tuple[str | None, list[Word]]:
    """The 备注 under a table and the lines it wraps onto."""
    below = sorted((p for p in all_phrases if box.bottom - 1 <= p.box.top <= box.bottom + 6 * size
                    and p.box.x0 < box.x1 and p.box.x1 > box.x0), key=lambda p: p.box.top)
    start = next((p for p in below if hints.is_note(p.text)), None)
    if start is None:
        return None, []
    lines = [start]
    for p in sorted(all_phrases, key=lambda p: p.box.top):
        last = lines[-1].box
        if p.box.top > last.bottom - 1 and p.box.top - last.bottom < 0.8 * last.height \
                and abs(p.box.x0 - start.box.x0) < 3 * size and p.box.x1 <= box.x1 + 3 * size and not hints.is_title(p.text):
            lines.append(p)
    return hints.note_body("".join(squeeze(p.text) for p in lines)), [w for p in lines for w in p.words]
