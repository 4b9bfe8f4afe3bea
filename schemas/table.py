"""A reassembled table: rows of cells under header paths. The boundary between reassembly and checks."""
from __future__ import annotations

from pydantic import BaseModel, Field

from schemas.document import Box
from schemas.grid import Grid


class Cell(BaseModel):
    printed: str                      # the text as printed (OCR'd), normalised only for whitespace
    box: Box | None = None
    confidence: float | None = None
    char_confidences: list[float] | None = None


class Column(BaseModel):
    path: list[str]                   # header words from the top level down to the leaf

    @property
    def name(self) -> str:
        return " / ".join(self.path)


class Row(BaseModel):
    label: str                        # as printed, inner spaces kept ("温 县")
    cells: list[Cell]
    is_total: bool = False            # a 合计/总计 or 小计 row
    place: str | None = None          # the gazetteer's name for the label (温 县 → 温县, 高新区 → 示范区); None if no place
    label_box: Box | None = None


class Footer(BaseModel):
    """A row that is not data: a label spanning several columns with one figure (合计任务数 12345)."""
    label: str
    printed: str                      # the figure as printed ("" when the row has none)
    column: str | None = None         # the column the figure is printed under, when it is under one
    box: Box | None = None


class Table(BaseModel):
    source: str
    page: int
    table_id: str
    title: str | None = None
    date: str | None = None           # ISO yyyy-mm-dd when the date line parses
    date_printed: str | None = None
    unit: str | None = None
    note: str | None = None
    label_header: str | None = None
    columns: list[Column]
    rows: list[Row]
    footers: list[Footer] = []
    grid: Grid | None = None          # the cell grid columns, rows and footers are read from (its lines, of a table
                                      # printed turned, are positions along the turned view: see rotation)
    box: Box | None = None            # every box, also of a table printed turned, is in the page's own frame
    rotation: int = 0                 # printed turned: read after turning the page clockwise by this many degrees
    layout: str | None = None         # "ruled", "open", "flow", "tsv": how it was reassembled
    raw_text: str | None = None       # kept for tables that could not be rebuilt
    unparsed_reason: str | None = None

    def column_names(self) -> list[str]:
        """Unique column names: the header path, and for a header printed more than once (three 名次 columns)
        what it belongs to: the rate before it, else the first column after the previous one of its kind."""
        names: list[str] = []
        for i, col in enumerate(self.columns):
            name = col.name
            if any(c.name == name for j, c in enumerate(self.columns) if j != i):
                start = max((j + 1 for j in range(i) if self.columns[j].name == name), default=0)
                segment = [c.path[-1] for c in self.columns[start:i]]
                rates = [leaf for leaf in segment if leaf.endswith("率")]
                owner = rates[-1] if rates else (segment[0] if segment else None)
                name = f"{name} ({owner})" if owner else f"{name} #{i + 1}"
            names.append(name)
        return names
