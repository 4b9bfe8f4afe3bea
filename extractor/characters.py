"""Characters as printed: the code points a text layer gives, turned into the ideographs the page shows.

Browsers and office suites often map a CJK glyph to the radical that shares it (燃⽓居⺠⽤⼾ for 燃气居民用户,
⻢村区 for 马村区), and some fonts to a CJK compatibility ideograph. Unicode's own EquivalentUnifiedIdeograph.txt
(shipped in schemas/) says which unified ideograph each radical looks like; compatibility ideographs have a
canonical decomposition (NFC). Several radicals are the traditional form (⼾ KANGXI RADICAL DOOR is 戶, the printed
glyph of a mainland page is 户), so on a page whose own text is simplified the simplified form of a radical is
chosen, from OpenCC's character tables. Only those code points change: odd prints the checks report (full-width １, 100.%)
stay as printed.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from schemas.document import Page

# Blocks whose code points are never the text itself: CJK Radicals Supplement, Kangxi Radicals, CJK Strokes,
# CJK Compatibility Ideographs (and their supplement).
FOREIGN_BLOCKS = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF), (0x31C0, 0x31EF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def is_foreign(ch: str) -> bool:
    """A radical, stroke or compatibility ideograph: a code point that stands in for an ideograph."""
    return any(lo <= ord(ch) <= hi for lo, hi in FOREIGN_BLOCKS)


@lru_cache(maxsize=1)
def equivalent_ideographs() -> dict[str, str]:
    """Radical or stroke → its equivalent unified ideograph, from Unicode's EquivalentUnifiedIdeograph.txt."""
    table = {}
    text = resources.files("schemas").joinpath("EquivalentUnifiedIdeograph.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        data = line.split("#", 1)[0].strip()
        if not data:
            continue
        codes, target = (part.strip() for part in data.split(";"))
        first, _, last = codes.partition("..")
        for code in range(int(first, 16), int(last or first, 16) + 1):
            table[chr(code)] = chr(int(target, 16))
    return table


@lru_cache(maxsize=2)
def opencc_characters(name: str) -> dict[str, str]:
    """One of OpenCC's single-character tables (TSCharacters: traditional → simplified, STCharacters: back)."""
    text = resources.files("opencc").joinpath("dictionary", f"{name}.txt").read_text(encoding="utf-8")
    table = {}
    for line in text.splitlines():
        source, _, targets = line.partition("\t")
        if len(source) == 1 and targets:
            table[source] = targets.split()[0]
    return table


def traditional_form(word: str) -> str:
    """A simplified word in traditional characters, character by character (OpenCC's first choice for each):
    温县 → 溫縣, 示范区 → 示範區."""
    to_traditional = opencc_characters("STCharacters")
    return "".join(to_traditional.get(ch, ch) for ch in word)


def with_traditional(words: Iterable[str]) -> tuple[str, ...]:
    """Words of a vocabulary kept in simplified characters, each followed by its traditional form where that
    differs, so that the pages of Taiwan and Hong Kong papers (and older archives) match what is printed."""
    return tuple(dict.fromkeys(w for word in words for w in (word, traditional_form(word))))


def is_simplified(text: str) -> bool:
    """Whether a page's text is simplified Chinese: more characters that only simplified writing uses than ones
    only traditional writing uses (a tie, as on a page without Chinese, counts as simplified)."""
    to_simplified, to_traditional = opencc_characters("TSCharacters"), opencc_characters("STCharacters")
    traditional = sum(1 for ch in text if ch in to_simplified and to_simplified[ch] != ch)
    simplified = sum(1 for ch in text if ch in to_traditional and to_traditional[ch] != ch)
    return simplified >= traditional


def printed_char(ch: str, simplified: bool) -> str:
    if not is_foreign(ch):
        return ch
    radical = equivalent_ideographs().get(ch)
    if radical is None:   # a compatibility ideograph: its glyph is the ideograph it decomposes to
        return unicodedata.normalize("NFC", ch)
    # a font that shares a glyph with a radical draws it in the page's own script (Noto SC's ⼾ is 户)
    return opencc_characters("TSCharacters").get(radical, radical) if simplified else radical


def as_printed(text: str, simplified: bool = True) -> str:
    if not any(is_foreign(ch) for ch in text):
        return text
    return "".join(printed_char(ch, simplified) for ch in text)


def page_as_printed(page: Page) -> Page:
    """The page with every word and dump line in the ideographs printed; a page without such code points is
    returned as it is."""
    texts = [w.text for w in page.words] + page.lines
    if not any(is_foreign(ch) for text in texts for ch in text):
        return page
    simplified = is_simplified("".join(texts))
    words = [w.model_copy(update={"text": as_printed(w.text, simplified)}) for w in page.words]
    return page.model_copy(update={"words": words, "lines": [as_printed(line, simplified) for line in page.lines]})
