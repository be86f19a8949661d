#!/usr/bin/env bash
# vecgrid's layout benchmark: what the collection layout (small sealed segments compacted into large ones) costs
# against one big index, and how fast a collection ingests and settles, in one run:
#
#   scripts/layout-benchmark.sh [--quick]
#
# For each data set, Fashion-MNIST (60,000 x 784, L2) and GloVe-100 (331,479 x 100, cosine), with the shipped HNSW
# parameters (M 16, efConstruction 200) and the shipped VecgridConfiguration defaults:
#   - graph build: vecgrid's index (io.vecgrid.index, its own HNSW builder) and hnswlib C++ (Debian's libhnswlib-dev
#     headers, g++ -O3 -march=native) build one index over all rows on all cores: CPU-seconds side by side;
#   - search cost vs data size: an embedded cluster of 3 server nodes in one JVM (in-memory data regions), a 2-shard
#     collection with replicaNumber 2, every row inserted and settled at one segment per shard, searched through the
#     cluster path (one query per request, BENCH_THREADS client threads, ef BENCH_EF) against the index built above
#     searched in-process (same engine, ef, threads and queries), rounds interleaved; recall@10 of both against the
#     data set's exact ground truth (queries held out from the base);
#   - ingest: rows/s inserting through the Java API from BENCH_WRITERS threads while seals and compactions run, with
#     replicaNumber 2 (the run above) and 1 (a second cluster), and the time from the last insert to "one segment
#     per shard" (a flush seals the last partial growing rows, compaction merges up to segmentMaxBytes).
#
# Writes the "Layout: search cost vs data size, ingest" section of docs/benchmarks.md (between its markers; the rest
# of the page is left alone; benchmarks/layout-analysis.md, hand-written, is the section's closing "Reading"),
# docs/benchmarks/layout-qps.png and docs/benchmarks/layout-results.tsv (raw records).
# Builds in its own directory (never in the work tree), so it can run while others build.
#
# Every engine runs with transparent huge pages where the kernel allows them (scripts/env.sh vecgrid_huge_pages,
# docs/operations.md "Huge pages"; runs published before 2026-12-06 18:00 UTC did not); VECGRID_HUGE_PAGES=0 turns it off.
# Installs what is missing (as root, or through sudo): libhnswlib-dev g++ maven (apt-get), and fetches the data
# sets into ${VECGRID_DATA:-~/.cache/vecgrid} (scripts/fetch-datasets.sh).
#
# Settings (environment): BENCH_DATASETS (fashion-mnist,glove-100), BENCH_THREADS (8), BENCH_EF (32),
# BENCH_QUERIES (10000), BENCH_ROUNDS (3), BENCH_WRITERS (4), BENCH_N_<DATASET> (rows; all by default, e.g.
# BENCH_N_GLOVE_100=100000), BENCH_WORK (/tmp/vecgrid-layout-bench), BENCH_OUT (docs of this repository),
# BENCH_R1 (data sets that also get the replicaNumber 1 ingest run; all by default, "none" for none),
# BENCH_HEAP (6g), BENCH_REPORT_ONLY=1 (rewrite the section from the last run's records).
# --quick: a smoke run (20,000 Fashion-MNIST rows and 50,000 GloVe-100 rows, 2,000 queries, 1 round); its section
# says so.
# Work: about 700 CPU-seconds for Fashion-MNIST (builds 83 + 36, replicaNumber 2 ingest to settled 273, search,
# replicaNumber 1 ingest to settled) and several times that for GloVe-100 (vecgrid's build alone exceeds 490
# CPU-seconds), so about half an hour on 2 idle cores; on the shared 2-core machine of the recorded run (load 30 to
# 60) the Fashion-MNIST part took about 70 minutes and GloVe-100 did not finish (see docs/benchmarks.md).
# Each cluster JVM takes up to BENCH_HEAP of heap plus its nodes' data regions: leave it room.
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

QUICK=0
for a in "$@"; do
    case "$a" in
        --quick) QUICK=1 ;;
        *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
    esac
done

DATASETS="${BENCH_DATASETS:-fashion-mnist,glove-100}"
THREADS="${BENCH_THREADS:-8}"
EF="${BENCH_EF:-32}"
NQ="${BENCH_QUERIES:-10000}"
ROUNDS="${BENCH_ROUNDS:-3}"
WRITERS="${BENCH_WRITERS:-4}"
R1=",${BENCH_R1:-$DATASETS},"
M=16
EFC=200
WORK="${BENCH_WORK:-/tmp/vecgrid-layout-bench}"
OUT="${BENCH_OUT:-$VECGRID_HOME/docs}"
DATA="${VECGRID_DATA:-$HOME/.cache/vecgrid}"
HEAP="${BENCH_HEAP:-6g}"
CORES="$(nproc)"
if [ "$QUICK" = 1 ]; then
    NQ="${BENCH_QUERIES:-2000}"; ROUNDS="${BENCH_ROUNDS:-1}"
    : "${BENCH_N_FASHION_MNIST:=20000}" "${BENCH_N_GLOVE_100:=50000}"
fi

log() { echo "[layout-benchmark] $*"; }
die() { echo "[layout-benchmark] ERROR: $*" >&2; exit 1; }

rows_of() {  # DATASET -> rows to use
    local var="BENCH_N_$(echo "$1" | tr 'a-z-' 'A-Z_')"
    if [ -n "${!var:-}" ]; then echo "${!var}"; return; fi
    case "$1" in
        fashion-mnist) echo 60000 ;;
        glove-100) echo 331479 ;;
        *) die "unknown data set $1" ;;
    esac
}
metric_of() { case "$1" in glove-100) echo cosine ;; *) echo l2 ;; esac; }

# ------------------------------------------------------------------ prerequisites
as_root() {
    if [ "$(id -u)" = 0 ]; then "$@";
    elif command -v sudo >/dev/null 2>&1; then sudo "$@";
    else die "need root to run: $*"; fi
}
missing=()
[ -f /usr/include/hnswlib/hnswlib.h ] || missing+=(libhnswlib-dev)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get install -y "${missing[@]}" || { as_root apt-get update && as_root apt-get install -y "${missing[@]}"; } \
        || die "could not install ${missing[*]}"
fi
JAVA="$(vecgrid_java)"
vecgrid_huge_pages  # every engine alike: the JVM flag for vecgrid, malloc advised for both (scripts/env.sh)
JDK="$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')"
log "JDK $JDK: $JAVA"

# ------------------------------------------------------------------ build (into $WORK, not the work tree)
SRC="$WORK/src"
mkdir -p "$SRC" "$WORK/index"
log "copying sources to $SRC and building"
(cd "$VECGRID_HOME" && tar --exclude=./.git --exclude='*/target' --exclude=./target --exclude=./work \
    --exclude=./ignite-plugin/ignite --exclude=./logs --exclude=node_modules -cf - .) \
    | (cd "$SRC" && rm -rf ignite-plugin/src vecgrid-*/src examples/src benchmarks/src distribution/src && tar -xf -)
(cd "$SRC" && mvn -B -q -DskipTests package -pl benchmarks -am) > "$WORK/build.log" 2>&1 \
    || { tail -40 "$WORK/build.log"; die "build failed, see $WORK/build.log"; }
CP="$SRC/benchmarks/target/classes:$SRC/benchmarks/target/lib/*"
HNSW_BIN="$WORK/hnswlib_bench"
g++ -O3 -march=native -DNDEBUG -std=c++17 -pthread -o "$HNSW_BIN" "$SRC/benchmarks/cpp/hnswlib_bench.cpp" \
    || die "could not compile benchmarks/cpp/hnswlib_bench.cpp"

# ------------------------------------------------------------------ data
IFS=',' read -r -a DSS <<< "$DATASETS"
for ds in "${DSS[@]}"; do
    if [ ! -f "$DATA/$ds/groundtruth-100.ivecs" ]; then
        log "fetching $ds"
        VECGRID_DATA="$DATA" VECGRID_PREP_CP="$SRC/benchmarks/target/lib/*" \
            bash "$SRC/scripts/fetch-datasets.sh" "$ds"
    fi
done

RESULTS="$WORK/results.tsv"
if [ "${BENCH_REPORT_ONLY:-0}" = 1 ]; then
    [ -s "$RESULTS" ] && [ -s "$WORK/run.env" ] || die "BENCH_REPORT_ONLY=1 but no earlier run in $WORK"
else
    : > "$RESULTS"
    {
        echo "LOAD_BEFORE='$(cut -d' ' -f1-3 /proc/loadavg)'"
        echo "START=$(date +%s)"
    } > "$WORK/run.env"
fi
# shellcheck disable=SC1091
source "$WORK/run.env"

java_run() {  # CLASS LOGFILE ARGS...
    local cls="$1" out="$2" rc=0; shift 2
    # shellcheck disable=SC2086
    (cd "$WORK" && "$JAVA" -Xms1g -Xmx"$HEAP" -XX:+UseParallelGC $VECGRID_THP_OPTS $VECGRID_JVM_OPENS -Dvecgrid.data="$DATA" \
        -DIGNITE_QUIET=true -DIGNITE_NO_ASCII=true -DIGNITE_UPDATE_NOTIFIER=false \
        -cp "$CP" "io.vecgrid.benchmarks.$cls" "$@") > "$out" 2>&1 || rc=$?
    grep -E '^\[(layout|vecgrid-jdk)' "$out" || true
    [ "$rc" = 0 ] || { tail -40 "$out"; die "$cls $1 failed (exit $rc), see $out"; }
}

if [ "${BENCH_REPORT_ONLY:-0}" != 1 ]; then
for ds in "${DSS[@]}"; do
    n=$(rows_of "$ds")
    metric=$(metric_of "$ds")
    res="$WORK/$ds.tsv"
    : > "$res"
    log "$ds: $n rows, $metric"
    # Graph build, one index over all rows, all cores: vecgrid, then hnswlib C++ on the same rows and parameters.
    java_run SegmentBench "$WORK/$ds-build.out" build --data "$ds" --n "$n" --m "$M" --efc "$EFC" \
        --index "$WORK/index/$ds-vecgrid.idx" --results "$res"
    "$HNSW_BIN" build "$DATA/$ds/base.fvecs" "$n" "$M" "$EFC" "$CORES" "$WORK/index/$ds-hnswlib.idx" "$res" \
        hnswlib-native "$metric"
    rm -f "$WORK/index/$ds-hnswlib.idx"
    # Cluster, replicaNumber 2: ingest, settle, then search against the index built above.
    java_run LayoutBench "$WORK/$ds-r2.out" cluster --data "$ds" --n "$n" --replicas 2 --writers "$WRITERS" \
        --index "$WORK/index/$ds-vecgrid.idx" --threads "$THREADS" --ef "$EF" --nq "$NQ" --rounds "$ROUNDS" \
        --results "$res"
    # Cluster, replicaNumber 1: ingest and settle only.
    if [[ "$R1" == *",$ds,"* ]]; then
        java_run LayoutBench "$WORK/$ds-r1.out" cluster --data "$ds" --n "$n" --replicas 1 --writers "$WRITERS" \
            --results "$res"
    fi
    awk -v d="$ds" '{print d "\t" $0}' "$res" >> "$RESULTS"  # one file: every record prefixed by its data set
done
{
    echo "LOAD_AFTER='$(cut -d' ' -f1-3 /proc/loadavg)'"
    echo "END=$(date +%s)"
} >> "$WORK/run.env"
fi
# shellcheck disable=SC1091
source "$WORK/run.env"

# ------------------------------------------------------------------ report
CPU="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $CORES cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
mkdir -p "$OUT/benchmarks"
cp "$RESULTS" "$OUT/benchmarks/layout-results.tsv"
CMD="scripts/layout-benchmark.sh"
[ "$QUICK" = 1 ] && CMD="$CMD --quick"
# shellcheck disable=SC2086
"$JAVA" -Djava.awt.headless=true $VECGRID_JVM_OPENS -cp "$CP" io.vecgrid.benchmarks.LayoutReport \
    --results "$RESULTS" --md "$OUT/benchmarks.md" --png "$OUT/benchmarks/layout-qps.png" \
    --analysis "$SRC/benchmarks/layout-analysis.md" \
    --meta "command=$CMD" --meta "quick=$QUICK" \
    --meta "date=$(date -u -d "@$END" '+%Y-%m-%d %H:%M UTC'), $(( (END - START) / 60 )) min" \
    --meta "cpu=$CPU" --meta "cores=$CORES" --meta "load.before=$LOAD_BEFORE" --meta "load.after=$LOAD_AFTER" \
    --meta "java=JDK $JDK" --meta "m=$M" --meta "efc=$EFC" --meta "ef=$EF" --meta "threads=$THREADS" \
    --meta "writers=$WRITERS" --meta "nq=$NQ" --meta "rounds=$ROUNDS" 2>&1 | grep -v 'WARNING: Using incubator modules' || true
grep -q 'section:begin layout' "$OUT/benchmarks.md" || die "no section written"
log "done (measured in $(( (END - START) / 60 )) min): $OUT/benchmarks.md"
