#!/usr/bin/env bash
# Sets up a machine to run and test the project: system packages, .venv, Python packages.
# Idempotent and quiet when everything is in place; `make` runs it before every verb.
#
#   PYTHON=python3.12 bash scripts/bootstrap.sh   # another interpreter (default python3)
#   SKIP_BROWSER=1 bash scripts/bootstrap.sh      # do not require chromium (browser tests)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PY="${PYTHON:-python3}"
VENV=.venv

say() { echo "bootstrap: $*" >&2; }
die() {
    for line in "$@"; do echo "bootstrap: $line" >&2; done
    exit 1
}

# --- Python >= 3.11 ---------------------------------------------------------------------------
command -v "$PY" >/dev/null 2>&1 ||
    die "Python が見つかりません（$PY）。Python 3.11 以上をインストールしてください。" \
        "Python not found ($PY). Install Python 3.11 or newer, or set PYTHON=/path/to/python3.11."
py_version="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    die "Python 3.11 以上が必要です（$PY は $py_version）。" \
        "Python 3.11 or newer is required ($PY is $py_version). Set PYTHON=/path/to/python3.11."

# --- virtualenv (tried first: whether `python -m venv` works decides if python3-venv is needed) --
venv_ok() {
    [[ -x "$VENV/bin/python" && -x "$VENV/bin/pip" ]] &&
        "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}

if ! venv_ok && [[ -e "$VENV" ]]; then
    say "$VENV is unusable (broken, no pip, or Python < 3.11): recreating it"
    rm -rf "$VENV"
fi
need_venv_pkg=""
if [[ ! -e "$VENV" ]]; then
    say "creating $VENV with $PY ($py_version)"
    if ! "$PY" -m venv "$VENV" >/dev/null 2>&1; then
        rm -rf "$VENV"
        need_venv_pkg=python3-venv
    fi
fi

# --- Debian packages --------------------------------------------------------------------------
is_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

if command -v dpkg-query >/dev/null 2>&1; then
    # WeasyPrint (libharfbuzz-subset0 makes CJK font subsetting 10x faster); pdftotext/pdffonts.
    wanted=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils)
    if [[ "${SKIP_BROWSER:-0}" != 1 && ! -x /usr/bin/chromium ]]; then
        wanted+=(chromium)
    fi
    if [[ -n "$need_venv_pkg" ]]; then
        # python3-venv is there but venv still fails: the interpreter's own package is missing.
        is_installed python3-venv && need_venv_pkg="python${py_version}-venv"
        wanted+=("$need_venv_pkg")
    fi
    missing=()
    for pkg in "${wanted[@]}"; do
        is_installed "$pkg" || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        if [[ "$(id -u)" == 0 ]]; then
            say "installing Debian packages: ${missing[*]}"
            apt-get update
            DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
        else
            echo "bootstrap: 必要な Debian パッケージが入っていません（${missing[*]}）。次の1行を実行してから、もう一度 make を実行してください。" >&2
            echo "bootstrap: Missing Debian packages (${missing[*]}). Run this one line, then run make again:" >&2
            echo "sudo apt-get install -y ${missing[*]}"
            exit 1
        fi
    fi
else
    say "no dpkg-query (not Debian/Ubuntu): not checking system packages. WeasyPrint needs Pango" \
        "and HarfBuzz, the tests need poppler (pdftotext) and /usr/bin/chromium; install them yourself."
fi

if [[ ! -e "$VENV" ]]; then
    say "creating $VENV with $PY ($py_version), second attempt"
    "$PY" -m venv "$VENV" || {
        rm -rf "$VENV"
        die "仮想環境を作成できませんでした。" "Could not create the virtualenv with '$PY -m venv'."
    }
fi

# --- Python packages, only when pyproject.toml changed since the last install ------------------
if command -v sha256sum >/dev/null 2>&1; then
    digest="$(sha256sum pyproject.toml | cut -d' ' -f1)"
else
    digest="$("$VENV/bin/python" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' pyproject.toml)"
fi
stamp="$VENV/.installed-$digest"
if [[ ! -e "$stamp" ]]; then
    say "installing Python packages into $VENV (pip install -e '.[dev]')"
    export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --progress-bar off -e '.[dev]'
    rm -f "$VENV"/.installed-*
    touch "$stamp"
    say "done"
fi
