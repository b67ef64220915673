# Shared by scripts/demo and scripts/test: install Guanxi into ./.venv and the
# front-end packages into ./node_modules, from the pinned versions in the repo.
# Sourced, not run; expects to be in the repository root.

guanxi_python() {
  # The first python3.11+ on PATH (or $PYTHON), to create the virtualenv with.
  local candidate
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "Guanxi needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)." >&2
  return 1
}

# install_python [EXTRAS]: pip install -e ".[EXTRAS]" against constraints.txt.
# Skipped when pyproject.toml, constraints.txt and the extras are unchanged
# since the last install (the stamp holds their digest).
install_python() {
  local extras="${1:-}" target="." python stamp digest
  [ -n "$extras" ] && target=".[$extras]"
  if [ ! -x .venv/bin/python ]; then
    python="$(guanxi_python)"
    echo "==> creating .venv with $python"
    "$python" -m venv .venv
  fi
  stamp=.venv/.guanxi-install
  digest="$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-64) $extras"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
    return 0
  fi
  echo "==> installing Guanxi $target into .venv (pinned by constraints.txt)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check \
    -c constraints.txt -e "$target"
  echo "$digest" >"$stamp"
}

# install_assets: htmx and ECharts from the npm registry into node_modules,
# served by Guanxi as static files (never from a CDN at run time).
install_assets() {
  local stamp=node_modules/.guanxi-install digest
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm was not found: install Node.js and npm, then run this again." >&2
    return 1
  fi
  digest="$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -c1-64)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
    return 0
  fi
  echo "==> installing front-end packages (npm)"
  if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  else
    npm install --no-audit --no-fund --loglevel=error
  fi
  echo "$digest" >"$stamp"
}

# install_cjk_font: the evaluation report's PDF embeds a Chinese font; Debian's
# fonts-noto-cjk is installed with apt when no Chinese font is found (as root).
install_cjk_font() {
  local font
  for font in /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
    /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc /usr/share/fonts/truetype/arphic/uming.ttc; do
    [ -f "$font" ] && return 0
  done
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing a Chinese font for PDF reports (apt: fonts-noto-cjk)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null
  else
    echo "note: no Chinese font found, so PDF reports are refused;" >&2
    echo "      install one as root: apt-get install fonts-noto-cjk" >&2
  fi
}
