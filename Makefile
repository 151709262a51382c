# One command each on a fresh machine: `make test`, `make demo`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# uv, pinned by hash in tools/uv.txt, in a folder of its own: `uv sync` keeps .venv exactly as uv.lock says.
TOOLS := .tools
UV := $(TOOLS)/bin/uv
# checkov, pinned by hash in tools/checkov.txt, in a venv of its own: its pins conflict with uv.lock's.
CHECKOV := $(TOOLS)/checkov/bin/checkov
export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY := 0
# The machine's Python 3.11, never one uv would download.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Every CloudFormation template of the repository: the stack, and the cross-account roles when present.
TEMPLATES := template.yaml $(sort $(wildcard roles/*.yaml roles/*.yml))
# What `sam build` reads; the build is redone only when one of these changed (and sam's cache skips unchanged
# dependencies).
BUILD_SOURCES := template.yaml samconfig.toml tools/lambda_build.py \
	$(shell find functions statemachine -type f -not -path '*/__pycache__/*' -not -name '*.pyc' 2>/dev/null)
BUILT := .aws-sam/build/template.yaml
# The functions' target (template.yaml's PythonRuntime and Architecture): `make build ARCHITECTURE=x86_64`. The same
# values go to `sam build` and to functions/Makefile, which installs the wheels for them with the .venv's pip.
PYTHON_RUNTIME ?= python3.13
ARCHITECTURE ?= arm64
export PYTHON_RUNTIME ARCHITECTURE
export BUILD_PYTHON := $(abspath $(PY))
# The suite in parallel processes (pytest-xdist), each with its own offline AWS; tests that share a module's
# expensive setup stay in one process (tests/conftest.py's scheduler). PYTEST_WORKERS=0 runs it in this process.
PYTEST_WORKERS ?= auto
PYTEST := $(PY) -m pytest -n $(PYTEST_WORKERS)
# The quick inner loop: logic, the offline AWS's own tests, the ASL contract, the hostile inputs.
QUICK_TESTS := tests/unit tests/twin tests/hostile tests/test_asl_contract.py

.PHONY: install lock test test-quick lint validate build demo reliability bench clean

install: $(INSTALLED)

$(UV): tools/uv.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --require-hashes --no-deps -r tools/uv.txt
	touch $@

# Exactly uv.lock, nothing else (uv sync removes what the lock does not name); --locked stops when pyproject.toml
# asks for something uv.lock does not have (run `make lock`).
$(INSTALLED): $(UV) uv.lock pyproject.toml
	$(UV) sync --locked --all-extras --python $(PYTHON)
	touch $(INSTALLED)

$(CHECKOV): $(UV) tools/checkov.txt
	rm -rf $(TOOLS)/checkov
	$(UV) venv --quiet --python $(PYTHON) $(TOOLS)/checkov
	$(UV) pip install --quiet --python $(TOOLS)/checkov/bin/python --require-hashes --no-deps -r tools/checkov.txt
	touch $@

# Re-resolve every dependency to the newest version pyproject.toml allows (or only one: `make lock PACKAGE=name`),
# and export the deployed set (the run-time dependencies, without the extras) to functions/requirements.txt.
# Then: make install test.
lock: $(UV)
	$(UV) lock $(if $(PACKAGE),--upgrade-package $(PACKAGE),--upgrade) --python $(PYTHON)
	{ echo "# Exported from uv.lock by \`make lock\`: what \`sam build\` packages with every function, exactly what the"; \
	  echo "# tests ran on. Edit pyproject.toml, then run \`make lock\`; never edit this file by hand."; \
	  $(UV) export --frozen --no-dev --no-emit-project --no-hashes --no-annotate --no-header \
	    | sed -e 's/ ;.*$$//'; } > functions/requirements.txt

# tests/stack/ invokes the built functions; it would build them itself, this keeps the build in one place.
test: $(INSTALLED) $(BUILT)
	$(PYTEST)

test-quick: $(INSTALLED)
	$(PYTEST) $(QUICK_TESTS)

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The linters do not read the ASL file; tests/test_asl_contract.py covers what they miss. checkov reads every
# template and template.yaml as CloudFormation deploys it (the SAM transform applied, tools/sam_expand.py); a
# check that does not apply is skipped in the resource's Metadata, with its reason, never on this command line.
EXPANDED := .aws-sam/expanded/template.expanded.json
validate: $(INSTALLED) $(CHECKOV)
	set -e; for template in $(TEMPLATES); do \
		$(VENV)/bin/sam validate --lint --template $$template; \
		$(VENV)/bin/cfn-lint $$template; \
	done
	$(PY) tools/sam_expand.py template.yaml $(EXPANDED)
	$(CHECKOV) --quiet --compact --skip-download --framework cloudformation \
		$(foreach template,$(TEMPLATES) $(EXPANDED),--file $(template))

# Every function into .aws-sam/build/<FunctionLogicalId>/ for its runtime and architecture (no Docker, no AWS;
# wheels from PyPI, cached). Deploy with the same values: sam deploy --parameter-overrides Architecture=... .
build: $(BUILT)

$(BUILT): $(INSTALLED) $(BUILD_SOURCES)
	$(VENV)/bin/sam build --cached --parallel \
		--parameter-overrides PythonRuntime=$(PYTHON_RUNTIME) Architecture=$(ARCHITECTURE)
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
	$(PY) -m benchmarks $(if $(N),--n $(N))

clean:
	rm -rf $(VENV) $(TOOLS) .aws-sam .pytest_cache .mypy_cache .ruff_cache
