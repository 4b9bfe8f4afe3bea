"""Tables in plain-text page dumps -> Table objects.

Two shapes occur in dumps of newspaper pages:
- tab-separated ("tsv"): header lines in which a spanning group word sits at the column where its span
  starts, then one line per row;
- column-flowed ("flow"): the title, the row-label header and the row labels one per paragraph, then each
  column's header words followed by its values, column after column. The number of row labels is the
  length of every value run.
In both, a group word holds for the columns that follow until another group word of the same level
replaces it. A table that cannot be made consistent comes back without a grid, with its raw lines and a
reason: never a wrong grid, never dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extractor.grid import grid_of_rows
from extractor.hints import LayoutHints, in_sentence, load_roles, squeeze
from extractor.messages import say
from schemas.document import Page
from schemas.table import Column, Table

_NUMBER = re.compile(r"^[+\-−]?[0-9０-９]+(?:[.．][0-9０-９]*)?[%％]?$")
# What a cell prints when it has no figure.
_NO_FIGURE = {"/", "／", "-", "－", "—", "–"}
# Punctuation of running text: a paragraph holding one is article text, not a header word or row label.
# Header words and row labels are short: a longer line is article text.
_MAX_WORD_LENGTH = 16
# A row label may be printed one character per line; a longer such column is a vertical headline.
_MAX_VERTICAL_LABEL = 10


def is_value(text: str) -> bool:
    """True for what a table cell prints: a number, a percentage, a no-figure mark."""
    s = squeeze(text)
    return bool(_NUMBER.match(s)) or s in _NO_FIGURE


@dataclass
class _Item:
    """A paragraph of the dump, or a single line where the line alone has a meaning (title, date, value)."""
    kind: str           # "title", "date", "note", "unit", "row" (a tab-separated line), "value", "text"
    lines: list[str]    # stripped
    first: int          # page line indices, inclusive
    last: int

    @property
    def text(self) -> str:
        """The lines joined without separator: a word broken over lines is whole again."""
        return "".join(self.lines)


@dataclass
class _Furniture:
    title: str | None = None
    date: str | None = None
    date_printed: str | None = None
    unit: str | None = None
    note: str | None = None


class _Inconsistent(Exception):
    """The table region cannot be rebuilt into a consistent grid; the message says why."""


def tables_from_text(page: Page, hints: LayoutHints) -> list[Table]:
    """Every table found in the lines of a text page, in page order."""
    items = _items(page.lines, hints)
    found: list[tuple[int, Table]] = []
    claimed_titles: set[int] = set()
    for start, end in _row_blocks(items):
        title_at = _title_before(items, start)
        if title_at is not None:
            claimed_titles.add(title_at)
        found.append(_tsv_table(page, items, title_at, start, end, hints))
    for k, item in enumerate(items):
        if item.kind == "title" and k not in claimed_titles:
            flowed = _flow_table(page, items, k, hints)
            if flowed:
                found.append(flowed)
    found.sort(key=lambda pair: pair[0])
    _fill_missing_dates(found, items, hints)
    return [table for _, table in found]  # table ids are given by the pipeline, one scheme for every input


# ---- paragraphs ---------------------------------------------------------------------------------------

def _items(lines: list[str], hints: LayoutHints) -> list[_Item]:
    items: list[_Item] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        kind = _line_kind(lines[i], hints)
        j = i
        if kind in ("note", "text"):      # a paragraph goes on over the following plain-text lines
            while j + 1 < len(lines) and lines[j + 1].strip() and _line_kind(lines[j + 1], hints) == "text":
                j += 1
        items.append(_Item(kind, [line.strip() for line in lines[i:j + 1]], i, j))
        i = j + 1
    return items


def _line_kind(line: str, hints: LayoutHints) -> str:
    if "\t" in line:
        return "row"
    s = line.strip()
    if hints.is_title(s):
        return "title"
    if _standalone_date(s, hints):
        return "date"
    if hints.is_note(s):
        return "note"
    if hints.unit_pattern.search(s) and len(squeeze(s)) <= _MAX_WORD_LENGTH:
        return "unit"
    return "value" if is_value(s) else "text"


def _standalone_date(text: str, hints: LayoutHints) -> tuple[str, str] | None:
    """(printed, ISO) when the line is nothing but a date, like （2022.9.25）."""
    date = hints.match_date(text)
    return date if date and squeeze(date[0]) == squeeze(text) else None


def _is_article(item: _Item) -> bool:
    if item.kind != "text":
        return False
    vertical = all(len(squeeze(line)) == 1 for line in item.lines) and len(item.lines) > _MAX_VERTICAL_LABEL
    return (vertical or in_sentence(item.text)
            or max(len(squeeze(line)) for line in item.lines) > _MAX_WORD_LENGTH)


def _furniture(items: list[_Item], hints: LayoutHints) -> _Furniture:
    """Title, date, unit and note among the items of a table region (the first of each)."""
    f = _Furniture()
    for item in items:
        date = hints.match_date(item.text) if item.kind in ("title", "date") else None
        if date and f.date is None:
            f.date_printed, f.date = date
        if item.kind == "title" and f.title is None:
            f.title = (item.text.replace(date[0], "") if date else item.text).strip()
        elif item.kind == "note" and f.note is None:
            f.note = hints.note_body(item.text)
        elif item.kind == "unit" and f.unit is None:
            f.unit = hints.unit_pattern.search(item.text)["unit"]
    return f




def _fill_missing_dates(found: list[tuple[int, Table]], items: list[_Item], hints: LayoutHints) -> None:
    """A table printing no date of its own takes the nearest date line of the page: the tables of one
    report share the date line printed once for the group."""
    dates = [(item.first, _standalone_date(item.text, hints)) for item in items if item.kind == "date"]
    for first, table in found:
        if table.date is None and dates:
            _, (table.date_printed, table.date) = min(dates, key=lambda d: abs(d[0] - first))


def _table(page: Page, furniture: _Furniture, layout: str, **grid) -> Table:
    return Table(source=page.source, page=page.page, table_id="", title=furniture.title, date=furniture.date,
                 date_printed=furniture.date_printed, unit=furniture.unit, note=furniture.note,
                 layout=layout, box=None, **grid)


def _unparsed(page: Page, furniture: _Furniture, layout: str, first: int, last: int, reason: str) -> Table:
    return _table(page, furniture, layout, columns=[], rows=[], unparsed_reason=reason,
                  raw_text="\n".join(page.lines[first:last + 1]))


# ---- tab-separated tables -----------------------------------------------------------------------------

def _row_blocks(items: list[_Item]) -> list[tuple[int, int]]:
    """(first, last) item indices of each run of consecutive tab-separated lines."""
    blocks: list[tuple[int, int]] = []
    for k, item in enumerate(items):
        if item.kind != "row":
            continue
        if blocks and blocks[-1][1] == k - 1:
            blocks[-1] = (blocks[-1][0], k)
        else:
            blocks.append((k, k))
    return blocks


def _title_before(items: list[_Item], start: int) -> int | None:
    """The title item just above a block, with only dates or a unit line between."""
    k = start - 1
    while k >= 0 and items[k].kind in ("date", "unit"):
        k -= 1
    return k if k >= 0 and items[k].kind == "title" else None


def _tsv_table(page: Page, items: list[_Item], title_at: int | None, start: int, end: int,
               hints: LayoutHints) -> tuple[int, Table]:
    after = end + 1
    while after < len(items) and items[after].kind in ("date", "unit", "note"):
        after += 1
    first_item = start if title_at is None else title_at
    furniture = _furniture(items[first_item:start] + items[end + 1:after], hints)
    first = items[first_item].first
    try:
        lines = [page.lines[item.first] for item in items[start:end + 1]]
        paths, rows = _tsv_grid(lines)
    except _Inconsistent as e:
        return first, _unparsed(page, furniture, "tsv", first, items[after - 1].last, str(e))
    return first, _grid_table(page, furniture, "tsv", paths, rows, hints, first, items[after - 1].last)


def _grid_table(page: Page, furniture: _Furniture, layout: str, paths: list[list[str]], rows: list[list[str]],
                hints: LayoutHints, first: int, last: int) -> Table:
    """A dump's table read off the same cell grid as a positioned page's (extractor/grid.py)."""
    from extractor.reassemble import columns_of, rows_and_footers
    grid = grid_of_rows(paths, rows, hints.grid, hints.total_labels, tuple(load_roles()["rows"]["subtotal"]))
    if len({len(p.value_cols) for p in grid.panels}) > 1:
        return _unparsed(page, furniture, layout, first, last, say("unparsed.panels_differ"))
    table_rows, footers = rows_and_footers(grid)
    label_header = "".join(grid.header_path(grid.panels[0].label_cols[-1])) or None
    return _table(page, furniture, layout, label_header=label_header, columns=columns_of(grid), rows=table_rows,
                  footers=footers, grid=grid)


def _tsv_grid(lines: list[str]) -> tuple[str | None, list[Column], list[str], list[list[str]]]:
    cells = [[c.strip() for c in line.split("\t")] for line in lines]
    first_data = next((k for k, row in enumerate(cells) if _is_data_row(row)), None)
    if first_data is None:
        raise _Inconsistent(say("unparsed.tsv_no_rows"))
    if first_data == 0:
        raise _Inconsistent(say("unparsed.tsv_no_header"))
    header, data = cells[:first_data], cells[first_data:]
    last_data = max(k for k, row in enumerate(data) if _is_data_row(row))
    stray = [row[0] for k, row in enumerate(data) if not _is_data_row(row) and not (k > last_data and _is_footer(row))]
    if stray:
        raise _Inconsistent(say("unparsed.tsv_stray", lines=stray[:3]))
    width = max(len(row) for row in data)
    header = [_fit_width(row, width) for row in header]
    data = [_fit_width(row, width) for row in data]
    label_path = ["".join(row[0] for row in header)] if any(row[0] for row in header) else []
    return [label_path] + [_tsv_path(header, c) for c in range(1, width)], data


def _is_footer(row: list[str]) -> bool:
    """A line after the data rows that names a total and gives one figure (合计任务数 · · 12345)."""
    filled = [c for c in row if c]
    return len(filled) == 2 and bool(row[0]) and not is_value(row[0]) and is_value(filled[1])


def _is_data_row(row: list[str]) -> bool:
    label, cells = row[0], row[1:]
    return (bool(label) and not is_value(label) and any(is_value(c) for c in cells)
            and all(not c or is_value(c) for c in cells))


def _fit_width(row: list[str], width: int) -> list[str]:
    """The row padded with blank cells (tab-stripped trailing blanks) to the table width."""
    if any(row[width:]):
        raise _Inconsistent(say("unparsed.tsv_wide", columns=width - 1, cells=row[width:]))
    return (row + [""] * width)[:width]


def _tsv_path(header: list[list[str]], col: int) -> list[str]:
    """Header path of a column: at each level the group word last opened at or left of the column (within
    the span of the group above), then the column's own lowest word."""
    leaf_level = max((level for level, row in enumerate(header) if row[col]), default=None)
    if leaf_level is None:
        raise _Inconsistent(say("unparsed.no_header_word", column=col))
    path, start = [], 1
    for level in range(len(header) - 1):
        at = next((j for j in range(col, start - 1, -1) if _is_group(header, level, j)), None)
        if at is not None:
            path.append(header[level][at])
            start = at
    return path + [header[leaf_level][col]]


def _is_group(header: list[list[str]], level: int, col: int) -> bool:
    """A header word with more words under it spans the columns that follow it."""
    return bool(header[level][col]) and any(row[col] for row in header[level + 1:])


# ---- column-flowed tables -----------------------------------------------------------------------------

def _flow_table(page: Page, items: list[_Item], title_at: int, hints: LayoutHints) -> tuple[int, Table] | None:
    opening, *later = _flow_segments(items, title_at)
    if not any(item.kind == "value" for item in opening):
        return None                      # a headline that happens to end like a table title
    furniture = _furniture([items[title_at]] + opening, hints)
    first = items[title_at].first
    try:
        grid = _opening_grid(_body(opening), hints)
    except _Inconsistent as e:
        return first, _unparsed(page, furniture, "flow", first, opening[-1].last, str(e))
    for segment in later:                # columns may go on after an article paragraph set in between
        if not grid.continue_with(_body(segment)):
            break
    paths = [[grid.label_header] if grid.label_header else []] + [c.path for c in grid.columns]
    rows = [[label] + values for label, values in zip(grid.labels, grid.rows())]
    return first, _grid_table(page, furniture, "flow", paths, rows, hints, first, opening[-1].last)


def _flow_segments(items: list[_Item], title_at: int) -> list[list[_Item]]:
    """The items after a title up to the next title or tab-separated block, cut at article paragraphs;
    the first segment (possibly empty) is the one right under the title."""
    segments: list[list[_Item]] = [[]]
    for item in items[title_at + 1:]:
        if item.kind in ("title", "row"):
            break
        if _is_article(item):
            segments.append([])
        else:
            segments[-1].append(item)
    return [segments[0]] + [segment for segment in segments[1:] if segment]


def _body(segment: list[_Item]) -> list[_Item]:
    return [item for item in segment if item.kind in ("text", "value")]


class _FlowColumns:
    """Columns added run by run; the row labels fix the length of every run."""

    def __init__(self, label_header: str, labels: list[str], hints: LayoutHints):
        self.label_header, self.labels, self.hints = label_header, labels, hints
        self.groups: list[str] = []
        self.columns: list[Column] = []
        self.values: list[list[str]] = []

    def add(self, words: list[str], run: list[str]) -> None:
        if not words:
            raise _Inconsistent(say("unparsed.run_without_header", count=len(run)))
        groups, path = _next_path(self.groups, _join_fragments(words))
        self.values.append(_fit_run(run, self.labels, path[-1], self.hints))
        self.columns.append(Column(path=path))
        self.groups = groups

    def continue_with(self, body: list[_Item]) -> bool:
        """Add the columns of a later segment if all of them fit; False (nothing added) otherwise."""
        pairs = list(_word_runs(body, 0))
        if not pairs or any(self.hints.is_label_header(w) for words, _ in pairs for w in words):
            return False                 # nothing more, or the opening of another table
        saved = (list(self.groups), len(self.columns))
        try:
            for words, run in pairs:
                self.add(words, run)
        except _Inconsistent:
            self.groups, kept = saved
            del self.columns[kept:], self.values[kept:]
            return False
        return True

    def rows(self) -> list[list[str]]:
        return [list(row) for row in zip(*self.values)]


def _opening_grid(body: list[_Item], hints: LayoutHints) -> _FlowColumns:
    """Label header, row labels and the columns of the segment under the title."""
    label_header, start = _label_header(body, hints)
    pairs = list(_word_runs(body, start))
    if not pairs:
        raise _Inconsistent(say("unparsed.no_value_run"))
    first_words, first_run = pairs[0]
    n = len(first_run)               # every column prints one value per row label
    if len(first_words) <= n:
        raise _Inconsistent(say("unparsed.no_room", paragraphs=len(first_words), count=n))
    grid = _FlowColumns(label_header, first_words[:n], hints)
    grid.add(first_words[n:], first_run)
    for words, run in pairs[1:]:
        grid.add(words, run)
    return grid


def _label_header(body: list[_Item], hints: LayoutHints) -> tuple[str, int]:
    """The row-label header opening the table body; it may be broken over up to three paragraphs."""
    for k in (1, 2, 3):
        pieces = body[:k]
        if len(pieces) == k and all(p.kind == "text" for p in pieces):
            text = "".join(p.text for p in pieces)
            if hints.is_label_header(text):
                return text, k
    raise _Inconsistent(say("unparsed.no_label_header"))


def _word_runs(body: list[_Item], i: int):
    """(text paragraphs, value run) pairs from position i; words followed by no values end the table."""
    while i < len(body):
        words, i = _take(body, i, "text")
        run, i = _take(body, i, "value")
        if not run:
            return
        yield words, run


def _take(body: list[_Item], i: int, kind: str) -> tuple[list[str], int]:
    taken = []
    while i < len(body) and body[i].kind == kind:
        taken.append(body[i].text)
        i += 1
    return taken, i


def _next_path(groups: list[str], words: list[str]) -> tuple[list[str], list[str]]:
    """Group words before a leaf replace the lowest group levels (a sub-group word replaces only the
    sub-group); with no group words the column stays under the current groups."""
    *new, leaf = words
    groups = groups[:max(0, len(groups) - len(new))] + new
    return groups, groups + [leaf]


def _fit_run(run: list[str], labels: list[str], leaf: str, hints: LayoutHints) -> list[str]:
    """The run as one value per row; a total row prints no rank, so a rank run may lack those values."""
    if len(run) == len(labels):
        return run
    totals = sum(hints.is_total_label(label) for label in labels)
    trailing_totals = all(hints.is_total_label(label) for label in labels[len(labels) - totals:])
    if totals and trailing_totals and _is_rank(leaf) and len(run) == len(labels) - totals:
        return run + [""] * totals
    raise _Inconsistent(say("unparsed.values_vs_labels", column=leaf, values=len(run), labels=len(labels)))


def _join_fragments(words: list[str]) -> list[str]:
    """Rejoin a header word broken over paragraphs: two pieces that are no header word apart but are together."""
    out: list[str] = []
    for word in words:
        if out and not _is_header_word(out[-1]) and not _is_header_word(word) and _is_header_word(out[-1] + word):
            out[-1] += word
        else:
            out.append(word)
    return out


@lru_cache(maxsize=None)
def _vocabulary() -> tuple[frozenset[str], tuple[str, ...]]:
    """Header words of schemas/roles.toml, and the suffixes that make a word a rate."""
    roles = load_roles()
    words = frozenset(w for role in roles["order"] for w in roles[role].get("words", []))
    return words, tuple(roles["rate"]["suffixes"])


def _is_header_word(text: str) -> bool:
    words, rate_suffixes = _vocabulary()
    s = squeeze(text)
    return s in words or s.endswith(rate_suffixes)


def _is_rank(text: str) -> bool:
    return squeeze(text) in load_roles()["rank"]["words"]
