#!/usr/bin/env bash
# Generates development TLS material for config/secure-config.xml with the JDK's keytool only (no openssl):
#
#   scripts/make-dev-certs.sh [DIR]          (default: work/certs under the repository)
#
#   DIR/ca.p12          the development CA: its private key and certificate. Signs the two certificates below;
#                       keep it to sign more (nothing else reads it).
#   DIR/ca.pem          the CA certificate alone (PEM), for clients that take a CA file (Node.js, Python).
#   DIR/node.p12        key store of every server node: key pair "node" (CN=vecgrid-node), signed by the CA, with
#                       serverAuth and clientAuth usages (nodes are both ends of discovery and communication) and
#                       the names localhost / 127.0.0.1 (plus VECGRID_CERT_HOSTS).
#   DIR/client.p12      key store of clients (CLI, VecgridClient, JDBC, sqlline): key pair "client"
#                       (CN=vecgrid-client), signed by the CA, clientAuth usage.
#   DIR/truststore.p12  the CA certificate alone (alias "ca"): nodes and clients trust what the CA signed.
#
# All stores are PKCS12. Passwords (the same for the CA, node and client key stores and their keys):
#   VECGRID_SSL_KEYSTORE_PASSWORD    default vecgrid-dev
#   VECGRID_SSL_TRUSTSTORE_PASSWORD  default vecgrid-dev
# which are also the defaults of config/secure-config.xml and the variables the CLI reads.
# VECGRID_CERT_HOSTS: extra names of the node certificate, comma-separated keytool SAN entries, e.g.
#   "dns:node1.example.com,ip:10.0.0.5" (nodes and the Java clients do not check host names; other clients may).
# VECGRID_CERT_DAYS: validity of the node and client certificates in days (default 825; the CA gets 3650).
#
# Idempotent: a store that exists is kept; a missing one is made (with the existing CA when there is one), so a
# second run changes nothing. To start over, delete DIR. For production certificates, see docs/operations.md, "TLS".
set -euo pipefail

case "${1:-}" in
    -h|--help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:-$REPO/work/certs}"
KS_PASS="${VECGRID_SSL_KEYSTORE_PASSWORD:-vecgrid-dev}"
TS_PASS="${VECGRID_SSL_TRUSTSTORE_PASSWORD:-vecgrid-dev}"
DAYS="${VECGRID_CERT_DAYS:-825}"
EXTRA_SAN="${VECGRID_CERT_HOSTS:-}"

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/keytool" ]; then
    KEYTOOL="$JAVA_HOME/bin/keytool"
elif command -v keytool >/dev/null 2>&1; then
    KEYTOOL=keytool
else
    echo "make-dev-certs: keytool not found (it comes with the JDK): set JAVA_HOME or put it on the PATH" >&2
    exit 1
fi
# PKCS12 wants passwords of 6 characters or more.
if [ "${#KS_PASS}" -lt 6 ] || [ "${#TS_PASS}" -lt 6 ]; then
    echo "make-dev-certs: VECGRID_SSL_KEYSTORE_PASSWORD and VECGRID_SSL_TRUSTSTORE_PASSWORD need 6 characters or more" >&2
    exit 1
fi

mkdir -p "$DIR"
chmod 700 "$DIR"
# The passwords reach keytool through the environment (-storepass:env), never on a command line.
export MDC_KS_PASS="$KS_PASS" MDC_TS_PASS="$TS_PASS"
tmp=$(mktemp -d "$DIR/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

kt() {
    "$KEYTOOL" "$@" >"$tmp/keytool.out" 2>&1 || { cat "$tmp/keytool.out" >&2; echo "make-dev-certs: keytool $1 failed" >&2; exit 1; }
}

# Files are made in $tmp and moved into place whole: an interrupted run leaves no half-made store behind.
made=0
if [ ! -f "$DIR/ca.p12" ]; then
    if [ -f "$DIR/node.p12" ] || [ -f "$DIR/client.p12" ] || [ -f "$DIR/truststore.p12" ]; then
        echo "make-dev-certs: $DIR has stores but no ca.p12: delete $DIR to start over" >&2
        exit 1
    fi
    kt -genkeypair -keystore "$tmp/ca.p12" -storetype PKCS12 -storepass:env MDC_KS_PASS -alias ca \
        -keyalg RSA -keysize 3072 -validity 3650 -dname "CN=vecgrid development CA" -ext bc:c=ca:true,pathlen:0 \
        -ext ku:c=keyCertSign,cRLSign
    mv "$tmp/ca.p12" "$DIR/ca.p12"
    made=1
fi
kt -exportcert -rfc -keystore "$DIR/ca.p12" -storepass:env MDC_KS_PASS -alias ca -file "$tmp/ca.pem"
if [ ! -f "$DIR/ca.pem" ] || ! cmp -s "$tmp/ca.pem" "$DIR/ca.pem"; then
    mv "$tmp/ca.pem" "$DIR/ca.pem"
    made=1
fi

if [ ! -f "$DIR/truststore.p12" ]; then
    kt -importcert -noprompt -keystore "$tmp/truststore.p12" -storetype PKCS12 -storepass:env MDC_TS_PASS \
        -alias ca -file "$DIR/ca.pem"
    mv "$tmp/truststore.p12" "$DIR/truststore.p12"
    made=1
fi

# leaf NAME CN EXT...: key pair NAME signed by the CA, in DIR/NAME.p12 with the CA certificate (the whole chain).
leaf() {
    local name=$1 cn=$2
    shift 2
    [ -f "$DIR/$name.p12" ] && return 0
    kt -genkeypair -keystore "$tmp/$name.p12" -storetype PKCS12 -storepass:env MDC_KS_PASS -alias "$name" \
        -keyalg RSA -keysize 2048 -validity "$DAYS" -dname "CN=$cn, OU=development, O=vecgrid"
    kt -certreq -keystore "$tmp/$name.p12" -storepass:env MDC_KS_PASS -alias "$name" -file "$tmp/$name.csr"
    kt -gencert -keystore "$DIR/ca.p12" -storepass:env MDC_KS_PASS -alias ca -infile "$tmp/$name.csr" \
        -outfile "$tmp/$name.crt" -rfc -validity "$DAYS" -ext ku:c=digitalSignature,keyEncipherment "$@"
    kt -importcert -noprompt -keystore "$tmp/$name.p12" -storepass:env MDC_KS_PASS -alias ca -file "$DIR/ca.pem"
    kt -importcert -noprompt -keystore "$tmp/$name.p12" -storepass:env MDC_KS_PASS -alias "$name" -file "$tmp/$name.crt"
    # The CA entry was needed only to build the chain; the key entry keeps it.
    kt -delete -keystore "$tmp/$name.p12" -storepass:env MDC_KS_PASS -alias ca
    mv "$tmp/$name.p12" "$DIR/$name.p12"
    made=1
}

san="dns:localhost,ip:127.0.0.1"
[ -n "$EXTRA_SAN" ] && san="$san,$EXTRA_SAN"
leaf node vecgrid-node -ext eku=serverAuth,clientAuth -ext "san=$san"
leaf client vecgrid-client -ext eku=clientAuth

chmod 600 "$DIR"/*.p12
if [ "$made" = 1 ]; then
    echo "development TLS stores in $DIR: node.p12 (nodes), client.p12 (clients), truststore.p12 (everyone), ca.p12, ca.pem"
else
    echo "development TLS stores in $DIR exist; nothing to do"
fi
