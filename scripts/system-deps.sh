#!/usr/bin/env bash
# Install the Debian packages sitrep needs that are missing: `build` for the PDF renderer's
# libraries, `test` adds Debian's chromium (driven by Playwright), poppler and Java for the
# HTML checker. Only missing packages are installed; nothing is downloaded outside apt.
set -euo pipefail

build_packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
test_packages=(chromium chromium-driver poppler-utils default-jre-headless)

wanted=("${build_packages[@]}")
[ "${1:-build}" = "test" ] && wanted+=("${test_packages[@]}")

missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# A JRE from elsewhere is as good as Debian's for the HTML checker.
if command -v java >/dev/null 2>&1; then
  missing=("${missing[@]/default-jre-headless}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
  echo "sitrep needs these Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
