"""Every sentence a user reads comes from one catalogue, schemas/messages.toml, in Chinese (zh, the default) or
English (en). The language is the environment's BAOZHI_LANG, which `baozhi --lang` sets: kept in the environment so
that the worker processes of `ingest` speak the language of the command that started them."""
from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from importlib import resources

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
ENVIRONMENT = "BAOZHI_LANG"


@lru_cache(maxsize=None)
def catalogue() -> dict:
    # read here, not through extractor.hints, which loads pydantic: `baozhi --help` is said in this language too
    return tomllib.loads(resources.files("schemas").joinpath("messages.toml").read_text(encoding="utf-8"))


def language() -> str:
    lang = os.environ.get(ENVIRONMENT, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: choose from {', '.join(LANGUAGES)}")
    os.environ[ENVIRONMENT] = lang


def say(key: str, **fields) -> str:
    """The message `key` (dotted: "flag.rate_mismatch") in the current language, its fields filled in."""
    entry = catalogue()
    for part in key.split("."):
        entry = entry[part]
    return entry[language()].format(**fields)


def column_words(column: str | None) -> str:
    """A header path as a reader names it: 燃气报警器 / 管道气 / 安装率 → 燃气报警器/管道气 安装率."""
    if not column:
        return ""
    *groups, leaf = column.split(" / ")
    return f"{'/'.join(groups)} {leaf}" if groups else leaf


def where(row: str | None, column: str | None) -> str:
    """A cell as a reader names it: 温县 燃气报警器/管道气 安装率 (the row label without its print spacing)."""
    return " ".join(part for part in ("".join((row or "").split()), column_words(column)) if part)
