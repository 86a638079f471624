#!/usr/bin/env bash
# Install the Debian packages sitrep needs that are missing. Supported: Debian 12 (bookworm) on
# amd64, with `python3` (3.11+) and `make` installed, as root or with sudo (scripts/fresh-machine-check.sh
# proves it on a minimal root). Ubuntu is not supported: its `chromium` package only installs a snap,
# and the browser tests need Debian's chromium at /usr/bin/chromium.
#   build: the virtual environment (python3-venv), the PDF renderer's libraries and a font;
#   test:  adds Debian's chromium (driven by Playwright, whose driver needs libatomic1), poppler, Java
#          and Node.js with npm for the HTML checker and axe-core.
# Only missing packages are installed; nothing is downloaded outside apt.
set -euo pipefail

python="${PYTHON:-python3}"
build_packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
# libatomic1: Playwright's bundled Node.js driver links it, and a minimal Debian lacks it.
test_packages=(chromium poppler-utils libatomic1)

# Debian's python3 leaves ensurepip (which `python3 -m venv` runs) to python3-venv; a Python built
# elsewhere (pyenv, python.org) brings its own.
"$python" -c 'import ensurepip' >/dev/null 2>&1 || build_packages+=(python3-venv)

wanted=("${build_packages[@]}")
if [ "${1:-build}" = "test" ]; then
  wanted+=("${test_packages[@]}")
  # A JRE or a Node.js from elsewhere is as good as Debian's.
  command -v java >/dev/null 2>&1 || wanted+=(default-jre-headless)
  command -v npm >/dev/null 2>&1 || wanted+=(nodejs npm)
fi

missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "sitrep installs its system packages with apt-get (Debian 12 or 13); install these by hand: ${missing[*]}" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
  echo "sitrep needs these Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
