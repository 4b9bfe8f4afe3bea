"""Checks a reassembled table against itself: rates recomputed at printed precision, ranks under the note's rule
(and the rule the printer really used), totals against column sums, denominators repeated in a row, odd prints."""
from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from itertools import product

from extractor.hints import footer_words, load_roles, squeeze
from extractor.messages import column_words, say, where
from extractor.numbers import ParsedNumber, describe_oddities, format_at, parse_number, plain, rate_matches
from extractor.roles import ColumnRole, NoteRules, assign_roles, best_match, read_note, role_of, similarity
from schemas.flags import Flag, FlagKind, Severity
from schemas.table import Row, Table

HUNDRED = Decimal(100)


@dataclass
class Grid:
    """The table as parsed numbers, with the roles and note rules the checks need."""
    table: Table
    roles: list[ColumnRole]
    rules: NoteRules
    parsed: list[list[ParsedNumber]]

    @property
    def body(self) -> list[int]:
        return [i for i, r in enumerate(self.table.rows) if not r.is_total]

    def value(self, row: int, col: int) -> Decimal | None:
        return self.parsed[row][col].decimal

    def printed(self, row: int, col: int) -> str:
        return self.table.rows[row].cells[col].printed

    def flag(self, kind: FlagKind, severity: Severity, message: str, row: int | None = None,
             col: int | None = None, printed: str | None = None, expected: str | None = None, **fields) -> Flag:
        """A flag on a cell (row and col), a column (col) or the table; message is a key of schemas/messages.toml,
        said with fields, `where` (the cell as a reader names it), `printed` and `expected`."""
        t = self.table
        if printed is None and row is not None and col is not None:
            printed = self.printed(row, col)
        label = t.rows[row].label if row is not None else None
        column = self.roles[col].name if col is not None else None
        text = say(message, where=where(label, column), column=column_words(column), printed=printed,
                   expected=expected, **fields)
        return Flag(source=t.source, page=t.page, table_id=t.table_id, row=label, column=column,
                    kind=kind, printed=printed, expected=expected, severity=severity, message=text)


def make_grid(table: Table) -> Grid:
    parsed = [[parse_number(c.printed) for c in row.cells] for row in table.rows]
    return Grid(table, assign_roles(table), read_note(table.note), parsed)


def check_table(table: Table) -> list[Flag]:
    if not table.columns:
        return []
    grid = make_grid(table)
    flags: list[Flag] = []
    flags += check_prints(grid)
    flags += check_rates(grid)
    flags += check_totals(grid)
    flags += check_denominators(grid)
    flags += check_ranks(grid)
    flags += check_footers(grid)
    return flags


# --- odd prints ---------------------------------------------------------------------------------------------

def check_prints(grid: Grid) -> list[Flag]:
    flags = []
    for col in grid.roles:
        cells = [(r, grid.parsed[r][col.index]) for r in range(len(grid.table.rows))]
        numeric = [(r, p) for r, p in cells if p.value is not None]
        if sum(p.value is None and not p.blank for _, p in cells) * 2 > len(cells) - sum(p.blank for _, p in cells):
            continue  # a text column (备注, 是否完成; blank in most rows or not): words are what it prints
        odd: dict[tuple[str, ...], list[int]] = {}  # oddities → the rows printed with them, of cells that still read
        for r, p in cells:
            if p.oddity and p.value is None:
                flags.append(grid.flag(FlagKind.malformed_number, Severity.warning, "flag.not_a_number", r, col.index,
                                       oddity=p.oddity))
            elif p.oddity:
                odd.setdefault(p.oddities, []).append(r)
        for oddities, rows in odd.items():
            first = grid.parsed[rows[0]][col.index]
            severity = Severity.info if first.only_full_width else Severity.warning
            if len(rows) == 1:
                flags.append(grid.flag(FlagKind.malformed_number, severity, "flag.odd_print", rows[0], col.index,
                                       oddity=first.oddity, value=f"{first.value:g}"))
                continue
            # the same odd print down a column is one finding (a font, a typesetter's habit), its rows listed
            folded = sorted({ch for r in rows for ch in grid.parsed[r][col.index].folded.split()})
            flags.append(grid.flag(FlagKind.malformed_number, severity, "flag.odd_print_column", col=col.index,
                                   printed=" ".join(grid.printed(r, col.index) for r in rows),
                                   oddity=describe_oddities(oddities, " ".join(folded)), count=len(rows),
                                   rows="、".join(squeeze(grid.table.rows[r].label) for r in rows)))
        # 100% and 0% are commonly printed without decimals; other rates should share the column's precision
        ordinary = [(r, p) for r, p in numeric if p.value not in (0, 100)]
        if col.role == "rate" and len(ordinary) >= 3:
            usual, seen = Counter(p.decimals for _, p in ordinary).most_common(1)[0]
            for r, p in ordinary:
                if p.decimals < usual and seen >= len(ordinary) / 2 and not p.oddity:
                    flags.append(grid.flag(FlagKind.malformed_number, Severity.warning, "flag.decimals",
                                           r, col.index, decimals=p.decimals, usual=usual))
    return flags


# --- rates --------------------------------------------------------------------------------------------------

def rate_inputs(grid: Grid, rate: ColumnRole) -> tuple[ColumnRole, ColumnRole] | None:
    """(numerator, denominator) columns of a rate: from the note's formula, else from the roles in its group."""
    # its group's columns, and those of groups under it (户数 under 管道气 beside 安装率 under the device alone)
    group = [c for c in grid.roles[:rate.index] if c.role not in ("rate", "rank") and (
        c.group == rate.group or rate.group and c.group[:len(rate.group)] == rate.group)]
    for rate_word, num_word, den_word in grid.rules.formulas:
        if rate_word.endswith(rate.leaf) or rate.leaf.endswith(rate_word[-2:]):
            num, den = best_match(num_word, group), best_match(den_word, group)
            if num and den and num is not den:
                return num, den
    nums = [c for c in group if c.role == "numerator"]
    dens = [c for c in group if c.role == "denominator"]
    if nums and dens:
        return nums[-1], dens[-1]
    counts = [c for c in group if c.role in ("count", "numerator", "denominator")]
    return (counts[-1], counts[-2]) if len(counts) >= 2 else None


def rate_scale(grid: Grid, rate: ColumnRole) -> Decimal:
    """100 for percentages, 1 for fractions: a % in the cells or header says so, else whichever explains more rows."""
    cells = [grid.parsed[r][rate.index] for r in range(len(grid.table.rows))]
    if any(p.percent for p in cells) or "%" in unicodedata.normalize("NFKC", rate.name):
        return HUNDRED
    inputs = rate_inputs(grid, rate)
    if inputs is None:
        return HUNDRED

    def explained(scale: Decimal) -> int:
        return sum(1 for r, p in enumerate(cells) if p.value is not None and (e := exact_rate(grid, r, *inputs, scale))
                   is not None and rate_matches(p.decimal, e, p.decimals))
    return max((HUNDRED, Decimal(1)), key=explained)


def exact_rate(grid: Grid, row: int, num: ColumnRole, den: ColumnRole, scale: Decimal) -> Decimal | None:
    n, d = grid.value(row, num.index), grid.value(row, den.index)
    if n is None or d is None or d == 0:
        return None
    return n / d * scale


def check_rates(grid: Grid) -> list[Flag]:
    flags = []
    for rate in (c for c in grid.roles if c.role == "rate"):
        inputs = rate_inputs(grid, rate)
        if inputs is None:
            continue
        num, den = inputs
        scale = rate_scale(grid, rate)
        formula = f"{num.leaf}/{den.leaf}"
        for r in range(len(grid.table.rows)):
            p = grid.parsed[r][rate.index]
            n, d = grid.value(r, num.index), grid.value(r, den.index)
            if p.value is None or n is None or d is None:
                continue
            if d == 0:
                severity = Severity.warning if n == 0 else Severity.error
                flags.append(grid.flag(FlagKind.zero_denominator, severity, "flag.zero_denominator",
                                       r, rate.index, formula=formula, n=plain(n)))
                continue
            exact = n / d * scale
            printed = p.decimal
            if rate_matches(printed, exact, p.decimals):
                continue
            expected = format_at(exact, p.decimals, p.percent)
            if exact > scale and printed == scale:
                flags.append(grid.flag(FlagKind.rate_capped, Severity.info, "flag.rate_capped",
                                       r, rate.index, expected=expected, formula=formula, n=plain(n), d=plain(d)))
                continue
            flags.append(grid.flag(FlagKind.rate_mismatch, Severity.error, "flag.rate_mismatch",
                                   r, rate.index, expected=expected, formula=formula, n=plain(n), d=plain(d)))
    return flags


# --- totals -------------------------------------------------------------------------------------------------

def total_groups(grid: Grid) -> list[tuple[int, list[int]]]:
    """(total row, the rows it adds up): a 小计 adds the rows since the previous subtotal, a 合计 all body rows."""
    subtotal_words = load_roles()["rows"]["subtotal"]
    groups, since = [], []
    grand = []
    for i, row in enumerate(grid.table.rows):
        if not row.is_total:
            since.append(i)
        elif squeeze(row.label) in subtotal_words:
            groups.append((i, since))
            since = []
        else:
            grand.append(i)
    if len(grand) == 1:  # several grand totals (全市, 合计 of other things) are not modelled
        groups.append((grand[0], grid.body))
    return [(t, rows) for t, rows in groups if rows]


def check_totals(grid: Grid) -> list[Flag]:
    flags = []
    for t, members in total_groups(grid):
        for col in grid.roles:
            if col.role in ("rate", "rank", "id"):
                continue
            printed = grid.value(t, col.index)
            values = [grid.value(r, col.index) for r in members]
            if printed is None or any(v is None for v in values):
                continue
            total = sum(values, Decimal(0))
            if total != printed:
                decimals = grid.parsed[t][col.index].decimals
                flags.append(grid.flag(FlagKind.total_mismatch, Severity.error, "flag.total_mismatch",
                                       t, col.index, expected=format_at(total, decimals, False), count=len(values),
                                       total=plain(total), label=squeeze(grid.table.rows[t].label)))
    return flags


# how like a column's leaf word the words of a footer's label must be to name that column (0–1, SequenceMatcher)
FOOTER_NAMES = 0.75


def check_footers(grid: Grid) -> list[Flag]:
    """A footer row states one column's total in words (合计任务数 12345, 累计完成整治数 …). The columns its label
    names (任务数 in 合计任务数) must add up to it, one of them at least; a label that names none may mean any
    column (整治数 for 整改数), so only a figure no column adds up to is reported, against the column it is printed
    under when there is one."""
    flags = []
    t = grid.table
    summable = [c for c in grid.roles if c.role not in ("rate", "rank", "id")]
    sums = {}
    for col in summable:
        values = [grid.value(r, col.index) for r in grid.body]
        if values and all(v is not None for v in values):
            sums[col.index] = sum(values, Decimal(0))
    for footer in t.footers:
        figure = parse_number(footer.printed)
        if figure.decimal is None or not sums:
            continue
        label = squeeze(footer.label)
        # the columns its label names: its words after the total words are their leaf word, or nearly (已安装户数
        # for 已安装数); a short leaf inside them is no name (户数 in 累计完成安装户数)
        named_by = footer_words(label)
        named = sorted((c for c in summable if similarity(named_by, c.leaf) >= FOOTER_NAMES),
                       key=lambda c: -similarity(named_by, c.leaf))
        if any(c.index not in sums for c in named) or not named and len(sums) < len(summable):
            continue  # a column it may total has a row that is no figure (未填报): the sum is unknown
        if any(sums[c.index] == figure.decimal for c in named) or not named and figure.decimal in sums.values():
            continue
        under = next((c for c in summable if c.index in sums and c.name == footer.column), None)
        base = dict(source=t.source, page=t.page, table_id=t.table_id, row=footer.label, kind=FlagKind.total_mismatch,
                    printed=footer.printed, severity=Severity.error)
        col = named[0] if named else under
        if col is not None:
            flags.append(Flag(**base, column=col.name, expected=plain(sums[col.index]),
                              message=say("flag.footer_mismatch", label=label, printed=footer.printed,
                                          count=len(grid.body), column=column_words(col.name),
                                          total=plain(sums[col.index]))))
        else:
            totals = "、".join(f"{column_words(grid.roles[i].name)} {plain(v)}" for i, v in sums.items())
            flags.append(Flag(**base, message=say("flag.footer_no_column", label=label, printed=footer.printed,
                                                  sums=totals)))
    return flags


# --- denominators -------------------------------------------------------------------------------------------

def check_denominators(grid: Grid) -> list[Flag]:
    """The same base (管道气 / 户数) printed under several groups in one row must be the same number."""
    title = grid.table.title or ""
    by_base: dict[tuple[str, ...], list[ColumnRole]] = {}
    for col in grid.roles:
        if col.role != "denominator":
            continue
        base = []
        for words in load_roles()["base"]["groups"]:
            in_path = [w for w in col.group if w in words]
            in_title = [w for w in words if w in title and not any(o != w and w in o and o in title for o in words)]
            base.append(in_path[-1] if in_path else in_title[0] if len(in_title) == 1 else "")
        if any(base) or len(col.path) >= 3:
            by_base.setdefault((*base, *col.path[1:-1], col.leaf), []).append(col)
    flags = []
    for base, cols in by_base.items():
        if len(cols) < 2:
            continue
        for r in grid.body:  # a total row repeats its rows' disagreement; reported once, on the row
            first = grid.value(r, cols[0].index)
            for other in cols[1:]:
                v = grid.value(r, other.index)
                if first is not None and v is not None and v != first:
                    flags.append(grid.flag(FlagKind.denominator_mismatch, Severity.warning, "flag.denominator_mismatch",
                                           r, other.index, expected=grid.printed(r, cols[0].index),
                                           label=squeeze(grid.table.rows[r].label),
                                           base="/".join(dict.fromkeys(w for w in base if w)), first=plain(first),
                                           first_group=cols[0].path[0], other=plain(v), other_group=other.path[0]))
    return flags


# --- ranks --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ranking:
    method: str      # competition (1,1,3), dense (1,1,2), tiebreak (ties broken by a second column), order (print order)
    basis: str       # exact (recomputed rate) or printed
    capped: bool     # rates above 100% ranked as 100%
    descending: bool  # higher is better
    values: tuple[Decimal, ...]
    ranks: tuple[int, ...]

    def describe(self, tiebreak: str | None) -> str:
        return say("rank.describe", direction=say("rank.higher" if self.descending else "rank.lower"),
                   ties=say(f"rank.{self.method}", tiebreak=tiebreak), basis=say(f"rank.{self.basis}"),
                   capped=say("rank.capped") if self.capped else "")

    def ties_in_some_order(self, printed: tuple[int | None, ...]) -> bool:
        """True when printed ranks follow these values and break each tie in some order."""
        sign = 1 if self.descending else -1
        for i, v in enumerate(self.values):
            above = sum(1 for o in self.values if sign * o > sign * v)
            tied = sum(1 for o in self.values if o == v)
            if printed[i] is not None and not above + 1 <= printed[i] <= above + tied:
                return False
        readable = [p for p in printed if p is not None]
        return len(set(readable)) == len(readable)

    def gives(self, printed: tuple[int | None, ...]) -> bool:
        """True when these ranks are the printed ones (a rank that cannot be read agrees with any)."""
        return mismatches(self, printed) == 0


def rank_values(keys: list[tuple], method: str) -> tuple[int, ...]:
    """Ranks, best first, of sort keys (higher is better)."""
    if method == "dense":
        distinct = sorted({k[0] for k in keys}, reverse=True)
        return tuple(distinct.index(k[0]) + 1 for k in keys)
    width = 1 if method == "competition" else len(keys[0])
    return tuple(1 + sum(1 for o in keys if o[:width] > k[:width]) for k in keys)


def rank_segment(grid: Grid, rank: ColumnRole) -> list[ColumnRole]:
    previous = max((c.index for c in grid.roles[:rank.index] if c.role == "rank"), default=-1)
    return [c for c in grid.roles[previous + 1:rank.index] if c.role not in ("id", "increment")]


def note_basis(grid: Grid, segment: list[ColumnRole]) -> ColumnRole | None:
    rates = [c for c in segment if c.role == "rate"]
    for _, by in grid.rules.bases:
        found = best_match(by, segment, threshold=0.7)
        if found is None and role_of(by) == "rate" and rates:
            # the note may name the rate differently from its header (入户安检率 for 检查率)
            found = max(rates, key=lambda c: (similarity(by, c.leaf), c.index))
        if found is not None:
            return found
    return None


def tie_column(grid: Grid, basis: ColumnRole, segment: list[ColumnRole]) -> ColumnRole | None:
    for what, by in grid.rules.tiebreaks:
        if not what or what in basis.leaf or basis.leaf in what:
            found = best_match(by, segment)
            if found is not None:
                return found
    inputs = rate_inputs(grid, basis) if basis.role == "rate" else None
    return inputs[0] if inputs else None


def stated_descending(grid: Grid, basis: ColumnRole) -> bool:
    """Higher is better unless the note says fewer or lower ranks first for this ranking."""
    return not any(not by or similarity(by, basis.leaf) >= 0.5 for by in grid.rules.ascending)


def candidate_rankings(grid: Grid, rows: list[int], basis: ColumnRole, tie: ColumnRole | None) -> list[Ranking]:
    inputs = rate_inputs(grid, basis) if basis.role == "rate" else None
    scale = rate_scale(grid, basis) if basis.role == "rate" else None
    out = []
    for source, capped, descending in product(("exact", "printed"), (False, True), (True, False)):
        if (source == "exact" and not inputs) or (capped and basis.role != "rate"):
            continue
        values = []
        for r in rows:
            v = exact_rate(grid, r, *inputs, scale) if source == "exact" else grid.value(r, basis.index)
            if v is None and source == "exact" and grid.value(r, inputs[1].index) == 0:
                v = Decimal(0)  # 0/0 ranks as no progress
            values.append(v)
        if None in values:
            continue  # a blank figure: this source cannot rank every row
        values = [min(v, scale) if capped else v for v in values]
        sign = 1 if descending else -1
        ties = [grid.value(r, tie.index) or Decimal(0) for r in rows] if tie else [Decimal(0)] * len(rows)
        order = [-i for i in range(len(rows))]
        for method in ("competition", "dense", "tiebreak", "order"):
            if method == "tiebreak" and not tie:
                continue
            second = order if method == "order" else ties
            keys = [(sign * v, s) for v, s in zip(values, second)]
            out.append(Ranking(method, source, capped, descending, tuple(values), rank_values(keys, method)))
    return out


# A rank column wrong at more rows than this (and than this share of them) is not misprinted here and there: it
# follows some other order, or was misread.
RANK_SLIPS = 2
RANK_SLIP_SHARE = 0.25


def mismatches(ranking: Ranking, printed: tuple[int | None, ...]) -> int:
    return sum(b is not None and a != b for a, b in zip(ranking.ranks, printed))


def ranked_rows(grid: Grid, rank: ColumnRole) -> list[int]:
    """The body rows the rank column ranks: those with a rank printed, readable or not (a smudged 5# still holds
    a place in the order, so the rows under it keep theirs). A blank or a word (未填报) ranks no row."""
    def ranked(r: int) -> bool:
        cell = grid.parsed[r][rank.index]
        return cell.value is not None or not cell.blank and any(ch.isdigit() for ch in grid.printed(r, rank.index))
    return [r for r in grid.body if ranked(r)]


def check_ranks(grid: Grid) -> list[Flag]:
    flags = []
    for rank in (c for c in grid.roles if c.role == "rank"):
        rows = ranked_rows(grid, rank)
        segment = rank_segment(grid, rank)
        # None where the printed rank cannot be read: it is checked by check_prints, not against the order
        printed = tuple(None if grid.parsed[r][rank.index].value is None else int(grid.parsed[r][rank.index].value)
                        for r in rows)
        if sum(p is not None for p in printed) < 2 or not segment:
            continue
        rates = [c for c in segment if c.role == "rate"]
        basis = note_basis(grid, segment) or (rates[-1] if rates else None)
        guessed = basis is None
        if guessed:
            # no rate and no note: the column whose ranking the printed ranks fit best
            scored = [(min((mismatches(c, printed) for c in candidate_rankings(grid, rows, col, None)),
                           default=len(rows) + 1), col.index, col) for col in segment]
            basis = min(scored)[2]
        flags += rank_findings(grid, rank, rows, printed, basis, guessed)
    return flags


def rank_findings(grid: Grid, rank: ColumnRole, rows: list[int], printed: tuple[int | None, ...], basis: ColumnRole,
                  guessed: bool) -> list[Flag]:
    tie = tie_column(grid, basis, rank_segment(grid, rank))
    candidates = candidate_rankings(grid, rows, basis, tie)
    if not candidates:
        return []
    stated_method = "tiebreak" if tie and any(by for _, by in grid.rules.tiebreaks) else "competition"
    descending = stated_descending(grid, basis)
    stated = [c for c in candidates if c.method == stated_method and c.descending == descending]
    if any(c.gives(printed) for c in stated):
        return []
    if stated_method == "competition" and any(c.ties_in_some_order(printed) for c in stated):
        return []  # the note names no tie rule: any order of tied rows is right
    tie_word = tie.leaf if tie else None
    followed = next((c for c in candidates if c.gives(printed)), None)
    if followed:
        return [grid.flag(FlagKind.rank_rule, Severity.warning, "flag.rank_rule", col=rank.index,
                          printed=",".join("?" if p is None else str(p) for p in printed),
                          expected=",".join(map(str, stated[0].ranks)),
                          basis=basis.leaf, followed=followed.describe(tie_word), stated=stated[0].describe(tie_word))]
    best = min(candidates, key=lambda c: (mismatches(c, printed), c not in stated))
    readable = sum(p is not None for p in printed)
    if mismatches(best, printed) > max(RANK_SLIPS, RANK_SLIP_SHARE * readable):
        # misprints are few: ranks that follow no ordering of the basis over many rows were ranked by something
        # else, or were read wrong (a scan) — one warning, not a flag per row
        return [grid.flag(FlagKind.rank_rule, Severity.warning, "flag.rank_unfollowed", col=rank.index,
                          basis=basis.leaf, count=mismatches(best, printed), total=readable)]
    flags = []
    if best not in stated:
        flags.append(grid.flag(FlagKind.rank_rule, Severity.warning, "flag.rank_rule_mostly", col=rank.index,
                               basis=basis.leaf, best=best.describe(tie_word)))
    how = best.describe(tie_word)
    for r, p, e in zip(rows, printed, best.ranks):
        if p is not None and p != e:
            flags.append(grid.flag(FlagKind.rank_mismatch, Severity.warning if guessed else Severity.error,
                                   "flag.rank_mismatch", r, rank.index, expected=str(e), basis=basis.leaf, how=how,
                                   guessed=say("flag.rank_guessed") if guessed else ""))
    return flags
