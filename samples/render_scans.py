#!/usr/bin/env python3
"""Make scanned versions of the born-digital sample pages, for the OCR path.

Run from the repo root:  .venv/bin/python samples/render_scans.py

Each sample PDF page is rasterised (pypdfium2) at 150, 200 or 300 dpi and, for most, degraded as a scan
is: a slight rotation, blur, noise, yellowed paper, JPEG compression. Degraded pages are cropped to the
band holding the tables (with their titles and notes) to keep the files small. Written to samples/scans/:
PNG (300 dpi, clean, grayscale), JPG (degraded), one two-page TIFF, one image-only PDF, and one page with a
digit smudged in the table that also holds a planted printing error. Each scan gets <scan>.truth.json:
the source page's truth, with "source" naming the scan and "page" its page in the scan.
Deterministic (fixed random seeds).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from extractor.pipeline import process_file
from extractor.read_pdf import read_pdf

HERE = Path(__file__).resolve().parent
OUT = HERE / "scans"
MARGIN_PT = 40


@dataclass(frozen=True)
class Damage:
    angle: float = 0.0      # degrees, counter-clockwise
    blur: float = 0.0       # Gaussian sigma in pixels
    noise: float = 0.0      # Gaussian sigma in grey levels
    yellow: bool = False    # yellowed, unevenly lit paper
    crop: bool = True       # keep only the band with the tables


def render(pdf: Path, dpi: int) -> np.ndarray:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return np.array(doc[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
    finally:
        doc.close()


def table_band(pdf: Path, dpi: int, height: int) -> tuple[int, int]:
    """Pixel rows from a little above the first table's title to a little below the last table's note."""
    boxes = [t.box for t in process_file(pdf).tables if t.box]
    if not boxes:
        return 0, height
    top = min(b.top for b in boxes) - MARGIN_PT
    bottom = max(b.bottom for b in boxes) + MARGIN_PT
    return max(0, int(top * dpi / 72)), min(height, int(bottom * dpi / 72))


def smudge(gray: np.ndarray, pdf: Path, dpi: int, row_label: str, column: int, char_index: int) -> None:
    """Blurs and speckles one digit of one cell, as a fold or an ink blot does, so OCR is unsure of it."""
    page = read_pdf(pdf)[0]
    label = next(w for w in page.words if w.text.replace(" ", "") == row_label)
    row = sorted((w for w in page.words if abs(w.box.top - label.box.top) < 2 and w.box.x0 > label.box.x1),
                 key=lambda w: w.box.x0)
    word = row[column]
    step = word.box.width / len(word.text)
    x0 = int((word.box.x0 + step * char_index) * dpi / 72)
    x1 = int((word.box.x0 + step * (char_index + 1)) * dpi / 72)
    y0, y1 = int(word.box.top * dpi / 72), int(word.box.bottom * dpi / 72)
    patch = gray[y0:y1, x0:x1].astype(float)
    patch = cv2.GaussianBlur(patch, (0, 0), 1.8)
    patch += np.random.default_rng(7).normal(0, 50, patch.shape)
    gray[y0:y1, x0:x1] = np.clip(patch + 55, 0, 255).astype(np.uint8)


def degrade(gray: np.ndarray, damage: Damage, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = gray.astype(float)
    if damage.yellow:  # paper darkens towards one corner
        h, w = img.shape
        shade = np.linspace(0, 18, w)[None, :] + np.linspace(0, 12, h)[:, None]
        img = img * 0.88 + 10 - shade
    if damage.angle:
        h, w = img.shape
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), damage.angle, 1.0)
        img = cv2.warpAffine(img, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=float(np.median(img)))
    if damage.blur:
        img = cv2.GaussianBlur(img, (0, 0), damage.blur)
    if damage.noise:
        img = img + rng.normal(0, damage.noise, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def yellowed_colour(gray: np.ndarray) -> np.ndarray:
    """A grey page tinted like old newsprint (RGB)."""
    g = gray.astype(float)
    return np.clip(np.stack([g * 1.0, g * 0.96, g * 0.82], axis=-1), 0, 255).astype(np.uint8)


def truth_for(sources: list[Path], scan: Path) -> list[dict]:
    out = []
    for number, pdf in enumerate(sources, start=1):
        for table in json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8")):
            out.append({**table, "source": scan.name, "page": number, "scan_of": pdf.name})
    return out


def prepared(pdf: Path, dpi: int, damage: Damage, seed: int, smudge_at: tuple | None = None) -> np.ndarray:
    gray = render(pdf, dpi)
    if smudge_at:
        smudge(gray, pdf, dpi, *smudge_at)
    if damage.crop:
        top, bottom = table_band(pdf, dpi, gray.shape[0])
        gray = gray[top:bottom]
    return degrade(gray, damage, seed)


def write_jpg(image: np.ndarray, path: Path, dpi: int, quality: int = 75) -> None:
    Image.fromarray(image).save(path, "JPEG", quality=quality, dpi=(dpi, dpi), optimize=True)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    pdf = {p.stem: p for p in sorted(HERE.glob("p0*.pdf"))}
    scans: list[tuple[Path, list[Path]]] = []

    def done(path: Path, sources: list[str]) -> None:
        scans.append((path, [pdf[s] for s in sources]))

    # 300 dpi, clean, whole page
    path = OUT / "p01_ruled_3level_300dpi.png"
    Image.fromarray(render(pdf["p01_ruled_3level"], 300)).save(path, dpi=(300, 300), optimize=True)
    done(path, ["p01_ruled_3level"])

    # 200 dpi, degraded (grey)
    for name, angle, seed in (("p03_ruled_flat", 0.8, 3), ("p02_open_2level", -0.4, 2)):
        path = OUT / f"{name}_200dpi.jpg"
        write_jpg(prepared(pdf[name], 200, Damage(angle, 0.7, 6, True), seed), path, 200)
        done(path, [name])

    # 150 dpi, degraded, yellowed colour
    path = OUT / "p06_open_two_tables_150dpi.jpg"
    write_jpg(yellowed_colour(prepared(pdf["p06_open_two_tables"], 150, Damage(-1.2, 0.5, 5, True), 6)), path, 150)
    done(path, ["p06_open_two_tables"])

    # two pages in one TIFF, 200 dpi, slightly rotated
    path = OUT / "p04_p05_200dpi.tif"
    frames = [Image.fromarray(prepared(pdf[n], 200, Damage(a, 0.4, 3), s))
              for n, a, s in (("p04_threeline_2panel", 0.5, 4), ("p05_ruled_companies", -0.3, 5))]
    frames[0].save(path, save_all=True, append_images=frames[1:], compression="tiff_deflate", dpi=(200, 200))
    done(path, ["p04_threeline_2panel", "p05_ruled_companies"])

    # image-only PDF: a degraded 200-dpi scan as the only content of a page the size of the original
    path = OUT / "p05_ruled_companies_scan.pdf"
    image = Image.fromarray(prepared(pdf["p05_ruled_companies"], 200, Damage(1.0, 0.6, 6, True, crop=False), 8))
    image.save(path, "PDF", resolution=200.0, quality=75)
    done(path, ["p05_ruled_companies"])

    # a printing error (孟州市 rate) and an OCR doubt (a smudged 7 in 博爱县's 8735) in one table
    path = OUT / "p01_smudged_200dpi.jpg"
    smudged = prepared(pdf["p01_ruled_3level"], 200, Damage(0.6, 0.6, 5, True), 1, smudge_at=("博爱县", 1, 1))
    write_jpg(smudged, path, 200)
    done(path, ["p01_ruled_3level"])

    total = 0
    for path, sources in scans:
        truth = path.parent / f"{path.name.rsplit('.', 1)[0]}.truth.json"
        truth.write_text(json.dumps(truth_for(sources, path), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        total += path.stat().st_size + truth.stat().st_size
        print(f"{path.relative_to(HERE)}: {path.stat().st_size / 1e6:.2f} MB")
    print(f"total {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
