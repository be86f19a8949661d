#!/usr/bin/env bash
# Makes sure headless Chromium is installed (Debian's `chromium` package), for the status page test
# (io.vecgrid.http.StatusPageChromiumTest) and for taking screenshots of the status page. Prints the path of the
# browser on its last line. Installs through apt-get, as root or through sudo; runs `apt-get update` first only when
# the package is not found. Exits non-zero, saying why, when Chromium cannot be installed.
set -euo pipefail

find_chromium() {
    for c in chromium chromium-browser; do
        if command -v "$c" >/dev/null 2>&1; then command -v "$c"; return 0; fi
    done
    return 1
}

if path=$(find_chromium); then
    echo "$path"
    exit 0
fi

as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
    else echo "install-chromium.sh: not root and no sudo: cannot run $*" >&2; return 1
    fi
}

command -v apt-get >/dev/null 2>&1 || { echo "install-chromium.sh: apt-get not found: install Debian's chromium package by hand" >&2; exit 1; }
echo "install-chromium.sh: installing Debian's chromium package" >&2
export DEBIAN_FRONTEND=noninteractive
if ! as_root apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >&2; then
    as_root apt-get update -q >&2
    as_root apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >&2
fi
path=$(find_chromium) || { echo "install-chromium.sh: chromium is still not on the PATH after apt-get install" >&2; exit 1; }
echo "$path"
