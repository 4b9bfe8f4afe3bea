# Two commands on a fresh machine: `make demo` and `make test`. Both set up .venv/ first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: setup demo test test-deps bench samples clean lock

# Every package, down to the dependencies of dependencies, is installed at the version in requirements.lock (the
# versions the test suite was last run with), and nothing else: --no-deps keeps pip from resolving anew. The lock
# holds one opencv, opencv-python-headless; rapidocr-onnxruntime asks for opencv-python, a second copy of the same
# cv2 module with GUI libraries, so the lock leaves it out (`pip check` names it; cv2 is there, headless).
LOCK := requirements.lock
# A .venv made before the lock, or an extra's install (bench, samples), may bring opencv-python back: removing it
# removes cv2's files, so headless is reinstalled; then cv2 must import.
ONE_OPENCV = if $(BIN)/pip show -q opencv-python 2>/dev/null; then $(BIN)/pip uninstall -q -y opencv-python && \
	$(BIN)/pip install -q --no-deps --force-reinstall "$$(grep '^opencv-python-headless==' $(LOCK))"; fi; \
	$(BIN)/python -c "import cv2"

setup: $(BIN)/baozhi

$(BIN)/baozhi: pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --no-deps -r $(LOCK)
	$(BIN)/pip install -q --no-deps -e .
	$(ONE_OPENCV)
	touch $@

# Re-resolve every dependency at its newest release (pyproject.toml's ranges) into requirements.lock; then run
# `make test` and commit the lock if it passes.
lock:
	rm -rf .lock-venv && $(PY) -m venv .lock-venv
	.lock-venv/bin/pip install -q --upgrade pip
	.lock-venv/bin/pip install -q '.[test]'
	.lock-venv/bin/pip uninstall -q -y opencv-python
	{ echo "# made by \`make lock\` from pyproject.toml; installed by \`make setup\` with --no-deps"; \
	  .lock-venv/bin/pip freeze --exclude baozhi | grep -v '^opencv-python=='; } > $(LOCK)
	rm -rf .lock-venv build

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
	$(BIN)/pip install -q -c $(LOCK) -e '.[bench,cluster]'
	$(ONE_OPENCV)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/ingest_bench.py
	$(BIN)/python bench/memory_bench.py
	test -f bench/corpus_out/corpus.jsonl || $(MAKE) corpus
	$(BIN)/python bench/corpus_bench.py bench/corpus_out
	$(BIN)/python bench/scan_bench.py --corpus 4 --a2 A2_p02_p04_300

# Re-render the sample pages (needs reportlab and Debian's fonts-wqy-zenhei; the rendered files are committed).
samples: setup
	$(BIN)/pip install -q -c $(LOCK) -e '.[samples]'
	$(ONE_OPENCV)
	$(BIN)/python samples/render.py

clean:
	rm -rf $(OUT) .pytest_cache

# Random newspaper pages with exact truth (bench/corpus.py): needs Debian's CJK fonts (fonts-wqy-zenhei,
# fonts-wqy-microhei, fonts-noto-cjk, fonts-arphic-uming, fonts-arphic-ukai), chromium, wkhtmltopdf and
# libreoffice-writer/-calc. Output in bench/corpus_out/ (ignored by git); corpus-subset rewrites tests/data/corpus/.
.PHONY: corpus corpus-subset
corpus: setup
	$(BIN)/pip install -q -c $(LOCK) -e '.[corpus]'
	$(ONE_OPENCV)
	$(BIN)/python bench/corpus.py --out bench/corpus_out --pdf 300 --scans 100 --seed 1

corpus-subset: setup
	$(BIN)/pip install -q -c $(LOCK) -e '.[corpus]'
	$(ONE_OPENCV)
	$(BIN)/python bench/corpus.py --subset tests/data/corpus --seed 7
