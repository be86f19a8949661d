#!/usr/bin/env bash
# Starts one vecgrid server node in the foreground.
#   scripts/start-node.sh [CONFIG_XML] [NODE_NAME]
# CONFIG_XML defaults to config/default-config.xml; NODE_NAME (default node-<pid>) names the log file
# logs/vecgrid-NODE_NAME.log. Extra JVM options: VECGRID_JVM_OPTS (default -Xms1g -Xmx2g).
set -euo pipefail
source "$(dirname "$0")/env.sh"

config="${1:-$VECGRID_HOME/config/default-config.xml}"
name="${2:-node-$$}"
case "$config" in /*) ;; *) config="$(pwd)/$config" ;; esac
[ -f "$config" ] || { echo "no such config: $config" >&2; exit 1; }

cp=$(vecgrid_node_classpath)
java=$(vecgrid_java)
mkdir -p "$VECGRID_HOME/logs"
cd "$VECGRID_HOME"
# shellcheck disable=SC2086
exec "$java" ${VECGRID_JVM_OPTS:--Xms1g -Xmx2g} $VECGRID_JVM_OPENS \
    -DIGNITE_UPDATE_NOTIFIER=false -DIGNITE_QUIET=false -DIGNITE_NO_ASCII=true \
    -Dvecgrid.node.name="$name" -Dvecgrid.log.dir="$VECGRID_HOME/logs" \
    -Dvecgrid.log4j2="$VECGRID_HOME/config/log4j2.xml" \
    -cp "$cp" org.apache.ignite.startup.cmdline.CommandLineStartup "$config"
