#!/usr/bin/env bash
# Starts one vecgrid server node in the foreground.
#   scripts/start-node.sh [CONFIG_XML] [NODE_NAME]
# CONFIG_XML defaults to config/default-config.xml; NODE_NAME (default node-<pid>) names the log file
# logs/vecgrid-NODE_NAME.log. Extra JVM options: VECGRID_JVM_OPTS (default -Xms1g -Xmx2g). Transparent huge pages
# for the heap and off-heap memory unless VECGRID_HUGE_PAGES=0 (docs/operations.md, "Huge pages").
# Data (persistent configs): VECGRID_WORK_DIR, one directory per node; if unset, work/NODE_NAME when a name is
# given, else work/default (nodes started there without a name each take a folder of their own inside it and find
# it again when they restart).
# One node per host: VECGRID_BIND_ADDRESS (this host's address; default 127.0.0.1) and VECGRID_DISCOVERY_ADDRESSES (the
# cluster's hosts), read by the shipped configs (docs/operations.md, "Running on several hosts").
# SIGTERM (Ctrl-C) stops the node gracefully: it drains first (finishes its work, clients are sent elsewhere; see
# docs/operations.md, "Stopping a node"), then leaves.
set -euo pipefail
source "$(dirname "$0")/env.sh"

config="${1:-$VECGRID_HOME/config/default-config.xml}"
name="${2:-node-$$}"
case "$config" in /*) ;; *) config="$(pwd)/$config" ;; esac
[ -f "$config" ] || { echo "no such config: $config" >&2; exit 1; }

if [ -z "${VECGRID_WORK_DIR:-}" ]; then
    if [ -n "${2:-}" ]; then VECGRID_WORK_DIR="$VECGRID_HOME/work/$2"; else VECGRID_WORK_DIR="$VECGRID_HOME/work/default"; fi
fi
export VECGRID_WORK_DIR
mkdir -p "$VECGRID_WORK_DIR" 2>/dev/null || true
if [ ! -d "$VECGRID_WORK_DIR" ] || [ ! -w "$VECGRID_WORK_DIR" ] || [ ! -r "$VECGRID_WORK_DIR" ]; then
    echo "vecgrid work directory $VECGRID_WORK_DIR (VECGRID_WORK_DIR) is not a readable and writable directory" >&2
    exit 1
fi

cp=$(vecgrid_node_classpath)
java=$(vecgrid_java)
vecgrid_huge_pages
mkdir -p "$VECGRID_HOME/logs"
cd "$VECGRID_HOME"
# log4j2's default context selector finds the calling class by walking the stack on every LogManager.getLogger, and
# Ignite asks for a logger for every compute task and job it creates (a thin client's call is one of each): that walk
# was 9% of a routing node's CPU under thin-client search load. A node has one logging context, so the basic
# selector (no stack walk) is all it needs.
# shellcheck disable=SC2086
exec "$java" ${VECGRID_JVM_OPTS:--Xms1g -Xmx2g} $VECGRID_THP_OPTS $VECGRID_JVM_OPENS \
    -DIGNITE_UPDATE_NOTIFIER=false -DIGNITE_QUIET=false -DIGNITE_NO_ASCII=true -DIGNITE_PREFER_WAL_REBALANCE=true \
    -DIGNITE_NO_SHUTDOWN_HOOK=true -Dlog4j2.shutdownHookEnabled=false \
    -Dlog4j2.contextSelector=org.apache.logging.log4j.core.selector.BasicContextSelector \
    -Dlog4j2.configurationFile="$VECGRID_HOME/config/log4j2.xml" \
    -Dvecgrid.node.name="$name" -Dvecgrid.log.dir="$VECGRID_HOME/logs" \
    -Dvecgrid.log4j2="$VECGRID_HOME/config/log4j2.xml" \
    -cp "$cp" org.apache.ignite.startup.cmdline.CommandLineStartup "$config"
