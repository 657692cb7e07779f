# UdsLibrary: every target sets up .venv itself, so a fresh clone needs only Python >= 3.10 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench lint docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

venv: $(STAMP)

## run: the main job on the simulated bench
run: $(STAMP)
	$(BIN)/python -m UdsLibrary.simulator.demo --output results

## test: lint plus every test (unit, simulator, acceptance)
test: $(STAMP) lint
	$(BIN)/python -m pytest tests

## bench: performance figures (ratios against a baseline measured in the same run)
bench: $(STAMP)
	$(BIN)/python bench/run_all.py

## lint: ruff on the Python code
lint: $(STAMP)
	$(BIN)/ruff check UdsLibrary tests bench

docs: $(STAMP)
	@mkdir -p docs
	@echo "keyword documentation arrives with the keyword library"

clean:
	rm -rf $(VENV) results/* .pytest_cache .ruff_cache .hypothesis
	touch results/.gitkeep
