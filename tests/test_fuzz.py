"""Fuzzing `extract`: a fixed-seed batch of mutated inputs (truncated, bit-flipped, random bytes, spliced; PDFs,
PNGs and text dumps) must end, file by file, as a result or as one clear failure line naming the file; never a
traceback or an internal error; and the outputs must always parse."""
import json
import random
from collections import Counter

import cv2
import pandas as pd

from conftest import REPO
from extractor.cli import main

SEED = 13
PER_KIND = {"pdf": 90, "png": 50, "txt": 120}
DUMP = ("焦作市燃气报警器安装情况统计表（2022.9.25）\n县市区\t户数\t已安装数\t安装率\t名次\n沁阳市\t100\t50\t50.0%\t2\n"
        "温县\t200\t150\t75.0%\t1\n合计\t300\t200\t66.7%\t\n备注：安装率=已安装数/户数。\n\n"
        "本报讯 记者从市住建局获悉，全市燃气报警器安装工作进展顺利，各县市区按照要求推进。\n").encode("utf-8")


def seeds(tmp_path) -> dict[str, list[bytes]]:
    scan = cv2.imread(str(REPO / "samples" / "scans" / "p03_ruled_flat_200dpi.jpg"), cv2.IMREAD_GRAYSCALE)
    crop = tmp_path / "crop.png"
    cv2.imwrite(str(crop), scan[200:500, 100:600])   # small: a mutant that still decodes is OCR'd quickly
    small = (REPO / "tests" / "data" / "no_table.pdf").read_bytes()
    # a page with a table, and (twice as often) a tiny one: a mutant of the big one that parses takes a second
    return {"pdf": [(REPO / "samples" / "p03_ruled_flat.pdf").read_bytes(), small, small],
            "png": [crop.read_bytes()],
            "txt": [DUMP, DUMP.decode().encode("gb18030"), DUMP.decode().encode("utf-16")]}


def mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    how = rng.choice(["truncate", "flip", "flip", "random", "splice", "zero"])
    if how == "truncate":
        return how, data[:rng.randrange(len(data))]
    if how == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            i = rng.randrange(len(out))
            out[i] ^= 1 << rng.randrange(8)
        return how, bytes(out)
    if how == "random":
        return how, rng.randbytes(rng.randint(1, 4096))
    if how == "zero":   # a run of bytes overwritten, as a bad disk sector would
        i = rng.randrange(len(data))
        return how, data[:i] + b"\x00" * min(512, len(data) - i) + data[i + 512:]
    i, j = sorted(rng.randrange(len(data)) for _ in range(2))
    return how, data[:i] + data[j:] + data[i:j]   # a piece moved


def test_mutated_inputs_end_as_results_or_one_clear_line(tmp_path, capsys):
    rng = random.Random(SEED)
    folder = tmp_path / "fuzz"
    folder.mkdir()
    made = Counter()
    for kind, originals in seeds(tmp_path).items():
        for n in range(PER_KIND[kind]):
            how, data = mutate(rng.choice(originals), rng)
            (folder / f"{kind}{n:03d}_{how}.{kind}").write_bytes(data)
            made[how] += 1
    out = tmp_path / "out"
    code = main(["extract", str(folder), "-o", str(out), "--lang", "en"])  # it reads the English sentences
    err = capsys.readouterr().err
    assert code in (0, 1)
    assert "Traceback" not in err and "internal error" not in err, err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["inputs"]) == sum(PER_KIND.values())
    failed = [i for i in manifest["inputs"] if i["status"] == "failed"]
    for item in failed:   # one line, naming the file
        assert "\n" not in item["error"] and item["source"] in item["error"]
    error_lines = [line for line in err.splitlines() if line.startswith("error ")]
    assert len(error_lines) == len(failed)
    for name in ("cells.csv", "flags.csv", "articles.csv"):
        pd.read_csv(out / name, encoding="utf-8-sig")
    for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        json.loads(line)
    assert "</html>" in (out / "report.html").read_text(encoding="utf-8")
    kinds = Counter(e.split(": ", 1)[1].split(" (")[0] for e in manifest["errors"])
    print(f"fuzzed {sum(PER_KIND.values())} inputs {dict(made)}; {len(failed)} failed: {dict(kinds)}")
