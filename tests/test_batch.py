"""An extract batch writes its outputs once, as one unit: killed at any moment (SIGKILL), OUT/ holds one batch's
outputs, every file listed in one of them in all of them; run again, it goes on from its journal."""
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

from conftest import REPO
from extractor import batch as batch_module
from extractor.batch import JOURNAL, PAGES, STAGING, roll_forward
from extractor.cli import main


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """These tests read the English messages (the faults, not the language, are what they check)."""
    monkeypatch.setenv("BAOZHI_LANG", "en")

OUTPUTS = {"cells.csv", "flags.csv", "articles.jsonl", "articles.csv", "report.html", "report_files", "manifest.json",
           "tables"}
DUMP = ("焦作市燃气报警器安装情况统计表\n县市区\t户数\t已安装数\t安装率\t名次\n"
        "沁阳市\t100\t50\t50.0%\t2\n温县\t200\t150\t75.0%\t1\n")


def consistent(out: Path) -> set[str]:
    """Checks that the outputs in OUT/ are of one batch; returns the sources its manifest lists."""
    assert OUTPUTS <= {p.name for p in out.iterdir()}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    sources = {i["source"] for i in manifest["inputs"]}
    ok = {i["source"] for i in manifest["inputs"] if i["status"] == "ok"}
    table_ids = {t for i in manifest["inputs"] for t in i["tables"]}
    cells = pd.read_csv(out / "cells.csv", encoding="utf-8-sig")
    assert set(cells["source"]) <= sources and set(cells["table_id"]) == table_ids
    assert {p.stem for p in (out / "tables").iterdir()} == table_ids
    articles = pd.read_csv(out / "articles.csv", encoding="utf-8-sig")
    assert set(articles["source"]) <= ok
    for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        assert json.loads(line)["source"] in ok
    report = (out / "report.html").read_text(encoding="utf-8")
    assert all((out / src).is_file() for src in re.findall(r'<img [^>]*src="([^"]+)"', report))   # its pictures
    assert f"{len(manifest['errors'])} files failed" in report
    assert all(f"{s} · page" in report for s in ok)
    pd.read_csv(out / "flags.csv", encoding="utf-8-sig")
    return sources


def no_temporary_files(out: Path) -> None:
    assert [p for p in out.rglob("*") if p.name.startswith(".")] == []


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for n, sample in enumerate(["p01_ruled_3level.pdf", "p03_ruled_flat.pdf", "p06_open_two_tables.pdf"] * 2):
        shutil.copy(REPO / "samples" / sample, folder / f"{n}_{sample}")
        (folder / f"{n}_dump.txt").write_text(DUMP, encoding="utf-8")
    return folder


def test_sigkill_at_any_moment_leaves_one_batch_of_outputs_and_the_rerun_goes_on(inputs, tmp_path):
    out = tmp_path / "out"
    old = tmp_path / "old.txt"
    old.write_text(DUMP.replace("沁阳市", "孟州市"), encoding="utf-8")
    assert main(["extract", str(old), "-o", str(out)]) == 0   # a used folder: its report must not outlive its run
    seen = [consistent(out)]
    for delay in (2.0, 5.0, 8.0, 11.0, 14.0):
        proc = subprocess.Popen([sys.executable, "-m", "extractor.cli", "extract", str(inputs), "-o", str(out)],
                                cwd=REPO, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if (out / STAGING).exists():   # killed while moving a complete batch into place: the next run ends the move
            roll_forward(out)
        seen.append(consistent(out))
        assert {p.name for p in out.iterdir()} <= OUTPUTS | {JOURNAL}
        journal = os.listdir(out / JOURNAL) if (out / JOURNAL).exists() else []
        # a finished file's pages and summary; a file being read has only its pages' temporary file
        assert all(name.endswith((".json", PAGES)) for name in journal if not name.startswith(".tmp."))
    assert seen[0] == {"old.txt"} and seen[-1] in ({"old.txt"}, {p.name for p in inputs.iterdir()})
    journaled = len(list((out / JOURNAL).glob("*.json"))) if (out / JOURNAL).exists() else 0
    proc = subprocess.run([sys.executable, "-m", "extractor.cli", "extract", str(inputs), "-o", str(out)], cwd=REPO,
                          stderr=subprocess.PIPE, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    if journaled:
        assert f"{journaled} files taken from the journal" in proc.stderr
    assert consistent(out) == {p.name for p in inputs.iterdir()}
    no_temporary_files(out)
    whole = tmp_path / "whole"
    assert main(["extract", str(inputs), "-o", str(whole)]) == 0
    for name in ("cells.csv", "flags.csv", "articles.jsonl"):
        assert (out / name).read_bytes() == (whole / name).read_bytes(), name


class Killed(BaseException):
    pass


@pytest.mark.parametrize("step", range(11))
def test_a_commit_killed_at_any_step_is_rolled_forward_by_the_next_run(tmp_path, monkeypatch, step):
    """SIGKILL between any two renames of the commit: the next run moves the rest into place first."""
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text(DUMP, encoding="utf-8")
    second.write_text(DUMP.replace("沁阳市", "孟州市"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["extract", str(first), "-o", str(out)]) == 0
    calls = []
    real_replace = os.replace

    def replace(src, dst):
        if Path(src).name.startswith(".tmp."):   # a file written whole into the staging folder
            return real_replace(src, dst)
        if len(calls) == step:
            raise Killed
        calls.append(dst)
        real_replace(src, dst)
    monkeypatch.setattr(batch_module.os, "replace", replace)
    try:
        main(["extract", str(second), "-o", str(out)])
        killed = False
    except Killed:
        killed = True
    monkeypatch.setattr(batch_module.os, "replace", real_replace)
    # 10 renames: old tables/ and report_files/ aside, new ones in, 6 files, manifest last
    assert killed == (step < 10)
    roll_forward(out)                 # what the next run does first
    assert consistent(out) == {"b.txt"}
    assert main(["extract", str(second), "-o", str(out)]) == 0
    assert consistent(out) == {"b.txt"}
    no_temporary_files(out)


def test_a_staging_folder_left_incomplete_is_discarded(tmp_path):
    dump = tmp_path / "a.txt"
    dump.write_text(DUMP, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["extract", str(dump), "-o", str(out)]) == 0
    (out / STAGING / "tables").mkdir(parents=True)
    (out / STAGING / "cells.csv").write_text("half a fi", encoding="utf-8")
    roll_forward(out)
    assert consistent(out) == {"a.txt"} and not (out / STAGING).exists()
