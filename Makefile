# roi_kit: `make demo` and `make test` work on a fresh machine (they set up first).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-stamp
CHROMIUM ?= /usr/bin/chromium
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup browser demo test lint bench lab app clean

## setup: virtualenv with roi_kit and its test tools, plotly.js bundle (quick when already done)
setup: $(STAMP)

$(STAMP): pyproject.toml scripts/fetch_plotly_bundle.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) scripts/fetch_plotly_bundle.py
	touch $(STAMP)

## browser: Debian's chromium for the browser tests and PDF export (no browser download), with
## poppler's pdftotext and the Liberation fonts the print-layout tests measure with
browser:
	@test -x $(CHROMIUM) && test -x /usr/bin/pdftotext && test -d /usr/share/fonts/truetype/liberation || { \
	  echo "installing Debian's chromium, poppler-utils and fonts-liberation (needs apt and root)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium poppler-utils fonts-liberation >/dev/null) \
	  || { echo "error: could not install chromium, poppler-utils and fonts-liberation: the browser and print tests cannot run" >&2; exit 1; }; }

## demo: a board report per sample business unit and the portfolio page, in reports/demo/
demo: setup
	$(BIN)/roi-kit batch templates/units/demo -o reports/demo
	@echo "Portfolio: reports/demo/index.html"

## test: the whole suite, notebooks included
test: setup browser
	$(BIN)/pytest -q -n 2 --dist loadfile tests
	$(BIN)/pytest -q --nbval-lax notebooks --nbval-sanitize-with tests/nbval_sanitize.cfg

lint: setup
	$(BIN)/ruff check roi_kit tests bench

## bench: speed and size figures against the naive way, measured in the same run
bench: setup
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

## lab: JupyterLab in the project's environment, rooted at the project (units/ and reports/ open
## from it), its kernel and widgets; notebooks are saved without outputs (strip_outputs)
lab: setup
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (roi_kit)" >/dev/null
	$(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) --ServerApp.ip=127.0.0.1 \
	  --ContentsManager.pre_save_hook=roi_kit.form.app.strip_outputs \
	  --LabApp.default_url=/lab/tree/notebooks/build_case.ipynb \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

## app: the CX leader's form as a page of its own (Voilà on 127.0.0.1: no code, nothing fetched
## from outside); APP_PORT=8866 by default
APP_PORT ?= 8866
app: setup
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (roi_kit)" >/dev/null
	$(PY) -m roi_kit.form.app --root $(CURDIR) --port $(APP_PORT)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
