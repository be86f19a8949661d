#!/usr/bin/env bash
# Starts N (default 3) vecgrid server nodes in the background on this machine and waits until they
# form one cluster. Logs: logs/vecgrid-nodeK.log; PIDs: run/nodeK.pid; data: ${VECGRID_WORK_DIR:-work}/nodeK
# (persistent configs: starting the same nodes again brings their collections back). Stop with scripts/stop-cluster.sh.
#   scripts/start-cluster.sh [N] [CONFIG_XML]
set -euo pipefail
source "$(dirname "$0")/env.sh"

n="${1:-3}"
config="${2:-$VECGRID_HOME/config/default-config.xml}"
vecgrid_node_classpath >/dev/null
mkdir -p "$VECGRID_HOME/logs" "$VECGRID_HOME/run"
for i in $(seq 1 "$n"); do
    # A node's log from an earlier run would answer the readiness check below: keep it aside.
    [ -f "$VECGRID_HOME/logs/vecgrid-node$i.log" ] && mv "$VECGRID_HOME/logs/vecgrid-node$i.log" "$VECGRID_HOME/logs/vecgrid-node$i.log.prev"
    VECGRID_WORK_DIR="${VECGRID_WORK_DIR:-$VECGRID_HOME/work}/node$i" \
        nohup "$VECGRID_BIN/start-node.sh" "$config" "node$i" > "$VECGRID_HOME/logs/node$i.out" 2>&1 &
    echo $! > "$VECGRID_HOME/run/node$i.pid"
    echo "started node$i (pid $!)"
done
for _ in $(seq 1 120); do
    count=$( (grep -h "Topology snapshot \[ver=" "$VECGRID_HOME"/logs/vecgrid-node*.log 2>/dev/null || true) | \
        sed -n "s/.*servers=\([0-9]*\).*/\1/p" | sort -n | tail -n 1)
    serving=0
    for i in $(seq 1 "$n"); do
        grep -q "vecgrid is serving" "$VECGRID_HOME/logs/vecgrid-node$i.log" 2>/dev/null && serving=$((serving + 1))
    done
    if [ "${count:-0}" -ge "$n" ] && [ "$serving" -ge "$n" ]; then
        echo "cluster of $n server nodes is up and active (thin clients: 127.0.0.1:10800..10809)"
        exit 0
    fi
    sleep 1
done
echo "nodes did not form an active cluster of $n within 120 s; see $VECGRID_HOME/logs and $VECGRID_BIN/vecgrid status" >&2
exit 1
