"""A page image made ready before layout: a photo capture's page found and squared up, its uneven light divided
out, a page scanned a quarter or half turned put upright, and a block printed turned a quarter on it (a wide table
laid on its side) found, to be read as a view of its own. Skew is undone after this (extractor.read_image).

Each step is recorded in a Preparation, so the same image can be made again from the file (report.html draws the
page's boxes on it) without looking again.
"""
from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from extractor.hints import read_toml
from extractor.ocr import OcrBackend, text_height
from schemas.document import Preparation, PrepareSettings

# clockwise turns as OpenCV names them
TURNS = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


@lru_cache(maxsize=None)
def prepare_settings() -> PrepareSettings:
    """schemas/ocr.toml [prepare]."""
    return PrepareSettings(**read_toml("schemas", "ocr").get("prepare", {}))


def shrunk(gray: np.ndarray, side: int) -> tuple[np.ndarray, float]:
    """gray with its long side at most side pixels, and the factor it was shrunk by."""
    scale = min(1.0, side / max(gray.shape))
    return (cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray), scale


# --- photo captures: the page's edges, then its light ----------------------------------------------------------

def ordered(quad: np.ndarray) -> np.ndarray:
    """Four points as top-left, top-right, bottom-right, bottom-left."""
    by_sum, by_diff = quad.sum(axis=1), np.diff(quad, axis=1).ravel()
    return np.float32([quad[np.argmin(by_sum)], quad[np.argmin(by_diff)], quad[np.argmax(by_sum)],
                       quad[np.argmax(by_diff)]])


def page_corners(gray: np.ndarray, settings: PrepareSettings) -> list[tuple[float, float]] | None:
    """The corners of the paper in a photo of it: the convex hull of the outermost edges (the paper's edge is a
    step in brightness all round, however unevenly lit; a global threshold loses a shadowed corner), fitted with
    a quadrilateral, and darker around than inside. None for an image that is all page (a scan: what lies around
    its print is paper as bright as the rest) or whose outline is no clean quadrilateral."""
    small, scale = shrunk(gray, settings.work_side)
    edges = cv2.Canny(cv2.GaussianBlur(small, (5, 5), 0), *settings.edge_thresholds)
    contours, _ = cv2.findContours(cv2.dilate(edges, np.ones((3, 3), np.uint8)), cv2.RETR_EXTERNAL,
                                   cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = cv2.convexHull(max(contours, key=cv2.contourArea))
    share = cv2.contourArea(outline) / (small.shape[0] * small.shape[1])
    if not settings.min_page_area <= share <= settings.max_page_area:
        return None
    quad = cv2.approxPolyDP(outline, settings.max_corner_bend * cv2.arcLength(outline, True), True)
    if len(quad) != 4:
        return None
    inside = np.zeros_like(small)
    cv2.fillConvexPoly(inside, outline, 255)
    paper, around = np.percentile(small[inside > 0], 90), np.median(small[inside == 0])
    if around > settings.max_surround * paper:
        return None
    return [(float(x) / scale, float(y) / scale) for x, y in ordered(quad.reshape(4, 2).astype(np.float32))]


def squared_up(gray: np.ndarray, corners: list[tuple[float, float]]) -> np.ndarray:
    """The page between corners as a rectangle, its sides as long as the photo's page edges (so the page keeps
    about the resolution it was photographed at)."""
    tl, tr, br, bl = (np.float32(c) for c in corners)
    width = round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    target = np.float32([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]])
    matrix = cv2.getPerspectiveTransform(np.float32(corners), target)
    return cv2.warpPerspective(gray, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def paper_light(gray: np.ndarray, settings: PrepareSettings) -> np.ndarray:
    """How bright the paper is at each pixel (shrunk): the print closed over (a grey closing takes each pixel to
    the brightest paper near it), then smoothed."""
    small, _ = shrunk(gray, settings.work_side)
    size = max(3, round(3 * text_height(small))) | 1    # wider than a glyph: no print survives
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    return cv2.GaussianBlur(paper, (0, 0), size)


def uneven(light: np.ndarray, settings: PrepareSettings) -> bool:
    # from the quartile: dark pictures and filled boxes on a quarter of the page are print, not shadow
    low, high = np.percentile(light, [25, 95])
    return (high - low) > settings.light_spread * max(high, 1.0)


def flattened(gray: np.ndarray, light: np.ndarray) -> np.ndarray:
    """gray with the paper's light divided out: paper white everywhere, ink as dark as its contrast with the paper
    around it."""
    full = cv2.resize(light, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    return np.clip(gray.astype(np.float32) * (255.0 / np.maximum(full, 1.0)), 0, 255).astype(np.uint8)


# --- which way up ----------------------------------------------------------------------------------------------

def text_lines(gray: np.ndarray, dpi: float, settings: PrepareSettings,
               min_ems: float) -> dict[str, list[tuple[int, int, int, int]]]:
    """Boxes (pixels of gray) of what look like text lines running across ("h") and up and down ("v"): ink
    smeared by about a character's gap along the direction, blobs min_ems text heights long and about one thick
    (rulings are thinner, pictures and paragraphs as smeared the other way thicker). Found at about 100 dpi."""
    small, scale = shrunk(gray, round(max(gray.shape) * min(1.0, 100.0 / dpi)))
    ink = cv2.adaptiveThreshold(cv2.GaussianBlur(small, (3, 3), 0), 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                cv2.THRESH_BINARY_INV, 25, 15)
    em = text_height(cv2.bitwise_not(ink))
    gap = max(2, round(0.6 * em))
    # rulings (runs many text heights long) taken out first: they would join a table's cells into one blob
    reach = max(3, round(settings.line_min_ems * em))
    rulings = cv2.max(*(cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, k))
                        for k in ((reach, 1), (1, reach))))
    ink = cv2.subtract(ink, cv2.dilate(rulings, np.ones((3, 3), np.uint8)))
    found: dict[str, list[tuple[int, int, int, int]]] = {}
    for way, kernel in (("h", (gap, 1)), ("v", (1, gap))):
        smeared = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        _, _, stats, _ = cv2.connectedComponentsWithStats(smeared, connectivity=8)
        boxes = []
        for x, y, w, h, _ in stats[1:]:
            long, thick = (w, h) if way == "h" else (h, w)
            if long >= min_ems * em and settings.line_min_thick * em <= thick <= settings.line_max_thick * em:
                boxes.append((round(x / scale), round(y / scale), round((x + w) / scale), round((y + h) / scale)))
        found[way] = sorted(boxes, key=lambda b: -max(b[2] - b[0], b[3] - b[1]))
    return found


def probe(gray: np.ndarray, box: tuple[int, int, int, int], turn: int, height: int, max_ems: int) -> np.ndarray:
    """A line's crop turned clockwise by turn, scaled to height pixels, at most max_ems heights long."""
    x0, y0, x1, y1 = box
    pad = max(2, (min(x1 - x0, y1 - y0)) // 6)
    crop = gray[max(0, y0 - pad):y1 + pad, max(0, x0 - pad):x1 + pad]
    crop = cv2.rotate(crop, TURNS[turn]) if turn else crop
    crop = cv2.resize(crop, (max(1, round(crop.shape[1] * height / crop.shape[0])), height), interpolation=cv2.INTER_AREA)
    return crop[:, :max_ems * height]   # a line's first ems tell its way up as well as all of it, and cost less


def confidences(crops: list[np.ndarray], backend: OcrBackend, height: int) -> list[float]:
    """The recogniser's confidence for each crop, read as one strip of lines stacked with a blank between (one
    call); a crop it returns nothing for scores 0."""
    step = 2 * height
    strip = np.full((step * len(crops), max(c.shape[1] for c in crops) + 2 * height), 255, np.uint8)
    rects = []
    for i, crop in enumerate(crops):
        top = i * step + height // 2
        strip[top:top + height, height:height + crop.shape[1]] = crop
        rects.append((float(height), float(top), float(height + crop.shape[1]), float(top + height)))
    scores = [0.0] * len(crops)
    for line in backend.read(strip, plan=lambda _: rects):
        i = int(((line.bbox[1] + line.bbox[3]) / 2) // step)
        if 0 <= i < len(crops):
            scores[i] = max(scores[i], line.confidence)
    return scores


def upright_turn(gray: np.ndarray, dpi: float, backend: OcrBackend, settings: PrepareSettings) -> int:
    """The clockwise turn (0, 90, 180, 270) that puts the page's text upright: the longest text lines either way
    are recognised as each turn would show them, and the turn read with the highest mean confidence wins (text
    upside down or on its side reads as a low-confidence jumble). Only long lines: a short number reads about as
    well upside down (8, 0, 69). Most pages are upright, and their lines read surely as they are: the other turns
    are tried only when they do not."""
    lines = text_lines(gray, dpi, settings, settings.line_min_ems)
    candidates = {0: lines["h"], 180: lines["h"], 90: lines["v"], 270: lines["v"]}
    upright = read_turned(gray, candidates, [0], backend, settings)
    if upright[0] and float(np.median(upright[0])) >= settings.upright_sure:
        return 0
    # a turn with fewer lines is not favoured by their fewness: missing lines count as unread
    mean = {turn: sum(read) / settings.probe_lines
            for turn, read in (upright | read_turned(gray, candidates, [90, 180, 270], backend, settings)).items()}
    best = max(mean, key=mean.get)
    return best if mean[best] > mean[0] else 0


def read_turned(gray: np.ndarray, candidates: dict[int, list[tuple[int, int, int, int]]], turns: list[int],
                backend: OcrBackend, settings: PrepareSettings) -> dict[int, list[float]]:
    """For each turn, the recogniser's confidences on its longest candidate lines turned that way (one call)."""
    crops, owners = [], []
    for turn in turns:
        for box in candidates[turn][:settings.probe_lines]:
            crops.append(probe(gray, box, turn, settings.probe_height, settings.probe_ems))
            owners.append(turn)
    read = confidences(crops, backend, settings.probe_height) if crops else []
    return {turn: [s for s, o in zip(read, owners) if o == turn] for turn in turns}


def turned_block(gray: np.ndarray, dpi: float, backend: OcrBackend,
                 settings: PrepareSettings) -> tuple[int, tuple[int, int, int, int]] | None:
    """A block printed turned a quarter on an upright page (a wide table laid on its side on a landscape page): the
    clockwise turn that reads it upright and its box (pixels of gray), or None. The text lines running up and down,
    grouped where they lie within a few text heights of each other; the group with the most of them counts when it
    has enough lines and they read surely turned one way (a column of stacked figures or a vertical headline
    reads as a jumble turned either way)."""
    found = text_lines(gray, dpi, settings, settings.block_line_ems)
    lines = found["v"]
    if len(lines) < settings.turned_min_lines:
        return None
    small, scale = shrunk(gray, settings.work_side)
    em = max(2, round(text_height(small)))
    mask = np.zeros(small.shape, np.uint8)
    for x0, y0, x1, y1 in lines:
        mask[round(y0 * scale):round(y1 * scale) + 1, round(x0 * scale):round(x1 * scale) + 1] = 255
    reach = settings.turned_reach * em
    _, labels = cv2.connectedComponents(cv2.dilate(mask, np.ones((reach, reach), np.uint8)))
    group = np.bincount([labels[round((y0 + y1) / 2 * scale), round((x0 + x1) / 2 * scale)]
                         for x0, y0, x1, y1 in lines]).argmax()
    members = [b for b in lines if labels[round((b[1] + b[3]) / 2 * scale), round((b[0] + b[2]) / 2 * scale)] == group]
    if len(members) < settings.turned_min_lines or not mostly_up_and_down(members, found["h"], settings):
        return None
    read = read_turned(gray, {90: members, 270: members}, [90, 270], backend, settings)
    mean = {turn: sum(scores) / settings.probe_lines for turn, scores in read.items()}
    turn = max(mean, key=mean.get)
    if mean[turn] < settings.upright_sure:
        return None
    pad = round(em / scale)   # the block's frame and rulings lie just outside its lines
    h, w = gray.shape
    return turn, (max(0, min(b[0] for b in members) - pad), max(0, min(b[1] for b in members) - pad),
                  min(w, max(b[2] for b in members) + pad), min(h, max(b[3] for b in members) + pad))


def mostly_up_and_down(members: list[tuple[int, int, int, int]], across: list[tuple[int, int, int, int]],
                       settings: PrepareSettings) -> bool:
    """The lines running up and down hold most of the line length where they lie: a block of upright paragraphs,
    whose stacked characters smear into columns too, holds far more running across."""
    x0, y0 = min(b[0] for b in members), min(b[1] for b in members)
    x1, y1 = max(b[2] for b in members), max(b[3] for b in members)
    up = sum(b[3] - b[1] for b in members)
    inside = sum(b[2] - b[0] for b in across if x0 <= (b[0] + b[2]) / 2 <= x1 and y0 <= (b[1] + b[3]) / 2 <= y1)
    return up > settings.turned_share * (up + inside)


def views(gray: np.ndarray, preparation: Preparation) -> list[tuple[int, np.ndarray]]:
    """The prepared page as it is read: upright, with its turned block (if any) blanked out, and that block alone
    on a blank page turned to read upright (its boxes are then in the frame of the turned page, Page.rotation)."""
    if not preparation.block:
        return [(0, gray)]
    x0, y0, x1, y1 = preparation.block
    upright, block = gray.copy(), np.full_like(gray, 255)
    upright[y0:y1, x0:x1] = 255
    block[y0:y1, x0:x1] = gray[y0:y1, x0:x1]
    return [(0, upright), (preparation.block_turn, cv2.rotate(block, TURNS[preparation.block_turn]))]


# --- all of it -------------------------------------------------------------------------------------------------

def apply(gray: np.ndarray, preparation: Preparation, settings: PrepareSettings | None = None) -> np.ndarray:
    """The steps recorded in preparation (but skew, which read_image undoes) done to gray again."""
    settings = settings or prepare_settings()
    if preparation.corners:
        gray = squared_up(gray, preparation.corners)
    if preparation.flattened:
        gray = flattened(gray, paper_light(gray, settings))
    return cv2.rotate(gray, TURNS[preparation.turn]) if preparation.turn else gray


def prepare(gray: np.ndarray, dpi: float, page: int, backend: OcrBackend,
            settings: PrepareSettings | None = None) -> tuple[np.ndarray, Preparation]:
    """gray squared up, evenly lit and upright, and what was done."""
    settings = settings or prepare_settings()
    corners = page_corners(gray, settings)
    if corners:
        gray = squared_up(gray, corners)
    light = paper_light(gray, settings)
    flat = uneven(light, settings)
    if flat:
        gray = flattened(gray, light)
    turn = upright_turn(gray, dpi, backend, settings)
    if turn:
        gray = cv2.rotate(gray, TURNS[turn])
    block = turned_block(gray, dpi, backend, settings)
    return gray, Preparation(page=page, corners=corners, flattened=flat, turn=turn,
                             block_turn=block[0] if block else 0, block=block[1] if block else None)
