"""The outputs of one `extract` batch, kept whole whatever happens to the process.

While the batch runs, OUT/ is left as it was; each finished input's result goes into the journal, OUT/.partial/,
one JSON file per input named by what determines its result (path, size, mtime, options, table-id prefix, version). At the end
(or on Ctrl-C) every output is written once, into OUT/.staging/, which is marked complete and then moved into
place; a staging folder found complete on the next run is moved into place first (rolled forward), one found
incomplete is discarded. So a reader of OUT/ finds either the previous batch's outputs or this one's, every file
listed in one of them in all of them, and a killed batch run again with the same inputs takes its finished
files from the journal instead of reading them again.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from extractor import __version__
from extractor.export import atomic_write, write_outputs
from extractor.export_articles import write_articles
from extractor.pipeline import FileResult
from extractor.report import files_folder, from_results, write_report

JOURNAL = ".partial"
STAGING = ".staging"
COMPLETE = ".complete"          # in STAGING: every output is written, it may be moved into place
# moved in whole (tables/, report_files/); in STAGING, .old-NAME is the previous one, set aside
FOLDERS = ("tables", files_folder(Path("report.html")).name)
LAST = "manifest.json"          # moved last: a manifest in OUT/ means the outputs beside it are its own

RESULT = TypeAdapter(FileResult)


class OutputError(Exception):
    """OUT/ cannot be written (full disk, no permission, read-only file system); the message names the folder."""


def output_error(out: Path, exc: OSError) -> OutputError:
    return OutputError(f"{out}: cannot write the outputs ({exc.strerror or exc}); the outputs already there are "
                       f"unchanged")


def journal_key(path: Path, options: dict) -> str:
    """What a file's result depends on: the file (path, size, modification time), the options and the version."""
    stat = path.stat()
    what = [str(path.resolve()), stat.st_size, stat.st_mtime_ns, options, __version__]
    return hashlib.sha256(json.dumps(what, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


class Batch:
    """One extract run into OUT/: prepare() before the first file, done() after each, finish() at the end."""

    def __init__(self, out: Path, options: dict):
        self.out = out
        self.options = options
        self.journal = out / JOURNAL

    def prepare(self) -> None:
        """OUT/ made ready: created, writable, an interrupted commit rolled forward, stray temporary files gone."""
        try:
            self.journal.mkdir(parents=True, exist_ok=True)
            for stray in self.journal.glob(".*"):
                stray.unlink()  # a journal entry being written when the process was killed
            roll_forward(self.out)
        except OSError as exc:
            raise output_error(self.out, exc) from exc

    def key(self, path: Path, prefix: str) -> str | None:
        try:
            return journal_key(path, {**self.options, "table_id_prefix": prefix})
        except OSError:
            return None  # missing or unreadable: never journaled, process_file names the problem

    def resumed(self, path: Path, prefix: str) -> FileResult | None:
        """The journaled result of a file finished by an earlier, interrupted run with the same options."""
        key = self.key(path, prefix)
        entry = self.journal / f"{key}.json"
        if key is None or not entry.is_file():
            return None
        try:
            return RESULT.validate_json(entry.read_bytes())
        except (OSError, ValidationError):
            return None  # unreadable or from another version: read the file again

    def done(self, path: Path, prefix: str, result: FileResult) -> None:
        key = self.key(path, prefix)
        if key is None or result.error:
            return  # failures are cheap to repeat, and may be fixed by the next run
        data = RESULT.dump_json(result)
        try:
            atomic_write(self.journal / f"{key}.json", lambda tmp: tmp.write_bytes(data))
        except OSError as exc:
            raise output_error(self.out, exc) from exc

    def finish(self, results: list[FileResult], manifest: dict, complete: bool = True) -> None:
        """Every output of the batch written once, as one unit; the journal removed once the batch is complete
        (an interrupted one keeps it, to go on from)."""
        staging = self.out / STAGING
        try:
            shutil.rmtree(staging, ignore_errors=True)
            write_all(staging, results, manifest)
            (staging / COMPLETE).touch()
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise output_error(self.out, exc) from exc
        roll_forward(self.out)
        if complete:
            shutil.rmtree(self.journal, ignore_errors=True)


def write_all(folder: Path, results: list[FileResult], manifest: dict) -> None:
    write_outputs(folder, [t for r in results for t in r.tables], [f for r in results for f in r.flags], manifest)
    write_articles(folder, [a for r in results for a in r.articles])
    write_report(folder / "report.html", from_results(results))   # and its pictures, in report_files/
    (folder / "tables").mkdir(exist_ok=True)   # present even when no table was found, so it replaces the old one


def roll_forward(out: Path) -> None:
    """A complete staging folder moved into place (every step can be repeated after a kill); an incomplete one
    removed."""
    staging = out / STAGING
    if not (staging / COMPLETE).is_file():
        shutil.rmtree(staging, ignore_errors=True)
        return
    for folder in FOLDERS:
        if (staging / folder).is_dir():
            old = staging / f".old-{folder}"
            if (out / folder).is_dir() and not old.exists():
                os.replace(out / folder, old)
            os.replace(staging / folder, out / folder)
    names = sorted(p.name for p in staging.iterdir() if not p.name.startswith(".") and p.is_file())
    for name in sorted(names, key=lambda n: n == LAST):
        os.replace(staging / name, out / name)
    shutil.rmtree(staging)
