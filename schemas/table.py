"""A reassembled table: rows of cells under header paths. The boundary between reassembly and checks."""
from __future__ import annotations

from pydantic import BaseModel, Field

from schemas.document import Box


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
    is_total: bool = False
    label_box: Box | None = None


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
    box: Box | None = None
    layout: str | None = None         # "ruled", "open", "flow", "tsv": how it was reassembled
    raw_text: str | None = None       # kept for tables that could not be rebuilt
    unparsed_reason: str | None = None

    def column_names(self) -> list[str]:
        """Unique column names: the header path, with a suffix naming what a repeated header belongs to."""
        names: list[str] = []
        for i, col in enumerate(self.columns):
            name = col.name
            if name in names or any(c.name == name for c in self.columns[i + 1:]):
                prev = next((c.path[-1] for c in reversed(self.columns[:i]) if c.path[-1] != col.path[-1]), None)
                name = f"{name} ({prev})" if prev else f"{name} #{i + 1}"
            names.append(name)
        return names
