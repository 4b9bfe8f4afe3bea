"""Reading plain-text page dumps: encodings, pages, and files that are no text dump."""
from __future__ import annotations

import codecs
import random
from pathlib import Path

import pytest

from extractor.errors import InputError
from extractor.flow_tables import tables_from_text
from extractor.hints import load_layout
from extractor.pipeline import process_file
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


TRADITIONAL = ("焦作市燃氣報警器安裝情況統計表\n縣市區\t戶數\t已安裝數\t安裝率\t名次\n沁陽市\t100\t50\t50.0%\t2\n"
               "溫縣\t200\t150\t70.0%\t1\n示範區\t300\t150\t50.0%\t2\n合計\t600\t350\t58.3%\t\n\n"
               "本報訊 記者從溫縣住建局獲悉，全市燃氣報警器安裝工作進展順利，各縣市區按照要求推進，截至目前已完成大部分任務，"
               "群眾反映良好。\n")


@pytest.mark.parametrize("encoding,bom", [
    ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-32-le", codecs.BOM_UTF32_LE), ("utf-32-be", codecs.BOM_UTF32_BE),
    ("big5", b""), ("big5hkscs", b""), ("utf-8", codecs.BOM_UTF8)])
def test_dumps_in_utf16_utf32_and_big5_are_read_with_traditional_kept(tmp_path, encoding, bom):
    dump = tmp_path / f"{encoding}.txt"
    dump.write_bytes(bom + TRADITIONAL.encode(encoding))
    result = process_file(dump)
    assert result.error is None
    [table] = result.tables
    assert table.title == "焦作市燃氣報警器安裝情況統計表"               # as printed, not simplified
    assert [r.label for r in table.rows] == ["沁陽市", "溫縣", "示範區", "合計"] and table.rows[-1].is_total
    # the vocabulary matches traditional headers: the rate is checked
    assert [(f.kind.value, f.row, f.column) for f in result.flags] == [("rate_mismatch", "溫縣", "安裝率")]
    assert [a.places for page in result.articles for a in page.articles] == [["温县"]]


def test_hong_kong_characters_need_big5_hkscs(tmp_path):
    text = TRADITIONAL + "香港特區政府表示，嘅咗啲冇喺度，市民反應良好。\n"
    dump = tmp_path / "hk.txt"
    dump.write_bytes(text.encode("big5hkscs"))
    [page] = read_text_dump(dump)
    assert "\n".join(page.lines) == text.rstrip("\n")


def test_place_names_match_through_traditional_aliases():
    hints = load_layout("jiaozuo_daily")
    assert [hints.canonical_place(p) for p in ("溫 縣", "沁陽市", "示範區", "高新區", "馬村區", "孟州")] == [
        "温县", "沁阳市", "示范区", "示范区", "马村区", "孟州市"]


def test_a_damaged_utf16_dump_is_one_message(tmp_path):
    dump = tmp_path / "half.txt"
    dump.write_bytes(codecs.BOM_UTF16_LE + "温县".encode("utf-16-le") + b"\x00\xd8")  # a lone surrogate
    with pytest.raises(InputError, match="half.txt：UTF-16 文本已损坏"):
        read_text_dump(dump)
