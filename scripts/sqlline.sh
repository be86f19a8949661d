#!/usr/bin/env bash
# sqlline (from Maven Central) connected to a vecgrid cluster through the Ignite JDBC thin driver, schema VECGRID.
#   scripts/sqlline.sh [sqlline options...]        e.g. scripts/sqlline.sh -f queries.sql
# VECGRID_JDBC_URL overrides the URL (default: every node of scripts/start-cluster.sh, so a node may be down).
# A cluster with authentication (config/secure-config.xml): VECGRID_USER and VECGRID_PASSWORD log in.
# A cluster with TLS (config/secure-config.xml): VECGRID_SSL_TRUSTSTORE and VECGRID_SSL_KEYSTORE (the same variables
# as scripts/vecgrid, e.g. work/certs/truststore.p12 and work/certs/client.p12 of scripts/make-dev-certs.sh), with
# VECGRID_SSL_TRUSTSTORE_PASSWORD and VECGRID_SSL_KEYSTORE_PASSWORD: the script adds sslMode=require to the URL
# (unless it has an sslMode already) and hands the stores to the JVM as javax.net.ssl.* properties, which the JDBC
# thin driver uses. A URL in VECGRID_JDBC_URL may carry the driver's own ssl* parameters instead (docs/sql.md).
# Passwords never go on the command line (other users of this machine see it) nor in the URL (sqlline prints it):
# they reach the JVM in a temporary argument file readable only by this user (-n/-p for sqlline, the stores'
# passwords as javax.net.ssl.*Password properties), removed when sqlline exits.
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

# One argument of a java argument file: quoted, with backslashes and quotes escaped.
argq() {
    local s=${1//\\/\\\\}
    s=${s//\"/\\\"}
    printf '"%s"\n' "$s"
}
args=$(mktemp "${TMPDIR:-/tmp}/vecgrid-sqlline.XXXXXX")
trap 'rm -f "$args"' EXIT
chmod 600 "$args"

if [ -n "${VECGRID_SSL_TRUSTSTORE:-}" ] || [ -n "${VECGRID_SSL_KEYSTORE:-}" ]; then
    for v in VECGRID_SSL_TRUSTSTORE VECGRID_SSL_KEYSTORE; do
        f="${!v:-}"
        pv="${v}_PASSWORD"
        [ -n "$f" ] || continue
        if [ ! -f "$f" ] || [ ! -r "$f" ]; then
            echo "sqlline.sh: $v: no such readable file: $f" >&2
            exit 1
        fi
        if [ -z "${!pv:-}" ]; then
            echo "sqlline.sh: $v is set but $pv is not" >&2
            exit 1
        fi
    done
    # The stores as the JDK's javax.net.ssl.* properties: with sslMode=require and no other ssl* parameter in the URL
    # the driver uses the JDK's default TLS context, which reads them (and, unlike the URL parameters, works with a
    # trust store alone). PKCS12 also reads JKS stores.
    if [ -n "${VECGRID_SSL_KEYSTORE:-}" ]; then
        argq "-Djavax.net.ssl.keyStore=$VECGRID_SSL_KEYSTORE" >>"$args"
        argq "-Djavax.net.ssl.keyStoreType=PKCS12" >>"$args"
        argq "-Djavax.net.ssl.keyStorePassword=$VECGRID_SSL_KEYSTORE_PASSWORD" >>"$args"
    fi
    if [ -n "${VECGRID_SSL_TRUSTSTORE:-}" ]; then
        argq "-Djavax.net.ssl.trustStore=$VECGRID_SSL_TRUSTSTORE" >>"$args"
        argq "-Djavax.net.ssl.trustStoreType=PKCS12" >>"$args"
        argq "-Djavax.net.ssl.trustStorePassword=$VECGRID_SSL_TRUSTSTORE_PASSWORD" >>"$args"
    fi
    case "$url" in
        *sslMode=*) ;;  # the caller's URL says how
        *\?*) url="$url&sslMode=require" ;;
        *) url="$url?sslMode=require" ;;
    esac
fi

# The main class and the login in the argument file too. Empty -n/-p without a login: sqlline would otherwise ask
# for them; the driver then sends none.
{
    echo sqlline.SqlLine
    argq -n; argq "${VECGRID_USER:-}"
    argq -p; argq "${VECGRID_PASSWORD:-}"
} >>"$args"
# shellcheck disable=SC2086
"$java" $VECGRID_JVM_OPENS -cp "$cp" @"$args" \
    -d org.apache.ignite.IgniteJdbcThinDriver -u "$url" \
    --color=true --fastConnect=true --showNestedErrs=true "$@"
