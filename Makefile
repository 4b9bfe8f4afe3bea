# Two commands on a fresh machine: `make demo` and `make test`. Both set up .venv/ first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: setup demo test test-deps bench samples clean

setup: $(BIN)/baozhi

$(BIN)/baozhi: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

demo: setup
	$(BIN)/baozhi extract samples/ -o $(OUT)
	@echo "outputs in $(OUT)/: cells.csv flags.csv tables/ articles.jsonl articles.csv report.html manifest.json"

# Debian packages the tests use: chromium opens report.html as a reader would; the OCR tests draw text in WenQuanYi.
test-deps:
	{ command -v chromium >/dev/null && test -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc; } || \
		{ [ "$$(id -u)" = 0 ] && export DEBIAN_FRONTEND=noninteractive && apt-get update -qq && \
		apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; } || \
		echo "chromium or fonts-wqy-zenhei not installed: the report and OCR-font tests will skip"

test: setup test-deps
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/pip install -q -e '.[bench,cluster]'
	$(BIN)/python bench/run.py
	$(BIN)/python bench/ingest_bench.py
	$(BIN)/python bench/memory_bench.py
	test -f bench/corpus_out/corpus.jsonl || $(MAKE) corpus
	$(BIN)/python bench/corpus_bench.py bench/corpus_out

# Re-render the sample pages (needs reportlab and Debian's fonts-wqy-zenhei; the rendered files are committed).
samples: setup
	$(BIN)/pip install -q -e '.[samples]'
	$(BIN)/python samples/render.py

clean:
	rm -rf $(OUT) .pytest_cache

# Random newspaper pages with exact truth (bench/corpus.py): needs Debian's CJK fonts (fonts-wqy-zenhei,
# fonts-wqy-microhei, fonts-noto-cjk, fonts-arphic-uming, fonts-arphic-ukai), chromium, wkhtmltopdf and
# libreoffice-writer/-calc. Output in bench/corpus_out/ (ignored by git); corpus-subset rewrites tests/data/corpus/.
.PHONY: corpus corpus-subset
corpus: setup
	$(BIN)/pip install -q -e '.[corpus]'
	$(BIN)/python bench/corpus.py --out bench/corpus_out --pdf 300 --scans 100 --seed 1

corpus-subset: setup
	$(BIN)/pip install -q -e '.[corpus]'
	$(BIN)/python bench/corpus.py --subset tests/data/corpus --seed 7
