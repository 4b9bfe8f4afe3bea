"""The Python API: the README's example as written, Documents and their DataFrames."""
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import baozhi
from conftest import REPO

SAMPLE = REPO / "samples" / "p01_ruled_3level.pdf"


def readme_python() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.search(r"## Python API\n\n```python\n(.*?)```", text, re.S).group(1)


def test_the_readme_example_runs_as_written():
    run = subprocess.run([sys.executable, "-c", readme_python()], cwd=REPO, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "焦作市燃气居民用户安全装置加装情况统计表 2022-09-25 户"
    assert lines[1] == "14.9"
    assert lines[2].startswith("error rate_mismatch 孟州市 燃气报警器/管道气 安装率：")
    assert lines[-1] == "1 1 4"


@pytest.mark.parametrize("as_given", [str, Path])
def test_extract_takes_str_or_path_and_gives_frames_with_the_header_paths(as_given):
    doc = baozhi.extract(as_given(SAMPLE))
    assert doc.kind == "pdf" and len(doc.tables) == 1 and [p.number for p in doc.pages] == [1]
    df = doc.tables[0].df
    assert isinstance(df.columns, pd.MultiIndex) and df.columns.nlevels == 3
    assert df.index.name == "县（市、区）" and "温 县" in df.index
    assert df.loc["温 县", ("燃气报警器", "管道气", "已安装数")] == 4378
    assert str(df[("燃气报警器", "管道气", "户数")].dtype) == "Int64"
    assert [f.severity.value for f in doc.flags] == sorted((f.severity.value for f in doc.flags),
                                                           key=["error", "warning", "info"].index)
    assert doc.pages[0].flags == doc.flags and len(doc.articles) == len(doc.pages[0].articles.articles)


def test_an_unreadable_file_raises_with_its_name_and_read_document_does_not():
    with pytest.raises(baozhi.ExtractError, match="corrupt.pdf"):
        baozhi.extract(REPO / "tests" / "data" / "corrupt.pdf")
    doc = baozhi.read_document(str(REPO / "tests" / "data" / "corrupt.pdf"))
    assert "corrupt.pdf" in doc.error and doc.tables == []


def test_pages_and_password():
    locked = REPO / "tests" / "data" / "encrypted_password_baozhi.pdf"  # samples/p03 under qpdf, password baozhi
    with pytest.raises(baozhi.ExtractError, match="已加密"):
        baozhi.extract(locked)
    with pytest.raises(baozhi.ExtractError, match="密码不对"):
        baozhi.extract(locked, password="wrong")
    assert len(baozhi.extract(locked, password="baozhi").tables) == 1
    with pytest.raises(baozhi.ExtractError, match="没有第 2 页"):
        baozhi.extract(SAMPLE, pages=[2])
