"""A PDF page's text layer, checked before it is trusted.

A text layer can say less than the page prints, or something else: glyphs of a font without a Unicode map come
out as (cid:123), private-use code points or U+FFFD, or as accented Latin letters; a table pasted in as a picture
has no text at all. Such a page, or such an image on it, is read by OCR like a scan; the verdict says why.
"""
from __future__ import annotations

import re

from extractor.messages import say
from schemas.document import Box, Page, TextLayerCheck, TextLayerSettings

CID = re.compile(r"\(cid:\d+\)")


def bad_glyph(ch: str) -> bool:
    code = ord(ch)
    return ch == "\ufffd" or 0xE000 <= code <= 0xF8FF or code >= 0xF0000


def latin_junk(ch: str) -> bool:
    """Latin-1 signs and accented Latin letters: what a CJK font's codes decode to without its Unicode map
    (a Chinese page prints ° and ± and × now and then, not runs of ÄÅÇ)."""
    return "\u00a1" <= ch <= "\u024f" and ch not in "°±×÷·"


def inside(word_box: Box, area: Box) -> bool:
    return area.x0 <= word_box.xmid <= area.x1 and area.top <= word_box.ymid <= area.bottom


def check_text_layer(page: Page, settings: TextLayerSettings = TextLayerSettings()) -> TextLayerCheck:
    text = "".join(w.text for w in page.words)
    cids = len(CID.findall(text))
    chars = [ch for ch in CID.sub("", text) if not ch.isspace()]
    total = max(len(chars) + cids, 1)
    reasons = []
    bad = cids + sum(1 for ch in chars if bad_glyph(ch))
    if bad / total > settings.max_bad_glyphs:
        reasons.append(say("text_layer.unmapped", count=bad))
    junk = sum(1 for ch in chars if latin_junk(ch))
    if junk / total > settings.max_latin_junk:
        reasons.append(say("text_layer.latin_junk", count=junk))
    if reasons:
        return TextLayerCheck(trusted=False, reasons=reasons)
    page_area = (page.width or 0) * (page.height or 0)
    uncovered = [im for im in page.images
                 if page_area and im.width * im.height / page_area >= settings.min_image_area
                 and sum(1 for w in page.words if w.box and inside(w.box, im)) <= settings.max_words_in_image]
    return TextLayerCheck(trusted=True, uncovered=uncovered)


def with_ocr_inside(page: Page, areas: list[Page]) -> Page:
    """The text-layer page, with what OCR read inside images the text layer does not cover added."""
    words = page.words + [w for area in areas for w in area.words]
    rulings = page.rulings + [r for area in areas for r in area.rulings]
    return page.model_copy(update={"words": words, "rulings": rulings, "ocr_backend": areas[0].ocr_backend})
