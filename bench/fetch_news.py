"""Bring the real newspaper pages of bench/real/news (third-party files, not committed) onto this machine.

    .venv/bin/python bench/fetch_news.py [--mirror DIR] [--download]

bench/real/news/pages.json names, for each page, the public repository, commit and path it comes from and its
sha256. A page already here with the right hash is kept. Otherwise it is taken from a local git copy of that
repository when one is found under --mirror (DIR/<owner>+<name>/repo or /repo/.git, the layout of a snapshot, or
DIR/<name> as a plain clone), or with --download from raw.githubusercontent.com. A file whose hash differs from
pages.json is not written. Pages that cannot be had are listed; the news bench and tests/test_news_pages.py skip
them with that reason.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NEWS = REPO / "bench" / "real" / "news"
MANIFEST = NEWS / "pages.json"
RAW = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"


def hash_ok(data: bytes, want: str) -> bool:
    """pages.json holds the whole sha256, or a 16-digit prefix where only that was recorded."""
    return hashlib.sha256(data).hexdigest().startswith(want)


def git_dirs(mirror: Path, repo: str) -> list[Path]:
    owner, name = repo.split("/")
    return [d for d in (mirror / f"{owner}+{name}" / "repo" / ".git", mirror / f"{owner}+{name}" / "repo",
                        mirror / name / ".git") if (d / "objects").is_dir()]


def from_git(source: dict, mirror: Path) -> bytes | None:
    for git_dir in git_dirs(mirror, source["repo"]):
        run = subprocess.run(["git", f"--git-dir={git_dir}", "show", f"{source['commit']}:{source['path']}"],
                             capture_output=True)
        if run.returncode == 0:
            return run.stdout
    return None


def from_github(source: dict) -> bytes | None:
    url = RAW.format(repo=source["repo"], commit=source["commit"], path=urllib.parse.quote(source["path"]))
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            return answer.read()
    except OSError:
        return None


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirror", type=Path, default=Path("/work/.mirror"), help="where local git copies live")
    ap.add_argument("--download", action="store_true", help="fetch missing pages from raw.githubusercontent.com")
    args = ap.parse_args(argv)
    missing = []
    for name, source in json.loads(MANIFEST.read_text(encoding="utf-8")).items():
        target = NEWS / name
        if target.exists() and hash_ok(target.read_bytes(), source["sha256"]):
            continue
        data = from_git(source, args.mirror)
        if data is None and args.download:
            data = from_github(source)
        if data is None or not hash_ok(data, source["sha256"]):
            why = "no copy found" if data is None else "sha256 differs from pages.json"
            missing.append(f"{name}: {why} ({source['repo']} @ {source['commit'][:12]} : {source['path']})")
            continue
        target.write_bytes(data)
        print(f"{name}: written")
    for line in missing:
        print(line, file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
