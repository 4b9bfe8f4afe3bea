"""OCR'd words set right by what the tables are known to print. The recogniser misreads a character of a header
word or label now and then (隐惠 for 隐患, 贵任单位 for 责任单位, 安装率（x） for 安装率（%）), and one such
character loses every column under the header. Where a character it was unsure of is all that parts a word from
one of the layout's own words (header words of schemas/roles.toml, the layout's vocabulary, label headers, total
labels, places), the word is read as that one; rewrites of schemas/ocr.toml put right what is never printed.
Words of a text layer, and characters the recogniser was sure of, are never changed."""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from extractor.characters import is_simplified, traditional_form
from extractor.hints import LayoutHints
from extractor.ocr import digits_for_lookalikes, ocr_settings
from schemas.document import Page
from schemas.grid import CellKind, Grid

CJK = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=None)
def rewrites() -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile(r["pattern"]), r["replace"]) for r in ocr_settings().get("rewrites", []))


def correction(text: str, confidences: list[float], vocabulary: tuple[str, ...], min_length: int,
               threshold: float) -> str:
    """text with each unsure CJK character that is the only difference from a vocabulary word (of min_length
    characters or more) over the stretch it stands in replaced by that word's character; where two words would
    put different characters there, it is left as read."""
    readings: dict[int, set[str]] = {}
    if not any(c < threshold and CJK.match(ch) for ch, c in zip(text, confidences)):
        return text
    printed: set[int] = set()  # characters that already spell a vocabulary word stay as they are
    for word in vocabulary:
        n = len(word)
        if n < min_length or n > len(text):
            continue
        for start in range(len(text) - n + 1):
            piece = text[start:start + n]
            differ = [i for i in range(n) if piece[i] != word[i]]
            if not differ:
                printed.update(range(start, start + n))
            elif len(differ) == 1:
                at = start + differ[0]
                if confidences[at] < threshold and CJK.match(text[at]) and CJK.match(word[differ[0]]):
                    readings.setdefault(at, set()).add(word[differ[0]])
    chars = list(text)
    for at, options in readings.items():
        if len(options) == 1 and at not in printed:
            chars[at] = options.pop()
    return "".join(chars)


def known_text(text: str, confidences: list[float] | None, vocabulary: tuple[str, ...], settings: dict) -> str:
    """text set right, spaces kept where they stand; confidences are its characters' without the spaces."""
    chars = [ch for ch in text if not ch.isspace()]
    if not confidences or len(confidences) != len(chars):
        return text
    fixed = correction("".join(chars), confidences, vocabulary, settings["min_length"], settings["threshold"])
    for pattern, replace in rewrites():
        fixed = pattern.sub(replace, fixed)
    if len(fixed) != len(chars):
        return text
    put = iter(fixed)
    return "".join(ch if ch.isspace() else next(put) for ch in text)


def lexicon(page_text: str, hints: LayoutHints) -> tuple[tuple[str, ...], dict]:
    """The vocabulary in the page's script (simplified or traditional) and the settings of the correction."""
    vocabulary = hints.vocabulary
    if not is_simplified(page_text):
        vocabulary = tuple(traditional_form(w) for w in vocabulary)
    return vocabulary, {"threshold": ocr_settings()["confidence_threshold"], **ocr_settings()["lexicon"]}


def with_known_words(page: Page, hints: LayoutHints) -> Page:
    """The page with its OCR'd words (the words that carry per-character confidences) set right."""
    if not any(w.char_confidences for w in page.words):
        return page
    vocabulary, settings = lexicon("".join(w.text for w in page.words), hints)
    words = []
    for w in page.words:
        text = known_text(w.text, w.char_confidences, vocabulary, settings)
        words.append(w if text == w.text else w.model_copy(update={"text": text}))
    return page.model_copy(update={"words": words})


def with_known_cells(grid: Grid, hints: LayoutHints) -> Grid:
    """The grid with its OCR'd header cells and row labels set right as whole cells: a header word broken over
    two lines (应安装 / 户教) is one word only once its cell is built."""
    kinds = (CellKind.header, CellKind.label_header, CellKind.label)
    if not any(c.char_confidences for c in grid.cells if c.kind in kinds):
        return grid
    vocabulary, settings = lexicon("".join(c.text for c in grid.cells), hints)
    cells = []
    for c in grid.cells:
        text = known_text(c.text, c.char_confidences, vocabulary, settings) if c.kind in kinds else c.text
        cells.append(c if text == c.text else c.model_copy(update={"text": text}))
    codes = code_labels([c.text for c in cells if c.kind == CellKind.label])
    cells = [c.model_copy(update={"text": codes[c.text]}) if c.kind == CellKind.label and c.text in codes else c
             for c in cells]
    return grid.model_copy(update={"cells": cells})


CODE = re.compile(r"^(?P<letters>[A-Z]+)(?P<digits>\d+)$")


def code_labels(labels: list[str]) -> dict[str, str]:
    """Row labels that are codes of one pattern (WG01, WG02 …: letters, then a fixed number of digits) with a
    digit read as its lookalike letter (WGO1) set right: {as read: code}. At least three labels must show the
    pattern, and a label is read so only when its letters are the pattern's and the rest turns into digits."""
    shapes = Counter((m["letters"], len(m["digits"])) for m in map(CODE.match, labels) if m)
    if not shapes or shapes.most_common(1)[0][1] < 3:
        return {}
    (letters, width), _ = shapes.most_common(1)[0]
    out = {}
    for label in labels:
        if label[len(letters):].isdigit() or not label.startswith(letters) or len(label) != len(letters) + width:
            continue
        digits = digits_for_lookalikes(label[len(letters):])
        if digits.isdigit():
            out[label] = letters + digits
    return out
