#!/bin/sh
# Install the Debian packages Baoxue needs, when missing and when running as root.
# `system-packages.sh test` adds Chromium for the browser tests and the PostgreSQL server for the
# suite's second run (scripts/with-postgres.sh).
#   Pango + HarfBuzz subset: WeasyPrint (PDFs); without libharfbuzz-subset0 a Chinese PDF takes
#   11-15 s instead of 0.3 s. fonts-arphic-uming (宋体-style) and fonts-wqy-microhei (黑体-style):
#   the print fonts, single TrueType faces that keep a page near 35 KB; fonts-arphic-ukai (楷体):
#   the 工作总结's body (no free 仿宋 covers simplified Chinese); fonts-noto-cjk as fallback.
#   poppler-utils: pdftotext in tests.
#   python3-venv: the .venv.
set -eu
packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-arphic-uming fonts-arphic-ukai fonts-wqy-microhei
fonts-noto-cjk poppler-utils"
python3 -m venv --help >/dev/null 2>&1 || packages="$packages python3-venv"
[ "${1:-}" = test ] && packages="$packages chromium postgresql"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Missing Debian packages:$missing" >&2
  echo "Run as root once, or: sudo apt-get install$missing" >&2
  exit 0
fi
echo "Installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
