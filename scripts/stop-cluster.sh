#!/usr/bin/env bash
# Stops the nodes started by start-cluster.sh (the PIDs in $VECGRID_HOME/run).
set -uo pipefail
source "$(dirname "$0")/env.sh"
for f in "$VECGRID_HOME"/run/node*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    pkill -TERM -P "$pid" 2>/dev/null; kill -TERM "$pid" 2>/dev/null && echo "stopped $(basename "$f" .pid) (pid $pid)"
    rm -f "$f"
done
