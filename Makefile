# Two commands on a fresh machine: `make demo` (the main job) and `make test` (the suite).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo bot-demo test setup sysdeps bench clean i18n

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[postgres,test]'
	touch $(STAMP)

setup: $(STAMP)

# The main job: a fresh demo database (the Ya'an plan, eight counties, a year of reports,
# photos and locations) served by the admin on http://127.0.0.1:$(PORT)/, with the demo
# logins printed. Another port: make demo PORT=8080.
# `make demo PLAN=zhejiang-2025` builds it on another plan's own places instead
# (tianjin-wushe-demo-2024, tianjin-shequ-zuzhi, zhejiang-2025, gansu-sanshe-pilot).
PORT ?= 5000
demo: $(STAMP)
	$(BIN)/python run_admin.py --demo --port $(PORT) $(if $(PLAN),--plan $(PLAN))

# A worker's whole conversation with the real bot, against a local Bot API server.
bot-demo: $(STAMP)
	$(BIN)/python run_bot.py --demo

test: $(STAMP) sysdeps
	$(BIN)/python -m pytest -q

# Debian's Chromium and CJK fonts for the browser tests (never a downloaded browser build).
sysdeps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-noto-cjk; \
	fi

bench: $(STAMP)
	$(BIN)/python bench/bot_burst.py
	$(BIN)/python bench/dashboard_bench.py
	$(BIN)/python bench/push_bench.py
	$(BIN)/python bench/demo_bench.py
	$(BIN)/python bench/admin_load.py
	$(BIN)/python bench/extract_accuracy.py

clean:
	rm -rf $(VENV) var

# Re-extract msgids from the code and the kinds data file, and merge them into the catalogs.
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _l -k lazy_gettext --no-location --sort-output -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales --no-fuzzy-matching --ignore-obsolete
