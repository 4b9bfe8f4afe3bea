"""Rebuilds a table region's grid: columns from ruling lines or from the vertical alignment of the words,
rows from the baselines, header paths from spanning header words, two side-by-side panels merged into one."""
from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

from extractor.hints import LayoutHints, squeeze
from extractor.layout import Phrase, is_numeric, rows_of, word_size
from schemas.document import Box, Region, Ruling, Word
from schemas.table import Cell, Column, Row, Table

MERGE_TOLERANCE = 2.0   # points: ruling positions closer than this are one line


@dataclass
class Slot:
    x0: float
    x1: float

    @property
    def mid(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class HeaderPiece:
    text: str
    top: float
    slots: list[int]
    words: list[Word] = field(default_factory=list)


def join_words(words: list[Word]) -> str:
    return Phrase(sorted(words, key=lambda w: w.box.x0)).text if words else ""


def body_start(rows: list[list[Word]]) -> int | None:
    for i, row in enumerate(rows):
        if sum(is_numeric(w.text) for w in row) >= 2:
            return i
    return None


def ruled_slots(rulings: list[Ruling], top: float, bottom: float) -> list[Slot] | None:
    """Column slots between vertical rulings that cross the table body, when the table is ruled."""
    xs: list[float] = []
    for r in rulings:
        if r.orientation == "v" and r.box.top <= top + 2 and r.box.bottom >= bottom - 2:
            x = r.box.xmid
            if not any(abs(x - o) < MERGE_TOLERANCE for o in xs):
                xs.append(x)
    xs.sort()
    if len(xs) < 3:
        return None
    return [Slot(a, b) for a, b in zip(xs, xs[1:])]


def open_slots(body: list[list[Word]]) -> list[Slot]:
    """Column slots of an open table: the x-extents of the body words, overlapping ones merged."""
    spans = sorted((w.box.x0, w.box.x1) for row in body for w in row)
    merged: list[list[float]] = []
    for x0, x1 in spans:
        if merged and x0 <= merged[-1][1] + 0.5:
            merged[-1][1] = max(merged[-1][1], x1)
        else:
            merged.append([x0, x1])
    # widen each to the midpoint of the gap to its neighbours, so header words centred over a column fall in it
    gaps = [b[0] - a[1] for a, b in zip(merged, merged[1:])]
    half = median(gaps) / 2 if gaps else 5.0
    edges = [merged[0][0] - half] + [(a[1] + b[0]) / 2 for a, b in zip(merged, merged[1:])] + [merged[-1][1] + half]
    return [Slot(a, b) for a, b in zip(edges, edges[1:])]


def slot_of(slots: list[Slot], x: float) -> int:
    for i, s in enumerate(slots):
        if s.x0 <= x < s.x1:
            return i
    return 0 if x < slots[0].x0 else len(slots) - 1


def ruled_span(word: Word, rulings: list[Ruling], slots: list[Slot]) -> list[int]:
    """Slots inside the ruled cell that holds word: between the nearest vertical rulings crossing its line."""
    crossing = [r.box.xmid for r in rulings if r.orientation == "v"
                and r.box.top <= word.box.ymid <= r.box.bottom]
    left = max((x for x in crossing if x <= word.box.xmid), default=slots[0].x0)
    right = min((x for x in crossing if x >= word.box.xmid), default=slots[-1].x1)
    return [i for i, s in enumerate(slots) if left - 1 <= s.mid <= right + 1]


def centred_span(word: Word, candidates: list[int], slots: list[Slot]) -> list[int]:
    """An open table's spanning word sits centred over its span: the longest contiguous run of candidate slots
    around the word whose centre is within a tenth of its width of the word's centre."""
    home = slot_of(slots, word.box.xmid)
    if home not in candidates:
        return [home]
    i = candidates.index(home)
    run_lo = i
    while run_lo > 0 and candidates[run_lo - 1] == candidates[run_lo] - 1:
        run_lo -= 1
    run_hi = i
    while run_hi < len(candidates) - 1 and candidates[run_hi + 1] == candidates[run_hi] + 1:
        run_hi += 1
    best: tuple[int, float, list[int]] = (1, 0.0, [home])
    for lo in range(run_lo, i + 1):
        for hi in range(i, run_hi + 1):
            span = candidates[lo:hi + 1]
            left, right = slots[span[0]].x0, slots[span[-1]].x1
            off = abs((left + right) / 2 - word.box.xmid) / (right - left)
            if off <= 0.1 and (len(span), -off) > best[:2]:
                best = (len(span), -off, span)
    return best[2]


def overlaps_vertically(a: Box, b: Box) -> bool:
    return min(a.bottom, b.bottom) - max(a.top, b.top) > 0


def is_group_word(word: Word, home: int, words: list[Word], slots: list[Slot], label_slots: set[int]) -> bool:
    """An open table's group word (燃气报警器 over 户数/已安装数/…) sits above the headers of the columns beside it;
    a leaf header, even one broken over lines (名 / 次), sits level with some of its neighbours' headers."""
    for side in (home - 1, home + 1):
        if side < 0 or side >= len(slots) or side in label_slots:
            continue
        beside = [w for w in words if w.box.x0 < slots[side].x1 and w.box.x1 > slots[side].x0 and w is not word]
        if beside and not any(overlaps_vertically(w.box, word.box) for w in beside) \
                and any(w.box.top >= word.box.bottom - 1 for w in beside):
            return True
    return False


def header_pieces(words: list[Word], slots: list[Slot], label_slots: set[int], rulings: list[Ruling],
                  ruled: bool) -> list[HeaderPiece]:
    homes = {id(w): slot_of(slots, w.box.xmid) for w in words}
    pieces: list[HeaderPiece] = []
    groups = []
    for w in words:
        home = homes[id(w)]
        if ruled:
            span = ruled_span(w, rulings, slots) or [home]
        elif home not in label_slots and is_group_word(w, home, words, slots, label_slots):
            groups.append(w)
            continue
        else:
            span = [home]
        pieces.append(HeaderPiece(w.text, w.box.top, span, [w]))
    for g in groups:
        # group words on one line share out the columns under them: each takes those nearest its centre
        rivals = [o.box.xmid for o in groups if o is not g and overlaps_vertically(o.box, g.box)]
        below = sorted({p.slots[0] for p in pieces if len(p.slots) == 1 and p.top >= g.box.bottom - 1})
        free = [s for s in below if s not in label_slots
                and all(abs(slots[s].mid - g.box.xmid) <= abs(slots[s].mid - x) for x in rivals)]
        pieces.append(HeaderPiece(g.text, g.box.top, centred_span(g, free, slots), [g]))
    return join_pieces(pieces, rulings, slots, ruled)


def ruling_between(a: HeaderPiece, b: HeaderPiece, rulings: list[Ruling], slots: list[Slot]) -> bool:
    x = slots[a.slots[0]].mid
    lo = min(w.box.bottom for w in a.words)
    hi = min(w.box.top for w in b.words)
    return any(r.orientation == "h" and r.box.x0 <= x <= r.box.x1 and lo - 1 <= r.box.ymid <= hi + 1 for r in rulings)


def join_pieces(pieces: list[HeaderPiece], rulings: list[Ruling], slots: list[Slot], ruled: bool) -> list[HeaderPiece]:
    """Joins the pieces of one header cell: words on one line, and words broken over lines (名 / 次)."""
    pieces.sort(key=lambda p: (p.top, slots[p.slots[0]].mid))
    out: list[HeaderPiece] = []
    for p in pieces:
        same_cell = next((q for q in reversed(out) if q.slots == p.slots), None)
        if same_cell is not None:
            same_line = abs(same_cell.top - p.top) < 0.5 * word_size(p.words[0])
            adjacent = p.top - max(w.box.bottom for w in same_cell.words) < 1.2 * word_size(p.words[0])
            separated = ruled and ruling_between(same_cell, p, rulings, slots)
            single = len(p.slots) == 1
            if same_line or (adjacent and not separated and (single or ruled)):
                same_cell.words += p.words
                same_cell.text = join_words(same_cell.words) if same_line else same_cell.text + p.text
                continue
        out.append(p)
    return out


def label_slot_set(body: list[list[Word]], slots: list[Slot]) -> set[int]:
    """Slots whose body cells are mostly text: row labels (two of them in a two-panel table)."""
    text_count = [0] * len(slots)
    for row in body:
        for i in {slot_of(slots, w.box.xmid) for w in row if not is_numeric(w.text)}:
            text_count[i] += 1
    labels = {i for i, c in enumerate(text_count) if c >= max(2, 0.6 * len(body))}
    return labels or {0}


def cell_of(words: list[Word]) -> Cell:
    if not words:
        return Cell(printed="")
    box = Box.enclosing(w.box for w in words)
    confidences = [w.confidence for w in words if w.confidence is not None]
    chars = [c for w in words for c in (w.char_confidences or [])]
    return Cell(printed=join_words(words), box=box, confidence=min(confidences) if confidences else None,
                char_confidences=chars or None)


def reassemble(region: Region, source: str, page: int, table_id: str, hints: LayoutHints) -> Table:
    rows = rows_of(region.words)
    start = body_start(rows)
    if start is None:
        return unparsed(region, source, page, table_id, "no rows of numbers under the title")
    header_words = [w for r in rows[:start] for w in r]
    body = rows[start:]
    body_top = min(w.box.top for w in body[0])
    body_bottom = max(w.box.bottom for w in body[-1])
    slots = ruled_slots(region.rulings, body_top, body_bottom)
    ruled = slots is not None
    slots = slots or open_slots(body)
    labels = label_slot_set(body, slots)
    pieces = header_pieces(header_words, slots, labels, region.rulings, ruled)
    paths: list[list[str]] = [[] for _ in slots]
    for p in sorted(pieces, key=lambda p: p.top):
        for s in p.slots:
            paths[s].append(squeeze(p.text))
    grid = [[[w for w in row if slot_of(slots, w.box.xmid) == s] for s in range(len(slots))] for row in body]
    panels = panel_slots(sorted(labels), len(slots))
    first_label, first_values = panels[0]
    columns = [Column(path=paths[s] or [f"列{n + 1}"]) for n, s in enumerate(first_values)]
    table_rows: list[Row] = []
    for label_slot, values in panels:
        if [paths[s][-1:] for s in values] != [paths[s][-1:] for s in first_values]:
            return unparsed(region, source, page, table_id, "side-by-side panels do not share one header")
        for cells in grid:
            label_words = cells[label_slot]
            if not label_words and not any(cells[s] for s in values):
                continue
            label = join_words(label_words)
            table_rows.append(Row(label=label, cells=[cell_of(cells[s]) for s in values],
                                  is_total=hints.is_total_label(label), label_box=cell_of(label_words).box))
    label_header = "".join(paths[first_label]) or None
    return Table(source=source, page=page, table_id=table_id, title=region.title,
                 date=hints.match_date(region.date_printed)[1] if region.date_printed else None,
                 date_printed=region.date_printed, unit=region.unit, note=region.note, label_header=label_header,
                 columns=columns, rows=table_rows, box=region.box, layout="ruled" if ruled else "open")


def panel_slots(labels: list[int], count: int) -> list[tuple[int, list[int]]]:
    """(label slot, value slots) of each panel. A single table keeps columns printed left of its labels (序号, 排名)."""
    if len(labels) == 1:
        return [(labels[0], [s for s in range(count) if s != labels[0]])]
    edges = labels + [count]
    return [(a, list(range(a + 1, b))) for a, b in zip(edges, edges[1:])]


def unparsed(region: Region, source: str, page: int, table_id: str, reason: str) -> Table:
    text = "\n".join(Phrase(r).text for r in rows_of(region.words))
    return Table(source=source, page=page, table_id=table_id, title=region.title, note=region.note,
                 columns=[], rows=[], box=region.box, raw_text=text, unparsed_reason=reason)
