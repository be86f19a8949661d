#!/usr/bin/env bash
# Re-renders every diagram of docs/diagrams/ (Graphviz .dot sources) into an .svg beside it.
# The rendered images are committed, so neither the build nor the tests need Graphviz; run this after editing a .dot.
# Installs Graphviz from Debian (apt-get install graphviz) when `dot` is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! command -v dot >/dev/null 2>&1; then
    echo "render-diagrams: installing Graphviz (apt-get install -y graphviz)" >&2
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get install -y graphviz >/dev/null || { $sudo apt-get update >/dev/null && $sudo apt-get install -y graphviz >/dev/null; }
fi
n=0
for src in "$root"/docs/diagrams/*.dot; do
    out="${src%.dot}.svg"
    dot -Tsvg "$src" -o "$out"
    echo "rendered ${out#"$root"/}"
    n=$((n + 1))
done
echo "$n diagram(s) rendered with $(dot -V 2>&1)"
