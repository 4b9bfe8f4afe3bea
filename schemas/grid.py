"""The cell grid: one structure for every table, whatever its input kind (PDF, scan, text dump) and rule style.

Grid lines cut the table into rows and columns; a cell covers one or more of them (row and column spans, as in
docling's table cells and img2table's CellSpan). Each cell has a kind, so that the header block, the row labels,
the body, totals, subtotals and footer rows are told apart in one place and read from there by the checks, the
exports and the report. Boxes are PDF points with a top-left origin; a dump's grid has no boxes and no lines.
"""
from __future__ import annotations

from enum import Enum

from pydantic import BaseModel

from schemas.document import Box


class CellKind(str, Enum):
    header = "header"            # a cell of the header block (every row above the first data row)
    label_header = "label_header"  # the header over a row-label column (县（市、区）)
    label = "label"              # a row label of a data row
    value = "value"              # a figure (or text) of a data row
    total = "total"              # a cell of a 合计/总计 row
    subtotal = "subtotal"        # a cell of a 小计 row
    footer = "footer"            # a row whose label spans several columns and carries one figure (合计任务数 12345)


class LineSource(str, Enum):
    ruling = "ruling"            # a printed line: PDF vector graphics or a segment found in a scan
    whitespace = "whitespace"    # a column gutter of the body rows, or the gap between baselines
    text = "text"                # a dump: a tab or the column order of a flowed table


class GridLine(BaseModel):
    position: float              # x of a column line, y of a row line
    source: LineSource


class GridCell(BaseModel):
    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    kind: CellKind
    text: str                    # as printed, words joined in reading order; lines of a wrapped cell joined
    box: Box | None = None
    confidence: float | None = None
    char_confidences: list[float] | None = None

    @property
    def end_row(self) -> int:
        return self.row + self.row_span

    @property
    def end_col(self) -> int:
        return self.col + self.col_span

    def covers(self, row: int, col: int) -> bool:
        return self.row <= row < self.end_row and self.col <= col < self.end_col


class Panel(BaseModel):
    """Side-by-side copies of one table under a repeated header: the row-label columns and the value columns.
    Labels usually take one column; a row-header hierarchy (三、本年度办理结果 › （三）不予公开 › 1.属于国家秘密)
    takes several under one header cell, and a row's label is its innermost one."""
    label_cols: list[int]
    value_cols: list[int]

    @property
    def label_col(self) -> int:
        return self.label_cols[0]


class Grid(BaseModel):
    n_rows: int
    n_cols: int
    header_rows: int             # rows 0 … header_rows-1 are the header block
    caption: str | None = None   # a line across the whole table above its header (a title inside the frame)
    col_lines: list[GridLine] = []   # n_cols + 1 lines for a positioned table, empty for a dump
    row_lines: list[GridLine] = []
    cells: list[GridCell]
    panels: list[Panel]

    def at(self, row: int, col: int) -> GridCell | None:
        return next((c for c in self.cells if c.covers(row, col)), None)

    def header_path(self, col: int) -> list[str]:
        """The header words over a column, top level first; a cell spanning several header rows counts once."""
        path: list[str] = []
        seen: set[int] = set()
        for r in range(self.header_rows):
            cell = self.at(r, col)
            if cell is not None and id(cell) not in seen and cell.text:
                seen.add(id(cell))
                path.append(cell.text)
        return path

    def label_cell(self, row: int, panel: Panel) -> GridCell | None:
        """The innermost printed label of a body row in a panel."""
        found = None
        for col in panel.label_cols:
            cell = self.at(row, col)
            if cell is not None and cell.text.strip():
                found = cell
        return found or self.at(row, panel.label_col)

    def body_rows(self) -> range:
        return range(self.header_rows, self.n_rows)


class GridSettings(BaseModel, frozen=True, extra="forbid"):
    """Every tolerance of table finding and the grid builder, named (a layout file may override any in [grid]).
    Lengths are in units of the body's median text height unless they end in _pt."""
    snap_pt: float = 3.0          # rulings this close (pt) across their length are one line (pdfplumber's snap)
    join_pt: float = 3.0          # collinear ruling pieces with gaps up to this (pt) are one line (pdfplumber's join)
    min_ruled_cells: int = 4      # a ruled frame with fewer cells is a box round an article or photo, not a table
    max_header_pt: float = 90.0   # a three-line table's top two rules are at most this far apart (its header)
    min_gutter: float = 0.3       # the narrowest white strip between two columns
    gutter_crossing: float = 0.1  # share of the body lines that may cross a gutter (a label spanning columns)
    wrap_gap: float = 0.7         # a text-only line joins the nearest row when its gap to it is under this × the
                                  # median gap between rows (a label wrapped onto a second line)
    header_join: float = 0.8      # header pieces of one span this close vertically are one cell (名 / 次)
    centred_offset: float = 0.12  # a group word (or a title) sits within this share of the width of what it heads
                                  # of its centre
    far_label_rows: float = 0.8   # share of the body rows with a text word, on one edge, left of the figures: their
                                  # labels, however far from the figures they stand
    label_share: float = 0.6      # a column whose body cells are mostly text holds row labels
    line_reach: float = 2.5       # a title, date or unit line stands within this many text heights above a table,
                                  # article text that runs on under it within as many below
    title_wrap_gap: float = 0.6   # a title's second line starts within this × the title's height of its first
    title_wrap_size: float = 0.2  # and differs in height by less than this share
    title_size: float = 1.2       # a line over a table in type at least this × the table's is its title, wherever
                                  # it starts (with no sentence marks)
    resolution_pt: float = 0.25   # bin width of the coverage profile in which gutters are found
    max_panels: int = 3           # a table is printed in at most this many panels side by side
