#!/usr/bin/env bash
# Debian's Chromium for the widget's browser test (tests/channels/test_webchat.py),
# installed with apt-get when /usr/bin/chromium is missing. Playwright drives this
# binary; never run `playwright install` (it downloads a browser build of its own).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Chromium is missing: run 'apt-get install chromium' as root." >&2; exit 1; }
  sudo="sudo"
fi
echo "Installing Debian's chromium package (for the widget's browser test)..."
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
