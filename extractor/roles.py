"""Gives each table column a role (count, denominator, numerator, increment, rate, rank) from its header words,
and reads the formula and ranking rules a note states. The vocabulary is data: schemas/roles.toml."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from extractor.hints import load_roles, squeeze
from schemas.table import Table


@dataclass(frozen=True)
class ColumnRole:
    index: int
    name: str            # unique column name within the table
    path: tuple[str, ...]
    role: str            # rank, rate, denominator, numerator, increment, count

    @property
    def leaf(self) -> str:
        return header_word(self.path[-1])

    @property
    def group(self) -> tuple[str, ...]:
        return self.path[:-1]


def header_word(text: str) -> str:
    """A header word as the vocabulary spells it: NFKC, no spaces, no unit in brackets (安装率（％） → 安装率)."""
    word = squeeze(unicodedata.normalize("NFKC", text))
    units = "|".join(re.escape(u) for u in load_roles()["units"]["markers"])
    return re.sub(rf"\((?:单位[:：]?)?(?:{units})\)$", "", word)


def role_of(header_leaf: str) -> str:
    vocab = load_roles()
    leaf = header_word(header_leaf)
    for role in vocab["order"]:
        if leaf in vocab[role].get("words", []):
            return role
    for role in vocab["order"]:
        entry = vocab[role]
        if any(leaf.startswith(p) for p in entry.get("prefixes", [])) or any(
                leaf.endswith(s) for s in entry.get("suffixes", [])):
            return role
    contained = [(len(w), role) for role in vocab["order"] for w in vocab[role].get("words", []) if w in leaf]
    return max(contained)[1] if contained else "count"


def assign_roles(table: Table) -> list[ColumnRole]:
    names = table.column_names()
    return [ColumnRole(i, names[i], tuple(c.path), role_of(c.path[-1])) for i, c in enumerate(table.columns)]


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, squeeze(a), squeeze(b)).ratio()


@dataclass(frozen=True)
class NoteRules:
    formulas: tuple[tuple[str, str, str], ...] = ()   # (rate, numerator, denominator) words as printed
    tiebreaks: tuple[tuple[str, str], ...] = ()       # (what is tied, what breaks the tie)
    bases: tuple[tuple[str, str], ...] = ()           # (which ranking, what it ranks by)
    ascending: tuple[str, ...] = ()                   # words of rankings where lower is better


def read_note(note: str | None) -> NoteRules:
    if not note:
        return NoteRules()
    vocab = load_roles()["note"]
    text = squeeze(unicodedata.normalize("NFKC", note))
    formulas = tuple((m["rate"], m["num"], m["den"]) for m in re.finditer(vocab["formula"], text))
    tiebreaks = tuple((m["what"], m["by"]) for m in re.finditer(vocab["tiebreak"], text))
    ascending = tuple(m["by"] for m in re.finditer(vocab["ascending"], text))
    # a tie-break or a lower-is-better clause also reads like a basis ("…多的排名靠前"): take it out first
    rest = re.sub(vocab["ascending"], "|", re.sub(vocab["tiebreak"], "|", text))
    bases = tuple((m.groupdict().get("what") or "", m["by"]) for pattern in vocab["basis"]
                  for m in re.finditer(pattern, rest))
    return NoteRules(formulas, tiebreaks, bases, ascending)


def best_match(word: str, candidates: list[ColumnRole], threshold: float = 0.5) -> ColumnRole | None:
    """The column whose leaf header is most like word (note words differ from headers: 已安装户数 vs 已安装数)."""
    scored = [(similarity(word, c.leaf), -abs(len(c.leaf) - len(word)), c.index, c) for c in candidates]
    scored = [s for s in scored if s[0] >= threshold]
    return max(scored)[3] if scored else None
