"""The outputs of one `extract` batch, kept whole whatever happens to the process.

While the batch runs, OUT/ is left as it was; each input's pages go into the journal, OUT/.partial/, as they are
done, one JSON line a page (<key>.pages.jsonl), and when the file is done its summary (<key>.json); the key is what
determines the file's result (path, size, mtime, options, table-id prefix, version). So no page's findings stay in
memory once written: a 500-page PDF takes the memory of one page. At the end (or on Ctrl-C) every output is written
once from the journal, a page at a time, into OUT/.staging/, which is marked complete and then moved into place; a
staging folder found complete on the next run is moved into place first (rolled forward), one found incomplete is
discarded. So a reader of OUT/ finds either the previous batch's outputs or this one's, every file listed in one of
them in all of them, and a killed batch run again with the same inputs takes its finished files from the journal
instead of reading them again.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from extractor import __version__
from extractor.export import atomic_write, write_outputs
from extractor.export_articles import write_articles
from extractor.export_formats import write_table_formats
from extractor.pipeline import FileSummary, PageResult
from extractor.report import files_folder, from_run, write_report

JOURNAL = ".partial"
STAGING = ".staging"
COMPLETE = ".complete"          # in STAGING: every output is written, it may be moved into place
# moved in whole (tables/, report_files/); in STAGING, .old-NAME is the previous one, set aside
FOLDERS = ("tables", files_folder(Path("report.html")).name)
LAST = "manifest.json"          # moved last: a manifest in OUT/ means the outputs beside it are its own

PAGES = ".pages.jsonl"            # an input's pages, one PageResult a line; beside it <key>.json, its summary
SUMMARY = TypeAdapter(FileSummary)


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


class Entry:
    """One input of the batch: its summary, and its pages read back from the journal, one at a time (a failed
    input has none: nothing of it is in the outputs)."""

    def __init__(self, summary: FileSummary, pages: Path | None):
        self.summary = summary
        self.path = pages
        self.offsets: dict[int, list[int]] | None = None   # page number → where its lines start (views too)

    def __iter__(self) -> Iterator[PageResult]:
        if self.path is None:
            return
        offsets: dict[int, list[int]] = {}
        at = 0
        with self.path.open("rb") as f:
            for line in f:
                page = PageResult.model_validate_json(line)
                offsets.setdefault(page.page, []).append(at)
                at += len(line)
                yield page
        self.offsets = offsets

    def at(self, page: int) -> list[PageResult]:
        """The results of one page (and of its turned views), read again (report.html draws a page at a time)."""
        if self.offsets is None:
            for _ in self:
                pass
        if self.path is None or not self.offsets:
            return []
        with self.path.open("rb") as f:
            found = []
            for offset in self.offsets.get(page, []):
                f.seek(offset)
                found.append(PageResult.model_validate_json(f.readline()))
            return found


class Batch:
    """One extract run into OUT/: prepare() before the first file, resumed() or read() for each, finish() at the
    end."""

    def __init__(self, out: Path, options: dict):
        self.out = out
        self.options = options
        self.journal = out / JOURNAL
        self.entries: list[Entry] = []

    @property
    def summaries(self) -> list[FileSummary]:
        return [e.summary for e in self.entries]

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
            return None  # missing or unreadable: never journaled, process_pages names the problem

    def resumed(self, path: Path, prefix: str) -> FileSummary | None:
        """The journaled summary of a file finished by an earlier, interrupted run with the same options (its pages
        are read when the outputs are written)."""
        key = self.key(path, prefix)
        if key is None or not (self.journal / f"{key}{PAGES}").is_file():
            return None
        try:
            summary = SUMMARY.validate_json((self.journal / f"{key}.json").read_bytes())
        except (OSError, ValidationError):
            return None  # pages without a summary (killed between the two), or another version: read it again
        self.entries.append(Entry(summary, self.journal / f"{key}{PAGES}"))
        return summary

    def read(self, path: Path, prefix: str, pages: Callable[[FileSummary], Iterator[PageResult]]) -> FileSummary:
        """pages(summary): the file's pages as they are done (extractor.pipeline.process_pages), each written to the
        journal at once; the summary written once they end, which makes the entry one to resume from. A file that
        failed leaves nothing: failures are cheap to repeat, and may be fixed by the next run."""
        summary = FileSummary(source=path.name, path=str(path))
        key = self.key(path, prefix)
        # a file that cannot be stat'ed fails, but its entry needs a name while its pages are read
        entry = self.journal / f"{key or hashlib.sha256(str(path).encode()).hexdigest()[:32]}{PAGES}"
        try:
            fd, tmp = tempfile.mkstemp(prefix=".tmp.", dir=self.journal)
            try:
                with os.fdopen(fd, "wb") as f:
                    for page in pages(summary):
                        f.write(page.model_dump_json().encode() + b"\n")
                if summary.error:   # none of its pages is written out, so none is listed
                    os.unlink(tmp)
                    summary.table_ids, summary.flags_by_kind, summary.article_count = [], {}, 0
                    self.entries.append(Entry(summary, None))
                    return summary
                os.chmod(tmp, 0o644)
                os.replace(tmp, entry)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            if key is not None:
                data = SUMMARY.dump_json(summary)
                atomic_write(self.journal / f"{key}.json", lambda t: t.write_bytes(data))
        except OSError as exc:
            raise output_error(self.out, exc) from exc
        self.entries.append(Entry(summary, entry))
        return summary

    def finish(self, manifest: dict, formats: list[str], complete: bool = True) -> None:
        """Every output of the batch written once, as one unit; the journal removed once the batch is complete
        (an interrupted one keeps it, to go on from)."""
        staging = self.out / STAGING
        try:
            shutil.rmtree(staging, ignore_errors=True)
            write_all(staging, self.entries, manifest, formats)
            (staging / COMPLETE).touch()
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise output_error(self.out, exc) from exc
        roll_forward(self.out)
        if complete:
            shutil.rmtree(self.journal, ignore_errors=True)


class Passes:
    """What each(page) gives for every page of the entries, in input order, read from the journal anew on each
    pass: an output goes through it once or more, one page in memory at a time."""

    def __init__(self, entries: list[Entry], each: Callable[[PageResult], list]):
        self.entries, self.each = entries, each

    def __iter__(self) -> Iterator:
        return (item for entry in self.entries for page in entry for item in self.each(page))


def write_all(folder: Path, entries: list[Entry], manifest: dict, formats: list[str]) -> None:
    tables = Passes(entries, lambda page: page.tables)
    write_outputs(folder, tables, Passes(entries, lambda page: page.flags), manifest)
    write_articles(folder, Passes(entries, lambda page: [page.articles]))
    write_report(folder / "report.html", from_run(entries))   # and its pictures, in report_files/
    if set(formats) - {"csv"}:   # a pass over the journal only when a format beside the CSV is asked for
        write_table_formats(folder, tables, formats)
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
