# deskhire: `make run` starts the local stack, `make test` runs the suite. Both install what is
# missing first (a virtualenv with the pinned packages, DynamoDB Local and the portal's CSS/JS
# from npm), so a fresh clone needs nothing else but Python 3.11, Node.js/npm and Java 17.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
ASSETS := templates/static/pico.min.css templates/static/htmx.min.js
# What only the tests use, vendored the same way: axe-core for the accessibility test (tests/browser).
TEST_ASSETS := tests/browser/axe.min.js

.PHONY: install run test bench lint format package clean admin job

install: $(PY_STAMP) $(NODE_STAMP) $(ASSETS) $(TEST_ASSETS)

$(PY_STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed: apt-get install -y python3 python3-venv (or set PYTHON=)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed: apt-get install -y nodejs npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The portal's CSS and JS are vendored from the npm registry at install time; nothing comes from a CDN.
templates/static/pico.min.css: $(NODE_STAMP)
	cp node_modules/@picocss/pico/css/pico.min.css $@
templates/static/htmx.min.js: $(NODE_STAMP)
	cp node_modules/htmx.org/dist/htmx.min.js $@
# axe-core from the npm registry (pinned in package.json), injected into pages by the browser tests;
# never served by the portal, never from a CDN.
tests/browser/axe.min.js: $(NODE_STAMP)
	cp node_modules/axe-core/axe.min.js $@

run: install
	$(PY) -m local.run

# One worker per core (pytest-xdist; each worker starts its own DynamoDB Local and portal), work
# stolen by idle workers so that the long tests do not leave one worker alone at the end; the 15
# slowest tests printed so that the suite's time stays in sight, and every skip with its reason (-rs).
test: install
	$(PY) -m pytest -n auto --dist worksteal --durations=15 -rs

bench: install
	$(PY) -m bench.run

# pyright (pinned; [tool.pyright] in pyproject.toml) checks app.py, chalicelib/ and local/ in standard
# mode, and the domain and the Stripe adapter strictly: against the pinned SDK's typed params, a
# parameter the API version does not have is a lint error.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pyright

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Chalice zips only app.py, chalicelib/ and vendor/: templates/ reaches the Lambda as vendor/templates.
# The REST API is then folded into `/` and `/{proxy+}` with one ANY method each (local/api_template.py:
# API Gateway's 300 resources per REST API, CloudFormation's 1 MB), and the zip gets its bytecode.
package: install
	rm -rf vendor/templates dist
	mkdir -p vendor
	cp -r templates vendor/templates
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} $(VENV)/bin/chalice package --stage prod --merge-template infra/template.yaml dist
	$(PY) -m local.api_template dist/sam.yaml
	$(PY) -m local.compile_package dist/deployment.zip

clean:
	rm -rf $(VENV) node_modules vendor dist $(ASSETS) $(TEST_ASSETS) .pytest_cache .ruff_cache .hypothesis

# A platform operator, from the command line only: make admin EMAIL=ops@example.com [NAME="..."]
admin: install
	@test -n "$(EMAIL)" || { echo "usage: make admin EMAIL=ops@example.com [NAME=\"Ops Person\"]"; exit 2; }
	$(PY) -m local.admin --email "$(EMAIL)" --name "$(or $(NAME),deskhire operator)"

# A scheduled job by hand: make job JOB=lock-week [WEEK=2026-W48] [AT=2026-12-01T10:00:00Z]
job: install
	@test -n "$(JOB)" || { $(PY) -m local.jobs --list; echo "usage: make job JOB=<name> [WEEK=2026-W48] [AT=...] [FROM=2026-03-01 TO=2026-03-31]"; exit 2; }
	$(PY) -m local.jobs "$(JOB)" $(if $(WEEK),--week "$(WEEK)") $(if $(AT),--at "$(AT)") $(if $(FROM),--from "$(FROM)") $(if $(TO),--to "$(TO)")
