"""report.html as a browser shows it: opened in headless Chromium, its DOM after load is checked."""
import re
import shutil
import subprocess
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLES, SHARED
from extractor.cli import main

SEED_001 = SHARED / "seeds" / "001_650fd2134c289d10.txt"


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium; `make test` installs it (make test-deps)."""
    found = shutil.which("chromium")
    if not found:
        pytest.skip("chromium is not installed: run `make test-deps` (apt-get install chromium, as root)")
    return found


def dom(chromium: str, html, profile) -> str:
    """The DOM after load, in a window tall enough that every lazily loaded picture is in view and loads (the
    virtual time budget lets them arrive before the dump)."""
    run = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                          "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,20000",
                          "--virtual-time-budget=5000", f"--user-data-dir={profile}", "--dump-dom", html.as_uri()],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_extract_report_shows_pages_tables_and_flagged_cells(chromium, tmp_path):
    if not SEED_001.exists():
        pytest.skip("../shared/seeds is not beside the repository")
    out = tmp_path / "out"
    main(["extract", str(SAMPLES / "p01_ruled_3level.pdf"), str(SEED_001), "-o", str(out)])
    page = dom(chromium, out / "report.html", tmp_path / "profile")
    body = re.search(r"<body([^>]*)>", page).group(1)
    images, decoded = (int(re.search(rf'{name}="(\d+)"', body).group(1)) for name in ("data-images", "data-images-decoded"))
    # the PDF page and one crop per flag (the dump has no image), and the browser decoded them all
    assert images == 1 + 2 and decoded == images
    assert page.count('<section class="page"') == 2
    assert page.count('<rect class="table"') == 1          # p01's table outlined
    assert page.count('<g class="mark') == 2                # its two flagged cells marked
    rate = re.search(r'<li class="flag error" data-kind="rate_mismatch" data-severity="error">.*?</li>', page,
                     re.S).group(0)
    assert "孟州市" in rate and ">2.3%<" in rate and ">2.8%<" in rate and 'class="crop"' in rate
    # the dump: its table as text, the flagged figures marked, and the whole text
    assert '<div class="dump">' in page and "焦作市燃气居民用户安全装置加装情况进度表" in page
    assert re.search(r'<td class="mark \w+" data-kind="denominator_mismatch"[^>]*><mark', page)
    assert "denominator_mismatch" in page and "标记（按表格）" in page
    assert body.count("data-flags-shown") == 1 and int(re.search(r'data-flags-shown="(\d+)"', body).group(1)) == 3
    # the filter, preset from the address: only the warnings are shown
    warnings = len(re.findall(r'<li class="flag warning"', page))
    filtered = dom(chromium, SimpleNamespace(as_uri=lambda: (out / "report.html").as_uri() + "#severity=warning"),
                   tmp_path / "profile")
    shown = [severity for severity, rest in re.findall(r'<li class="flag (\w+)"([^>]*)>', filtered)
             if "hidden" not in rest]
    assert warnings >= 1 and shown == ["warning"] * warnings
    assert re.search(r'data-flags-shown="(\d+)"', filtered).group(1) == str(warnings)


def images_of(page: str) -> tuple[int, int]:
    body = re.search(r"<body([^>]*)>", page).group(1)
    return tuple(int(re.search(rf'{name}="(\d+)"', body).group(1)) for name in ("data-images", "data-images-decoded"))


def test_report_of_scans_shows_their_prepared_pages_and_crops(chromium, tmp_path):
    """A batch of scans, one upside down: each page's prepared image, its tables outlined and flagged cells marked,
    every flag with the crop of its cell, as picture files beside the report that the browser shows."""
    upside_down = tmp_path / "p03_upside_down.png"
    with Image.open(SAMPLES / "scans" / "p03_ruled_flat_200dpi.jpg") as image:
        image.transpose(Image.Transpose.ROTATE_180).save(upside_down, dpi=(200, 200))
    out = tmp_path / "out"
    main(["extract", str(upside_down), str(SAMPLES / "scans" / "p02_open_2level_200dpi.jpg"), "-o", str(out)])
    page = dom(chromium, out / "report.html", tmp_path / "profile")
    assert page.count('<section class="page"') == 2 and page.count('<rect class="table"') == 2
    flags = page.count('<li class="flag ')
    assert flags >= 2 and page.count('<g class="mark') == flags and page.count('class="crop"') == flags
    images, decoded = images_of(page)
    assert images == 2 + flags and decoded == images           # every picture there, and decoded
    sources = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert len(sources) == images and all(s.startswith("report_files/") for s in sources)
    assert "base64" not in (out / "report.html").read_text(encoding="utf-8")   # no picture inside the page
    # the upside-down scan is shown upright, at the report's 100 dpi, with its marks in the page's frame
    sheet = "report_files/page2.jpg"   # sections in order of the file names: p02, then p03
    with Image.open(out / sheet) as shown, Image.open(SAMPLES / "scans" / "p03_ruled_flat_200dpi.jpg") as scan:
        assert abs(shown.width - scan.width / 2) <= 2 and abs(shown.height - scan.height / 2) <= 2
        # upright: like the straight scan, unlike the file as it was given (compared coarsely, 1/8 of the size,
        # so that JPEG noise and a pixel's shift from deskewing do not count)
        size = (shown.width // 8, shown.height // 8)
        shown = np.asarray(shown.convert("L").resize(size, Image.Resampling.BOX), dtype=float).ravel()
        straight = np.asarray(scan.convert("L").resize(size, Image.Resampling.BOX), dtype=float)
        assert np.corrcoef(shown, straight.ravel())[0, 1] > 0.6 > 0.3 > np.corrcoef(shown, straight[::-1, ::-1].ravel())[0, 1]
    assert not list(out.glob(".*files*"))                     # nothing left of the writing


def test_archive_report_adds_cross_issue_flags(chromium, tmp_path):
    seeds = sorted((SHARED / "seeds").glob("00[01]_*.txt"))
    if len(seeds) < 2:
        pytest.skip("../shared/seeds is not beside the repository")
    db = tmp_path / "a.duckdb"
    assert main(["ingest", *map(str, seeds), "--db", str(db), "--workers", "1"]) == 0
    assert main(["report", "--db", str(db), "-o", str(tmp_path / "report.html")]) == 0
    page = dom(chromium, tmp_path / "report.html", tmp_path / "profile")
    assert page.count('<section class="page"') == 2
    assert page.count('data-kind="denominator_changed"') >= 1
    assert re.search(r"<td>denominator_changed</td>\s*<td>info</td>", page)
