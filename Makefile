# The two commands of the quickstart: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
export GATEWAY_ENV ?= development

.PHONY: serve worker test lint typecheck pytest bench clean init assets browser

# The portal's front-end files, pinned in package.json/package-lock.json (npm), copied where
# the gateway serves them (gateway/web/static/vendor/, not committed). Licences: README, Portail.
VENDOR := gateway/web/static/vendor
VENDOR_FILES := node_modules/htmx.org/dist/htmx.min.js node_modules/echarts/dist/echarts.common.min.js
VENDOR_LICENCES := htmx.org echarts zrender

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

$(VENDOR)/.installed: package.json package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
	    echo "!!! npm introuvable : htmx, ECharts et axe-core ne sont PAS installés." >&2; \
	    echo "!!! Le portail fonctionne sans JavaScript (sans graphiques) ; les tests navigateur" >&2; \
	    echo "!!! seront ignorés. Installez Node.js et npm (paquet Debian « npm »), puis relancez." >&2; \
	else \
	    npm ci --no-audit --no-fund --ignore-scripts && mkdir -p $(VENDOR) && \
	    cp $(VENDOR_FILES) $(VENDOR)/ && \
	    for package in $(VENDOR_LICENCES); do \
	        cp node_modules/$$package/LICENSE $(VENDOR)/LICENSE-$$package.txt || exit 1; \
	    done && cp node_modules/echarts/NOTICE $(VENDOR)/NOTICE-echarts.txt && touch $@; \
	fi

assets: $(VENDOR)/.installed

# Debian's chromium for the browser tests (installed when missing and possible; else skipped).
browser:
	@bash .ci/chromium

serve: init assets
	@echo "Portail                : http://$(HOST):$(PORT)/"
	@echo "Documentation de l'API : http://$(HOST):$(PORT)/api/v1/docs"
	@echo "Contrôle de santé      : http://$(HOST):$(PORT)/api/v1/health"
	@echo "Clés de démonstration  : instance/demo-keys.json"
	@echo "Comptes du portail     : instance/demo-accounts.json (http://$(HOST):$(PORT)/compte/connexion)"
	HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS) GATEWAY_PUBLIC_URL=$${GATEWAY_PUBLIC_URL:-http://$(HOST):$(PORT)} \
	    $(BIN)/gunicorn -c python:gateway.gunicorn_conf wsgi:app

# The worker of the durable job queue (PostgreSQL: GATEWAY_DATABASE_URL=postgresql+psycopg://...):
# background extracts, and jobs taken up again after a worker died. SQLite needs none.
worker: $(VENV)/.runtime
	$(BIN)/python -m gateway worker

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev
	$(BIN)/mypy

# One pytest process per core (TEST_WORKERS=0 runs them in this one); each file's tests run
# in the same process, so a module's served instance is started once.
TEST_WORKERS ?= auto
pytest: $(VENV)/.dev assets browser
	GATEWAY_ENV=test $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

test: lint typecheck pytest

bench: $(VENV)/.dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache node_modules $(VENDOR)
