"""Scanned pages (PNG/JPG/TIFF, or image-only PDF pages) become the same Page a born-digital PDF gives:
words with boxes in PDF points and ruling lines, so layout, reassembly and checks need not know about OCR.

Preparation with OpenCV: undo the skew, find ruling lines and erase them (a ruling through a crop reads as "1"
or "|"), skip article paragraphs (most of a page, and slow to recognise) unless articles are asked for, and split
OCR lines that run over several table cells into one word per cell.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError

from extractor.errors import InputError
from extractor.messages import say
from extractor.ocr import OcrBackend, OcrLine, Plan, Rect, digits_for_lookalikes, get_backend, ocr_settings
from schemas.document import Box, Page, Preparation, Ruling, Word

CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
DEFAULT_DPI = 200          # assumed when an image carries no resolution
MAX_SKEW = 5.0             # degrees; a larger angle is a rotated page, not skew
H_RULE_PT = 40.0           # a horizontal ink run this long (points) is a ruling: bold text joins strokes over 25pt
CROSSED_SHARE = 0.15       # a "ruling" crossed by strokes along more of its length than this is text
H_PIECE_PT = 20.0          # a shorter run continuing a ruling is part of it (a ruling broken by a label)
V_RULE_PT = 11.0           # vertical rulings are short in multi-level headers (one 15pt row)
RULE_THICK_PT = 3.0
PROSE_RUN = 4              # lines of solid text in a stack that make an article paragraph (a table note is shorter)
DASH_LENGTH = (0.5, 2.5)   # a dash is this long in text heights...
DASH_THICK = 0.25          # ...at most this thick...
DASH_CLEAR = 0.5           # ...with this much blank round it (text heights)
DASH_CONFIDENCE = 0.95     # read from its shape, not by the recogniser: sure enough to raise no doubt
NOISE_SHARE = 0.05         # a row of a glyph's box with ink over no more of its width than this is blank
STACKED_LINES = 1.6        # a detected box this many median line heights tall holds lines stacked
RAGGED_EM = 1.5            # line ends spread wider than this (in line heights) are not a justified paragraph...
LABEL_REACH_EM = 8.0       # ...and with a cell this near on their lines, they are row labels
CELL_GAP_EM = 1.2          # blank (in line heights) wider than between characters of running text: cells
GAP_EM = 0.4               # a blank this wide (in line heights) inside one OCR line separates two cells...
MIN_GAP_PT = 2.0           # ...and never less than this, so digits of one number stay together
GUTTER_EM = 0.5            # a blank this wide (in line heights) ending at a column start is a column gutter
# Pillow's own bomb check (which would refuse an archive scan of 200 Mpx) gives way to refuse_bomb's
Image.MAX_IMAGE_PIXELS = None
MIN_SIDE_PX = 32           # a page image narrower or lower than this holds no legible line, let alone a table
SIZE_NOISE = 0.1           # OCR'd lines of running text whose sizes differ by less than this share are one size


@dataclass
class Scan:
    """A page image being prepared, with what has been found so far (all in pixels of the deskewed image)."""
    gray: np.ndarray
    dpi: float
    ink: np.ndarray | None = None
    rule_mask: np.ndarray | None = None

    def pt(self, px: float) -> float:
        return px * 72.0 / self.dpi

    def px(self, pt: float) -> int:
        return max(1, round(pt * self.dpi / 72.0))


# --- loading -----------------------------------------------------------------------------------------------

def gray_8bit(frame: Image.Image) -> np.ndarray:
    """An 8-bit grey page; 16-bit and float scans are stretched to 0–255, as convert("L") would clip them to white."""
    if frame.mode in ("I", "F") or frame.mode.startswith("I;16"):
        pixels = np.asarray(frame, dtype=np.float64)
        low, high = float(pixels.min()), float(pixels.max())
        return ((pixels - low) * (255.0 / max(high - low, 1.0))).astype(np.uint8)
    return np.array(frame.convert("L"))


def big_enough(path: Path, page: int, gray: np.ndarray) -> np.ndarray:
    h, w = gray.shape
    if min(h, w) < MIN_SIDE_PX:
        raise InputError(say("input.image_too_small", path=path, page=page, width=w, height=h))
    return gray


def scan_limits() -> dict:
    """schemas/ocr.toml [scan]: the resolution pages are decoded at, and what is a decompression bomb."""
    return ocr_settings()["scan"]


def reduction(width: int, height: int, dpi: float) -> float:
    """By how much a page image is shrunk on load: to at most the OCR resolution and the decoded-pixel cap."""
    limits = scan_limits()
    return max(1.0, dpi / limits["ocr_dpi"], math.sqrt(width * height / limits["max_decoded_pixels"]))


def refuse_bomb(path: Path, width: int, height: int, size: int) -> None:
    limits = scan_limits()
    pixels = width * height
    if pixels > limits["max_pixels"] or pixels > size * limits["max_pixels_per_byte"]:
        raise InputError(say("input.image_bomb", path=path, width=width, height=height, size=size))


# cv2 decodes straight to a reduced grayscale image for these factors (JPEG by DCT scaling, others row by row)
CV2_REDUCED = {8: cv2.IMREAD_REDUCED_GRAYSCALE_8, 4: cv2.IMREAD_REDUCED_GRAYSCALE_4, 2: cv2.IMREAD_REDUCED_GRAYSCALE_2}


def reduced_gray(path: Path, frame: Image.Image, single: bool, factor: float) -> np.ndarray:
    """A frame as 8-bit grey, shrunk by factor while it is decoded where the format allows: a 1-gigapixel scan is
    never held at full size in colour."""
    width, height = frame.size
    target = (max(1, round(width / factor)), max(1, round(height / factor)))
    gray = None
    if factor >= 2 and single and not (frame.mode in ("I", "F") or frame.mode.startswith("I;16")):
        step = next(k for k in CV2_REDUCED if k <= factor)
        gray = cv2.imread(str(path), CV2_REDUCED[step])   # None when cv2 cannot read it: Pillow does
    if gray is None:
        if frame.format == "JPEG":
            frame.draft("L", target)  # decoded at 1/2, 1/4 or 1/8 size already
        gray = gray_8bit(frame)
    if gray.shape[1] > target[0] * 1.01:
        gray = cv2.resize(gray, target, interpolation=cv2.INTER_AREA)
    return gray


def load_frames(path: Path, dpi: float | None) -> Iterator[tuple[np.ndarray, float]]:
    """Each frame of an image file (TIFFs may hold several pages) as grayscale at the resolution OCR needs, with
    that resolution, one at a time."""
    size = path.stat().st_size
    if size == 0:
        raise InputError(say("input.empty_bytes", path=path))
    try:
        with Image.open(path) as image:
            frames = getattr(image, "n_frames", 1)
            for n, frame in enumerate(ImageSequence.Iterator(image), start=1):
                width, height = frame.size
                refuse_bomb(path, width, height, size)
                found = frame.info.get("dpi")
                frame_dpi = dpi or (float(found[0]) if found and found[0] and found[0] > 20 else DEFAULT_DPI)
                gray = big_enough(path, n, reduced_gray(path, frame, frames == 1, reduction(width, height, frame_dpi)))
                yield gray, frame_dpi * gray.shape[1] / width
    except UnidentifiedImageError as exc:
        raise InputError(say("input.not_an_image", path=path)) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InputError(say("input.damaged_image", path=path, error=exc)) from exc


# --- preparation -------------------------------------------------------------------------------------------

def binarize(gray: np.ndarray, dpi: float) -> np.ndarray:
    """Ink as 255 on 0. A local threshold copes with yellowed, unevenly lit paper; a light blur with noise
    (a median filter would erase the one-pixel rulings of a 150-dpi scan)."""
    block = int(dpi * 0.25) | 1
    return cv2.adaptiveThreshold(cv2.GaussianBlur(gray, (3, 3), 0), 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                 cv2.THRESH_BINARY_INV, block, 15)


def skew_angle(ink: np.ndarray, dpi: float) -> float:
    """Skew in degrees from long text lines and rulings: ink smeared sideways into line blobs, the angle of each
    long blob's minimum-area rectangle, the length-weighted median of those."""
    scale = min(1.0, 100.0 / dpi)
    small = cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    em = max(3, round(10 * scale * dpi / 72))
    smeared = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (em, 1)))
    contours, _ = cv2.findContours(smeared, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    angles, weights = [], []
    for contour in contours:
        corners = cv2.boxPoints(cv2.minAreaRect(contour))
        edges = [corners[1] - corners[0], corners[2] - corners[1]]
        long_edge = max(edges, key=lambda e: math.hypot(*e))
        short = min(math.hypot(*e) for e in edges)
        length = math.hypot(*long_edge)
        if length < 8 * em or length < 6 * max(short, 1):
            continue
        angle = math.degrees(math.atan2(long_edge[1], long_edge[0]))
        angle = (angle + 90) % 180 - 90          # direction-free: fold into [-90, 90)
        if abs(angle) <= MAX_SKEW:
            angles.append(angle)
            weights.append(length)
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cumulative = np.cumsum(np.array(weights)[order])
    return float(np.array(angles)[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def deskew(gray: np.ndarray, angle: float) -> np.ndarray:
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def line_components(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return [(x, y, x + w, y + h) for x, y, w, h, _ in stats[1:]]


def find_rulings(scan: Scan) -> list[Ruling]:
    """Ruling lines by morphological opening with long thin kernels. Short horizontal runs count only as the
    continuation of a long ruling on the same line (strokes of bold text join into runs of 25pt), and a vertical
    run only where it meets a horizontal ruling, as every line of a printed grid does."""
    thick = scan.px(RULE_THICK_PT)
    h_open = cv2.morphologyEx(scan.ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (scan.px(H_PIECE_PT), 1)))
    v_open = cv2.morphologyEx(scan.ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, scan.px(V_RULE_PT))))
    h_all = [b for b in line_components(h_open) if b[3] - b[1] <= thick and not crossed(scan.ink, b)]
    h_long = [b for b in h_all if b[2] - b[0] >= scan.px(H_RULE_PT)]
    h_boxes = h_long + [b for b in h_all if b not in h_long and any(continues(b, h, scan.px(H_PIECE_PT)) for h in h_long)]
    v_boxes = [b for b in line_components(v_open) if b[2] - b[0] <= thick
               and any(meets(b, h, slack=thick) for h in h_boxes)]
    scan.rule_mask = np.zeros_like(scan.ink)
    rulings = []
    for boxes, kind, source in ((h_boxes, "h", h_open), (v_boxes, "v", v_open)):
        for x0, y0, x1, y1 in boxes:
            scan.rule_mask[y0:y1, x0:x1] |= source[y0:y1, x0:x1]
            mid = (y0 + y1) / 2 if kind == "h" else (x0 + x1) / 2
            box = (Box(x0=scan.pt(x0), top=scan.pt(mid), x1=scan.pt(x1), bottom=scan.pt(mid)) if kind == "h" else
                   Box(x0=scan.pt(mid), top=scan.pt(y0), x1=scan.pt(mid), bottom=scan.pt(y1)))
            rulings.append(Ruling(box=box, orientation=kind, found_in_image=True))
    # glyph-free text ink: the rulings and their anti-aliased fringe gone
    scan.rule_mask = cv2.dilate(scan.rule_mask, np.ones((3, 3), np.uint8))
    return rulings


def crossed(ink: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """True for a horizontal run that other strokes cross all along: joined strokes of a bold headline.
    A ruling is crossed only where a vertical ruling meets it."""
    x0, y0, x1, y1 = box
    above, below = max(y0 - 2, 0), min(y1 + 1, ink.shape[0] - 1)
    both = (ink[above, x0:x1] > 0) & (ink[below, x0:x1] > 0)
    return both.mean() > CROSSED_SHARE


def continues(piece: tuple[int, int, int, int], long: tuple[int, int, int, int], reach: int) -> bool:
    """piece lies on the same line as long and within reach of one of its ends."""
    same_line = abs((piece[1] + piece[3]) - (long[1] + long[3])) <= 4
    return same_line and (0 <= long[0] - piece[2] <= reach or 0 <= piece[0] - long[2] <= reach)


def meets(v: tuple[int, int, int, int], h: tuple[int, int, int, int], slack: int) -> bool:
    return h[0] - slack <= v[0] <= h[2] + slack and v[1] - slack <= h[3] and h[1] <= v[3] + slack


def without_rulings(scan: Scan) -> np.ndarray:
    clean = scan.gray.copy()
    clean[scan.rule_mask > 0] = 255
    return clean


def long_line(rect: Rect) -> bool:
    """Longer than any table cell: running text."""
    return rect[2] - rect[0] > 8 * (rect[3] - rect[1])


def prose_lines(rects: list[Rect]) -> list[bool]:
    """True for the lines of article paragraphs: stacks of PROSE_RUN or more long pieces of text (no wide blank
    inside, as rects are already cut there), each just under the one above and overlapping it sideways.
    A title, a date line or a short note makes a shorter stack; table cells are not long; a stack that starts
    right under a row of cells is a table's note, however long, and is read."""
    long = [long_line(r) for r in rects]
    parent = list(range(len(rects)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, a in enumerate(rects):
        for j, b in enumerate(rects):
            if i < j and long[i] and long[j] and stacked(a, b):
                parent[root(j)] = root(i)
    stacks: dict[int, list[int]] = {}
    for i in range(len(rects)):
        if long[i]:
            stacks.setdefault(root(i), []).append(i)
    prose = [False] * len(rects)
    for members in stacks.values():
        rows = {round(rects[i][1] / max(rects[i][3] - rects[i][1], 1)) for i in members}
        stack, cells = [rects[i] for i in members], [r for r, l in zip(rects, long) if not l]
        if len(rows) >= PROSE_RUN and not under_cells(stack, cells) and not row_labels(stack, cells):
            for i in members:
                prose[i] = True
    return prose


def row_labels(stack: list[Rect], cells: list[Rect]) -> bool:
    """The stack is a table's column of long row labels (沁阳市安泰液化气有限公司): its lines end ragged, as
    justified article lines do not, and most have a cell right beside them on their line."""
    h = float(np.median([r[3] - r[1] for r in stack]))
    ends = [r[2] for r in stack]
    beside = sum(any(0 <= c[0] - r[2] < LABEL_REACH_EM * h and min(c[3], r[3]) - max(c[1], r[1]) > 0.5 * h
                     for c in cells) for r in stack)
    return max(ends) - min(ends) > RAGGED_EM * h and beside > len(stack) / 2


def under_cells(stack: list[Rect], cells: list[Rect]) -> bool:
    """The stack's top line sits just under three or more short pieces of text within its width: a table row."""
    top = min(stack, key=lambda r: r[1])
    h = top[3] - top[1]
    x0, x1 = min(r[0] for r in stack), max(r[2] for r in stack)
    return sum(1 for c in cells if top[1] - 3 * h <= c[3] <= top[1] + 0.2 * h and x0 <= (c[0] + c[2]) / 2 <= x1) >= 3


def stacked(a: Rect, b: Rect) -> bool:
    """b sits on the next line under a (or a under b) with similar height and overlapping sideways."""
    h = max(a[3] - a[1], b[3] - b[1])
    overlap = min(a[2], b[2]) - max(a[0], b[0])
    upper, lower = (a, b) if a[1] <= b[1] else (b, a)
    return overlap > 0.5 * min(a[2] - a[0], b[2] - b[0]) and 0 < lower[1] - upper[1] < 2.0 * h \
        and abs((a[3] - a[1]) - (b[3] - b[1])) < 0.3 * h


def cut_at(rect: Rect, xs: list[float]) -> list[Rect]:
    x0, y0, x1, y1 = rect
    edges = [x0] + sorted(x for x in xs if x0 < x < x1) + [x1]
    return [(a, y0, b, y1) for a, b in zip(edges, edges[1:]) if b - a > 2]


def inked(rect: Rect, text_ink: np.ndarray) -> Rect | None:
    """A rect narrowed to the ink inside it (with a little margin, which the recogniser wants), None if blank."""
    x0, y0, x1, y1 = rect
    ix0, _, ix1, _ = ink_extent(text_ink, x0, y0, x1, y1)
    if not text_ink[int(y0):int(math.ceil(y1)), ix0:ix1].any():
        return None
    margin = 0.2 * (y1 - y0)
    return max(x0, ix0 - margin), y0, min(x1, ix1 + margin), y1


def covered(inner: Rect, outer: Rect) -> bool:
    """inner is a sliver of what outer already holds: within its width, mostly within its height."""
    overlap = min(inner[3], outer[3]) - max(inner[1], outer[1])
    return inner[0] >= outer[0] - 1 and inner[2] <= outer[2] + 1 and overlap > 0.5 * (inner[3] - inner[1])


def missed_ink(text_ink: np.ndarray, rects: list[Rect]) -> list[Rect]:
    """Glyph-sized ink the detector found no line for (it misses a lone narrow "1" in a table cell)."""
    if not rects:
        return []
    height = float(np.median([r[3] - r[1] for r in rects]))
    covered = np.zeros_like(text_ink)
    for x0, y0, x1, y1 in rects:
        covered[int(y0):int(math.ceil(y1)), int(x0):int(math.ceil(x1))] = 255
    loose = cv2.bitwise_and(text_ink, cv2.bitwise_not(covered))
    out = []
    for x0, y0, x1, y1 in line_components(cv2.dilate(loose, np.ones((3, 3), np.uint8))):
        # glyphs stacked a line apart (名 / 次 of a header broken over two lines) touch once dilated: each line of
        # a component taller than a line on its own
        lines = glyph_lines(loose[y0:y1, x0:x1], 1.2 * height) if y1 - y0 > 1.2 * height else [(0, y1 - y0)]
        for top, bottom in lines:
            if 0.45 * height <= bottom - top <= 1.2 * height and x1 - x0 <= 3 * height:
                pad = 0.25 * height
                out.append((max(x0 - pad, 0), max(y0 + top - pad, 0), x1 + pad, y0 + bottom + pad))
    return out


def glyph_lines(ink: np.ndarray, tallest: float) -> list[tuple[int, int]]:
    """(top, bottom) of the lines of glyphs stacked in ink: runs of inked rows parted by blank rows (a speck of
    noise, a few pixels, leaves a row blank), runs joined while together no taller than tallest (the strokes of
    三 or 二 are one glyph)."""
    inked_rows = np.flatnonzero((ink > 0).sum(axis=1) > max(2, NOISE_SHARE * ink.shape[1]))
    if not inked_rows.size:
        return []
    breaks = np.flatnonzero(np.diff(inked_rows) > 1)
    starts = np.concatenate(([inked_rows[0]], inked_rows[breaks + 1])).tolist()
    ends = (np.concatenate((inked_rows[breaks], [inked_rows[-1]])) + 1).tolist()
    lines = [[starts[0], ends[0]]]
    for top, bottom in zip(starts[1:], ends[1:]):
        if bottom - lines[-1][0] <= tallest:
            lines[-1][1] = bottom
        else:
            lines.append([top, bottom])
    return [(a, b) for a, b in lines]


def joined_fragments(rects: list[Rect]) -> list[Rect]:
    """Rects on one line that overlap or touch joined into one: on a noisy scan the detector breaks a line
    into overlapping fragments, which would be read with characters twice or cut in half. Cells are cut
    apart again afterwards, at rulings and wide blanks."""
    out: list[list[float]] = []
    for r in sorted(rects, key=lambda r: r[0]):
        h = r[3] - r[1]
        for o in out:
            overlap = min(o[3], r[3]) - max(o[1], r[1])
            if overlap > 0.7 * min(h, o[3] - o[1]) and r[0] <= o[2] + 0.2 * h:
                o[:] = [min(o[0], r[0]), min(o[1], r[1]), max(o[2], r[2]), max(o[3], r[3])]
                break
        else:
            out.append(list(r))
    return [tuple(o) for o in out]


def pieces_of(rect: Rect, text_ink: np.ndarray, rulings_x: list[float]) -> list[Rect]:
    """A detected line cut at the vertical rulings it crosses and at blanks as wide as the space between
    table cells: one cell per piece, so no crop (and no OCR'd string) runs over two cells."""
    x0, y0, x1, y1 = (int(v) for v in rect)
    ix0, top, ix1, bottom = ink_extent(text_ink, x0, y0, x1, y1)
    em = max(bottom - top, 1)
    cuts = rulings_x + ink_gaps(text_ink, ix0, top, ix1, bottom, CELL_GAP_EM * em)
    return [p for p in (inked(c, text_ink) for c in cut_at(rect, cuts)) if p]


def column_starts(rects: list[Rect]) -> list[float]:
    """Left edges (pixels) where three or more long lines start: the columns of the page's article text."""
    lefts = [(r[0], r[3] - r[1]) for r in rects if long_line(r)]
    return [x for x, h in lefts if sum(abs(x - y) < 0.3 * h for y, _ in lefts) >= 3]


def at_gutters(rect: Rect, text_ink: np.ndarray, starts: list[float]) -> list[Rect]:
    """A long line cut where a blank of GUTTER_EM or more ends at a column start and long lines lie on both
    sides: the detector joins the lines of two article columns where punctuation hangs into the gutter,
    leaving less than a cell gap. (An indented paragraph start is a column start too, but near a line's left.)"""
    if not long_line(rect):
        return [rect]
    x0, y0, x1, y1 = (int(v) for v in rect)
    ix0, top, ix1, bottom = ink_extent(text_ink, x0, y0, x1, y1)
    h = y1 - y0
    cuts: list[float] = []
    for a, b in blanks(text_ink, ix0, top, ix1, bottom, GUTTER_EM * (bottom - top)):
        if any(abs(b - s) < 0.5 * h for s in starts) and a - (cuts[-1] if cuts else x0) > 8 * h and x1 - b > 8 * h:
            cuts.append((a + b) / 2)
    return [p for p in (inked(c, text_ink) for c in cut_at(rect, cuts)) if p] if cuts else [rect]


def stacked_lines(rect: Rect, text_ink: np.ndarray, rects: list[Rect]) -> list[Rect]:
    """A detected box over two or more stacked lines (名 / 次, a header broken over two lines, which the detector
    takes for one tall glyph run) as one box per line: the recogniser reads one line at a time."""
    height = float(np.median([r[3] - r[1] for r in rects]))
    x0, y0, x1, y1 = (int(v) for v in rect)
    if y1 - y0 <= STACKED_LINES * height:
        return [rect]
    lines = glyph_lines(text_ink[y0:y1, x0:x1], 1.2 * height)
    return [(rect[0], y0 + top, rect[2], y0 + bottom) for top, bottom in lines] if len(lines) > 1 else [rect]


def parted_lines(pieces: list[Rect]) -> list[Rect]:
    """Pieces of two lines stacked in one cell (问题 / 整改数, tightly set) that the detector boxed overlapping, cut
    apart halfway through the overlap: each box holds its own line's ink, so its words stand on their own line."""
    out = [list(p) for p in pieces]
    for a in out:
        for b in out:
            overlap = a[3] - b[1]
            across = min(a[2], b[2]) - max(a[0], b[0])
            if a is not b and a[1] < b[1] and 0 < overlap < 0.5 * min(a[3] - a[1], b[3] - b[1]) \
                    and across > 0.5 * min(a[2] - a[0], b[2] - b[0]):
                a[3] = b[1] = b[1] + overlap / 2
    return [tuple(p) for p in out]


def reading_plan(scan: Scan, text_ink: np.ndarray, verticals: list[Box], ocr_articles: bool) -> Plan:
    """What to recognise of the detected lines: each cut into cell-sized pieces, minus slivers another piece
    already covers and, unless articles are wanted, the lines of article paragraphs; plus glyphs the detector
    missed."""
    def plan(rects: list[Rect]) -> list[Rect]:
        rects = [line for r in joined_fragments(rects) for line in stacked_lines(r, text_ink, rects)]
        pieces = [p for r in rects for p in pieces_of(r, text_ink, rulings_across(r, verticals, scan))]
        pieces = [p for i, p in enumerate(pieces)
                  if not any(j != i and covered(p, q) and (j < i or not covered(q, p)) for j, q in enumerate(pieces))]
        pieces = parted_lines(pieces)
        if ocr_articles:
            starts = column_starts(pieces)
            pieces = [q for p in pieces for q in at_gutters(p, text_ink, starts)]
        else:
            pieces = [p for p, prose in zip(pieces, prose_lines(pieces)) if not prose]
        return pieces + missed_ink(text_ink, rects)
    return plan


# --- OCR lines to words ------------------------------------------------------------------------------------

def char_width(ch: str, em: float) -> float:
    """Rough advance of a character: CJK and full-width forms take an em, digits and Latin half of one."""
    if ch in ".,:;·":
        return 0.3 * em
    return em if ord(ch) > 0x2000 else 0.55 * em


def estimated_centres(text: str, x0: float, x1: float, em: float) -> list[float]:
    """Character centres spread over the line in proportion to their usual widths (backends without positions)."""
    widths = [char_width(c, em) for c in text]
    scale = (x1 - x0) / (sum(widths) or 1)
    edges = np.cumsum([0.0] + widths) * scale + x0
    return [(a + b) / 2 for a, b in zip(edges, edges[1:])]


def blanks(text_ink: np.ndarray, x0: int, top: int, x1: int, bottom: int, min_gap: float) -> list[tuple[int, int]]:
    """(last inked column, next inked column) around each blank stretch at least min_gap wide in a line."""
    inked = text_ink[top:bottom, x0:x1].any(axis=0)
    cols = np.flatnonzero(inked)
    if len(cols) < 2:
        return []
    return [(x0 + cols[j], x0 + cols[j + 1]) for j in np.flatnonzero(np.diff(cols) > min_gap)]


def ink_gaps(text_ink: np.ndarray, x0: int, top: int, x1: int, bottom: int, min_gap: float) -> list[float]:
    """Middles of the blank stretches at least min_gap wide between inked columns of a line."""
    return [(a + b) / 2 for a, b in blanks(text_ink, x0, top, x1, bottom, min_gap)]


def split_line(line: OcrLine, cuts: list[float], em: float) -> list[tuple[str, float, float, list[float] | None]]:
    """(text, x0, x1, char confidences) of each piece of an OCR line between cuts (blank stretches and vertical
    rulings); the recogniser's character positions say which piece each character belongs to. Spaces it read
    carry no weight: the ink decides."""
    x0, _, x1, _ = line.bbox
    centres = line.char_centres or estimated_centres(line.text, x0, x1, em)
    bounds = [x0] + sorted(c for c in cuts if x0 < c < x1) + [x1]
    pieces = []
    for left, right in zip(bounds, bounds[1:]):
        chosen = [i for i, (ch, c) in enumerate(zip(line.text, centres)) if left <= c < right and not ch.isspace()]
        if chosen:
            confs = [line.char_confidences[i] for i in chosen] if line.char_confidences else None
            pieces.append(("".join(line.text[i] for i in chosen), left, right, confs))
    return pieces


def ink_extent(ink: np.ndarray, x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
    """The box shrunk to the ink inside it, so word boxes hug the glyphs as a text layer's do."""
    x0, y0, x1, y1 = int(x0), int(y0), int(math.ceil(x1)), int(math.ceil(y1))
    part = ink[y0:y1, x0:x1]
    rows = np.flatnonzero(part.any(axis=1))
    cols = np.flatnonzero(part.any(axis=0))
    if len(rows) == 0 or len(cols) == 0:
        return x0, y0, x1, y1
    return x0 + cols[0], y0 + rows[0], x0 + cols[-1] + 1, y0 + rows[-1] + 1


def core_rows(ink: np.ndarray, x0: int, top: int, x1: int, bottom: int) -> tuple[int, int]:
    """First and last rows of the body of the text: the band of inked rows holding most of the ink (not the
    edge of the line above or below that a detected box takes in), trimmed of rows with little ink, so the thin
    tails of "/", "（" or a comma do not stretch the box past the height of the characters."""
    counts = ink[top:bottom, x0:x1].sum(axis=1).astype(float)
    if counts.max() <= 0:
        return top, bottom
    bands, start = [], None
    for i, c in enumerate(list(counts) + [0.0]):
        if c > 0 and start is None:
            start = i
        elif c <= 0 and start is not None:
            bands.append((start, i))
            start = None
    first, last = max(bands, key=lambda b: counts[b[0]:b[1]].sum())
    strong = np.flatnonzero(counts[first:last] >= 0.15 * counts[first:last].max()) + first
    return top + strong[0], top + strong[-1] + 1


def em_box(text: str, top: int, bottom: int) -> tuple[float, float]:
    """Top and bottom of a word's em box from its ink: a text layer's boxes span the font size whatever the
    glyphs, so cells of one row line up; digits fill about 0.72 of it, CJK about 0.92, both near the middle."""
    share = 0.92 if CJK.search(text) else 0.72
    size = (bottom - top) / share
    mid = (top + bottom) / 2
    return mid - size / 2, mid + size / 2


def without_specks(text: str, confs: list[float] | None) -> tuple[str, list[float] | None]:
    """A figure without the point the recogniser made of a speck of noise after it (117. for 117, WG05. for
    WG05; a piece that is nothing but such a point goes): a final point it was unsure of, after a digit."""
    unsure = ocr_settings()["confidence_threshold"]
    if not confs or len(confs) != len(text) or not text.endswith(".") or confs[-1] >= unsure:
        return text, confs
    if len(text) == 1 or text[-2].isdigit():
        return text[:-1], confs[:-1]
    return text, confs


def words_of_line(line: OcrLine, scan: Scan, text_ink: np.ndarray, running: bool = False) -> list[Word]:
    """One Word per cell-sized piece of an OCR line, its box the em box around the piece's ink. A line of
    running text is one Word, as a text layer gives it: the blank after a full-width comma is no cell border."""
    lx0, ly0, lx1, ly1 = line.bbox
    x0, top, x1, bottom = ink_extent(text_ink, lx0, ly0, lx1, ly1)
    em = max(bottom - top, 1)
    cuts = [] if running else ink_gaps(text_ink, x0, top, x1, bottom, max(GAP_EM * em, scan.px(MIN_GAP_PT)))
    words = []
    for text, left, right, confs in split_line(line, cuts, em):
        text, confs = without_specks(digits_for_lookalikes(text), confs)
        dashes = ocr_settings()["dashes"]
        text = dashes["dash"] if text.strip() in dashes["read_as"] and not running else text
        if not text:
            continue
        bx0, _, bx1, _ = ink_extent(text_ink, left, top, right, bottom)
        box_top, box_bottom = em_box(text, *core_rows(text_ink, bx0, top, bx1, bottom))
        confidence = min(confs) if confs else line.confidence
        words.append(Word(text=text, box=Box(x0=scan.pt(bx0), top=scan.pt(box_top), x1=scan.pt(bx1),
                                             bottom=scan.pt(box_bottom)),
                          confidence=round(confidence, 4), size=round(scan.pt(box_bottom - box_top), 2),
                          char_confidences=[round(c, 4) for c in confs] if confs else None))
    return words


def words_of_page(lines: list[OcrLine], scan: Scan, text_ink: np.ndarray, ocr_articles: bool) -> list[Word]:
    """Words of all OCR'd lines. With articles read, each long line of text is one Word, and the lines of
    running text within SIZE_NOISE of their median size get that size: a line's ink height wanders by a pixel
    with the glyphs it holds (at 150 dpi 5% of the size), enough to make body lines headlines or captions to
    the article stage. Headlines and captions are further off and keep their own size."""
    rects = [line.bbox for line in lines]
    running = [ocr_articles and long_line(r) for r in rects]
    words = [words_of_line(line, scan, text_ink, r) for line, r in zip(lines, running)]
    if not any(running):
        return [w for line_words in words for w in line_words]
    # the short last line of a paragraph is running text too: under a long line, from its left edge
    ends = [i for i, r in enumerate(rects) if not running[i] and any(
        running[j] and stacked(r, q) and abs(r[0] - q[0]) < r[3] - r[1] for j, q in enumerate(rects))]
    text = [w for i, r in enumerate(running) if r for w in words[i]]
    size = round(float(np.median([w.size for w in text])), 2)
    for w in text + [w for i in ends for w in words[i]]:
        if abs(w.size - size) < SIZE_NOISE * size:
            w.size = size
    return [w for line_words in words for w in line_words]


def dash_words(scan: Scan, text_ink: np.ndarray, words: list[Word]) -> list[Word]:
    """The dashes of empty cells (—), which the recogniser reads as nothing: a lone bar of ink about a
    character long and a stroke thick, with blank round it, that no word covers."""
    if not words:
        return []
    em = scan.px(float(np.median([w.box.height for w in words])))
    out = []
    for x0, y0, x1, y1 in line_components(text_ink):
        if not (DASH_LENGTH[0] * em <= x1 - x0 <= DASH_LENGTH[1] * em and y1 - y0 <= DASH_THICK * em):
            continue
        pad = round(DASH_CLEAR * em)
        around = text_ink[max(y0 - pad, 0):y1 + pad, max(x0 - pad, 0):x1 + pad]
        if np.count_nonzero(around) > np.count_nonzero(text_ink[y0:y1, x0:x1]):
            continue  # a stroke of a glyph, or beside one
        mid = scan.pt((y0 + y1) / 2)
        box = Box(x0=scan.pt(x0), top=mid - scan.pt(em) / 2, x1=scan.pt(x1), bottom=mid + scan.pt(em) / 2)
        if any(w.box.x0 < box.x1 and box.x0 < w.box.x1 and w.box.top < box.bottom and box.top < w.box.bottom
               for w in words):
            continue
        out.append(Word(text=ocr_settings()["dashes"]["dash"], box=box, confidence=DASH_CONFIDENCE, char_confidences=[DASH_CONFIDENCE],
                        size=round(box.height, 2)))
    return out


def align_baselines(words: list[Word]) -> list[Word]:
    """Words of one printed line get one top and bottom, as a text layer gives them: OCR boxes wander by a
    fraction of a point, and a reader that orders a line by (top, x) would then read it out of order."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: w.box.ymid):
        line = lines[-1] if lines else None
        if line and abs(w.box.ymid - line[0].box.ymid) < 0.3 * w.box.height \
                and abs(w.box.height - line[0].box.height) < 0.25 * w.box.height:
            line.append(w)
        else:
            lines.append([w])
    for line in lines:
        top = float(np.median([w.box.top for w in line]))
        bottom = float(np.median([w.box.bottom for w in line]))
        for w in line:
            w.box = Box(x0=w.box.x0, top=round(top, 2), x1=w.box.x1, bottom=round(bottom, 2))
    return words


def rulings_across(rect: Rect, verticals: list[Box], scan: Scan) -> list[float]:
    """x (pixels) of the vertical rulings that run through a line's middle: cell borders inside it."""
    x0, y0, x1, y1 = rect
    mid = scan.pt((y0 + y1) / 2)
    return [v.xmid * scan.dpi / 72.0 for v in verticals if v.top <= mid <= v.bottom and x0 < v.xmid * scan.dpi / 72.0 < x1]


# --- pages -------------------------------------------------------------------------------------------------

def ocr_page(gray: np.ndarray, dpi: float, source: str, number: int, backend: OcrBackend,
             ocr_articles: bool = False, preparation: Preparation | None = None, rotation: int = 0) -> Page:
    """ocr_articles: recognise article paragraphs too (on a 200-dpi page about 1.5 s, a third, more).
    preparation: what extractor.prepare_image did to the page image; the skew undone here is added to it.
    rotation: gray is a view of the page turned clockwise by this much (Page.rotation)."""
    angle = skew_angle(binarize(gray, dpi), dpi)
    scan = Scan(gray=deskew(gray, angle), dpi=dpi)
    scan.ink = binarize(scan.gray, dpi)
    rulings = find_rulings(scan)
    clean = without_rulings(scan)
    text_ink = cv2.bitwise_and(scan.ink, cv2.bitwise_not(scan.rule_mask))
    verticals = [r.box for r in rulings if r.orientation == "v"]
    lines = backend.read(clean, plan=reading_plan(scan, text_ink, verticals, ocr_articles))
    words = align_baselines(words_of_page(lines, scan, text_ink, ocr_articles))
    words += dash_words(scan, text_ink, words)
    h, w = scan.gray.shape
    return Page(source=source, page=number, kind="scan", width=scan.pt(w), height=scan.pt(h), words=words,
                rulings=rulings, ocr_backend=f"{backend.name} ({backend.version})", rotation=rotation,
                preparation=preparation.model_copy(update={"skew": angle}) if preparation else None)


def prepared_views(gray: np.ndarray, dpi: float, source: str, number: int, backend: OcrBackend,
                   ocr_articles: bool) -> Iterator[Page]:
    """A page image made ready (extractor.prepare_image: a photo squared up and evenly lit, the page upright) and
    OCR'd: the page, then the block printed turned on it, if any, as a turned view."""
    from extractor.prepare_image import prepare, views
    gray, preparation = prepare(gray, dpi, number, backend)
    for rotation, view in views(gray, preparation):
        yield ocr_page(view, dpi, source, number, backend, ocr_articles, None if rotation else preparation, rotation)


def read_image(path: Path, dpi: float | None = None, backend: str = "rapidocr",
               ocr_articles: bool = False) -> list[Page]:
    return list(image_pages(path, dpi, backend, ocr_articles))


def image_pages(path: Path, dpi: float | None = None, backend: str = "rapidocr",
                ocr_articles: bool = False) -> Iterator[Page]:
    """The OCR'd Pages of each frame of a PNG, JPEG or TIFF file (prepared_views), one frame at a time."""
    path = Path(path)
    engine = get_backend(backend)
    for n, (gray, frame_dpi) in enumerate(load_frames(path, dpi), start=1):
        yield from prepared_views(gray, frame_dpi, path.name, n, engine, ocr_articles)


def render_pdf_page(pdf_path: Path, page_number: int, dpi: float) -> tuple[np.ndarray, float]:
    """The page rendered in grey, and the resolution it was rendered at: dpi, or less for a page so large that
    dpi would exceed the decoded-pixel cap."""
    import pypdfium2 as pdfium
    try:
        pdf = pdfium.PdfDocument(str(pdf_path))
    except pdfium.PdfiumError as exc:
        raise InputError(say("input.page_not_drawn", path=pdf_path, page=page_number, error=exc)) from exc
    try:
        page = pdf[page_number - 1]
        width, height = page.get_size()
        dpi = dpi / reduction(max(1, round(width * dpi / 72)), max(1, round(height * dpi / 72)), dpi)
        bitmap = page.render(scale=dpi / 72.0, grayscale=True)
        return np.array(bitmap.to_pil().convert("L")), dpi
    except pdfium.PdfiumError as exc:
        raise InputError(say("input.page_not_drawn", path=pdf_path, page=page_number, error=exc)) from exc
    finally:
        pdf.close()


def ocr_pdf_page(pdf_path: Path, page_number: int, dpi: float = DEFAULT_DPI, backend: str = "rapidocr",
                 ocr_articles: bool = False) -> list[Page]:
    """A PDF page with no text layer, rasterised and OCR'd (prepared_views)."""
    gray, dpi = render_pdf_page(pdf_path, page_number, dpi)
    return list(prepared_views(big_enough(pdf_path, page_number, gray), dpi, Path(pdf_path).name, page_number,
                               get_backend(backend), ocr_articles))


def printed_matter(gray: np.ndarray, min_paper: float, max_midtones: float) -> bool:
    """Whether an image shows print on paper (a table or text pasted in as a picture), not a photograph: mostly
    paper-white, with few of the middle greys a photograph is made of."""
    paper = float(np.mean(gray >= 192))
    midtones = float(np.mean((gray > 64) & (gray < 192)))
    return paper >= min_paper and midtones <= max_midtones


def ocr_pdf_areas(pdf_path: Path, page_number: int, areas: list[Box], min_paper: float, max_midtones: float,
                  dpi: float = DEFAULT_DPI, backend: str = "rapidocr", ocr_articles: bool = False) -> list[Page]:
    """What OCR reads inside areas of a PDF page (images the text layer does not cover), in page points, one Page
    per area that shows print; an area showing a photograph is left out. The page is rendered once for all."""
    gray, dpi = render_pdf_page(pdf_path, page_number, dpi)
    scale = dpi / 72.0
    read_areas = []
    for area in areas:
        top, bottom = max(0, int(area.top * scale)), min(gray.shape[0], int(area.bottom * scale) + 1)
        left, right = max(0, int(area.x0 * scale)), min(gray.shape[1], int(area.x1 * scale) + 1)
        crop = gray[top:bottom, left:right]
        if min(crop.shape) < MIN_SIDE_PX or not printed_matter(crop, min_paper, max_midtones):
            continue
        read = ocr_page(crop, dpi, Path(pdf_path).name, page_number, get_backend(backend), ocr_articles)
        dx, dy = left / scale, top / scale

        def moved(box: Box) -> Box:
            return Box(x0=box.x0 + dx, top=box.top + dy, x1=box.x1 + dx, bottom=box.bottom + dy)
        read_areas.append(read.model_copy(update={
            "words": [w.model_copy(update={"box": moved(w.box)}) if w.box else w for w in read.words],
            "rulings": [r.model_copy(update={"box": moved(r.box)}) for r in read.rulings]}))
    return read_areas
