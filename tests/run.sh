#!/usr/bin/env bash
# The whole suite: Python tests (knowledge, bot, handover; SQLite and PostgreSQL) and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export BUERGERBOT_TEST_POSTGRES_URL="${BUERGERBOT_TEST_POSTGRES_URL:-postgresql+psycopg2://postgres@127.0.0.1:5432/test}"
export BUERGERBOT_TEST_REDIS_URL="${BUERGERBOT_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
# Browser tests (agent console, widget) in the system Chromium; node's test runner prints its own summary.
# `make test` installed the npm packages already (install-browser); install only when run on its own.
(cd tests/browser && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && node --test)
