#!/usr/bin/env bash
# Print the path of a Python 3.12 or newer (Django 6.1 needs it), or fail with a clear message.
set -euo pipefail
candidates=(python3.13 python3.12 python3)
for dir in "$HOME"/.pyenv/versions/3.13* "$HOME"/.pyenv/versions/3.12*; do
    [ -x "$dir/bin/python3" ] && candidates+=("$dir/bin/python3")
done
for candidate in "${candidates[@]}"; do
    if command -v "$candidate" >/dev/null 2>&1 &&
        "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
        command -v "$candidate"
        exit 0
    fi
done
echo "error: the portal needs Python 3.12 or newer (Django 6.1); none was found." >&2
echo "Install one (for example 'pyenv install 3.12' or 'apt-get install python3.12')." >&2
exit 1
