#!/usr/bin/env bash
# sqlline (from Maven Central) connected to a vecgrid cluster through the Ignite JDBC thin driver, schema VECGRID.
#   scripts/sqlline.sh [sqlline options...]        e.g. scripts/sqlline.sh -f queries.sql
# VECGRID_JDBC_URL overrides the URL (default: every node of scripts/start-cluster.sh, so a node may be down).
# A cluster with authentication (config/secure-config.xml): VECGRID_USER and VECGRID_PASSWORD log in (sqlline gets
# them as -n/-p, which other users of this machine can see in the process list; never put them in the URL, which
# sqlline prints).
# sqlline and its JLine jars: libs/sqlline in the distribution, ignite-plugin/target/sqlline in a checkout (copied
# there by `mvn package`).
set -euo pipefail
source "$(dirname "$0")/env.sh"

if [ "$VECGRID_LAYOUT" = distribution ]; then
    lib="$VECGRID_HOME/libs/sqlline"
else
    lib="$VECGRID_HOME/ignite-plugin/target/sqlline"
fi
if ! ls "$lib"/sqlline-*.jar >/dev/null 2>&1; then
    if [ "$VECGRID_LAYOUT" = source ]; then vecgrid_not_built; else echo "no sqlline in $lib" >&2; fi
    exit 1
fi

cp="$(vecgrid_node_classpath):$lib/*"
url="${VECGRID_JDBC_URL:-jdbc:ignite:thin://127.0.0.1:10800..10809/VECGRID}"
java=$(vecgrid_java)
# Empty -n/-p without a login: sqlline would otherwise ask for them; the driver then sends none.
# shellcheck disable=SC2086
exec "$java" $VECGRID_JVM_OPENS -cp "$cp" sqlline.SqlLine \
    -d org.apache.ignite.IgniteJdbcThinDriver -u "$url" -n "${VECGRID_USER:-}" -p "${VECGRID_PASSWORD:-}" \
    --color=true --fastConnect=true --showNestedErrs=true "$@"
