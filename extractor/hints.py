"""Loads table knowledge kept as data: layout hints and gazetteer (layouts/*.toml), column roles (schemas/roles.toml)."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from extractor.characters import is_simplified, with_traditional
from schemas.grid import GridSettings


def read_toml(package: str, name: str) -> dict:
    return tomllib.loads(resources.files(package).joinpath(f"{name}.toml").read_text(encoding="utf-8"))


def merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


# Punctuation of running text: a line holding one is a sentence, not a title.
SENTENCE_MARKS = "。，；,;！？"
QUOTES = "“”"   # in running text, and in titles too (全市“两违”整治情况), but never in a table's cells


def in_sentence(text: str) -> bool:
    """Text of an article: it holds sentence punctuation or quotation marks, which table cells lack."""
    return any(ch in SENTENCE_MARKS or ch in QUOTES for ch in text)


def squeeze(text: str) -> str:
    """Text with all whitespace removed: how labels and header words are compared."""
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class LayoutHints:
    name: str
    title_suffixes: tuple[str, ...]
    date_patterns: tuple[re.Pattern, ...]
    title_trimmings: tuple[re.Pattern, ...]
    date_leftover: re.Pattern
    unit_pattern: re.Pattern
    note_prefixes: tuple[str, ...]
    label_headers: tuple[str, ...]
    total_labels: tuple[str, ...]
    furniture_patterns: tuple[re.Pattern, ...]
    prose_chars: int = 16        # a cell this long, or holding a sentence mark, is running text
    prose_share: float = 0.5     # a table whose cells are at least this share running text is an article's prose
    gazetteer: dict[str, tuple[str, ...]] = field(default_factory=dict)
    grid: GridSettings = GridSettings()
    vocabulary: tuple[str, ...] = ()  # words the tables print: what an unsure OCR reading is set right by
    text_column_heads: tuple[str, ...] = ()  # heads of columns of words (备注) beside a table's figures

    def canonical_place(self, label: str) -> str | None:
        """The gazetteer name of a printed row label, or None when it is not a known place."""
        s = squeeze(label)
        for name, aliases in self.gazetteer.items():
            if s == name or s in aliases:
                return name
        return None

    def is_total_label(self, label: str) -> bool:
        return squeeze(label) in self.total_labels

    def is_label_header(self, text: str) -> bool:
        s = squeeze(text).replace("(", "（").replace(")", "）")
        return any(s == squeeze(h).replace("(", "（").replace(")", "）") for h in self.label_headers)

    def match_date(self, text: str) -> tuple[str, str] | None:
        """(printed, ISO date) for the first date in text."""
        for pattern in self.date_patterns:
            m = pattern.search(text)
            if m:
                iso = f"{int(m['y']):04d}-{int(m['m']):02d}-{int(m['d']):02d}"
                return m.group(0), iso
        return None

    def date_or_unit_line(self, text: str) -> tuple[str | None, str | None] | None:
        """(printed date, unit) when a line holds a date, a unit or both and next to nothing else (单位：户,
        (2021年5月22日), 截至7月24日  单位：万元); None for any other line."""
        s = squeeze(text)
        found_date = self.match_date(s)
        rest = s.replace(squeeze(found_date[0]), "") if found_date else s
        found_unit = self.unit_pattern.search(rest)
        rest = rest.replace(found_unit.group(0), "") if found_unit else rest
        if (found_date or found_unit) and len(rest) <= 2:
            return (found_date[0] if found_date else None), (found_unit["unit"] if found_unit else None)
        return None

    def trim_title(self, text: str) -> str:
        for pattern in self.title_trimmings:
            text = pattern.sub("", text)
        return text

    def is_note(self, text: str) -> bool:
        """Whether a line starts a note (备注：…, 注：…, 说明…). The bare word, no colon and nothing after it, is the
        head of a 备注 column, not a note."""
        s = squeeze(text)
        return any(s.startswith(p) and s != p for p in self.note_prefixes)

    def note_body(self, text: str) -> str:
        """A note's text without its prefix and colon (备 注：完成率=… gives 完成率=…)."""
        for prefix in self.note_prefixes:
            found = re.match(r"\s*" + r"\s*".join(map(re.escape, prefix)), text)
            if found:
                return text[found.end():].lstrip("：: \t").strip()
        return text.strip()

    def is_title(self, text: str) -> bool:
        s = squeeze(text)
        if not s or len(s) > 60 or self.is_note(s):
            return False
        date = self.match_date(s)
        if date:
            s = s.replace(squeeze(date[0]), "")
        s = self.trim_title(s)
        if not s or any(mark in s for mark in SENTENCE_MARKS):  # a date alone, or a sentence: not a title
            return False
        s = s.rstrip("：:")
        return any(s.endswith(suffix) for suffix in self.title_suffixes) and len(s) >= 6


def packaged_layouts() -> list[str]:
    """The names of the layout files shipped in layouts/ (series.toml holds series rules, not a layout)."""
    return sorted(f.name[:-5] for f in resources.files("layouts").iterdir()
                  if f.name.endswith(".toml") and f.name != "series.toml")


def read_layout_file(name: str) -> dict:
    """A layout by name (a file in layouts/) or by the path of a .toml file of one's own."""
    if name.endswith(".toml"):
        return tomllib.loads(Path(name).read_text(encoding="utf-8"))
    return read_toml("layouts", name)


@lru_cache(maxsize=None)
def layout_data(name: str) -> dict:
    """A layout file as a dict, merged over the files it `extends` (names in layouts/, or paths)."""
    data = read_layout_file(name)
    while "extends" in data:
        data = merge(read_layout_file(data.pop("extends")), data)
    return data


@lru_cache(maxsize=None)
def load_layout(name: str = "jiaozuo_daily") -> LayoutHints:
    data = layout_data(name)
    table, page = data["table"], data.get("page", {})
    return LayoutHints(
        name=name,  # what it was loaded by (a file in layouts/, or a path): its other sections are read by it
        title_suffixes=with_traditional(table["title_suffixes"]),
        date_patterns=tuple(re.compile(p) for p in table["date_patterns"]),
        title_trimmings=tuple(re.compile(p) for p in table["title_trimmings"]),
        date_leftover=re.compile(table["date_leftover"]),
        unit_pattern=re.compile(table["unit_pattern"]),
        note_prefixes=with_traditional(table["note_prefixes"]),
        label_headers=with_traditional(table["label_headers"]),
        total_labels=with_traditional(table["total_labels"]),
        furniture_patterns=tuple(re.compile(p) for p in page.get("furniture_patterns", [])),
        prose_chars=int(table["prose_chars"]), prose_share=float(table["prose_share"]),
        # traditional forms as aliases: 溫縣 is 温县 (the canonical name stays as the layout spells it)
        gazetteer={k: tuple(a for a in with_traditional([k, *v]) if a != k) for k, v in data.get("gazetteer", {}).items()},
        grid=GridSettings(**data.get("grid", {})),
        vocabulary=table_vocabulary(data),
        text_column_heads=with_traditional(table.get("text_column_heads", [])),
    )


def table_vocabulary(data: dict) -> tuple[str, ...]:
    """The words a layout's tables print: its [table] vocabulary, label headers, total labels, title endings and
    places, and every header word of schemas/roles.toml, as simplified characters; longest first, spaces removed."""
    table = data["table"]
    words = [*table.get("vocabulary", []), *table["label_headers"], *table["total_labels"], *table["title_suffixes"],
             *(n for name, aliases in data.get("gazetteer", {}).items() for n in (name, *aliases))]
    for entry in load_roles().values():
        if isinstance(entry, dict):
            words += [w for key in ("words", "subtotal") for w in entry.get(key, []) if isinstance(w, str)]
        for group in entry.get("groups", []) if isinstance(entry, dict) else []:
            words += group
    return tuple(sorted({squeeze(w) for w in words if is_simplified(w)}, key=lambda w: (-len(w), w)))


@lru_cache(maxsize=None)
def load_roles() -> dict:
    """schemas/roles.toml, each list of header words with the words' traditional forms (戶數 is 户数)."""
    roles = read_toml("schemas", "roles")
    for entry in roles.values():
        if isinstance(entry, dict):
            for key, words in entry.items():
                if isinstance(words, list) and all(isinstance(w, str) for w in words):
                    entry[key] = list(with_traditional(words))
    return roles


def footer_words(label: str) -> str:
    """What a footer's label names: the label without its leading total words (roles.toml [rows] footer_prefixes:
    合计任务数 gives 任务数, 全市累计已安装户数 gives 已安装户数)."""
    text = squeeze(label)
    prefixes = load_roles()["rows"]["footer_prefixes"]
    while True:
        prefix = next((p for p in prefixes if text.startswith(p) and len(text) > len(p)), None)
        if prefix is None:
            return text
        text = text[len(prefix):]