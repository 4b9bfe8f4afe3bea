"""Plain-text page dumps (.txt) -> Page objects: one page per form feed, the raw lines kept in order."""
from __future__ import annotations

import codecs
from pathlib import Path

import charset_normalizer

from extractor.errors import InputError
from extractor.messages import say
from schemas.document import Page

# Byte-order marks and the codec each one starts; UTF-32's come first, as UTF-32LE's begins with UTF-16LE's.
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Tried first when the text is not UTF-8: the code pages of Chinese dumps, simplified (GB) and traditional (Big5 of
# Taiwan and older archives, Big5-HKSCS of Hong Kong papers); any other encoding after them.
CHINESE_ENCODINGS = ["gb18030", "big5", "big5hkscs", "cp950"]
# Control characters a text dump may hold; any other one marks decoded binary.
_TEXT_CONTROLS = set("\t\n\r\f")


def read_text_dump(path: Path) -> list[Page]:
    """The pages of a text dump; raises InputError for empty, binary or undecodable files."""
    path = Path(path)
    text = _decode(path, path.read_bytes())
    pages = []
    for number, chunk in enumerate(text.split("\f"), start=1):
        lines = _lines(chunk)
        if any(line.strip() for line in lines):       # a trailing form feed leaves an empty chunk
            pages.append(Page(kind="text", source=path.name, page=number, lines=lines))
    return pages


def _decode(path: Path, data: bytes) -> str:
    """The text of a dump, its characters kept as printed (traditional ones too)."""
    if not data.strip():
        raise InputError(say("input.empty", path=path))
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return _checked(path, data.decode(codec))
            except UnicodeDecodeError as exc:
                raise InputError(say("input.damaged_text", path=path, codec=codec.upper().removesuffix("-SIG"),
                                     offset=exc.start)) from exc
    if b"\x00" in data:
        raise InputError(say("input.binary_nul", path=path))
    try:
        return _checked(path, data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    # Not UTF-8: let charset_normalizer pick the code page, among the Chinese ones first.
    best = (charset_normalizer.from_bytes(data, cp_isolation=CHINESE_ENCODINGS).best()
            or charset_normalizer.from_bytes(data).best())
    if best is None:
        raise InputError(say("input.undecodable", path=path))
    return _checked(path, str(best))


def _checked(path: Path, text: str) -> str:
    controls = sum(1 for ch in text if ch < " " and ch not in _TEXT_CONTROLS)
    if controls > len(text) * 0.01:
        raise InputError(say("input.binary_controls", path=path, count=controls))
    return text


def _lines(chunk: str) -> list[str]:
    lines = chunk.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":                       # the newline ending the last line
        lines.pop()
    return lines
