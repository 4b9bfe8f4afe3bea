"""Ingest on a Dask cluster: the archive's Runner on dask.distributed workers (the `cluster` extra).

Each file is one task. Workers load the layout and the OCR models once, when they start (WarmUp); the scheduler
retries a file whose worker died on another worker, up to its allowed-failures, then the file is recorded as
failed (a page that crashes every worker it meets is not retried for ever). Input paths are opened by the workers:
they must be on storage every worker reads under the same path."""
from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

from extractor.archive import ArchiveError, Ingested, Job, failed

try:
    import dask
    from distributed import Client, LocalCluster, WorkerPlugin, as_completed
    from distributed.scheduler import KilledWorker
except ImportError:  # the extra is not installed: said when a cluster is asked for
    dask = None
    WorkerPlugin = object

RETRIES = "distributed.scheduler.allowed-failures"


class WarmUp(WorkerPlugin):
    """Loads what every file needs once per worker, before its first file: the layout hints and the OCR backend
    (both cached for the life of the process), so that no file pays for them."""
    name = "baozhi-warm-up"

    def __init__(self, layout: str, ocr_backend: str = "rapidocr"):
        self.layout, self.ocr_backend = layout, ocr_backend

    def setup(self, worker) -> None:
        from extractor.hints import load_layout
        from extractor.ocr import get_backend
        load_layout(self.layout)
        get_backend(self.ocr_backend)


def on_worker(job: Job, path: Path, file_hash: str | None) -> Ingested:
    """The task: the job, after checking that this worker sees the file (shared storage is the one requirement)."""
    if not os.access(path, os.R_OK):
        from distributed import get_worker
        return failed(path, file_hash, f"{path}: cannot be read on worker {get_worker().address}; inputs must be on "
                                       f"storage that every worker reads under the same path")
    return job(path, file_hash)


class DaskRunner:
    """Files as tasks on a Dask scheduler (address tcp://HOST:8786), or on a LocalCluster of `workers` processes
    of one thread each when no address is given. `retries`: how many worker deaths one file may cause before it is
    recorded as failed; set here for a LocalCluster, by the scheduler's own allowed-failures setting otherwise."""

    def __init__(self, scheduler: str | None = None, workers: int | None = None, retries: int = 2,
                 layout: str = "jiaozuo_daily"):
        if dask is None:
            raise ArchiveError("a Dask cluster needs the cluster extra: pip install 'baozhi[cluster]'")
        self.cluster, self.submitted, self.local_pids = None, {}, []
        try:
            if scheduler is None:
                with dask.config.set({RETRIES: retries}):
                    self.cluster = LocalCluster(n_workers=workers or os.cpu_count(), threads_per_worker=1,
                                                dashboard_address=":0" if has_dashboard() else None)
                self.client = Client(self.cluster)
            else:
                self.client = Client(scheduler, timeout="30s")
        except OSError as exc:  # no scheduler at that address (distributed raises OSError on a timeout)
            self.close()
            raise ArchiveError(f"no Dask scheduler reached at {scheduler} ({exc}); start one with `dask scheduler`, "
                               f"or use --cluster local") from None
        self.dashboard = self.client.dashboard_link if has_dashboard() or scheduler else None
        self.client.register_plugin(WarmUp(layout))

    def in_flight(self) -> int:
        """Tasks kept submitted: enough to keep every worker thread busy, few enough that results do not pile up
        on the workers while the client commits."""
        return max(8, 4 * sum(self.client.nthreads().values()))

    def results(self, job: Job, todo: list[tuple[Path, str | None]]) -> Iterator[Ingested]:
        waiting = iter(todo)
        submitted = self.submitted

        def submit(n: int) -> None:
            for path, h in (item for _, item in zip(range(n), waiting)):
                future = self.client.submit(on_worker, job, path, h, key=f"ingest-{h or path}")
                submitted[future] = (path, h)
                running.add(future)

        running = as_completed()
        submit(self.in_flight())
        for future in running:
            path, h = submitted.pop(future)
            try:
                item = future.result()
            except KilledWorker as exc:  # a poison page: recorded, not retried for ever
                item = failed(path, h, f"{path}: the worker reading it died on each of {exc.allowed_failures + 1} "
                                       f"tries (last {exc.last_worker.address}); not tried again")
            except Exception as exc:
                item = failed(path, h, f"{path}: worker failed ({type(exc).__name__}: {exc})")
            future.release()
            submit(self.in_flight() - len(submitted))
            yield item

    def close(self) -> None:
        if getattr(self, "client", None) is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self) -> DaskRunner:
        if self.cluster is not None:  # known now, for stopping them at once on Ctrl-C
            self.local_pids = list(self.client.run(os.getpid).values())
        return self

    def __exit__(self, exc_type, *_) -> None:
        if exc_type is None:
            self.close()
            return
        # Ctrl-C or an error: a scheduler drops the files of a client that leaves; the workers of our own cluster
        # are stopped now, not after the file each is on (a scan takes up to a minute), so the command ends at once
        for pid in self.local_pids:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with suppress(Exception):  # leaving anyway: a slow goodbye from the scheduler is not worth waiting for
            self.client.close(timeout=1)
            if self.cluster is not None:
                self.cluster.close(timeout=1)


def has_dashboard() -> bool:
    """Dask's dashboard needs bokeh, which the extra does not install."""
    try:
        import bokeh  # noqa: F401
        return True
    except ImportError:
        return False
