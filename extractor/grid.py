"""Text pieces and ruling lines of one table region become a cell grid (schemas/grid.py).

Column lines come from two sources, merged: printed vertical rulings (pdfplumber's edge merging joins the many
short pieces some producers draw and the borders of their rectangles), and white space — the gutters that no word
of the body rows crosses. Row lines come from horizontal rulings where the body is ruled, else from the baselines:
every line carrying a figure starts a row and a line with text only (a wrapped label) joins the nearest row.
A cell is the run of grid columns between the lines present at its height: a ruling present there, or a gutter no
word of that row crosses. So a ruled, a three-line and a rule-less table give the same grid, spans included, and
the only tolerances are the named ones of GridSettings (a layout file may override them in [grid]).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable
from statistics import median

import numpy as np

from extractor.hints import footer_words, load_roles, squeeze
from extractor.layout import Phrase, is_numeric, rows_of, word_size
from extractor.rulings import Line, grid_lines
from schemas.document import Box, Ruling, Word
from schemas.grid import CellKind, Grid, GridCell, GridLine, GridSettings, LineSource, Panel


def coverage(lines: list[list[Word]], x0: float, x1: float, resolution: float) -> np.ndarray:
    """How many of the lines have a word over each bin of [x0, x1]."""
    n = max(1, int(np.ceil((x1 - x0) / resolution)))
    count = np.zeros(n, dtype=int)
    for line in lines:
        covered = np.zeros(n, dtype=bool)
        for w in line:
            a = int(np.floor((w.box.x0 - x0) / resolution))
            b = int(np.ceil((w.box.x1 - x0) / resolution))
            covered[max(a, 0):max(min(b, n), 0)] = True
        count += covered
    return count


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True."""
    padded = np.concatenate([[False], mask, [False]])
    diff = np.diff(padded.astype(int))
    return list(zip(np.flatnonzero(diff == 1), np.flatnonzero(diff == -1)))


def gutters(body: list[list[Word]], x0: float, x1: float, size: float, settings: GridSettings) -> list[float]:
    """x of each column gutter of the body lines: a strip at least min_gutter wide that no word covers. A strip
    that a few lines cross (a footer label spanning columns) still counts where no uncrossed strip lies within it."""
    res = settings.resolution_pt
    count = coverage(body, x0, x1, res)
    allowed = int(settings.gutter_crossing * len(body))
    width = settings.min_gutter * size / res
    out: list[float] = []
    for a, b in runs(count <= allowed):
        # a strip no word covers, with words on both sides, parts columns even beside a column of one entry (a 备注
        # filled in one row); a strip only a few lines cross counts inside the table, not at its margins
        strict = [(c, d) for c, d in runs(count[a:b] == 0) if d - c >= width and a + c > 0 and a + d < len(count)]
        if strict:
            out += [x0 + (a + (c + d) / 2) * res for c, d in strict]
        elif a > 0 and b < len(count) and b - a >= width:
            out.append(x0 + (a + b) / 2 * res)
    return out


def column_lines(words: list[Word], body: list[list[Word]], v_rulings: list[Line], size: float,
                 settings: GridSettings) -> list[Line]:
    """Ruled column lines crossing the body, plus the gutters of the body that no ruling lies in."""
    top = min(w.box.top for w in body[0])
    bottom = max(w.box.bottom for w in body[-1])
    mids = [median([w.box.ymid for w in line]) for line in body]
    # a ruling that crosses two body lines is a column line (where it is printed: part of a table may be ruled)
    ruled = [ln for ln in v_rulings if sum(ln.printed_at(y) for y in mids) >= min(2, len(mids))]
    x0 = min([w.box.x0 for w in words] + [ln.position for ln in ruled]) - 1
    x1 = max([w.box.x1 for w in words] + [ln.position for ln in ruled]) + 1
    regular = [line for line in body if sum(is_numeric(w.text) for w in line) >= 2] or body
    # labels wrapped round their figures stand on lines of their own, beside the figures (left of them, or
    # between two panels): their words part columns too
    figures = [w for line in body for w in line if is_numeric(w.text)]
    if figures:
        regular = regular + [line for line in body if not any(is_numeric(w.text) for w in line) and not any(
            f.box.x0 < w.box.x1 and w.box.x0 < f.box.x1 for w in line for f in figures)]
    # a gutter between two rulings' cells is the ruling itself; a gutter inside a ruled column splits it
    slack = settings.min_gutter * size
    lines = list(ruled)
    for x in gutters(regular, x0, x1, size, settings):
        if not any(abs(x - ln.position) < gutter_half_width(regular, x) + slack for ln in ruled):
            lines.append(Line(x, LineSource.whitespace, [(top, bottom)]))
    lines.sort(key=lambda ln: ln.position)
    if not lines or lines[0].position > min(w.box.x0 for w in words):
        lines.insert(0, Line(x0, LineSource.whitespace, []))
    if lines[-1].position < max(w.box.x1 for w in words):
        lines.append(Line(x1, LineSource.whitespace, []))
    return lines


def gutter_half_width(body: list[list[Word]], x: float) -> float:
    """Half the width of the white strip around x: the distance to the nearest word edge of any body line."""
    left = max((w.box.x1 for line in body for w in line if w.box.x1 <= x), default=x)
    right = min((w.box.x0 for line in body for w in line if w.box.x0 >= x), default=x)
    return max(x - left, right - x)


# --- rows ----------------------------------------------------------------------------------------------------

def band(line: list[Word]) -> tuple[float, float]:
    return min(w.box.top for w in line), max(w.box.bottom for w in line)


def row_rulings(body: list[list[Word]], h_rulings: list[Line], mids: list[float]) -> list[float]:
    """y of the horizontal rulings printed between the body's lines (over at least one column)."""
    top, bottom = band(body[0])[0], band(body[-1])[1]
    return sorted(ln.position for ln in h_rulings if top < ln.position < bottom and any(ln.printed_at(x) for x in mids))


def body_pieces(body: list[list[Word]], cols: list[Line], h_rulings: list[Line], first_row: int, gap: float,
                from_image: bool, settings: GridSettings) -> tuple[list[Piece], list[tuple[float, float]]]:
    """The body's cells as pieces, and the band (top, bottom) of each body row.

    Ruled body (rulings part most rows): rows are the stretches between the rulings; a cell reaches over the
    rulings missing in its columns (高速公路 printed once beside three rows). Otherwise each line with a figure
    starts a row and a text-only line (a label wrapped onto a second line) joins the nearest row when close."""
    mids = [(a.position + b.position) / 2 for a, b in zip(cols, cols[1:])]
    ys = [median([w.box.ymid for w in line]) for line in body]
    anchors = [i for i, line in enumerate(body) if any(is_numeric(w.text) for w in line)]
    rules = row_rulings(body, h_rulings, mids)
    parted = sum(any(ys[a] < y < ys[b] for y in rules) for a, b in zip(anchors, anchors[1:]))
    pieces: list[Piece] = []
    if len(anchors) > 1 and parted >= 0.8 * (len(anchors) - 1):
        # two lines of figures with no ruling between them are two rows whose ruling the scan lost
        lost = [(band(a)[1] + band(b)[0]) / 2 for a, b, ya, yb in zip(body, body[1:], ys, ys[1:])
                if not any(ya < y < yb for y in rules) and all(sum(is_numeric(w.text) for w in ln) >= 2 for ln in (a, b))]
        h_rulings = h_rulings + [Line(y, LineSource.whitespace, [(cols[0].position, cols[-1].position)]) for y in lost]
        rules = sorted(rules + lost)
        edges = [band(body[0])[0] - 1] + rules + [band(body[-1])[1] + 1]
        stretches = [(a, b) for a, b in zip(edges, edges[1:]) if any(a <= y < b for y in ys)]
        for line, y in zip(body, ys):
            for p in pieces_of_line(line, 0, cols, y, True, gap, body=True):
                p.row = next(i for i, (a, b) in enumerate(stretches) if a <= p.box.ymid < b or i == len(stretches) - 1)
                pieces.append(p)

        def printed(y: float, xs: list[float]) -> bool:
            return any(abs(ln.position - y) < 0.5 and any(ln.printed_at(x) for x in xs) for ln in h_rulings)
        def ruled_at(y: float, p: Piece) -> bool:
            # rulings found in a scan miss pieces: there a missing piece is no merged cell
            return from_image or printed(y, mids[p.col:p.end_col])
        # lines of one cell in successive stretches that no ruling parts (高速 / 公路) are one piece
        joined: list[Piece] = []
        for p in sorted(pieces, key=lambda p: (p.col, p.row)):
            prev = next((q for q in reversed(joined) if q.col == p.col and q.col_span == p.col_span), None)
            if prev is not None and prev.row < p.row and not any(
                    ruled_at(stretches[r][1], p) for r in range(prev.row + prev.row_span - 1, p.row)):
                prev.words += p.words
                prev.row_span = p.row - prev.row + 1
            else:
                joined.append(p)
        pieces = joined
        taken = {(r, c) for p in pieces for r in range(p.row, p.row + p.row_span) for c in range(p.col, p.end_col)}
        for p in pieces:

            def open_to(r: int, y: float) -> bool:
                """Stretch r is part of p's cell: empty in p's columns and no ruling there parts it from p."""
                return all((r, c) not in taken for c in range(p.col, p.end_col)) and not ruled_at(y, p)
            lo, hi = p.row, p.row + p.row_span - 1
            while lo > 0 and open_to(lo - 1, stretches[lo][0]):
                lo -= 1
            while hi < len(stretches) - 1 and open_to(hi + 1, stretches[hi][1]):
                hi += 1
            p.row, p.row_span = first_row + lo, hi - lo + 1
        return merge_row_pieces(pieces), stretches
    gaps = [band(body[b])[0] - band(body[a])[1] for a, b in zip(anchors, anchors[1:])]
    typical = max(median(gaps), 0.5) if gaps else 1e9
    owner: dict[int, int] = {a: a for a in anchors}
    for i in range(len(body)):
        if i in owner:
            continue
        near = sorted(anchors, key=lambda a: (vertical_gap(body[i], body[a]), a > i))
        close = near and vertical_gap(body[i], body[near[0]]) < settings.wrap_gap * typical
        owner[i] = near[0] if close and not any(min(ys[i], ys[near[0]]) < y < max(ys[i], ys[near[0]]) for y in rules) else i
    starts = sorted(set(owner.values()))
    bands = []
    for r, start in enumerate(starts):
        group = [i for i in range(len(body)) if owner[i] == start]
        for i in group:
            pieces += pieces_of_line(body[i], first_row + r, cols, ys[i], True, gap, body=True)
        words = [w for i in group for w in body[i]]
        bands.append((min(w.box.top for w in words), max(w.box.bottom for w in words)))
    return merge_row_pieces(pieces), bands


def vertical_gap(a: list[Word], b: list[Word]) -> float:
    (ta, ba), (tb, bb) = band(a), band(b)
    return max(tb - ba, ta - bb, 0.0)


# --- cells ---------------------------------------------------------------------------------------------------

@dataclass
class Piece:
    """Words of one text line between two column lines present at its height."""
    words: list[Word]
    col: int
    col_span: int
    row: int
    row_span: int = 1
    open: bool = False            # cut at gutters only (no ruling at its height): its span comes from its position

    @property
    def box(self) -> Box:
        return Box.enclosing(w.box for w in self.words)

    @property
    def end_col(self) -> int:
        return self.col + self.col_span


def present(line: Line, words: list[Word], y: float, open_here: bool) -> bool:
    """Is a column line there at height y? A ruling where it is printed; a gutter where no word of the text line
    crosses it (and, in a header, only where no ruling is printed at that height: a ruled header's spans are the
    rulings')."""
    if line.source == LineSource.ruling:
        return line.printed_at(y)
    crossed = any(w.box.x0 < line.position - 0.5 and w.box.x1 > line.position + 0.5 for w in words)
    return not crossed and open_here


def pieces_of_line(words: list[Word], row: int, cols: list[Line], y: float, open_here: bool,
                   gap: float, body: bool = False) -> list[Piece]:
    """The words of one text line cut at the column lines present at its height, and at blank stretches of at
    least `gap` (two header words over neighbouring columns stay apart even where a wide one crosses the gutter).
    A piece spans the columns between the present lines around it."""
    cuts = [i for i, ln in enumerate(cols) if i in (0, len(cols) - 1) or present(ln, words, y, open_here)]
    groups: list[list[Word]] = []
    for w in sorted(words, key=lambda w: w.box.x0):
        prev = groups[-1][-1] if groups else None
        if prev is None or w.box.x0 - prev.box.x1 >= gap or \
                any(prev.box.xmid < cols[i].position <= w.box.xmid for i in cuts):
            groups.append([w])
        else:
            groups[-1].append(w)
    def column_at(x: float) -> int:
        return max(0, min(len(cols) - 2, next((i for i in range(len(cols) - 1) if x < cols[i + 1].position),
                                              len(cols) - 2)))
    out: list[Piece] = []
    for g in groups:
        x0 = min(w.box.x0 for w in g) + 0.5
        x1 = max(w.box.x1 for w in g) - 0.5
        a = max([i for i in cuts if cols[i].position <= max(x0, cols[0].position)], default=0)
        b = min([i for i in cuts if cols[i].position >= min(x1, cols[-1].position)], default=len(cols) - 1)
        if body and out and out[-1].end_col > a:  # a footer label and its figure: columns shared out between them
            prev = out[-1]
            a = max(a, column_at(x0))
            prev.col_span = max(1, min(prev.end_col, a) - prev.col)
        out.append(Piece(g, a, max(b - a, 1), row, open=open_here))
    return out


def text_of(words: list[Word]) -> str:
    """Words of a cell in reading order: line by line, left to right; a wrapped line follows without a space."""
    return "".join(Phrase(line).text for line in rows_of(words))


def cell_from(piece_words: list[Word], row: int, col: int, row_span: int, col_span: int, kind: CellKind) -> GridCell:
    confidences = [w.confidence for w in piece_words if w.confidence is not None]
    chars = [c for line in rows_of(piece_words) for w in line for c in (w.char_confidences or [])]
    return GridCell(row=row, col=col, row_span=row_span, col_span=col_span, kind=kind, text=text_of(piece_words),
                    box=Box.enclosing(w.box for w in piece_words),
                    confidence=min(confidences) if confidences else None, char_confidences=chars or None)


def header_cells(lines: list[list[Word]], cols: list[Line], h_rulings: list[Line], v_rulings: list[Line],
                 size: float, labels: list[int], settings: GridSettings) -> list[Piece]:
    """Header pieces per text line, group words widened over the columns they head, pieces of one cell joined."""
    pieces: list[Piece] = []
    for r, line in enumerate(lines):
        y = median([w.box.ymid for w in line])
        inner_rulings = [ln for ln in v_rulings if ln.printed_at(y, slack=0)
                         and cols[0].position + 2 < ln.position < cols[-1].position - 2]
        pieces += pieces_of_line(line, r, cols, y, not inner_rulings, settings.min_gutter * size)
    header_spans(pieces, cols, h_rulings, labels, settings)
    return join_broken(pieces, h_rulings, size, settings)


def header_spans(pieces: list[Piece], cols: list[Line], h_rulings: list[Line], labels: list[int],
                 settings: GridSettings) -> None:
    """Spans of an open header's words, which no ruling gives. A leaf (a word with no header under it, or one
    broken over two lines, 环比新增 / 安装数) is in one column: the one it overlaps most, even where it is wider
    than that column and crosses the gutter (县（市、区）). A group word (燃气报警器 over 户数 | 已安装数 |
    安装率) heads the columns under it that have no header of their own at its height: those under the short rule
    printed beneath it (three-line tables), else a run chosen with the other group words of its line, inside the
    group above it (place_level), top line first."""
    mids = [(a.position + b.position) / 2 for a, b in zip(cols, cols[1:])]
    pieces_open = [p for p in pieces if p.open]

    def below(p: Piece) -> list[Piece]:
        return [q for q in pieces if q.box.top >= p.box.bottom - 1]

    def home(p: Piece) -> int:
        overlap = [(min(p.box.x1, cols[c + 1].position) - max(p.box.x0, cols[c].position), c)
                   for c in range(p.col, p.end_col)]
        return max(overlap)[1]

    def free_for(p: Piece) -> Callable[[int], bool]:
        level = [q for q in pieces if q is not p and min(q.box.bottom, p.box.bottom) - max(q.box.top, p.box.top) > 0]
        under_p = below(p)
        h = home(p)
        has_own = any(q.col <= h < q.end_col for q in under_p)  # a group heads its own column too

        def free(c: int) -> bool:
            """Column c has a header below the word and none level with it (the neighbours of a word broken over
            two lines, 环比新增 / 安装数, are level with its lines)."""
            return has_own and c not in labels and any(q.col <= c < q.end_col for q in under_p) \
                and not any(q.col <= c < q.end_col for q in level)
        return free

    # every word first in the column it overlaps most: a word crossing a gutter heads nothing by that alone
    for p in pieces_open:
        p.col, p.col_span = home(p), 1
    # words of one line in one column are one cell (a word printed letter-spaced, 居　民, is cut at its blanks)
    for p, q in zip(sorted(pieces_open, key=lambda p: (p.row, p.box.x0)),
                    sorted(pieces_open, key=lambda p: (p.row, p.box.x0))[1:]):
        if q.row == p.row and q.col == p.col:
            q.words[:0] = p.words
            p.words = []
    pieces[:] = [p for p in pieces if p.words]
    pieces_open = [p for p in pieces if p.open]
    groups = []
    for p in pieces_open:
        free = free_for(p)
        if any(free(c) for c in (p.col - 1, p.col + 1)):
            groups.append(p)
    def rule_span(p: Piece) -> list[int] | None:
        """The columns under the short rule printed beneath a group word (three-line tables), if any."""
        box = p.box
        rule = next((ln for ln in h_rulings if box.bottom - 1 <= ln.position <= box.bottom + 1.5 * box.height
                     and any(a <= box.xmid <= b and (b - a) < cols[-1].position - cols[0].position - 4
                             for a, b in ln.segments)), None)
        if rule is None:
            return None
        a, b = next((a, b) for a, b in rule.segments if a <= box.xmid <= b)
        free, h = free_for(p), home(p)
        span = [c for c, m in enumerate(mids) if a <= m <= b]
        return span if span and all(free(c) or c == h for c in span) else None

    def off_centre(p: Piece, a: int, b: int) -> float:
        """How far p's centre is from the middle of the headers under columns a ≤ c < b, in their width."""
        heads = [q.box for q in below(p) if q.col >= a and q.end_col <= b]
        left = min((x.x0 for x in heads), default=cols[a].position)
        right = max((x.x1 for x in heads), default=cols[b].position)
        return abs((left + right) / 2 - p.box.xmid) / max(right - left, p.box.width)

    def place_level(level: list[Piece], within: dict[int, tuple[int, int]]) -> None:
        """Spans of the group words of one header line, chosen together: runs of free columns round their own, in
        the words' order, not overlapping, each inside the span of the group above it (within). Of the ways to do
        so, the one where fewest words stand off the centre of the headers under them (by more than
        centred_offset of their width; by how much), then which leaves fewest columns between two runs that
        either could head unheaded, then the widest, then the best centred: a wide group's far columns may lie
        nearer the next group's word (较大隐患 over eight columns, 一般隐患 over four), a word is centred over
        the middle column of its run as well as over the run, and of two neighbours either may look centred
        over the column between them."""
        level = sorted(level, key=lambda p: p.box.xmid)
        homes = [home(p) for p in level]

        def cost(p: Piece, a: int, b: int) -> tuple[float, int, int, float]:
            off = off_centre(p, a, b)
            return (0.0 if off <= settings.centred_offset else 1.0 + off, 0, a - b, off)

        options = []
        for p, h in zip(level, homes):
            free = free_for(p)
            lo, hi = within.get(id(p), everywhere)
            fixed = rule_span(p)
            runs_p = [(fixed[0], fixed[-1] + 1)] if fixed else [
                (a, b) for a in range(lo, h + 1) for b in range(h + 1, hi + 1)
                if not any(c != h and not free(c) for c in range(a, b))
                and not any(a <= o < b for o in homes if o != h)]
            options.append([(a, b, cost(p, a, b)) for a, b in runs_p or [(h, h + 1)]])

        def unheaded(a: int, b: int, p: Piece, q: Piece) -> int:
            """Columns a ≤ c < b between two neighbours' runs that either could have headed."""
            return sum(1 for c in range(a, b) if free_for(p)(c) or free_for(q)(c))

        def plus(x: tuple, y: tuple) -> tuple:
            return tuple(i + j for i, j in zip(x, y))

        # ways[k]: (cost, runs) of the best way to place the words so far with the last one taking its option k
        ways = [(c, [(a, b)]) for a, b, c in options[0]]
        for i in range(1, len(level)):
            ways = [min(((plus(plus(w_cost, c), (0, unheaded(runs[-1][1], a, level[i - 1], level[i]), 0, 0.0)),
                          runs + [(a, b)]) for w_cost, runs in ways if runs[-1][1] <= a),
                        default=None, key=lambda e: e[0])
                    for a, b, c in options[i]]
            ways = [w for w in ways if w is not None]
        if ways:
            for p, (a, b) in zip(level, min(ways, key=lambda e: e[0])[1]):
                p.col, p.col_span = a, b - a

    everywhere = (0, len(mids))
    levels: dict[int, list[Piece]] = {}
    for p in groups:
        levels.setdefault(p.row, []).append(p)
    # top down: a line's groups share the columns of the group above each (by the column it overlaps most);
    # the top line shares the table's
    for row in sorted(levels):
        parents = {id(p): (parent.col, parent.end_col) for p in levels[row]
                   for parent in [max((q for q in groups if q.row < row and q.col <= home(p) < q.end_col),
                                      key=lambda q: q.row, default=None)] if parent is not None}
        place_level(levels[row], parents)


def join_broken(pieces: list[Piece], h_rulings: list[Line], size: float, settings: GridSettings) -> list[Piece]:
    """Pieces of one cell on successive lines (名 / 次, 已安装 / 户数) become one piece, unless a ruling parts them."""
    out: list[Piece] = []
    for p in sorted(pieces, key=lambda p: (p.row, p.col)):
        prev = next((q for q in reversed(out) if q.col == p.col and q.col_span == p.col_span), None)
        if prev is not None and prev.row == p.row:  # words of one cell on one line
            prev.words += p.words
            continue
        if prev is not None:
            gap = p.box.top - prev.box.bottom
            between = any(prev.box.bottom - 1 <= ln.position <= p.box.top + 1 and ln.printed_at(p.box.xmid)
                          for ln in h_rulings)
            blocked = any(q is not prev and q.col < p.end_col and q.end_col > p.col
                          and prev.box.bottom - 1 < q.box.ymid < p.box.top + 1 for q in out)
            if gap < settings.header_join * size and not between and not blocked:
                prev.words += p.words
                prev.row_span = p.row - prev.row + 1
                continue
        out.append(p)
    return out


def stretch_header(pieces: list[Piece], n_rows: int) -> None:
    """A header cell with nothing above or below it in its columns reaches the top or the bottom of the block
    (名次 printed once beside a three-level group)."""
    def clear(rows: range, p: Piece) -> bool:
        return not any(q is not p and q.col < p.end_col and q.end_col > p.col and
                       q.row < rows.stop and q.row + q.row_span > rows.start for q in pieces)
    for p in pieces:
        if clear(range(p.row + p.row_span, n_rows), p):
            p.row_span = n_rows - p.row
        if clear(range(0, p.row), p):
            p.row_span += p.row
            p.row = 0


def ruled_above(lines: list[list[Word]], i: int, h_rulings: list[Line]) -> bool:
    """A ruling between line i and the line above it, under most of line i's words."""
    a, b = band(lines[i - 1])[1], band(lines[i])[0]
    xs = [w.box.xmid for w in lines[i]]
    return any(a - 1.5 <= ln.position <= b + 1.5 and sum(ln.printed_at(x) for x in xs) >= len(xs) / 2
               for ln in h_rulings)


def label_wrapped_above(lines: list[list[Word]], start: int) -> int:
    """The first row's label may wrap round its figures (温县瑞丰液化气有 / 34 22 … / 限公司): a line of text
    beside the figures (left of them, or between two panels), right above a first line of figures that has no
    label of its own, is body."""
    first = lines[start]
    figure_x = min((w.box.x0 for w in first if is_numeric(w.text)), default=None)
    if start == 0 or figure_x is None or any(w.box.x1 <= figure_x and not is_numeric(w.text) for w in first):
        return start
    above = lines[start - 1]
    size = median(word_size(w) for w in first)
    # beside each panel's figures, not over any of them (东方红 … 焦北街 over a first line of figures)
    beside = all(not is_numeric(w.text) and not any(w.box.x0 < f.box.x1 and f.box.x0 < w.box.x1 for f in first)
                 for w in above)
    if beside and band(first)[0] - band(above)[1] < size:
        return start - 1
    return start


def below_header_rule(lines: list[list[Word]], start: int, h_rulings: list[Line]) -> int:
    """Where a table is ruled across, its header ends at a ruling: a first line of figures that no ruling parts
    from the line above it is still in the header's cell (10＜ / μ≤20 under 大型车比例μ), so the body starts at
    the next line a ruling opens."""
    if start == 0 or not any(ruled_above(lines, i, h_rulings) for i in range(1, len(lines))) \
            or ruled_above(lines, start, h_rulings):
        return start
    return next((i for i in range(start + 1, len(lines)) if ruled_above(lines, i, h_rulings)), start)


def below_top_rule(head: list[list[Word]], body: list[list[Word]], h_rulings: list[Line],
                   v_rulings: list[Line]) -> list[list[Word]]:
    """The header lines of a table without inner column rulings (three-line, or ruled only across): those under
    its top rule, the lowest rule across the whole table that has header lines under it. Lines above it (a
    title's second line, a unit line, the fields of a form) are not the header."""
    if not head or any(len(ln.segments) and ln.printed_at(band(head[-1])[1], slack=0) for ln in v_rulings[1:-1]):
        return head
    words = [w for line in head + body for w in line]
    x0, x1 = min(w.box.x0 for w in words), max(w.box.x1 for w in words)
    size = median(word_size(w) for w in words)
    def edge_to_edge(ln: Line) -> bool:
        """A rule across the table from edge to edge, not the short rules under its group headers (which, side
        by side, may cover all but the stub column over the row labels)."""
        covered = sum(max(0.0, min(b, x1) - max(a, x0)) for a, b in ln.segments) / (x1 - x0)
        return covered >= 0.9 and ln.segments[0][0] <= x0 + size and ln.segments[-1][1] >= x1 - size
    across = [ln.position for ln in h_rulings if edge_to_edge(ln) and ln.position < band(body[0])[0]]
    tops = [y for y in across if any(band(line)[0] >= y - 1 for line in head)]
    if not tops:
        return head
    top = max(tops)
    return [line for line in head if band(line)[0] >= top - 1]


def shape(text: str) -> str:
    """The text with every run of digits as 0: 7月14日 and 7月15日 are of one shape, 10:00—12:00 another."""
    return re.sub(r"\d+", "0", squeeze(text))


def shaped_like_body(line: list[Word], body: list[list[Word]]) -> bool:
    """Whether the line's words with digits have, most of them, the shape of the body words under them (the
    words of the same column in most body lines): a header's words are not of its column's kind."""
    digits = [w for w in line if re.search(r"\d", w.text)]
    if not digits or not body:
        return False
    def alike(w: Word) -> bool:
        under = [o for row in body for o in row if o.box.x0 < w.box.x1 and w.box.x0 < o.box.x1]
        return len(under) * 2 > len(body) and sum(shape(o.text) == shape(w.text) for o in under) * 2 > len(under)
    return sum(map(alike, digits)) * 2 > len(digits)


def spans_all(line: list[Word], cols: list[Line], gap: float) -> bool:
    """A line that is one piece across every column (no ruling or gutter parts it)."""
    y = median([w.box.ymid for w in line])
    inner = [ln for ln in cols[1:-1] if ln.source == LineSource.ruling and ln.printed_at(y, slack=0)]
    pieces = pieces_of_line(line, 0, cols, y, not inner, gap)
    return bool(pieces) and all(p.col_span == len(cols) - 1 for p in pieces)


def first_body_line(lines: list[list[Word]]) -> int | None:
    """The first line with two figures; in a table of one value column, the first with a figure beside text."""
    for i, line in enumerate(lines):
        if sum(is_numeric(w.text) for w in line) >= 2:
            return i
    for i, line in enumerate(lines):
        if any(is_numeric(w.text) for w in line) and any(not is_numeric(w.text) for w in line):
            return i
    return None


def is_text(cell: GridCell | None) -> bool:
    return cell is not None and bool(cell.text.strip()) and not is_numeric(cell.text) and \
        any(ch.isalpha() for ch in cell.text)


def label_columns(cells: list[GridCell], header_rows: int, n_rows: int, n_cols: int,
                  settings: GridSettings) -> list[int]:
    """Columns whose body cells are mostly text: row labels (one per panel)."""
    grid = {(c.row, c.col): c for c in cells if c.col_span == 1}
    share = []
    for col in range(n_cols):
        filled = [grid[(r, col)] for r in range(header_rows, n_rows) if (r, col) in grid and grid[(r, col)].text.strip()]
        share.append(sum(is_text(c) for c in filled) / len(filled) if filled else 0.0)
    return [c for c in range(n_cols) if share[c] >= settings.label_share]


def column_kind(cells: list[GridCell], col: int) -> str:
    """The commonest shape of a column's cells (0月0日, 0:0—0:0, 0.0%; a change's sign apart: +0.0 and -0.0 are
    one), 文 for a cell without digits."""
    shapes = [re.sub(r"^[+\-−]", "", shape(c.text)) if re.search(r"\d", c.text) else "文"
              for c in cells if c.col == c.end_col - 1 == col and c.text.strip()]
    return max(sorted(set(shapes)), key=shapes.count) if shapes else "文"


def repeated_panels(labels: list[int], n_cols: int, keys: list[list[str]], max_panels: int) -> list[Panel] | None:
    """Panels of a table with no header: the columns' kinds repeat with a period (品名 | 单位 | 0.00 | 0.00 | 0.00
    three times over), one kind per panel may differ; each panel's label is its first text column."""
    for n in range(max_panels, 1, -1):
        if n_cols % n:
            continue
        width = n_cols // n
        chunks = [keys[i:i + width] for i in range(0, n_cols, width)]
        firsts = [next((c for c in labels if i <= c < i + width), None) for i in range(0, n_cols, width)]
        if width >= 2 and None not in firsts and len({f % width for f in firsts}) == 1 \
                and all(sum(a != b for a, b in zip(chunk, chunks[0])) <= 1 for chunk in chunks[1:]):
            return [Panel(label_cols=[f], value_cols=[c for c in range(i, i + width) if c != f])
                    for f, i in zip(firsts, range(0, n_cols, width))]
    return None


def find_panels(labels: list[int], n_cols: int, paths: list[list[str]], header: list[GridCell],
                header_rows: int) -> list[Panel]:
    """Several label columns make panels only when the columns of each, from as far left of its label as the
    first panel's start, repeat the same header (one word may differ); else the first is the label column and the
    others are text columns of one table (columns left of it, 序号, are kept). A label column whose header cell spans the columns
    beside it is a row-header hierarchy over all of them."""
    def stub(col: int) -> list[int]:
        over = next((c for c in header if c.row <= header_rows - 1 < c.end_row and c.col == col), None)
        return list(range(col, over.end_col)) if over is not None and over.end_col < n_cols else [col]

    if not labels:
        return [Panel(label_cols=[0], value_cols=list(range(1, n_cols)))]
    # panels start at the label columns under the same header as the first (品名 … 品名 … 品名), each with the
    # columns the first has before its label (序号 | 站点 … 序号 | 站点)
    key = paths[labels[0]][-1:]
    lead = labels[0]
    starts = [c for c in labels if paths[c][-1:] == key and c - lead >= 0]
    if len(starts) > 1:
        edges = [c - lead for c in starts] + [n_cols]
        panels = [Panel(label_cols=[a + lead], value_cols=[c for c in range(a, b) if c != a + lead])
                  for a, b in zip(edges, edges[1:])]
        leaves = [[(paths[c] or [""])[-1] for c in p.value_cols] for p in panels]
        if leaves[0] and all(len(lv) == len(leaves[0]) and sum(a != b for a, b in zip(lv, leaves[0])) <= 1
                             for lv in leaves[1:]):
            return panels
    lead = stub(labels[0])
    return [Panel(label_cols=lead, value_cols=[c for c in range(n_cols) if c not in lead])]


@lru_cache(maxsize=None)
def serial_fused() -> re.Pattern:
    """A number hard against a label (1沁阳市); not a date or a count of its own (the words of roles.toml's
    [rows] counted_after: 1月, 10日, 3号楼)."""
    counted = "".join(re.escape(w) for w in load_roles()["rows"]["counted_after"])
    return re.compile(rf"^(\d{{1,3}})((?![{counted}])[\u4e00-\u9fff].*)$")


def split_serials(words: list[Word], settings: GridSettings) -> list[Word]:
    """A serial number printed hard against the label of the next cell (1沁阳市, 2孟州市 …, no space or ruling
    between) is two words, where such words stand in one column and their leading numbers count up row by row
    (by one, or by the number of panels when rows alternate across them).
    The two are set apart by the white the printer left out, so that the column line between
    them is found like any other."""
    fused = sorted((w for w in words if serial_fused().match(w.text)), key=lambda w: w.box.x0)
    columns: list[list[Word]] = []
    for w in fused:
        if columns and w.box.x0 - columns[-1][0].box.x0 <= word_size(w):
            columns[-1].append(w)
        else:
            columns.append([w])
    split: dict[int, list[Word]] = {}
    for column in columns:
        column.sort(key=lambda w: w.box.top)
        numbers = [int(serial_fused().match(w.text)[1]) for w in column]
        steps = Counter(b - a for a, b in zip(numbers, numbers[1:]))
        # by one down a panel; by the number of panels where rows alternate across them (1, 3, 5 | 2, 4, 6)
        step, count = steps.most_common(1)[0] if steps else (0, 0)
        if len(column) < 3 or not 1 <= step <= settings.max_panels or count < 0.8 * (len(column) - 1):
            continue
        for w in column:
            digits, rest = serial_fused().match(w.text).groups()
            # a digit is half as wide as an ideograph in CJK fonts
            cut = w.box.x0 + w.box.width * len(digits) / (len(digits) + 2 * len(rest))
            half = settings.min_gutter * word_size(w)  # a gap of twice the narrowest, which the bins cannot eat
            split[id(w)] = [w.model_copy(update={"text": digits, "box": w.box.model_copy(update={"x1": cut - half})}),
                            w.model_copy(update={"text": rest, "box": w.box.model_copy(update={"x0": cut + half})})]
    return [part for w in words for part in split.get(id(w), [w])]


def build_grid(words: list[Word], rulings: list[Ruling], settings: GridSettings = GridSettings(),
               total_labels: tuple[str, ...] = (), subtotal_labels: tuple[str, ...] = ()) -> Grid | None:
    """The cell grid of one table region, or None when it has no rows of figures."""
    words = split_serials(words, settings)
    lines = rows_of(words)
    v_rulings, h_rulings = grid_lines(rulings, settings.snap_pt, settings.join_pt)
    start = first_body_line(lines)
    if start is None and h_rulings:  # a ruled table of text (a schedule): its header ends at the first rule under text
        start = next((i for i in range(1, len(lines)) if ruled_above(lines, i, h_rulings)), None)
    if start is None:
        return None
    start = below_header_rule(lines, label_wrapped_above(lines, start), h_rulings)
    while start > 0 and shaped_like_body(lines[start - 1], lines[start:]):
        start -= 1  # a line of the body's kind of figures (7月14日 | 10:00—12:00) is a row, not a header
    head, body = lines[:start], lines[start:]
    head = below_top_rule(head, body, h_rulings, v_rulings)
    size = median(word_size(w) for line in body for w in line)
    gap = settings.min_gutter * size
    cols = column_lines(words, body, v_rulings, size, settings)
    n_cols = len(cols) - 1
    caption: list[Word] = []
    while head and n_cols > 1 and spans_all(head[0], cols, gap):  # a title printed inside the frame
        caption += head.pop(0)
    header_rows = len(head)

    from_image = any(r.found_in_image for r in rulings)
    while True:
        body_cells, row_bands = body_pieces(body, cols, h_rulings, header_rows, gap, from_image, settings)
        cells = [cell_from(p.words, p.row, p.col, p.row_span, p.col_span, CellKind.value) for p in body_cells]
        n_rows = header_rows + len(row_bands)
        labels = label_columns(cells, header_rows, n_rows, n_cols, settings)
        pieces = header_cells(head, cols, h_rulings, v_rulings, size, labels, settings)
        stretch_header(pieces, header_rows)
        inside = spanned_gutters(pieces, cols)
        if not inside:
            break
        cols = [ln for i, ln in enumerate(cols) if i not in inside]
        n_cols = len(cols) - 1
    cells = [cell_from(p.words, p.row, p.col, p.row_span, p.col_span, CellKind.header) for p in pieces] + cells
    paths = [path_of(cells, header_rows, c) for c in range(n_cols)]
    # with no header, panels repeat the kinds of their columns (日期 | 时间 | text … 日期 | 时间 | text)
    keys = paths if header_rows else [[column_kind(cells, c)] for c in range(n_cols)]
    panels = find_panels(labels, n_cols, keys, [c for c in cells if c.row < header_rows], header_rows)
    if not header_rows and len(panels) == 1:
        panels = repeated_panels(labels, n_cols, keys, settings.max_panels) or panels
    mark_kinds(cells, panels, header_rows, total_labels, subtotal_labels)
    head_bands = [band(line) for line in head]
    ys = [b[0] for b in head_bands + row_bands] + [max(b[1] for b in head_bands + row_bands)]
    row_lines = [GridLine(position=y, source=LineSource.ruling if any(abs(ln.position - y) < size for ln in h_rulings)
                          else LineSource.whitespace) for y in ys]
    return Grid(n_rows=n_rows, n_cols=n_cols, header_rows=header_rows, caption=text_of(caption) if caption else None,
                col_lines=[GridLine(position=ln.position, source=ln.source) for ln in cols],
                row_lines=row_lines, cells=cells, panels=panels)


def spanned_gutters(pieces: list[Piece], cols: list[Line]) -> set[int]:
    """Gutters inside one header cell: white space the body's words leave between the characters of one entry
    (7月 | 6日 under 日期, in a ruled cell no ruling parts) is no column where a header cell with no header under
    it spans it, and its words do not stand on both sides of it (two words either side may be two headers whose
    ruling the scan lost)."""
    inside = set()
    for p in pieces:
        if p.col_span < 2 or any(q.row >= p.row + p.row_span and q.col < p.end_col and q.end_col > p.col for q in pieces):
            continue  # a group word heads the columns under it
        for i in range(p.col + 1, p.end_col):
            x = cols[i].position
            if cols[i].source == LineSource.whitespace and not (any(w.box.x1 <= x for w in p.words)
                                                                and any(w.box.x0 >= x for w in p.words)):
                inside.add(i)
    return inside


def merge_row_pieces(pieces: list[Piece]) -> list[Piece]:
    """Pieces of one table row from its several text lines: those sharing a column are one cell."""
    out: list[Piece] = []
    for p in sorted(pieces, key=lambda p: p.col):
        same = next((q for q in out if q.row == p.row and q.col < p.end_col and q.end_col > p.col), None)
        if same is not None:
            same.words += p.words
            end = max(same.end_col, p.end_col)
            same.col = min(same.col, p.col)
            same.col_span = end - same.col
            same.row_span = max(same.row_span, p.row_span)
        else:
            out.append(p)
    return out


def path_of(cells: list[GridCell], header_rows: int, col: int) -> list[str]:
    over = sorted((c for c in cells if c.row < header_rows and c.col <= col < c.end_col and c.text), key=lambda c: c.row)
    return [c.text for c in over]


def names_a_total(label: str, total_labels: tuple[str, ...]) -> bool:
    """Whether a label is a footer's: a total word and what it totals (合计任务数, 累计完成整治数), not a total label."""
    text, named = squeeze(label), footer_words(label)
    return text not in total_labels and named != text and len(named) >= 2


def mark_kinds(cells: list[GridCell], panels: list[Panel], header_rows: int, total_labels: tuple[str, ...],
               subtotal_labels: tuple[str, ...]) -> None:
    """Sets each cell's kind: label headers, labels, totals and subtotals (per panel), footers (a text cell that
    spans value columns: 合计任务数 with one figure)."""
    label_cols = {c for p in panels for c in p.label_cols}
    value_cols = {c for p in panels for c in p.value_cols}
    by_row: dict[int, list[GridCell]] = {}
    for cell in cells:
        if cell.row < header_rows:
            if cell.col in label_cols and cell.end_col - 1 in label_cols:
                cell.kind = CellKind.label_header
        else:
            by_row.setdefault(cell.row, []).append(cell)
    # rows a label covers, its own and those it spans (高速公路 printed once beside three ruled rows)
    labelled = {r for c in cells if c.row >= header_rows and c.col in label_cols and c.text.strip()
                for r in range(c.row, c.end_row)}
    for row, row_cells in by_row.items():
        filled = [c for c in row_cells if c.text.strip()]
        spanning = any(is_text(c) and c.col_span > 1 and any(c.col <= v < c.end_col for v in value_cols)
                       for c in filled)
        # or a label set over the first value columns, off the label column (LibreOffice centres a merged cell's
        # text): no label, one text cell among the values and one figure
        unlabelled = len(filled) == 2 and row not in labelled and sum(is_text(c) for c in filled) == 1
        # or a label that names what it totals (合计户数, 累计完成整治数: not a bare 合计) beside one figure
        named = len(filled) == 2 and any(c.col in label_cols and is_text(c) and names_a_total(c.text, total_labels)
                                         for c in filled)
        if spanning or unlabelled or named:
            for c in row_cells:
                c.kind = CellKind.footer
            continue
        for panel in panels:
            own = [c for c in row_cells if c.col in panel.label_cols or c.col in panel.value_cols]
            labels = [squeeze(c.text) for c in own if c.col in panel.label_cols]
            kind = CellKind.subtotal if any(t in subtotal_labels for t in labels) else \
                CellKind.total if any(t in total_labels for t in labels) else None
            for c in own:
                c.kind = kind or (CellKind.label if c.col in panel.label_cols else CellKind.value)


def grid_of_rows(paths: list[list[str]], rows: list[list[str]], settings: GridSettings = GridSettings(),
                 total_labels: tuple[str, ...] = (), subtotal_labels: tuple[str, ...] = ()) -> Grid:
    """The grid of a table known only as rows of cells (a dump's tab-separated lines): paths[c] is column c's
    header path (the label column's first), rows[r] its printed cells. A group word is one cell over the columns
    that share it; a leaf reaches down to the body; a footer row (a label and one figure after blank cells) is
    a label spanning up to its figure."""
    depth = max(len(p) for p in paths)
    n_cols = len(paths)
    cells: list[GridCell] = []
    for level in range(depth):
        c = 0
        while c < n_cols:
            path = paths[c]
            if level >= len(path):
                c += 1
                continue
            end = c + 1
            if level < len(path) - 1:  # a group: over the next columns under the same words
                while end < n_cols and len(paths[end]) > level + 1 and paths[end][:level + 1] == path[:level + 1]:
                    end += 1
            leaf = level == len(path) - 1
            cells.append(GridCell(row=level, col=c, col_span=end - c, row_span=depth - level if leaf else 1,
                                  kind=CellKind.header, text=path[level]))
            c = end
    for r, row in enumerate(rows, start=depth):
        filled = [c for c, text in enumerate(row) if text]
        if len(filled) == 2 and filled[1] > 1 and not is_numeric(row[0]):  # 合计任务数 · · 12345
            cells.append(GridCell(row=r, col=0, col_span=filled[1], kind=CellKind.value, text=row[0]))
            cells.append(GridCell(row=r, col=filled[1], kind=CellKind.value, text=row[filled[1]]))
            continue
        cells += [GridCell(row=r, col=c, kind=CellKind.value, text=text) for c, text in enumerate(row) if text]
    n_rows = depth + len(rows)
    labels = label_columns(cells, depth, n_rows, n_cols, settings)
    panels = find_panels(labels, n_cols, paths, [c for c in cells if c.row < depth], depth)
    mark_kinds(cells, panels, depth, total_labels, subtotal_labels)
    return Grid(n_rows=n_rows, n_cols=n_cols, header_rows=depth, cells=cells, panels=panels)
