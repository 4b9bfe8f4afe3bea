"""Faults of `extract` end in one message naming what went wrong, never a traceback; the batch goes on and
what was written stays valid."""
import errno
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from conftest import REPO
from extractor.cli import main


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """These tests read the English messages (the faults, not the language, are what they check)."""
    monkeypatch.setenv("BAOZHI_LANG", "en")

DATA = REPO / "tests" / "data"
SAMPLE = REPO / "samples" / "p03_ruled_flat.pdf"
DUMP = ("焦作市燃气报警器安装情况统计表\n县市区\t户数\t已安装数\t安装率\t名次\n"
        "沁阳市\t100\t50\t50.0%\t2\n温县\t200\t150\t75.0%\t1\n")


def no_traceback(err: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, err


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error ")]


def test_a_full_disk_is_one_message_naming_the_folder_and_keeps_the_previous_outputs(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    assert main(["extract", str(SAMPLE), "-o", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    capsys.readouterr()
    dump = tmp_path / "page.txt"
    dump.write_text(DUMP, encoding="utf-8")
    assert main(["extract", str(dump), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    no_traceback(err)
    line = next(l for l in err.splitlines() if "No space left on device" in l)
    assert str(out) in line
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before  # the last good run, whole
    assert not (out / ".staging").exists()


def test_an_output_folder_that_cannot_be_made_is_refused_before_the_batch(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    assert main(["extract", str(SAMPLE), "-o", str(tmp_path / "afile" / "out")]) == 1
    err = capsys.readouterr().err
    no_traceback(err)
    assert f"{tmp_path / 'afile' / 'out'}: cannot write the outputs" in err and "p03" not in err


def test_a_file_name_of_246_bytes_does_not_stop_the_batch(tmp_path, capsys):
    long = tmp_path / ("表" * 80 + "ab.txt")
    assert len(long.name.encode()) == 246
    long.write_text(DUMP, encoding="utf-8")
    after = tmp_path / "龘.txt"  # sorts after 表
    after.write_text(DUMP, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["extract", str(tmp_path), "-o", str(out)]) == 0
    no_traceback(capsys.readouterr().err)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [i["source"] for i in manifest["inputs"]] == [long.name, "龘.txt"]
    tables = sorted(p.name for p in (out / "tables").iterdir())
    assert len(tables) == 2 and all(len(name.encode()) <= 255 for name in tables)
    assert set(pd.read_csv(out / "cells.csv")["table_id"]) == {name[:-4] for name in tables}


def test_a_newline_in_a_file_name_keeps_the_error_on_one_line(tmp_path, capsys):
    bad = tmp_path / "bad\nname.pdf"
    shutil.copy(DATA / "corrupt.pdf", bad)
    assert main(["extract", str(bad), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert [l for l in err.splitlines() if "name.pdf" in l] == [
        f"error {tmp_path}/bad\\nname.pdf: damaged or truncated PDF (PSEOF)",
        f"  {tmp_path}/bad\\nname.pdf: damaged or truncated PDF (PSEOF)"]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"][0]["source"] == "bad\nname.pdf"   # the JSON keeps the name as it is


def test_dangling_links_tiny_images_and_a_file_named_twice_each_get_one_line(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "gone.pdf").symlink_to(tmp_path / "nowhere.pdf")
    Image.new("L", (1, 1), 255).save(folder / "dot.png")
    shutil.copy(DATA / "corrupt.pdf", folder / "bad.pdf")
    assert main(["extract", str(folder), str(folder / "bad.pdf"), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    no_traceback(err)
    lines = error_lines(err)
    assert len(lines) == 3
    assert "bad.pdf: damaged" in lines[0]
    assert "dot.png: page 1 is 1×1 pixels, too small to hold a table" in lines[1]
    assert "gone.pdf: dangling symbolic link" in lines[2] and "nowhere.pdf" in lines[2]


def wrong_xref(pdf: bytes) -> bytes:
    """Every offset of the cross-reference table moved by 7 bytes."""
    start = pdf.index(b"\nxref\n")
    return pdf[:start] + re.sub(rb"(\d{10})( \d{5} n)", lambda m: b"%010d%s" % (int(m[1]) + 7, m[2]), pdf[start:])


def test_a_pdf_whose_xref_offsets_are_all_wrong_is_read(tmp_path, capsys):
    broken = tmp_path / "xref.pdf"
    broken.write_bytes(wrong_xref(SAMPLE.read_bytes()))
    out = tmp_path / "out"
    assert main(["extract", str(broken), str(SAMPLE), "-o", str(out)]) == 0
    no_traceback(capsys.readouterr().err)
    cells = pd.read_csv(out / "cells.csv")
    good, repaired = (cells[cells["source"] == name].drop(columns=["source", "table_id"]).reset_index(drop=True)
                      for name in ("p03_ruled_flat.pdf", "xref.pdf"))
    assert len(repaired) > 20 and repaired.equals(good)


def cli(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "extractor.cli", *args], cwd=REPO, stderr=subprocess.PIPE,
                            text=True, **kwargs)


def locked_inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    for name in ("locked/a.txt", "secret.txt", "ok.txt"):
        (folder / name).write_text(DUMP, encoding="utf-8")
    return folder


def assert_locked_named(folder: Path, err: str, out: Path) -> None:
    no_traceback(err)
    assert error_lines(err) == [f"error {folder / 'locked'}: folder cannot be read (Permission denied)",
                                f"error {folder / 'secret.txt'}: cannot be read (Permission denied)"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [i["status"] for i in manifest["inputs"]] == ["failed", "ok", "failed"]


def test_files_and_folders_without_permission_are_named(tmp_path, capsys, monkeypatch):
    """The permission errors the system gives, raised where it would raise them (root is never refused)."""
    folder = locked_inputs(tmp_path)
    real_scandir, real_open = os.scandir, io.open

    def scandir(path="."):
        if isinstance(path, (str, os.PathLike)) and Path(path) == folder / "locked":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_scandir(path)

    def open_(file, *args, **kwargs):
        if str(file) == str(folder / "secret.txt"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
        return real_open(file, *args, **kwargs)
    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "listdir", lambda path=".": [e.name for e in scandir(path)])
    monkeypatch.setattr(io, "open", open_)
    assert main(["extract", str(folder), "-o", str(tmp_path / "out")]) == 1
    assert_locked_named(folder, capsys.readouterr().err, tmp_path / "out")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_files_and_folders_chmod_000_are_named(tmp_path):
    folder = locked_inputs(tmp_path)
    os.chmod(folder / "locked", 0)
    os.chmod(folder / "secret.txt", 0)
    try:
        proc = cli("extract", str(folder), "-o", str(tmp_path / "out"))
        err = proc.communicate(timeout=120)[1]
    finally:
        os.chmod(folder / "locked", 0o755)
    assert proc.returncode == 1
    assert_locked_named(folder, err, tmp_path / "out")


def test_ctrl_c_stops_extract_with_130_and_whole_outputs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(6):
        shutil.copy(SAMPLE, folder / f"p{n}.pdf")
    out = tmp_path / "out"
    proc = cli("extract", str(folder), "-o", str(out))
    deadline = time.monotonic() + 120
    while not list((out / ".partial").glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.1)   # at least one file finished
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 130, err
    no_traceback(err)
    assert "interrupted" in err.splitlines()[-1]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["interrupted"] and 1 <= len(manifest["inputs"]) < 6
    cells = pd.read_csv(out / "cells.csv")
    assert set(cells["source"]) == {i["source"] for i in manifest["inputs"]}
