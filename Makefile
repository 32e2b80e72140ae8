# The two commands a new user needs: `make demo` and `make test`. Both install what is missing first
# and are fast when everything is already there.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
export PREFECT_HOME ?= $(CURDIR)/.cache/prefect
export OMP_THREAD_LIMIT ?= 1
# No phoning home from Prefect (the center's machines have no internet)
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY ?= false
export DO_NOT_TRACK ?= 1

.PHONY: setup setup-python servers stop status demo test check lint format screenshots bench-ocr bench-metadata bench-search bench-flow bench-textlayer

setup:  ## install Debian packages, the Python venv, Elasticsearch and the S3 server (skips what is there)
	infra/setup.sh all

setup-python:  ## only the Python venv (what `make check` needs)
	infra/setup.sh python

servers: setup  ## start Elasticsearch and the S3 server on loopback
	infra/servers.sh start

stop:  ## stop the servers started by `make servers` or `make demo` (the web viewer too)
	infra/servers.sh stop

status:
	infra/servers.sh status

demo: servers  ## digitize the bundled samples, search them, start the web viewer on loopback (servers stay up)
	$(VENV)/bin/sohoa demo
	infra/servers.sh start-web
	@echo "sohoa serve: $$(cat .cache/run/web/url)  ($$(tr '\n' ' ' < .cache/run/web/demo-login.txt))"
	@echo "stop everything with: make stop"

lint:  ## style, and the layering check (a lower layer never imports an upper one)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

check: setup-python lint  ## the fast lane: lint and the unit tests, no servers (under a minute)
	$(PY) -m pytest -q -p no:cacheprovider -m "not servers and not slow" $(PYTEST_ARGS)

format:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: setup  ## lint, then the whole suite against real servers (started and stopped around it)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	infra/servers.sh run -- $(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

screenshots: setup  ## the browser test, saving docs/web-record.png and docs/web-review.png
	SOHOA_SCREENSHOTS=docs infra/servers.sh run -- $(PY) -m pytest -q -p no:cacheprovider tests/test_web_browser.py

bench-ocr: setup
	$(PY) benchmarks/ocr.py

bench-metadata: setup
	$(PY) benchmarks/metadata.py

bench-search: servers
	$(PY) benchmarks/search.py

bench-flow: servers
	$(PY) benchmarks/flow.py

bench-textlayer: setup  ## born-digital PDFs: text-layer path against OCR, signatures
	$(PY) benchmarks/textlayer.py
