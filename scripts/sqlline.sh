#!/usr/bin/env bash
# sqlline (from Maven Central) connected to a vecgrid cluster through the Ignite JDBC thin driver, schema VECGRID.
#   scripts/sqlline.sh [sqlline options...]        e.g. scripts/sqlline.sh -f queries.sql
# VECGRID_JDBC_URL overrides the URL (default: every node of scripts/start-cluster.sh, so a node may be down).
# A cluster with authentication (config/secure-config.xml): VECGRID_USER and VECGRID_PASSWORD log in (sqlline gets
# them as -n/-p, which other users of this machine can see in the process list; never put them in the URL, which
# sqlline prints).
# In the distribution sqlline and its jline jars are in libs/sqlline; in a checkout the first run fetches them with
# Maven into ignite-plugin/target/sqlline.
set -euo pipefail
source "$(dirname "$0")/env.sh"

SQLLINE_VERSION=1.12.0
if [ "$VECGRID_LAYOUT" = distribution ]; then
    lib="$VECGRID_HOME/libs/sqlline"
else
    lib="$VECGRID_HOME/ignite-plugin/target/sqlline"
fi
if [ "$VECGRID_LAYOUT" = source ] && ! ls "$lib"/sqlline-*.jar >/dev/null 2>&1; then
    mkdir -p "$lib"
    echo "fetching sqlline $SQLLINE_VERSION into $lib ..." >&2
    mvn -B -q -f "$VECGRID_HOME/ignite-plugin/pom.xml" dependency:copy-dependencies \
        -DincludeGroupIds=sqlline,org.jline -DincludeScope=test -DoutputDirectory="$lib" >&2
fi

cp="$(vecgrid_node_classpath):$lib/*"
url="${VECGRID_JDBC_URL:-jdbc:ignite:thin://127.0.0.1:10800..10809/VECGRID}"
java=$(vecgrid_java)
# Empty -n/-p without a login: sqlline would otherwise ask for them; the driver then sends none.
# shellcheck disable=SC2086
exec "$java" $VECGRID_JVM_OPENS -cp "$cp" sqlline.SqlLine \
    -d org.apache.ignite.IgniteJdbcThinDriver -u "$url" -n "${VECGRID_USER:-}" -p "${VECGRID_PASSWORD:-}" \
    --color=true --fastConnect=true --showNestedErrs=true "$@"
