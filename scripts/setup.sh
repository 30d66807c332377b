#!/usr/bin/env bash
# Set up a fresh machine for this project; safe to run again (it only does what is missing).
#   bash scripts/setup.sh          Python 3.11+ virtual environment (.venv) with the pinned packages
#   bash scripts/setup.sh --test   the same, plus Debian's chromium and fonts-noto-cjk for the
#                                  browser tests and chart image export, poppler-utils for the
#                                  briefing PDF's test, and libreoffice-calc for the round trip of
#                                  the templates through real office software (installs with apt-get as root)
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "setup: Python 3.11 or newer is needed (found: $("$PY" --version 2>&1)). Set PYTHON=/path/to/python3.11." >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    .venv/bin/python -m pip install --disable-pip-version-check --quiet --upgrade pip
    .venv/bin/python -m pip install --disable-pip-version-check --quiet -r requirements.txt
    echo "$want" > "$stamp"
fi

# docs/datasets.md is generated from the contracts (data/datasets.toml), not kept in git.
.venv/bin/python scripts/make_dataset_docs.py >/dev/null

if [ "${1:-}" = "--test" ]; then
    missing=()
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    command -v pdftoppm >/dev/null || missing+=(poppler-utils)  # renders the briefing PDF in its test
    if ! (command -v fc-list >/dev/null && fc-list | grep -qi "Noto Sans CJK"); then
        missing+=(fonts-noto-cjk)
    fi
    command -v soffice >/dev/null || missing+=(libreoffice-calc)
    if [ ${#missing[@]} -gt 0 ]; then
        if [ "$(id -u)" = 0 ]; then
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
        elif command -v sudo >/dev/null; then
            sudo apt-get update -qq
            sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
        else
            echo "setup: please install the Debian packages: ${missing[*]}" >&2
            exit 1
        fi
    fi
fi
