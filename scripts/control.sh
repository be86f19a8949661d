#!/usr/bin/env bash
# Ignite's own control utility (control.sh of the Ignite distribution: org.apache.ignite.internal.commandline.
# CommandHandler from ignite-control-utility 2.17.0), run on the node classpath: cluster state, baseline, snapshots,
# caches, transactions. It talks to a node's thin-client port: 127.0.0.1:10800 unless --host or --port is given.
#   scripts/control.sh --state
#   scripts/control.sh --baseline
#   scripts/control.sh --snapshot create NAME [--sync]       (also: check, restore, status, cancel; --help lists all)
#   scripts/control.sh --host 10.0.0.5 --port 10801 --state
# Runs on the node classpath built by `mvn -B -DskipTests package`. Extra JVM options: VECGRID_CONTROL_JVM_OPTS
# (default: -Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC, quick to start).
# Exit codes are Ignite's: 0 ok, 1 invalid arguments, 2 connection failed, 3 authentication failed, 4 other error.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

cp=$(vecgrid_node_classpath) || exit 2
java=$(vecgrid_java)
# Ignite's --add-opens, without the incubator vector module (which would print a warning on each run).
opens=${VECGRID_JVM_OPENS//--add-modules=jdk.incubator.vector/}
ver=$("$java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
if [[ "${ver%%.*}" =~ ^[0-9]+$ ]] && [ "${ver%%.*}" -ge 23 ]; then
    opens="$opens --sun-misc-unsafe-memory-access=allow"
fi

# Connection defaults, unless the caller gives them, or asks for help (which the utility refuses to combine with them).
defaults=()
host_given=0
port_given=0
help=$([ $# -eq 0 ] && echo 1 || echo 0)
for a in "$@"; do
    case "$a" in
        --host|--host=*) host_given=1 ;;
        --port|--port=*) port_given=1 ;;
        --help|-h|help) help=1 ;;
    esac
done
if [ "$help" = 0 ]; then
    [ "$host_given" = 1 ] || defaults+=(--host 127.0.0.1)
    [ "$port_given" = 1 ] || defaults+=(--port 10800)
fi

# shellcheck disable=SC2086
exec "$java" ${VECGRID_CONTROL_JVM_OPTS:--Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC} $opens \
    -DIGNITE_UPDATE_NOTIFIER=false -Djava.net.preferIPv4Stack=true \
    -cp "$cp" org.apache.ignite.internal.commandline.CommandHandler "${defaults[@]}" "$@"
