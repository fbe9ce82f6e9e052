# The two commands of the quickstart: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
export GATEWAY_ENV ?= development

.PHONY: serve test lint typecheck pytest bench clean init

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

init: $(VENV)/.runtime
	$(BIN)/python -m gateway init --demo

serve: init
	@echo "Documentation de l'API : http://$(HOST):$(PORT)/api/v1/docs"
	@echo "Contrôle de santé      : http://$(HOST):$(PORT)/api/v1/health"
	@echo "Clés de démonstration  : instance/demo-keys.json"
	HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS) $(BIN)/gunicorn -c python:gateway.gunicorn_conf wsgi:app

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev
	$(BIN)/mypy

pytest: $(VENV)/.dev
	GATEWAY_ENV=test $(BIN)/python -m pytest

test: lint typecheck pytest

bench: $(VENV)/.dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
