# shellcheck shell=bash
# The steps that scripts/setup and scripts/test share. Sourced by both; not meant to be run on its own.
#
# Settings, all optional:
#   CARELEDGER_SKIP_APT=1    skip the system-package step (a machine without root, or packages installed by hand);
#                            what is missing is still listed, as a warning
#   CARELEDGER_PYTHON=PATH   the Python that creates .venv (default: python3; it must be 3.10 or newer)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
PYTHON=${CARELEDGER_PYTHON:-python3}

# Debian/Ubuntu packages the project needs, and why.
SYSTEM_PACKAGES=(
  libpango-1.0-0 libpangoft2-1.0-0  # WeasyPrint lays out pages with Pango
  libharfbuzz-subset0               # WeasyPrint's fast font subsetting: 0.2 s a page, against 3-13 s without
  fonts-noto-cjk                    # a font with Chinese glyphs for the site and the PDFs
  poppler-utils                     # pdftoppm and pdftotext, which the tests use to read the PDFs
  git                               # the records live in git
)
# Installed when the distribution has it as a real package (Debian does; Ubuntu ships Chromium only as a snap).
OPTIONAL_PACKAGES=(
  chromium                          # the headless-browser tests
)

say() { printf '==> %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

is_installed() { dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed$'; }

# The Debian packages a usable `python3 -m venv` still lacks (only when the default python3 is used).
python_packages_missing() {
  [ -z "${CARELEDGER_PYTHON:-}" ] || return 0
  if ! command -v python3 >/dev/null 2>&1; then
    echo python3 python3-venv
  elif ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    echo python3-venv  # Debian keeps ensurepip, which venv needs, in a package of its own
  fi
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "installing system packages needs root, and sudo is not installed; install them as root, or set CARELEDGER_SKIP_APT=1 to skip this step"
  fi
}

apt_get() { as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0 "$@"; }

has_candidate() {
  local candidate
  candidate=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }')
  [ -n "$candidate" ] && [ "$candidate" != "(none)" ]
}

# Step: system packages, installed only when missing; `apt-get update` only when something must be installed.
install_system_packages() {
  say "system packages"
  if ! command -v dpkg >/dev/null 2>&1; then
    warn "no dpkg here (not Debian/Ubuntu?): install the equivalents of ${SYSTEM_PACKAGES[*]} ${OPTIONAL_PACKAGES[*]} yourself"
    return 0
  fi
  local p missing=() optional=()
  for p in "${SYSTEM_PACKAGES[@]}"; do is_installed "$p" || missing+=("$p"); done
  for p in "${OPTIONAL_PACKAGES[@]}"; do is_installed "$p" || optional+=("$p"); done
  # shellcheck disable=SC2207  # the names are plain words
  missing+=($(python_packages_missing))
  local wanted=("${missing[@]}" "${optional[@]}")
  if [ ${#wanted[@]} -eq 0 ]; then
    say "all present"
    return 0
  fi
  if [ "${CARELEDGER_SKIP_APT:-0}" = 1 ]; then
    warn "CARELEDGER_SKIP_APT=1, so these stay missing: ${wanted[*]}"
    return 0
  fi
  say "installing: ${wanted[*]}"
  apt_get update -qq
  for p in "${optional[@]}"; do
    if has_candidate "$p"; then
      missing+=("$p")
    else
      warn "the package $p is not available here as a Debian package; the tests that need it cannot run"
    fi
  done
  [ ${#missing[@]} -eq 0 ] || apt_get install -y -qq --no-install-recommends "${missing[@]}"
}

venv_usable() {
  [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null
}

# Step: the virtualenv .venv with careledger installed in editable mode, test tools included. pip runs only when
# .venv is new or pyproject.toml changed since the last install, and upgrades nothing that already satisfies it.
install_python_env() {
  say "Python environment (.venv)"
  if venv_usable; then
    say "reusing .venv ($("$VENV/bin/python" --version))"
  else
    command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found: install Python 3.10 or newer"
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
      die "careledger needs Python 3.10 or newer; $PYTHON is $("$PYTHON" --version 2>&1) (set CARELEDGER_PYTHON to another)"
    say "creating .venv with $("$PYTHON" --version)"
    "$PYTHON" -m venv --clear "$VENV"
  fi
  local stamp="$VENV/.careledger-installed" want
  want="$ROOT $(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
  if [ -x "$VENV/bin/careledger" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    say "careledger and its dependencies are installed (pyproject.toml unchanged)"
    return 0
  fi
  say "pip install -e '.[test]'"
  rm -f "$stamp"
  (cd "$ROOT" && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -e '.[test]')
  echo "$want" >"$stamp"
}

# Step: the font the fillable PDF forms embed, a GB 2312 subset of Noto Sans CJK SC made once with fontTools
# (about 8 s) and kept in ~/.cache/careledger (see careledger/paper/fonts.py); fails, naming the package, without
# a CJK font.
# axe-core for the accessibility test (tests/test_browser.py): the npm registry's tarball, pinned by the sha256 of
# axe.min.js, into .venv/share/axe-core/. Not kept in the repository: its minified numbers (long decimal fractions)
# read as 18-digit ID numbers to the scan that keeps real-looking ID numbers out of the project.
AXE_VERSION=4.14.1
AXE_SHA256=29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c
fetch_axe_core() {
  local dest="$VENV/share/axe-core"
  if [ -f "$dest/axe.min.js" ] && [ "$(sha256sum "$dest/axe.min.js" | cut -d' ' -f1)" = "$AXE_SHA256" ]; then
    return 0
  fi
  say "axe-core $AXE_VERSION for the accessibility test (registry.npmjs.org)"
  "$VENV/bin/python" - "$AXE_VERSION" "$AXE_SHA256" "$dest" <<'PY' || die "axe-core could not be downloaded (the accessibility test needs it)"
import hashlib, io, pathlib, sys, tarfile, urllib.request
version, sha256, dest = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
url = f"https://registry.npmjs.org/axe-core/-/axe-core-{version}.tgz"
with urllib.request.urlopen(url, timeout=60) as response:
    package = tarfile.open(fileobj=io.BytesIO(response.read()))
files = {name: package.extractfile(f"package/{name}").read() for name in ("axe.min.js", "LICENSE", "LICENSE-3RD-PARTY.txt")}
if hashlib.sha256(files["axe.min.js"]).hexdigest() != sha256:
    sys.exit(f"{url}: axe.min.js does not have the pinned sha256 {sha256}")
dest.mkdir(parents=True, exist_ok=True)
for name, data in files.items():
    (dest / name).write_bytes(data)
PY
}

prepare_fonts() {
  say "fonts for the PDF forms"
  "$VENV/bin/python" -m careledger.paper.fonts
}
