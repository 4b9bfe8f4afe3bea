"""Ingest on Dask workers: the same archive as the local run, through a killed worker, a poison file and shards.
One LocalCluster of 2 single-threaded workers serves the module (the machine has 2 cores)."""
import os
import signal
import sys

import pytest

from conftest import content
from extractor import archive
from extractor.cli import expand_inputs, main

distributed = pytest.importorskip("distributed", reason="the cluster extra (dask.distributed) is not installed")
from extractor.cluster import RETRIES, DaskRunner  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    import cloudpickle
    import dask
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module
    with dask.config.set({RETRIES: 1}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as local:
        yield local


def todo_of(folder) -> list:
    return archive.plan(expand_inputs([str(folder)]), set()).todo


def test_a_local_cluster_gives_the_database_of_the_local_run(inputs, full_db, tmp_path, capsys):
    db = tmp_path / "dask.duckdb"
    assert main(["ingest", str(inputs), "--db", str(db), "--cluster", "local", "--workers", "2"]) == 0
    assert "6 个文件，" in capsys.readouterr().err
    assert content(db) == content(full_db)


def models_loaded() -> tuple[int, int]:
    """On a worker: how often the OCR backend and the layout were loaded (both cached for the process)."""
    from extractor.hints import load_layout
    from extractor.ocr import get_backend
    return get_backend.cache_info().misses, load_layout.cache_info().misses


def test_killing_a_worker_mid_run_ends_with_the_same_database(cluster, inputs, full_db, tmp_path):
    db = tmp_path / "a.duckdb"
    killed = None
    with archive.connect(db) as con, DaskRunner(cluster.scheduler_address) as runner:
        pids = runner.client.run(os.getpid)
        for result in archive.ingest(con, todo_of(inputs), runner):
            assert not result.error
            if killed is None:  # after the first commit: each worker loaded its models once; one that is
                # processing a file dies
                assert list(runner.client.run(models_loaded).values()) == [(1, 1), (1, 1)]
                busy = [worker for worker, keys in runner.client.processing().items() if keys]
                killed = busy[0]
                os.kill(pids[killed], signal.SIGKILL)
    assert killed is not None
    assert content(db) == content(full_db)


def poison_or_ingest(path, file_hash, layout="jiaozuo_daily"):
    """A page that kills the process reading it, every time (as a reader's segfault would); others as usual."""
    if path.name.startswith("poison"):
        os._exit(11)
    return archive.ingest_one(path, file_hash, layout)


def test_a_poison_file_ends_as_one_failed_row(cluster, inputs, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ["p01_ruled_3level.pdf", "poison.pdf"]:
        (folder / name).write_bytes((inputs / "p01_ruled_3level.pdf").read_bytes() + name.encode())
    db = tmp_path / "a.duckdb"
    with archive.connect(db) as con, DaskRunner(cluster.scheduler_address) as runner:
        for item in runner.results(poison_or_ingest, todo_of(folder)):  # what archive.ingest does, with this job
            archive.commit(con, item, "jiaozuo_daily", db)
        rows = con.execute("SELECT source, status, error FROM files ORDER BY source").fetchall()
    assert [r[:2] for r in rows] == [("p01_ruled_3level.pdf", "ok"), ("poison.pdf", "failed")]
    assert "poison.pdf: the worker reading it died on each of 2 tries" in rows[1][2]


def test_shards_load_into_the_database_of_the_local_run(cluster, inputs, full_db, tmp_path, capsys):
    shards, db = tmp_path / "shards", tmp_path / "a.duckdb"
    assert main(["ingest", str(inputs), "--shards", str(shards), "--scheduler", cluster.scheduler_address]) == 0
    assert sorted(p.name for p in (shards / os.listdir(shards)[0]).iterdir()) == sorted(
        f"{t}.parquet" for t in archive.TABLES)
    assert len(os.listdir(shards)) == 6  # one folder per input, named by its hash, and no partial one left
    assert main(["ingest", str(inputs), "--shards", str(shards), "--scheduler", cluster.scheduler_address]) == 0
    assert "6 个文件已在" in capsys.readouterr().err
    assert main(["ingest", "--from-shards", str(shards), "--db", str(db)]) == 0
    assert content(db) == content(full_db)
    assert main(["ingest", "--from-shards", str(shards), "--db", str(db)]) == 0  # loading twice stores once
    assert "0 files loaded" in capsys.readouterr().err
    assert content(db) == content(full_db)


def test_a_file_a_worker_cannot_read_is_named_with_the_worker(cluster, tmp_path):
    gone = tmp_path / "gone.pdf"
    with DaskRunner(cluster.scheduler_address) as runner:
        [item] = runner.results(lambda path, h: archive.ingest_one(path, h, "jiaozuo_daily"), [(gone, None)])
    assert item.result.error.startswith(f"{gone}: cannot be read on worker tcp://")
    assert "storage that every worker reads" in item.result.error
