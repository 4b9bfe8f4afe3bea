"""Ruling lines as geometry: collinear pieces joined into lines, and the boxes of ruled tables. Shared by the
layout stage (where a ruled table is) and the grid stage (its rows and columns); pdfplumber's edge functions do
the work (merge_edges, edges_to_intersections, intersections_to_cells, cells_to_tables)."""
from __future__ import annotations

from dataclasses import dataclass

from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges

from schemas.document import Box, Ruling
from schemas.grid import LineSource


@dataclass
class Line:
    """A column line (x) or row line (y) with the stretches of the other axis where it is printed."""
    position: float
    source: LineSource
    segments: list[tuple[float, float]]

    def printed_at(self, at: float, slack: float = 1.0) -> bool:
        return any(a - slack <= at <= b + slack for a, b in self.segments)


def edges_of(rulings: list[Ruling], snap: float, join: float) -> list[dict]:
    """Rulings as pdfplumber edges, collinear pieces (cell borders drawn one cell at a time) joined."""
    edges = [{"x0": r.box.x0, "x1": r.box.x1, "top": r.box.top, "bottom": r.box.bottom,
              "width": r.box.width, "height": r.box.height, "orientation": r.orientation, "object_type": "line"}
             for r in rulings]
    return merge_edges(edges, snap, snap, join, join) if edges else []


def merged_lines(rulings: list[Ruling], orientation: str, snap: float, join: float) -> list[Line]:
    """Rulings of one orientation as lines: pieces at one position (within snap) are one line."""
    lines: list[Line] = []
    edges = [e for e in edges_of(rulings, snap, join) if e["orientation"] == orientation]
    for e in sorted(edges, key=lambda e: (e["x0"] if orientation == "v" else e["top"])):
        pos = (e["x0"] + e["x1"]) / 2 if orientation == "v" else (e["top"] + e["bottom"]) / 2
        seg = (e["top"], e["bottom"]) if orientation == "v" else (e["x0"], e["x1"])
        same = next((ln for ln in lines if abs(ln.position - pos) <= snap), None)
        if same:
            same.segments.append(seg)
        else:
            lines.append(Line(pos, LineSource.ruling, [seg]))
    return lines


def close_gaps(lines: list[Line], crossing: list[Line], snap: float) -> None:
    """A gap inside a line is a cell merged across it only when that cell's borders cross the line at both
    ends of the gap (the cell reaches both sides). Any other gap is a drawing artefact (LibreOffice leaves out
    the borders of vertically merged cells) and is closed."""
    def meets(at: float, pos: float) -> bool:
        return any(abs(c.position - at) <= snap and c.printed_at(pos - 2 * snap, slack=0)
                   and c.printed_at(pos + 2 * snap, slack=0) for c in crossing)
    for line in lines:
        segs = sorted(line.segments)
        out = [list(segs[0])]
        for a, b in segs[1:]:
            end = out[-1][1]
            if a <= end or not (meets(end, line.position) and meets(a, line.position)):
                out[-1][1] = max(end, b)
            else:
                out.append([a, b])
        line.segments = [(a, b) for a, b in out]


def grid_lines(rulings: list[Ruling], snap: float, join: float) -> tuple[list[Line], list[Line]]:
    """(vertical, horizontal) lines of the rulings, pieces joined and drawing gaps closed."""
    v, h = merged_lines(rulings, "v", snap, join), merged_lines(rulings, "h", snap, join)
    close_gaps(v, h, snap)
    close_gaps(h, v, snap)
    return v, h


def ruled_boxes(rulings: list[Ruling], snap: float, join: float, min_cells: int = 4) -> list[Box]:
    """Boxes of the ruled tables on a page: groups of cells closed by rulings on four sides (at least min_cells,
    in at least two rows and two columns, so a frame round an article or a photo is not a table)."""
    edges = edges_of(rulings, snap, join)
    cells = intersections_to_cells(edges_to_intersections(edges, snap, snap))
    boxes = []
    for table in cells_to_tables(cells):
        if len(table) >= min_cells and len({c[0] for c in table}) >= 2 and len({c[1] for c in table}) >= 2:
            boxes.append(Box(x0=min(c[0] for c in table), top=min(c[1] for c in table),
                             x1=max(c[2] for c in table), bottom=max(c[3] for c in table)))
    return boxes


def rule_stacks(rulings: list[Ruling], snap: float, join: float, max_header: float, min_rules: int = 3) -> list[Box]:
    """Boxes of three-line tables: at least min_rules horizontal rules of one extent stacked (above and under
    the header, at the bottom), no vertical ones needed; the top two no further apart than max_header (a
    header, not a page's head rule above a title). The box runs from the top rule to the bottom one."""
    _, h = grid_lines(rulings, snap, join)
    pieces = sorted(((a, b, ln.position) for ln in h for a, b in ln.segments), key=lambda p: p[2])
    boxes: list[Box] = []
    used: set[int] = set()
    for i, (a, b, y) in enumerate(pieces):
        if i in used or b - a < 20 * snap:
            continue
        same = [j for j, (c, d, _) in enumerate(pieces) if abs(c - a) <= snap and abs(d - b) <= snap]
        if len(same) >= min_rules and pieces[same[1]][2] - pieces[same[0]][2] <= max_header:
            used.update(same)
            ys = [pieces[j][2] for j in same]
            boxes.append(Box(x0=a, top=min(ys), x1=b, bottom=max(ys)))
    return boxes
