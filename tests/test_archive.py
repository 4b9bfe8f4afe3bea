"""The archive: resumable ingest (content hash, a transaction per file), table series and cross-issue flags."""
import os
import shutil
import signal
import subprocess
import sys

import pandas as pd
import pytest

from conftest import REPO, SHARED, content
from extractor import archive
from extractor.cli import main
from extractor.pipeline import FileSummary, PageResult
from extractor.series import series_key
from schemas.table import Cell, Column, Row, Table

RESIDENTIAL = "焦作市燃气居民用户安全装置加装"  # seeds 000 (统计表, 2022-09-25) and 001 (进度表, 2022-11-21)


def test_ingesting_twice_stores_each_page_once(inputs, full_db, tmp_path, capsys):
    first = content(full_db)
    assert len(first["files"]) == 6 and len(first["pages"]) == 6
    # the same content under another name counts as the same file
    shutil.copy(inputs / "p01_ruled_3level.pdf", tmp_path / "copy_of_p01.pdf")
    assert main(["ingest", str(inputs), str(tmp_path), "--db", str(full_db), "--workers", "2"]) == 0
    assert "7 个文件已在" in capsys.readouterr().err
    assert content(full_db) == first


def test_a_killed_run_resumes_to_the_same_content(inputs, full_db, tmp_path):
    db = tmp_path / "archive.duckdb"
    command = [sys.executable, "-m", "extractor.cli", "ingest", str(inputs), "--db", str(db), "--workers", "1"]
    run = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=REPO)
    for line in run.stderr:  # a line per committed file when stderr is not a terminal
        if line.startswith("已存入 "):
            run.send_signal(signal.SIGKILL)
            break
    run.wait()
    assert run.returncode == -signal.SIGKILL
    with archive.connect(db, read_only=True) as con:
        stored = con.execute("SELECT count(*) FROM files").fetchone()[0]
    assert 1 <= stored < 6  # killed midway, the first file kept
    assert main(["ingest", str(inputs), "--db", str(db), "--workers", "2"]) == 0
    assert content(db) == content(full_db)


def test_failures_are_recorded_and_listed(tmp_path, capsys):
    (tmp_path / "bad.pdf").write_bytes(b"not a pdf at all")
    db = tmp_path / "a.duckdb"
    assert main(["ingest", str(tmp_path), "--db", str(db), "--workers", "1"]) == 1
    assert "1 个文件中有 1 个失败" in capsys.readouterr().err
    # a failed file is tried again, and its record replaced rather than repeated
    assert main(["ingest", str(tmp_path), "--db", str(db), "--workers", "1"]) == 1
    with archive.connect(db, read_only=True) as con:
        rows = con.execute("SELECT source, status, error FROM files").fetchall()
    assert len(rows) == 1 and rows[0][:2] == ("bad.pdf", "failed") and "bad.pdf" in rows[0][2]


def test_seed_dumps_of_one_table_export_as_one_panel(full_db, tmp_path):
    assert main(["export", "--db", str(full_db), "-o", str(tmp_path)]) == 0
    panel = pd.read_csv(tmp_path / "series" / f"{RESIDENTIAL}.csv", dtype=str)
    assert list(panel.columns) == ["date", "source", "table_id", "row", "place", "column", "value", "printed"]
    assert set(panel["date"]) == {"2022-09-25", "2022-11-21"}
    assert set(panel["source"]) >= {"000_af58533d2f3a29ab.txt", "001_650fd2134c289d10.txt"}
    assert set(panel.loc[panel["row"] == "温 县", "place"]) == {"温县"}
    qinyang = panel[(panel["place"] == "沁阳市") & (panel["column"] == "金属软管 / 液化气 / 户数")]
    assert qinyang.set_index("date")["value"].to_dict() == {"2022-09-25": "662", "2022-11-21": "1815"}
    flags = pd.read_csv(tmp_path / "flags.csv", dtype=str)
    changed = flags[(flags["kind"] == "denominator_changed") & (flags["row"] == "沁阳市")]
    assert "金属软管 / 液化气 / 户数" in set(changed["column"]) and set(changed["series"]) == {RESIDENTIAL}


@pytest.mark.parametrize("title,key", [
    ("焦作市燃气居民用户安全装置加装情况统计表", RESIDENTIAL),
    ("焦作市燃气居民用户安全装置加装情况进度表", RESIDENTIAL),
    ("焦作市燃气居民用户 安全装置加装情况表（2022.11.21）", RESIDENTIAL),
    ("第12期 焦作市燃气居民用户安全装置加装统计表", RESIDENTIAL),
    ("统计表", None),
])
def test_series_key_strips_what_changes_between_issues(title, key):
    assert series_key(title) == key


def issue(name: str, title: str, date: str, rows: list[tuple[str, str, str, str]]) -> archive.Ingested:
    table = Table(source=f"{name}.txt", page=1, table_id=f"{name}-t1", title=title, date=date,
                  columns=[Column(path=["户数"]), Column(path=["已安装数"]), Column(path=["安装率"])],
                  rows=[Row(label=label, cells=[Cell(printed=v) for v in values]) for label, *values in rows])
    summary = FileSummary(source=f"{name}.txt", path=f"/archive/{name}.txt", kind="text", pages=1)
    return archive.ingested(f"hash-{name}", summary, [PageResult(page=1, tables=[table], text="")])


def test_cross_issue_flags():
    con = archive.connect(":memory:")
    archive.store(con, issue("a", "某市燃气安装情况统计表", "2022-10-01",
                             [("沁阳", "100", "50", "50.0%"), ("温 县", "80", "40", "50.0%")]), "jiaozuo_daily")
    archive.store(con, issue("b", "某市燃气安装情况进度表", "2022-10-08",
                             [("沁阳市", "110", "44", "40.0%")]), "jiaozuo_daily")
    flags = archive.all_flags(con, archive.series_panel(con))
    flags = flags.astype(object).where(flags.notna(), None)
    found = {(f.kind, f.row, f.column, f.printed, f.expected) for f in flags.itertuples() if f.source == "b.txt"}
    assert found == {("cumulative_decrease", "沁阳市", "已安装数", "44", "≥ 50"),
                     ("denominator_changed", "沁阳市", "户数", "110", "100"),
                     ("place_missing", "温县", None, None, None)}
    assert set(flags["series"]) == {"某市燃气安装"}


def test_a_date_that_does_not_exist_is_stored_as_null():
    con = archive.connect(":memory:")
    archive.store(con, issue("a", "某市燃气安装情况统计表", "2022-02-30", [("温县", "1", "1", "100%")]), "jiaozuo_daily")
    assert con.execute("SELECT date FROM tables").fetchall() == [(None,)]


def test_export_flags_compare_numbers_not_text(tmp_path):
    """Cross-issue checks on the numbers: 880 → 1720 is a rise, not a fall (as text it would sort the other way)."""
    from extractor import archive
    from extractor.cli import main
    if not (SHARED / "seeds").is_dir():
        pytest.skip(f"shared folder missing: {SHARED}")
    seeds = sorted((SHARED / "seeds").glob("00[01]_*.txt"))
    db = tmp_path / "a.duckdb"
    assert main(["ingest", *map(str, seeds), "--db", str(db), "--workers", "1"]) == 0
    assert main(["export", "--db", str(db), "-o", str(tmp_path / "exp")]) == 0
    flags = pd.read_csv(tmp_path / "exp" / "flags.csv")
    with archive.connect(str(db), read_only=True) as con:
        expected = archive.all_flags(con, archive.series_panel(con))
    assert sorted(flags["kind"]) == sorted(expected["kind"])
    assert "cumulative_decrease" not in set(flags["kind"])


def newer_version(archive_file, target):
    """A copy of an archive whose header claims a storage version this DuckDB cannot read (header checksum fixed,
    with DuckDB's formula, so that the version is what it refuses)."""
    import struct
    data = bytearray(archive_file.read_bytes())
    data[12:20] = struct.pack("<Q", 10_000)  # after the checksum (8 bytes) and the magic DUCK
    checksum = 5381
    for (word,) in struct.iter_unpack("<Q", bytes(data[8:4096])):
        checksum ^= (word * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    data[:8] = struct.pack("<Q", checksum)
    target.write_bytes(bytes(data))


@pytest.mark.parametrize("broken,says", [
    ("not_duckdb", "not a DuckDB archive, or a truncated or damaged one"),
    ("truncated", "not a DuckDB archive, or a truncated or damaged one"),
    ("newer", "written by a newer DuckDB"),
    ("other_duckdb", "a DuckDB file but not a baozhi archive"),
])
@pytest.mark.parametrize("command", ["ingest", "export", "report"])
def test_an_archive_that_cannot_be_used_is_named_in_one_line(full_db, tmp_path, capsys, broken, says, command):
    db = tmp_path / "archive.duckdb"
    if broken == "not_duckdb":
        db.write_text("这不是数据库\n" * 100, encoding="utf-8")
    elif broken == "truncated":
        db.write_bytes(full_db.read_bytes()[:len(full_db.read_bytes()) // 3])
    elif broken == "newer":
        newer_version(full_db, db)
    else:
        import duckdb
        duckdb.connect(str(db)).execute("CREATE TABLE t (x INTEGER)").close()
    before = db.read_bytes()
    (tmp_path / "page.txt").write_text("焦作日报\n", encoding="utf-8")
    args = {"ingest": [str(tmp_path / "page.txt")], "export": ["-o", str(tmp_path / "out")],
            "report": ["-o", str(tmp_path / "r.html")]}[command]
    assert main([command, *args, "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"baozhi: {db}: ") and says in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    if broken != "other_duckdb":
        assert db.read_bytes() == before  # refused, not repaired or overwritten


def test_an_archive_held_by_another_ingest_is_refused_cleanly(inputs, tmp_path, capsys):
    db = tmp_path / "archive.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from extractor import archive; "
                               f"con = archive.connect({str(db)!r}); print('open', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert holder.stdout.readline() == "open\n"
        for command in (["ingest", str(inputs)], ["export", "-o", str(tmp_path / "out")]):
            assert main([*command, "--db", str(db)]) == 1
            err = capsys.readouterr().err
            assert f"{db}: in use by another process" in err and f"PID {holder.pid}" in err
            assert len(err.strip().splitlines()) == 1
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("delay", [0.0, 0.3])
def test_ctrl_c_stops_ingest_at_once_and_fails_no_good_file(inputs, full_db, tmp_path, delay):
    """Ctrl-C as a terminal sends it (to the whole process group), right after a commit and between two."""
    import time
    db = tmp_path / "archive.duckdb"
    command = [sys.executable, "-m", "extractor.cli", "ingest", str(inputs), "--db", str(db), "--workers", "1"]
    run = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=REPO, start_new_session=True)
    for line in run.stderr:
        if line.startswith("已存入 "):
            time.sleep(delay)
            os.killpg(run.pid, signal.SIGINT)
            break
    run.wait(timeout=30)  # how soon it ends is measured by bench/ingest_bench.py, not here
    rest = run.stderr.read()
    assert run.returncode == 130, rest
    assert "已中断：已存入的保留在" in rest and "Traceback" not in rest
    with archive.connect(db, read_only=True) as con:
        assert con.execute("SELECT status, count(*) < 6 FROM files GROUP BY ALL").fetchall() == [("ok", True)]
    assert main(["ingest", str(inputs), "--db", str(db), "--workers", "2"]) == 0
    assert content(db) == content(full_db)


def test_a_rerun_drops_the_failed_row_of_a_file_now_stored(inputs, full_db, tmp_path, capsys):
    """An older version could record a good file as failed on Ctrl-C, beside its ok row; reports then counted it."""
    db = tmp_path / "archive.duckdb"
    shutil.copy(full_db, db)
    path = inputs / "p01_ruled_3level.pdf"
    with archive.connect(db) as con:
        archive.store(con, archive.failed(path, archive.content_hash(path), f"{path}: Query interrupted"),
                      "jiaozuo_daily")
    assert main(["ingest", str(inputs), "--db", str(db), "--workers", "1"]) == 0
    assert "6 个文件已在" in capsys.readouterr().err
    assert content(db) == content(full_db)
