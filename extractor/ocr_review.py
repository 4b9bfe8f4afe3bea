"""Judges OCR doubts with what the table knows. A printing error found on an OCR'd cell may be the reader's
mistake, not the printer's: where one commonly confused character explains it and the OCR was unsure of that
cell, the flag becomes an ocr_suspect naming the likely reading; where the OCR was sure, the printing error
stands. Cells read with low confidence are listed, and row labels one character off a gazetteer name are
noted with the name."""
from __future__ import annotations

from extractor.check import check_table
from extractor.hints import LayoutHints, squeeze
from extractor.messages import say, where
from extractor.numbers import parse_number
from extractor.ocr import ocr_settings
from schemas.flags import PRINTING_ERRORS, Flag, FlagKind, Severity
from schemas.table import Cell, Table


def confusions() -> list[tuple[str, str]]:
    pairs = [tuple(p) for p in ocr_settings()["confusions"]["pairs"]]
    return pairs + [(b, a) for a, b in pairs]


def one_char_readings(text: str) -> set[str]:
    """Every text one confusion away from text: a character swapped for its look-alike, dropped or added."""
    out = set()
    for a, b in confusions():
        if a:
            start = text.find(a)
            while start != -1:
                out.add(text[:start] + b + text[start + len(a):])
                start = text.find(a, start + 1)
        elif text:  # b may have been lost: try it at each place
            out.update(text[:i] + b + text[i:] for i in range(len(text) + 1))
    out.discard(text)
    return out


def is_ocr(cell: Cell) -> bool:
    return cell.confidence is not None and cell.confidence < 1


def cell_at(table: Table, flag: Flag) -> tuple[int, int] | None:
    """(row, column) of the cell a flag is about, by row label and column name."""
    names = table.column_names()
    rows = [i for i, r in enumerate(table.rows) if r.label == flag.row]
    cols = [j for j, n in enumerate(names) if n == flag.column]
    return (rows[0], cols[0]) if rows and cols else None


def printing_errors(table: Table) -> set[tuple[str, str | None, str | None]]:
    return {(f.kind.value, f.row, f.column) for f in check_table(table) if f.kind in PRINTING_ERRORS}


def explaining_reading(table: Table, row: int, col: int, before: set) -> str | None:
    """A one-confusion reading of the cell under which the table's printing errors are fewer, none new."""
    cell = table.rows[row].cells[col]
    best, fewest = None, len(before)
    for reading in sorted(one_char_readings(cell.printed)):
        parsed = parse_number(reading)
        if parsed.value is None or parsed.oddity:  # an unreadable cell would silence the check, not satisfy it
            continue
        trial = table.model_copy(deep=True)
        trial.rows[row].cells[col].printed = reading
        after = printing_errors(trial)
        if after < before and len(after) < fewest:
            best, fewest = reading, len(after)
    return best


def suspect_cells(table: Table, flags: list[Flag], threshold: float) -> dict[tuple[int, int], str]:
    """Unsure OCR'd cells involved in a printing error, with the reading that explains the error away.
    A rate, rank or total error involves its own cell and the cells it was computed from, so every unsure
    cell of the flagged row (and the flagged column, for totals) is tried."""
    before = {(f.kind.value, f.row, f.column) for f in flags if f.kind in PRINTING_ERRORS}
    if not before:
        return {}
    candidates: set[tuple[int, int]] = set()
    for flag in flags:
        if flag.kind not in PRINTING_ERRORS:
            continue
        rows = [i for i, r in enumerate(table.rows) if r.label == flag.row]
        where = cell_at(table, flag)
        for i in rows:
            candidates.update((i, j) for j in range(len(table.columns)))
        if where is not None:
            candidates.update((i, where[1]) for i in range(len(table.rows)))
    found = {}
    for i, j in sorted(candidates):
        cell = table.rows[i].cells[j]
        if is_ocr(cell) and cell.confidence < threshold:
            reading = explaining_reading(table, i, j, before)
            if reading is not None:
                found[(i, j)] = reading
    return found


def suspect_flag(table: Table, row: int, col: int, reading: str, explains: list[Flag]) -> Flag:
    cell = table.rows[row].cells[col]
    kinds = ", ".join(sorted({f.kind.value for f in explains}))
    return Flag(source=table.source, page=table.page, table_id=table.table_id, row=table.rows[row].label,
                column=table.column_names()[col], kind=FlagKind.ocr_suspect, printed=cell.printed, expected=reading,
                severity=Severity.warning,
                message=say("ocr.suspect", where=where(table.rows[row].label, table.column_names()[col]),
                            confidence=f"{cell.confidence:.2f}", reading=reading, kinds=kinds))


def explained_by(table: Table, flag: Flag, row: int, col: int, reading: str) -> bool:
    trial = table.model_copy(deep=True)
    trial.rows[row].cells[col].printed = reading
    return (flag.kind.value, flag.row, flag.column) not in printing_errors(trial)


def confirmed_by_table(table: Table, row: int, col: int, before: set) -> bool:
    """True when the table's checks confirm the cell as read: every one-confusion misreading of it that reads as a
    number would raise a printing error the table does not have (a 0 whose row's rate is 0.00%, a figure its
    total adds up with). A cell no check involves, or one whose misreading the checks could not tell, is not."""
    tried = False
    printed = table.rows[row].cells[col].printed
    for reading in one_char_readings(printed):
        parsed = parse_number(reading)
        if parsed.value is None or parsed.oddity or parsed.value == parse_number(printed).value:
            continue  # unreadable, or the same figure (0 and 0%): no misreading of it
        trial = table.model_copy(deep=True)
        trial.rows[row].cells[col].printed = reading
        if printing_errors(trial) <= before:
            return False
        tried = True
    return tried


def low_confidence_flags(table: Table, threshold: float) -> list[Flag]:
    """Unsure OCR'd figures a misreading of which could change a figure or a check: not text cells, not figures
    the table's own checks confirm."""
    names = table.column_names()
    before = printing_errors(table)
    return [Flag(source=table.source, page=table.page, table_id=table.table_id, row=row.label, column=names[j],
                 kind=FlagKind.low_confidence, printed=cell.printed, severity=Severity.info,
                 message=say("ocr.low_confidence", where=where(row.label, names[j]),
                             confidence=f"{cell.confidence:.2f}", threshold=f"{threshold:.2f}"))
            for i, row in enumerate(table.rows) for j, cell in enumerate(row.cells)
            if is_ocr(cell) and cell.confidence < threshold and cell.printed
            and parse_number(cell.printed).value is not None and not confirmed_by_table(table, i, j, before)]


def one_edit_apart(a: str, b: str) -> bool:
    """Same length and one character different, or one character dropped/added."""
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    if abs(len(a) - len(b)) != 1:
        return False
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def label_flags(table: Table, hints: LayoutHints) -> list[Flag]:
    """OCR'd row labels one character off a gazetteer name (or alias): the name is likely what is printed."""
    names = [n for name, aliases in hints.gazetteer.items() for n in (name, *aliases)]
    flags = []
    for row in table.rows:
        label = squeeze(row.label)
        if not row.cells or not any(is_ocr(c) for c in row.cells) or hints.canonical_place(label):
            continue
        near = sorted({hints.canonical_place(n) for n in names if one_edit_apart(label, squeeze(n))})
        if len(near) == 1:
            flags.append(Flag(source=table.source, page=table.page, table_id=table.table_id, row=row.label,
                              kind=FlagKind.ocr_suspect, printed=row.label, expected=near[0], severity=Severity.warning,
                              message=say("ocr.label", label=row.label, place=near[0])))
    return flags


def review_flags(table: Table, flags: list[Flag], hints: LayoutHints | None = None,
                 threshold: float | None = None) -> list[Flag]:
    """The table's flags with OCR doubts judged (see the module doc); a born-digital table's flags unchanged."""
    if not any(is_ocr(c) for r in table.rows for c in r.cells):
        return flags
    threshold = ocr_settings()["confidence_threshold"] if threshold is None else threshold
    explained: set[int] = set()
    suspects = []
    for (row, col), reading in suspect_cells(table, flags, threshold).items():
        explains = [f for f in flags if f.kind in PRINTING_ERRORS and explained_by(table, f, row, col, reading)]
        explained.update(id(f) for f in explains)
        suspects.append(suspect_flag(table, row, col, reading, explains))
    kept = [f for f in flags if id(f) not in explained]
    labels = label_flags(table, hints) if hints is not None else []
    return kept + suspects + low_confidence_flags(table, threshold) + labels
