"""The page model every input kind is turned into: text pieces with positions where positions exist.

Coordinates are PDF points with a top-left origin (pdfplumber's convention); scans are mapped into the
same space (1 px at D dpi = 72/D pt) so that boxes in the output mean the same thing for every input.
"""
from __future__ import annotations

from typing import Iterable, Literal

from pydantic import BaseModel, Field


class Box(BaseModel):
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def xmid(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def ymid(self) -> float:
        return (self.top + self.bottom) / 2

    def union(self, other: "Box") -> "Box":
        return Box(x0=min(self.x0, other.x0), top=min(self.top, other.top),
                   x1=max(self.x1, other.x1), bottom=max(self.bottom, other.bottom))

    @staticmethod
    def enclosing(boxes: "Iterable[Box]") -> "Box":
        """The smallest box holding all of boxes (at least one)."""
        boxes = list(boxes)
        return Box(x0=min(b.x0 for b in boxes), top=min(b.top for b in boxes),
                   x1=max(b.x1 for b in boxes), bottom=max(b.bottom for b in boxes))

    def on_page(self, rotation: int, view_width: float, view_height: float) -> "Box":
        """This box of a view turned clockwise by rotation degrees (Page.rotation), in the unturned page's frame."""
        if rotation == 90:     # the view's (X, Y) is the page's (Y, view_width − X)
            return Box(x0=self.top, x1=self.bottom, top=view_width - self.x1, bottom=view_width - self.x0)
        if rotation == 270:    # the view's (X, Y) is the page's (view_height − Y, X)
            return Box(x0=view_height - self.bottom, x1=view_height - self.top, top=self.x0, bottom=self.x1)
        return self

    def contains(self, other: "Box", slack: float = 0.0) -> bool:
        return (other.x0 >= self.x0 - slack and other.x1 <= self.x1 + slack
                and other.top >= self.top - slack and other.bottom <= self.bottom + slack)


def boxes_on_page(model: BaseModel, page: "Page") -> BaseModel:
    """model (a table, say) with every Box in it moved from the frame of a turned view into its page's frame."""
    if not page.rotation:
        return model

    def moved(value):
        if isinstance(value, Box):
            return value.on_page(page.rotation, page.width, page.height)
        if isinstance(value, BaseModel):
            return value.model_copy(update={name: moved(v) for name, v in value})
        if isinstance(value, list):
            return [moved(v) for v in value]
        return value
    return moved(model)


class Word(BaseModel):
    """One run of text on one line: a pdfplumber word, an OCR text line, or a line of a dump."""
    text: str
    box: Box | None = None
    confidence: float | None = None          # OCR only; 1.0 for a text layer
    char_confidences: list[float] | None = None  # per character, where the OCR backend gives them
    size: float | None = None                # font size in points, where known
    vertical: bool = False                   # glyphs stacked top to bottom (竖排), the text in reading order


class Ruling(BaseModel):
    """A printed ruling line (from PDF vector graphics or found in a scan)."""
    box: Box
    orientation: Literal["h", "v"]
    found_in_image: bool = False   # segments found in a scan, where pieces of a printed line may be missing


class Preparation(BaseModel):
    """What was done to a scanned page's image before layout, in this order (extractor/prepare_image.py), so the
    image its boxes are on can be made again from the file (report.html draws them on it)."""
    page: int = Field(ge=1)
    corners: list[tuple[float, float]] | None = None  # a photo capture: the page's corners in the loaded image
                                                       # (pixels; top-left, top-right, bottom-right, bottom-left)
    flattened: bool = False                     # uneven light divided out
    turn: Literal[0, 90, 180, 270] = 0          # then turned clockwise by this much to read upright
    block_turn: Literal[0, 90, 270] = 0         # a block printed turned on the upright page: read turned this much
    block: tuple[int, int, int, int] | None = None  # its box (pixels of the upright page: x0, y0, x1, y1)
    skew: float = 0.0                           # then rotated by this many degrees (extractor.read_image.deskew)


class Page(BaseModel):
    source: str
    page: int = Field(ge=1)
    kind: Literal["pdf", "scan", "text"]
    width: float | None = None
    height: float | None = None
    words: list[Word] = []
    rulings: list[Ruling] = []
    lines: list[str] = []        # text dumps: the raw lines, in order (no positions)
    images: list[Box] = []       # PDFs: where the page draws an image (a photo, or a table pasted in as a picture)
    rotation: Literal[0, 90, 270] = 0  # a view of the page turned clockwise by this much (text printed turned a
                                       # quarter): its coordinates are those of the turned page
    ocr_backend: str | None = None
    preparation: Preparation | None = None   # scans: how the image the boxes are on was made from the file's


class PrepareSettings(BaseModel):
    """How a page image is made ready for layout (extractor/prepare_image.py). Lengths in text heights (the median
    height of glyph-sized blobs), shares of the image."""
    model_config = {"frozen": True, "extra": "forbid"}
    work_side: int = 1000            # the page is analysed shrunk to this long side (px): edges and light are coarse
    min_page_area: float = 0.3       # a bright quadrilateral this share of the photo is the page...
    max_page_area: float = 0.97      # ...unless it is all of it (a scan: nothing to square up)
    edge_thresholds: tuple[int, int] = (40, 120)   # Canny's: the paper's edge, not the grain of the background
    max_surround: float = 0.8        # what lies around the page is at most this bright, relative to its paper
    max_corner_bend: float = 0.04    # corners found off a 4-gon fitted to the page outline by more than this
                                     # share of its perimeter: no clean page edge, the photo is left as it is
    light_spread: float = 0.12       # the paper's brightness varying more than this share over the page: flattened
    line_min_ems: float = 6.0        # a smeared ink blob this many text heights long (and thin) is a text line...
    line_max_thick: float = 2.0      # ...if no thicker than this many text heights (rulings are thinner, pictures
    line_min_thick: float = 0.5      # thicker)
    probe_lines: int = 6             # the longest lines recognised both ways up to tell upright from upside down
    probe_height: int = 48           # px: lines are recognised at this height (the recogniser's own)...
    probe_ems: int = 8               # ...and at most this many heights of each
    upright_sure: float = 0.85       # lines read as they are with this median confidence: the page is upright
    block_line_ems: float = 3.0      # a turned block's lines: as short as a table cell's figures (and rulings out)
    turned_min_lines: int = 6        # text lines running up and down, this many in one group: a turned block...
    turned_share: float = 0.6        # ...holding more than this share of the line length where they lie...
    turned_reach: int = 4            # ...the lines within this many text heights of each other being one group


class TextLayerSettings(BaseModel):
    """When a PDF page's text layer is not the text printed (issue: real PDFs lie). Shares are of the page's
    non-space characters; areas of the page's area."""
    model_config = {"frozen": True, "extra": "forbid"}
    max_bad_glyphs: float = 0.01      # (cid:N) glyphs without a Unicode map, private-use code points, U+FFFD
    max_latin_junk: float = 0.15      # accented Latin letters and Latin-1 signs, what unmapped CJK fonts decode to
    min_image_area: float = 0.01      # an image this large may carry printed text (a table pasted in as a picture)
    max_words_in_image: int = 2       # an image holding no more text-layer words than this is not covered by it
    min_paper: float = 0.5            # an image at least this share paper-white (grey ≥ 192) may be print...
    max_midtones: float = 0.25        # ...if no more than this share is middle grey (64–192): else a photograph


class TextLayerCheck(BaseModel):
    """The verdict on one page's text layer: trusted as a whole or not, and the image areas it does not cover."""
    trusted: bool
    reasons: list[str] = []
    uncovered: list[Box] = []         # images the text layer says nothing about: to be read by OCR


class Region(BaseModel):
    """A table the layout stage found on a page, with its title, date line, unit line and note."""
    kind: Literal["table"] = "table"
    box: Box | None = None
    title: str | None = None
    date_printed: str | None = None
    unit: str | None = None
    note: str | None = None
    words: list[Word] = []
    rulings: list[Ruling] = []
