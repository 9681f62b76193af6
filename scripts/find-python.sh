#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 needs 3.8-3.10).
# pyenv's python3.10 shim refuses to run unless told which version to use, so
# look for the real binary first.
set -u
candidates=()
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null)
  prefix=$(pyenv prefix 3.10 2>/dev/null | head -n1)
  [ -n "$prefix" ] && candidates+=("$prefix/bin/python3.10")
  for dir in "$root"/versions/3.10*; do candidates+=("$dir/bin/python3.10"); done
fi
for dir in "$HOME"/.pyenv/versions/3.10*; do candidates+=("$dir/bin/python3.10"); done
candidates+=(/usr/local/bin/python3.10 /usr/bin/python3.10 "$(command -v python3.10 2>/dev/null)")
for py in "${candidates[@]}"; do
  [ -n "$py" ] && [ -x "$py" ] || continue
  if "$py" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
    echo "$py"
    exit 0
  fi
done
echo "No Python 3.10 found. Install it (e.g. 'pyenv install 3.10.13') and retry." >&2
exit 1
