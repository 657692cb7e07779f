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

## run: the suites in parallel on the four simulated benches (pabot shares them out, one per suite);
## log.html, report.html, output.xml and xunit.xml in results/, traces and EOL reports beside them
run: $(STAMP)
	rm -rf results/traces
	$(BIN)/pabot --command $(BIN)/python -m robot --end-command \
	    --processes 4 --pabotlib --pabotlibport 0 --resourcefile resources/benches/simulated.dat \
	    --artifacts blf,asc,json --artifactsinsubfolders \
	    --outputdir results --xunit xunit.xml --name UdsLibrary suites

## test: lint plus every test (unit, simulator, acceptance)
test: $(STAMP) lint
	$(BIN)/python -m pytest tests

## bench: performance figures (ratios against a baseline measured in the same run)
bench: $(STAMP)
	$(BIN)/python bench/run_all.py

## lint: ruff on the Python code, robocop on the Robot files
lint: $(STAMP)
	$(BIN)/ruff check UdsLibrary tests bench
	$(BIN)/robocop check suites tests/acceptance resources
	$(BIN)/robocop format --check suites tests/acceptance resources

## docs: keyword documentation (libdoc) in docs/UdsLibrary.html
docs: $(STAMP)
	@mkdir -p docs
	$(BIN)/python -m robot.libdoc UdsLibrary docs/UdsLibrary.html

clean:
	rm -rf $(VENV) results/* .pytest_cache .ruff_cache .hypothesis
	touch results/.gitkeep
