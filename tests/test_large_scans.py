"""Large and hostile images: decoded at the resolution OCR needs, bombs refused, nothing sent over the network."""
import socket
import struct
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image

from conftest import REPO
from extractor.errors import InputError
from extractor.ocr import get_backend, ocr_settings
from extractor.pipeline import process_file
from extractor.read_image import load_frames, render_pdf_page


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """These tests read the English messages (the faults, not the language, are what they check)."""
    monkeypatch.setenv("BAOZHI_LANG", "en")

SCANS = REPO / "samples" / "scans"
LIMITS = ocr_settings()["scan"]


def png_claiming(width: int, height: int) -> bytes:
    """A well-formed PNG header for width×height grey pixels, followed by a few bytes of data: a bomb's shape."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_with_a_clear_message(tmp_path):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_claiming(100_000, 100_000))
    result = process_file(bomb)
    assert result.error.startswith(f"{bomb}: image claims 100000×100000 pixels in a ") and "decompression bomb" in result.error


def test_a_20000_pixel_square_scan_is_decoded_reduced(tmp_path):
    page = np.full((20000, 20000), 255, np.uint8)
    page[1000:1004, 1000:19000] = 0
    big = tmp_path / "big.png"
    cv2.imwrite(str(big), page)
    del page
    [(gray, dpi)] = list(load_frames(big, None))
    assert gray.shape[0] * gray.shape[1] <= LIMITS["max_decoded_pixels"] * 1.01
    assert dpi == pytest.approx(200 * gray.shape[1] / 20000)           # no resolution stored: 200 dpi assumed
    assert gray[round(1002 * gray.shape[0] / 20000)].min() < 128      # the ruling survives the reduction


def test_a_600_dpi_scan_is_read_at_the_ocr_resolution(tmp_path):
    scan = cv2.imread(str(SCANS / "p01_ruled_3level_300dpi.png"), cv2.IMREAD_GRAYSCALE)
    double = tmp_path / "p01_600dpi.png"
    Image.fromarray(cv2.resize(scan, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)).save(double, dpi=(600, 600))
    [(gray, dpi)] = list(load_frames(double, None))
    assert dpi == pytest.approx(LIMITS["ocr_dpi"], rel=0.01) and abs(gray.shape[1] - scan.shape[1]) <= 1
    result = process_file(double)
    assert result.error is None and len(result.tables) == 1 and len(result.tables[0].rows) >= 10


def test_an_image_only_pdf_page_of_a_huge_size_is_rendered_within_the_cap(tmp_path):
    pdf = tmp_path / "huge.pdf"
    Image.new("L", (600, 600), 255).save(pdf, resolution=2.0)   # a page of 300×300 inches
    gray, dpi = render_pdf_page(pdf, 1, 200)
    assert gray.shape[0] * gray.shape[1] <= LIMITS["max_decoded_pixels"] * 1.01 and dpi < 30


def test_a_scan_is_read_with_the_network_blocked(monkeypatch):
    def blocked(*args, **kwargs):
        raise AssertionError(f"network use at run time: {args}")
    get_backend.cache_clear()   # the models are loaded again, under the block
    monkeypatch.setattr(socket, "socket", blocked)
    monkeypatch.setattr(socket, "create_connection", blocked)
    monkeypatch.setattr(socket, "getaddrinfo", blocked)
    result = process_file(SCANS / "p03_ruled_flat_200dpi.jpg")
    assert result.error is None and result.tables
