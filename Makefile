# Two commands do everything on a fresh machine: `make run` and `make test`.
# Each step is guarded by a stamp or lock file so a second call installs nothing.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
VENV_RASA := .venv-rasa
PY := $(VENV)/bin/python
RASA := $(VENV_RASA)/bin/rasa
BUERGERBOT := $(VENV)/bin/buergerbot
STAMPS := .stamps
# `make run HOST=0.0.0.0 PORT=8080 RASA_PORT=5006`; unset, they come from the settings (BUERGERBOT_HOST,
# BUERGERBOT_PORT, BUERGERBOT_RASA_URL in the environment or .env; defaults 127.0.0.1, 8000, 5005).
HOST ?=
PORT ?=
RASA_PORT ?=

.PHONY: run test install install-main install-rasa install-widget install-browser index train widget \
        bench-knowledge bench-bot bench-handover lock-rasa clean

install: install-main install-rasa install-widget

install-main: $(STAMPS)/main
install-rasa: $(STAMPS)/rasa
install-widget: $(STAMPS)/widget
install-browser: $(STAMPS)/browser

$(STAMPS)/main: pyproject.toml
	@mkdir -p $(STAMPS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# The CPU build of torch first, or sentence-transformers pulls gigabytes of CUDA packages.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# Rasa 3.6.21 declares Python < 3.11 but runs on 3.11: install it without its dependency resolution,
# then the locked set of its requirements (bot/requirements-rasa.txt, kept by `make lock-rasa`).
$(STAMPS)/rasa: bot/requirements-rasa.txt
	@mkdir -p $(STAMPS)
	test -x $(VENV_RASA)/bin/python || $(PYTHON) -m venv $(VENV_RASA)
	$(VENV_RASA)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_RASA)/bin/python -m pip install --quiet --no-deps --ignore-requires-python rasa==3.6.21 rasa-sdk==3.6.2
	$(VENV_RASA)/bin/python -m pip install --quiet --no-deps -r bot/requirements-rasa.txt
	$(RASA) --version
	touch $@

lock-rasa:
	{ echo "# Rasa 3.6.21 environment for .venv-rasa (Python 3.11). Written by 'make lock-rasa'; installed with --no-deps."; \
	  echo "# rasa and rasa-sdk themselves are installed first with --no-deps --ignore-requires-python (see Makefile)."; \
	  echo "# jsonschema stays at 3.2.0 (Rasa allows >=3.2,<4.18): Rasa validates every action server response with"; \
	  echo "# jsonschema.validate(), which re-checks the schema each time; 4.x checks it against the 2020-12 metaschema,"; \
	  echo "# about 11 ms per custom action call, 3.2.0 against draft 7 in about 1.5 ms (make bench-bot)."; \
	  $(VENV_RASA)/bin/python -m pip freeze --all | grep -vE '^(rasa|rasa-sdk|rasa_sdk|pip)=='; } > bot/requirements-rasa.txt

$(STAMPS)/widget: widget/package.json widget/package-lock.json
	@mkdir -p $(STAMPS)
	cd widget && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(STAMPS)/browser: tests/browser/package.json tests/browser/package-lock.json
	@mkdir -p $(STAMPS)
	test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Both browser bundles: the widget (widget/src -> /widget.js) and the agent console
# (handover/console/src -> /static/console/console.js); see widget/build.mjs.
widget: install-widget
	cd widget && npm run --silent build

index: install-main
	$(BUERGERBOT) knowledge index

train: install-main install-rasa
	$(PY) -m bot.training --rasa $(RASA)

run: install index train widget
	$(PY) -m handover.shell.run --rasa $(abspath $(RASA))$(if $(HOST), --host $(HOST))$(if $(PORT), --port $(PORT))$(if $(RASA_PORT), --rasa-port $(RASA_PORT))

test: install install-browser index train widget
	bash tests/run.sh

bench-knowledge: install-main
	$(BUERGERBOT) knowledge bench --shared ../shared/eval/de-covid-faq --out benchmarks/results/knowledge.json

bench-bot: install train
	$(PY) -m benchmarks.bot --rasa $(RASA) --out benchmarks/results/bot.json

bench-handover: install-main
	$(PY) -m benchmarks.handover --out benchmarks/results/handover.json

# First answer vs. later answers in the real browser (Debian Chromium), with the real app and Rasa.
.PHONY: bench-first-answer
bench-first-answer: install install-browser index train widget
	node benchmarks/first_answer.mjs --out benchmarks/results/first_answer.json

# Capacity with one and two Rasa processes (needs the PostgreSQL and Redis of tests/run.sh; README "Capacity").
# Dialogue quality through the real path on the Musterstadt dev set (../shared/eval/municipal-dev; README "Answers").
.PHONY: bench-dialogue
bench-dialogue: install index train
	$(PY) -m benchmarks.dialogue --rasa $(RASA) --out benchmarks/results/dialogue.json

# Questions in English, Turkish, Ukrainian and Arabic through the real path, the widget in German: right article
# reached, reply in the citizen's language (issue 14; README "Languages").
.PHONY: bench-languages
bench-languages: install index train
	$(PY) -m benchmarks.languages --rasa $(RASA) --out benchmarks/results/languages.json

# Rasa NLU cross-validation per language on the core intents (issue 14; README "Languages"; ~10 min on 2 cores).
.PHONY: bench-nlu
bench-nlu: install
	$(PY) -m benchmarks.nlu_languages --rasa $(RASA) --out benchmarks/results/nlu_languages.json

.PHONY: bench-load
bench-load: install train
	$(PY) -m benchmarks.load --rasa $(RASA) --out benchmarks/results/load.json

# Insights reports on 200,000 sample conversations (the PostgreSQL of tests/run.sh; docs/insights.md "Scale").
.PHONY: bench-insights
bench-insights: install-main index
	$(PY) -m benchmarks.insights --out benchmarks/results/insights.json

clean:
	rm -rf $(STAMPS) var bot/models widget/node_modules tests/browser/node_modules test-artifacts handover/static/widget.js \
	       handover/static/console/console.js
