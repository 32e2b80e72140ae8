# The two commands a new user needs: `make demo` and `make test`. Both install what is missing first
# and are fast when everything is already there.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
export PREFECT_HOME ?= $(CURDIR)/.cache/prefect
export OMP_THREAD_LIMIT ?= 1
# Prefect's temporary API server gets 20 s to start by default, which a busy 2-core machine misses
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120

.PHONY: setup servers stop status demo test lint format bench-ocr bench-metadata bench-search bench-flow

setup:  ## install Debian packages, the Python venv, Elasticsearch and the S3 server (skips what is there)
	infra/setup.sh all

servers: setup  ## start Elasticsearch and the S3 server on loopback
	infra/servers.sh start

stop:  ## stop the servers started by `make servers` or `make demo`
	infra/servers.sh stop

status:
	infra/servers.sh status

demo: servers  ## digitize the bundled sample scans end to end and search them (servers stay up)
	$(VENV)/bin/sohoa demo

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: setup  ## lint, then the whole suite against real servers (started and stopped around it)
	$(VENV)/bin/ruff check .
	infra/servers.sh run -- $(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

bench-ocr: setup
	$(PY) benchmarks/ocr.py

bench-metadata: setup
	$(PY) benchmarks/metadata.py

bench-search: servers
	$(PY) benchmarks/search.py

bench-flow: servers
	$(PY) benchmarks/flow.py
