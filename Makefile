# One command each on a fresh machine: `make test`, `make demo`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY := 0
# Every CloudFormation template of the repository: the stack, and the cross-account roles when present.
TEMPLATES := template.yaml $(sort $(wildcard roles/*.yaml roles/*.yml))
# What `sam build` reads; the build is redone only when one of these changed (and sam's cache skips unchanged
# dependencies).
BUILD_SOURCES := template.yaml samconfig.toml \
	$(shell find functions statemachine -type f -not -path '*/__pycache__/*' -not -name '*.pyc' 2>/dev/null)
BUILT := .aws-sam/build/template.yaml

.PHONY: install test lint validate build demo reliability bench clean

install: $(INSTALLED)

# The functions' pinned requirements constrain the development environment: the tests run on what is deployed.
$(INSTALLED): pyproject.toml functions/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]' --constraint functions/requirements.txt
	touch $(INSTALLED)

# tests/stack/ invokes the built functions; it would build them itself, this keeps the build in one place.
test: $(INSTALLED) $(BUILT)
	$(PY) -m pytest

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The linters do not read the ASL file; tests/test_asl_contract.py covers what they miss.
validate: $(INSTALLED)
	set -e; for template in $(TEMPLATES); do \
		$(VENV)/bin/sam validate --lint --template $$template; \
		$(VENV)/bin/cfn-lint $$template; \
	done

# Every function into .aws-sam/build/<FunctionLogicalId>/ (no Docker, no AWS; dependencies from PyPI, cached).
build: $(BUILT)

$(BUILT): $(INSTALLED) $(BUILD_SOURCES)
	$(VENV)/bin/sam build --cached --parallel
	touch $@

demo: $(INSTALLED)
	$(VENV)/bin/eum-share demo

# The fault matrix, then docs/reliability.md rendered from the figures it wrote (never typed by hand).
RELIABILITY_JSON := out/reliability.json
reliability: $(INSTALLED)
	rm -f $(RELIABILITY_JSON)
	EUM_SHARE_RELIABILITY_JSON=$(RELIABILITY_JSON) $(PY) -m pytest -q tests/faults/test_fault_matrix.py
	$(PY) -m tests.faults.reliability $(RELIABILITY_JSON) docs/reliability.md

# eum-share against the runbook and an all-at-once share, N = 100, 1,000 and 10,000 (or `make bench N=1000`);
# writes benchmarks/results.json and docs/benchmarks.png. About an hour in all: the runbook at 10,000 takes most of it.
bench: $(INSTALLED)
	$(PY) -c "import matplotlib, pyinstrument" 2>/dev/null || $(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m benchmarks $(if $(N),--n $(N))

clean:
	rm -rf $(VENV) .aws-sam .pytest_cache .mypy_cache .ruff_cache
