#!/usr/bin/env bash
# Debian's HAProxy for the front door (deploy/haproxy/, make frontdoor, tests/frontdoor),
# installed with apt-get when haproxy is missing, as install-chromium.sh does for Chromium.
set -euo pipefail
if command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "HAProxy is missing: run 'apt-get install haproxy' as root." >&2; exit 1; }
  sudo="sudo"
fi
echo "Installing Debian's haproxy package (the front door)..."
$sudo apt-get update -qq
# The package's own service is not wanted: the front door runs from this repository's config.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends haproxy >/dev/null
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  $sudo systemctl disable --now haproxy >/dev/null 2>&1 || true
else
  $sudo service haproxy stop >/dev/null 2>&1 || true
fi
/usr/sbin/haproxy -v | head -1
