"""Reading plain-text page dumps: encodings, pages, and files that are no text dump."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from extractor.errors import InputError
from extractor.flow_tables import tables_from_text
from extractor.hints import load_layout
from extractor.read_text import read_text_dump

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = SHARED / "seeds"


def seed(prefix: str) -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"shared seeds missing: {SEEDS}")
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def test_utf8_dump_is_one_text_page():
    path = seed("001")
    pages = read_text_dump(path)
    assert len(pages) == 1
    page = pages[0]
    assert (page.kind, page.source, page.page) == ("text", path.name, 1)
    assert page.lines == path.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_other_encodings_read_like_utf8(tmp_path, encoding):
    original = seed("001")
    copy = tmp_path / original.name
    copy.write_text(original.read_text(encoding="utf-8"), encoding=encoding)
    assert read_text_dump(copy) == read_text_dump(original)
    hints = load_layout()
    assert tables_from_text(read_text_dump(copy)[0], hints) == tables_from_text(read_text_dump(original)[0], hints)


def test_form_feeds_split_pages(tmp_path):
    path = tmp_path / "two.txt"
    path.write_text("第一版\n正文\n\f第二版\n正文\n\f", encoding="utf-8")
    pages = read_text_dump(path)
    assert [(p.page, p.lines) for p in pages] == [(1, ["第一版", "正文"]), (2, ["第二版", "正文"])]


def test_crlf_lines(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes("甲\r\n乙\r\n".encode("utf-8"))
    assert read_text_dump(path)[0].lines == ["甲", "乙"]


@pytest.mark.parametrize("content", [b"", b"  \n\n \t\n"])
def test_empty_file_is_rejected(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=r"empty\.txt：空文件"):
        read_text_dump(path)


def test_binary_file_named_txt_is_rejected(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(InputError, match=r"image\.txt：二进制内容"):
        read_text_dump(path)


def test_undecodable_bytes_without_nul_are_rejected(tmp_path):
    path = tmp_path / "noise.txt"
    noise = random.Random(4).randbytes(4000).replace(b"\x00", b"\x01")
    path.write_bytes(noise)
    with pytest.raises(InputError, match=r"noise\.txt：(二进制内容|无法解码)"):
        read_text_dump(path)


@pytest.mark.parametrize("prefix", ["002", "004"])
def test_pages_without_ranking_tables_give_no_tables(prefix):
    pages = read_text_dump(seed(prefix))
    assert pages
    assert [t for page in pages for t in tables_from_text(page, load_layout())] == []
