"""Plain-text page dumps (.txt) -> Page objects: one page per form feed, the raw lines kept in order."""
from __future__ import annotations

from pathlib import Path

import charset_normalizer

from extractor.errors import InputError
from extractor.messages import say
from schemas.document import Page

_UTF8_BOM = b"\xef\xbb\xbf"
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
    if not data.strip():
        raise InputError(say("input.empty", path=path))
    if b"\x00" in data:
        raise InputError(say("input.binary_nul", path=path))
    if data.startswith(_UTF8_BOM):
        return _checked(path, data[len(_UTF8_BOM):].decode("utf-8", errors="strict"))
    try:
        return _checked(path, data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    # Not UTF-8: Chinese dumps are usually GBK/GB18030; let charset_normalizer pick the code page.
    best = charset_normalizer.from_bytes(data).best()
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
