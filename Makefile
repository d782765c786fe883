# Two commands do everything on a fresh machine with Python 3.11, pip and make:
#   make demo   install into .venv if needed, then trace the demo corpus and show the result
#   make test   install if needed, then lint and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-heavy lint bench clean lock chromium java

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	touch $(STAMP)

DEMO_OUT := demo-out

demo: install
	rm -f $(DEMO_OUT)/demo.db
	$(BIN)/sourcetrace trace demo/corpus --db $(DEMO_OUT)/demo.db --out $(DEMO_OUT) --html $(DEMO_OUT)/corpus.html
	$(BIN)/sourcetrace origin report_ar#1 --db $(DEMO_OUT)/demo.db
	$(BIN)/sourcetrace compare demo/corpus/report_ar.txt demo/corpus/statement_ar.txt \
		--db $(DEMO_OUT)/demo.db --html $(DEMO_OUT)/report_vs_statement.html
	$(BIN)/sourcetrace diff demo/corpus/statement_2024_en.txt demo/corpus/statement_en.txt --db $(DEMO_OUT)/demo.db
	@echo "Contract files (facts.jsonl, fact_diffs.jsonl too) in $(DEMO_OUT)/; reports: $(DEMO_OUT)/corpus.html, $(DEMO_OUT)/report_vs_statement.html"

lint: install
	$(BIN)/ruff check src tests bench

# Browser tests drive Debian's Chromium (never a browser download): installed here when absent.
CHROMIUM := /usr/bin/chromium

chromium:
	test -x $(CHROMIUM) || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium)

# The suite expects ../shared (the seed corpus, eval/score.py, Tatoeba) beside the project: a test
# needing it fails rather than skips. `make test SOURCETRACE_REQUIRE_SHARED=0` lets those tests skip,
# each with its reason in the summary.
SOURCETRACE_REQUIRE_SHARED ?= 1

# The Spark engine (pyspark 4) runs on Java 17: Debian's headless JRE, installed here when no
# `java` is on the PATH.
java:
	command -v java >/dev/null || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jre-headless)

# Tests run in TEST_WORKERS processes (pytest-xdist), a test file to a process (its module fixtures,
# a Spark context or a browser, start once), the long files first (conftest.LONG_FILES, not xdist's
# files with most tests first); the seed trace is made once for all (conftest.made_once). 1,744 tests:
# 6 min 47 s at load 1.6-4 on 2 cores (one process: 858 s on CI).
TEST_WORKERS ?= 2

test: lint chromium java
	SOURCETRACE_REQUIRE_SHARED=$(SOURCETRACE_REQUIRE_SHARED) $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# The Spark runs make test leaves out (the cluster run loaded into a store, a planted corpus, Parquet loads).
test-heavy: install chromium java
	SOURCETRACE_REQUIRE_SHARED=$(SOURCETRACE_REQUIRE_SHARED) $(BIN)/python -m pytest -q -m heavy

bench: install
	$(BIN)/python bench/read.py

# Refresh the pins after changing dependencies (then commit requirements.lock).
lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean:
	rm -rf $(VENV) build src/*.egg-info
