# Two commands on a fresh machine with Python 3.11: `make demo` and `make test`.
# Both create .venv and install the pinned requirements by themselves.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv test gradescope-test demo check build lint notebooks clean

$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

# Two pytest-xdist workers; the slowest tests first, machine-wide ones in one worker (tests/conftest.py).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadgroup --durations=15

# The bundles where they really run: a clean Debian 12 root (debootstrap, cached in
# /var/cache/cvgrade-image), Gradescope's layout, no CAP_SYS_ADMIN; and a student's set-up in it.
gradescope-test: $(STAMP)
	command -v debootstrap >/dev/null || { apt-get update -q && apt-get install -y -q debootstrap; }
	command -v capsh >/dev/null || { apt-get update -q && apt-get install -y -q libcap2-bin; }
	$(BIN)/python -m pytest -m image -v tests/test_gradescope_image.py

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
	$(BIN)/cvgrade notebooks

clean:
	rm -rf dist build *.egg-info
