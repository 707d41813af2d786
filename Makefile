# Baoxue: `make run` sets up everything and serves the intranet; `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 0.0.0.0
PORT   ?= 8000
DEMO   ?= 1
THREADS ?= 8
export FLASK_APP := app:create_app

.PHONY: run test bench guide setup system db clean install uninstall update

run: setup db
	@if [ "$(DEMO)" = "1" ]; then $(BIN)/flask demo load --if-empty; fi
	@echo "Baoxue is serving on http://$$(hostname -I 2>/dev/null | awk '{print $$1}' || echo 127.0.0.1):$(PORT)/ (and http://127.0.0.1:$(PORT)/). Ctrl-C stops it."
	$(BIN)/waitress-serve --host=$(HOST) --port=$(PORT) --threads=$(THREADS) --call app:serve

# The whole suite twice, at once: on SQLite files and on a throwaway PostgreSQL server.
test: setup
	@sh scripts/system-packages.sh test
	sh scripts/test-both.sh $(BIN)/python

# pdf_bench.py exits 1 when a batch is over its target (docs/benchmarks.md); the others still run
bench: setup
	-$(BIN)/python bench/pdf_bench.py
	$(BIN)/python bench/print_load.py
	$(BIN)/python bench/dashboard_bench.py
	$(BIN)/python bench/pages.py
	sh scripts/with-postgres.sh $(BIN)/python bench/pages.py --postgres
	$(BIN)/python bench/throttled.py
	$(BIN)/python bench/load.py
	sh scripts/with-postgres.sh $(BIN)/python bench/load.py --postgres
	$(BIN)/python bench/faults.py
	sh scripts/with-postgres.sh $(BIN)/python bench/faults.py --postgres

# The user guide's screenshots (docs/guide/img/), taken by the browser tests.
guide: setup
	@sh scripts/system-packages.sh test
	mkdir -p docs/guide/img
	BAOXUE_GUIDE_SHOTS=$(CURDIR)/docs/guide/img $(BIN)/python -m pytest tests/test_browser.py \
		tests/test_browser_network.py tests/test_browser_health.py

# As root: Baoxue as a system service (service.py): starts at boot, restarts after a crash,
# runs as its own user owning instance/, with the nightly rules run and backup on timers.
# PROCESSES=3 PORT=8001 DATABASE_URL=postgresql://... for a county behind nginx.
PROCESSES ?= 1
install: setup db
	$(BIN)/python service.py install --port=$(PORT) --threads=$(THREADS) \
		--processes=$(PROCESSES) $(if $(DATABASE_URL),--database-url=$(DATABASE_URL),)

# A new version (update.py): backup, git pull, requirements, migrations, restart; when the
# migration fails, the old version and its data come back and the command says so.
update: setup
	$(BIN)/python update.py

# Removes the service and its timers; instance/ (the data and the backups) stays.
uninstall:
	$(BIN)/python service.py uninstall --port=$(PORT) --processes=$(PROCESSES)

setup: system $(VENV)/.installed

system:
	@sh scripts/system-packages.sh

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

db: setup
	$(BIN)/flask db upgrade

clean:
	rm -rf $(VENV) .pytest_cache
