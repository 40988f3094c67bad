#!/usr/bin/env bash
# The system packages a README command needs, checked before any other work:
#   scripts/system_packages.sh book   Fashion-MNIST (Debian's dataset-fashion-mnist, or a
#                                     copy in the data cache), Debian's word lists for
#                                     chapter 10 and Python's venv module
#   scripts/system_packages.sh test   the same, plus Chromium for the browser test
# What is missing is installed with apt-get when this machine allows it (root, or sudo
# without a password), saying what and why; otherwise the script stops at once with the
# line to run. Nothing is missing: no apt work at all.
#   DLBOOK_NO_APT=1       never run apt-get: say what is missing and stop
#   DLBOOK_SKIP_SYSTEM=1  skip this check (pages then download Fashion-MNIST or use its
#                         labelled stand-in; the browser test still needs Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

target=${1:-test}
case "$target" in
  book | test) ;;
  *) echo "usage: $0 book|test" >&2; exit 2 ;;
esac
if dlbook_is_yes "${DLBOOK_SKIP_SYSTEM:-}"; then
  echo "==> [system] check skipped (DLBOOK_SKIP_SYSTEM=1)"
  exit 0
fi

FMNIST_SYSTEM=${_DLBOOK_FMNIST_SYSTEM:-/usr/share/datasets/fashion-mnist}  # (tests move it)
FMNIST_FILES="train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz
t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz"
cache=${DLBOOK_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/dlbook}
cache=${cache/#\~/$HOME}
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3 || echo python3)}

has_fmnist_in() {
  local f
  for f in $FMNIST_FILES; do [ -f "$1/$f" ] || return 1; done
}
has_fashion_mnist() { has_fmnist_in "$FMNIST_SYSTEM" || has_fmnist_in "$cache/fashion_mnist"; }
DICT_DIR=${_DLBOOK_DICT_DIR:-/usr/share/dict}  # (tests move it)
# Chapter 10's languages: file under /usr/share/dict and the Debian package installing it.
WORDLISTS="american-english:wamerican french:wfrench ngerman:wngerman italian:witalian
spanish:wspanish"
missing_wordlists() {
  local entry
  for entry in $WORDLISTS; do [ -f "$DICT_DIR/${entry%%:*}" ] || echo "${entry##*:}"; done
}
chromium_path() { command -v chromium || command -v chromium-browser || command -v google-chrome; }
has_venv() { [ -x .venv/bin/python ] || "$PYTHON" -c "import ensurepip, venv" 2>/dev/null; }

missing=()  # Debian package names
why=()      # one line each: what it is for
check() {
  missing=() why=()
  if ! has_venv; then
    missing+=(python3-venv)
    why+=("python3-venv: Python's venv module, to create .venv for the pinned packages")
  fi
  if ! has_fashion_mnist; then
    missing+=(dataset-fashion-mnist)
    why+=("dataset-fashion-mnist: Fashion-MNIST, the real data of most chapters")
  fi
  local p
  for p in $(missing_wordlists); do
    missing+=("$p")
    why+=("$p: a word list for chapter 10's which-language-is-this-word classifier")
  done
  if [ "$target" = test ] && ! chromium_path >/dev/null; then
    missing+=(chromium)
    why+=("chromium: headless Chromium, with which the browser test reads every page")
  fi
}

check
if [ ${#missing[@]} -eq 0 ]; then
  where=$(has_fmnist_in "$FMNIST_SYSTEM" && echo "$FMNIST_SYSTEM" || echo "the data cache")
  line="==> [system] present: Python venv, Fashion-MNIST ($where), word lists"
  [ "$target" = test ] && line+=", Chromium ($(chromium_path))"
  echo "$line"
  exit 0
fi

SUDO=none
if ! dlbook_is_yes "${DLBOOK_NO_APT:-}" && command -v apt-get >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    SUDO=
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO=sudo
  fi
fi

if [ "$SUDO" != none ]; then
  echo "==> [system] installing with apt-get: ${missing[*]}"
  printf '    %s\n' "${why[@]}"
  $SUDO apt-get update -qq
  packages=()
  for p in "${missing[@]}"; do
    # Ubuntu names the browser chromium-browser (a snap wrapper); Debian, chromium.
    if [ "$p" = chromium ] && ! apt-cache show chromium >/dev/null 2>&1; then
      p=chromium-browser
    fi
    packages+=("$p")
  done
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${packages[@]}" >/dev/null
  check
  if [ ${#missing[@]} -eq 0 ]; then
    echo "==> [system] installed: ${packages[*]}"
    exit 0
  fi
  echo "==> [system] apt-get ran, but these are still missing: ${missing[*]}" >&2
  exit 1
fi

brew=()
for p in "${missing[@]}"; do
  case "$p" in
    chromium) brew+=("brew install --cask chromium") ;;
    python3-venv) brew+=("brew install python@3.11") ;;
    dataset-fashion-mnist) brew+=("make data   # downloads Fashion-MNIST into the data cache") ;;
    w*) [[ " ${brew[*]} " == *"word lists"* ]] ||
      brew+=("(no word lists on Homebrew: chapter 10 then says it uses a stand-in)") ;;
  esac
done
{
  echo "==> [system] missing, needed by 'make $target':"
  printf '    %s\n' "${why[@]}"
  echo "This script installs them only as root or with sudo that needs no password. Run:"
  echo "    Debian/Ubuntu:     sudo apt-get install ${missing[*]}"
  printf '    macOS (Homebrew):  %s\n' "${brew[0]}"
  for line in "${brew[@]:1}"; do printf '                       %s\n' "$line"; done
  echo "then 'make $target' again."
  case " ${missing[*]} " in
    *" dataset-fashion-mnist "*)
      echo "Instead of the Debian package, 'make data' downloads Fashion-MNIST (30 MB)." ;;
  esac
  echo "To go on without them: DLBOOK_SKIP_SYSTEM=1 make $target"
} >&2
exit 1
