# Two commands on a fresh machine with Python 3.11: `make demo` and `make test`.
# Both create .venv and install the pinned requirements by themselves.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv test demo check build lint notebooks clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

demo: $(STAMP)
	$(BIN)/cvgrade build
	$(BIN)/cvgrade grade hw0 solutions/hw0
	$(BIN)/cvgrade grade hw0 assignments/hw0

check: $(STAMP)
	$(BIN)/cvgrade check

build: $(STAMP)
	$(BIN)/cvgrade build

lint: $(STAMP)
	$(BIN)/ruff check .

notebooks: $(STAMP)
	for generator in solutions/hw*/make_notebook.py; do $(BIN)/python $$generator; done

clean:
	rm -rf dist build *.egg-info
