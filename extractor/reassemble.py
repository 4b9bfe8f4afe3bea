"""A table region becomes a Table read off its cell grid (extractor/grid.py): header paths from the header block,
one row per body row of each panel, footer rows apart, 合计/小计 marked."""
from __future__ import annotations

from extractor.grid import build_grid
from extractor.hints import LayoutHints, load_roles, squeeze
from extractor.layout import Phrase, is_numeric, rows_of
from extractor.messages import say
from extractor.ocr_lexicon import with_known_cells
from schemas.document import Region
from schemas.grid import CellKind, Grid, GridCell
from schemas.table import Cell, Column, Footer, Row, Table


def as_cell(cell: GridCell | None) -> Cell:
    if cell is None:
        return Cell(printed="")
    return Cell(printed=cell.text, box=cell.box, confidence=cell.confidence, char_confidences=cell.char_confidences)


def columns_of(grid: Grid) -> list[Column]:
    """Header paths of the first panel's value columns; a table printed without a header gets 列1…列N."""
    paths = [grid.header_path(c) for c in grid.panels[0].value_cols]
    return [Column(path=[squeeze(w) for w in path] or [f"列{n + 1}"]) for n, path in enumerate(paths)]


def rows_and_footers(grid: Grid) -> tuple[list[Row], list[Footer]]:
    rows: list[Row] = []
    footers: list[Footer] = []
    footer_rows = set()
    for r in grid.body_rows():
        cells = [c for c in grid.cells if c.row == r]
        if cells and all(c.kind == CellKind.footer for c in cells):
            footer_rows.add(r)
            text = sorted(cells, key=lambda c: c.col)
            label = next((c for c in text if not is_numeric(c.text)), text[0])
            figures = [c for c in text if c is not label]
            under = None
            if len(figures) == 1:
                under = next((grid.header_path(v) for p in grid.panels for v in p.value_cols
                              if figures[0].col <= v < figures[0].end_col), None)
            footers.append(Footer(label=label.text, printed=" ".join(c.text for c in figures),
                                  column=" / ".join(squeeze(w) for w in under) if under else None,
                                  box=label.box.union(figures[-1].box) if figures else label.box))
    for panel in grid.panels:
        for r in grid.body_rows():
            if r in footer_rows:
                continue
            label = grid.label_cell(r, panel)
            values = [grid.at(r, c) for c in panel.value_cols]
            if (label is None or not label.text) and not any(v is not None and v.text for v in values):
                continue
            rows.append(Row(label=label.text if label else "", cells=[as_cell(v) for v in values],
                            is_total=label is not None and label.kind in (CellKind.total, CellKind.subtotal),
                            label_box=label.box if label else None))
    return rows, footers


def region_grid(region: Region, hints: LayoutHints) -> Grid | None:
    grid = build_grid(region.words, region.rulings, hints.grid, hints.total_labels,
                      tuple(load_roles()["rows"]["subtotal"]))
    return with_known_cells(grid, hints) if grid is not None else None


def reassemble(region: Region, source: str, page: int, table_id: str, hints: LayoutHints,
               grid: Grid | None = None) -> Table:
    """grid: the region's grid when the caller has built it already."""
    grid = grid or region_grid(region, hints)
    if grid is None:
        return unparsed(region, source, page, table_id, say("unparsed.no_number_rows"))
    if len(grid.panels) > 1 and len({len(p.value_cols) for p in grid.panels}) > 1:
        return unparsed(region, source, page, table_id, say("unparsed.panels_differ"))
    rows, footers = rows_and_footers(grid)
    title = grid.caption or region.title
    label_header = "".join(squeeze(w) for w in grid.header_path(grid.panels[0].label_cols[-1])) or None
    ruled = any(line.source == "ruling" for line in grid.col_lines[1:-1])
    return Table(source=source, page=page, table_id=table_id, title=title,
                 date=hints.match_date(region.date_printed)[1] if region.date_printed else None,
                 date_printed=region.date_printed, unit=region.unit, note=region.note, label_header=label_header,
                 columns=columns_of(grid), rows=rows, footers=footers, grid=grid, box=region.box,
                 layout="ruled" if ruled else "open")


def band_rows(grid: Grid) -> list[GridCell]:
    """Body rows printed as one text cell across the whole table (第二十条 第（五）项): each opens a new table
    stacked in the same frame, whose title it is."""
    bands = []
    for r in grid.body_rows():
        cells = [c for c in grid.cells if c.row == r]
        if len(cells) == 1 and cells[0].col_span == grid.n_cols and not is_numeric(cells[0].text) and grid.n_cols > 1:
            bands.append(cells[0])
    return bands


def tables_of_region(region: Region, source: str, page: int, table_id: str, hints: LayoutHints) -> list[Table]:
    """The tables of one region: one, or several stacked in one frame and parted by bands across it."""
    grid = region_grid(region, hints)
    bands = band_rows(grid) if grid is not None else []
    if not bands:
        return [reassemble(region, source, page, table_id, hints, grid)]
    cuts = [b.box.top - 0.5 for b in bands]
    tables = []
    for k, (top, bottom) in enumerate(zip([-1e9] + cuts, cuts + [1e9])):
        words = [w for w in region.words if top <= w.box.ymid < bottom]
        band = bands[k - 1] if k else None
        if not words or band is not None and len(words) == len(rows_of(words)[0]):
            continue  # a band with nothing under it
        title = band.text if band is not None else region.title
        part = region.model_copy(update={"words": words, "title": title, "note": region.note if k == len(cuts) else None})
        table = reassemble(part, source, page, table_id if not tables else f"{table_id}.{len(tables) + 1}", hints)
        if band is not None and table.columns:  # the band's own line is the title, not a header
            table.title = band.text
        tables.append(table)
    return tables


def unparsed(region: Region, source: str, page: int, table_id: str, reason: str) -> Table:
    text = "\n".join(Phrase(r).text for r in rows_of(region.words))
    return Table(source=source, page=page, table_id=table_id, title=region.title, note=region.note,
                 columns=[], rows=[], box=region.box, raw_text=text, unparsed_reason=reason)
