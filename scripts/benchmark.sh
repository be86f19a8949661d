#!/usr/bin/env bash
# vecgrid's per-segment benchmark, side by side with the engines Milvus searches segments with, in one run:
#
#   scripts/benchmark.sh
#
# On the same data (Fashion-MNIST, 60,000 x 784, L2, 10,000 queries with exact ground truth) and the same HNSW
# parameters (M, efConstruction, ef sweep), one search thread:
#   - vecgrid's segment index (io.vecgrid.index, jvector HNSW): build time, recall@10 vs QPS over the ef sweep, run
#     on the newest JDK >= 17 found (scripts/env.sh vecgrid_java) AND on JDK 17, reported side by side;
#   - vecgrid's FLAT scan in GB/s next to single-thread streaming sums over the same array (memory-bandwidth probes,
#     Java and C++) measured in the same run;
#   - anchors: hnswlib C++ (Debian's libhnswlib-dev headers, g++ -O3 -march=native), hnswlib from Debian's
#     python3-hnswlib, FAISS IndexHNSWFlat and IndexFlatL2 from Debian's python3-faiss.
# The machine may be shared and noisy: every engine runs its sweep once per round, rounds interleaved (order rotated),
# and the report takes the best round per point and gives per-round ratios too.
#
# Writes docs/benchmarks.md, docs/benchmarks/fashion-mnist-recall-qps.png and docs/benchmarks/results.tsv (raw
# records) in this repository. Builds in its own directory (never in the work tree), so it can run while others build.
#
# Installs what is missing (as root, or through sudo): python3-hnswlib python3-faiss libhnswlib-dev g++ (apt-get),
# and fetches Fashion-MNIST into ${VECGRID_DATA:-~/.cache/vecgrid} (scripts/fetch-datasets.sh).
#
# Settings (environment): BENCH_ROUNDS (3), BENCH_QUERIES (10000), BENCH_M (16), BENCH_EFC (200),
# BENCH_EFS (10,12,14,16,18,20,24,28,32,40,48,64,96,128), BENCH_COST_EFS (10,12,14,16,18,20,24: where a query's
# time goes, measured at these ef), BENCH_WORK (/tmp/vecgrid-bench: build copy, indexes),
# BENCH_JAVA17 (a JDK 17 java; found under /usr/lib/jvm otherwise), BENCH_OUT (docs of this repository),
# BENCH_REPORT_ONLY=1 (measure nothing: rewrite the report from the last run's $BENCH_WORK/results.tsv, e.g. after
# editing benchmarks/analysis.md).
# Takes about 20 minutes on an idle 2-core machine, longer on a busy one.
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

ROUNDS="${BENCH_ROUNDS:-3}"
NQ="${BENCH_QUERIES:-10000}"
M="${BENCH_M:-16}"
EFC="${BENCH_EFC:-200}"
EFS="${BENCH_EFS:-10,12,14,16,18,20,24,28,32,40,48,64,96,128}"
COST_EFS="${BENCH_COST_EFS:-10,12,14,16,18,20,24}"
WORK="${BENCH_WORK:-/tmp/vecgrid-bench}"
OUT="${BENCH_OUT:-$VECGRID_HOME/docs}"
DATA="${VECGRID_DATA:-$HOME/.cache/vecgrid}"
DS="fashion-mnist"
N=60000
THREADS="$(nproc)"

log() { echo "[benchmark] $*"; }
die() { echo "[benchmark] ERROR: $*" >&2; exit 1; }

# ------------------------------------------------------------------ prerequisites
as_root() {
    if [ "$(id -u)" = 0 ]; then "$@";
    elif command -v sudo >/dev/null 2>&1; then sudo "$@";
    else die "need root to run: $*"; fi
}

missing=()
/usr/bin/python3 -c 'import hnswlib' 2>/dev/null || missing+=(python3-hnswlib)
/usr/bin/python3 -c 'import faiss' 2>/dev/null || missing+=(python3-faiss)
[ -f /usr/include/hnswlib/hnswlib.h ] || missing+=(libhnswlib-dev)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get install -y "${missing[@]}" || { as_root apt-get update && as_root apt-get install -y "${missing[@]}"; } \
        || die "could not install ${missing[*]}"
fi

# JDKs: the newest >= 17 (scripts/env.sh), and a JDK 17 to report beside it.
vecgrid_bench_javas
for j in "${JAVAS[@]}"; do log "JDK $(java_feature "$j"): $j"; done

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
ANCHORS=(/usr/bin/python3 "$SRC/benchmarks/python/anchors.py")

# ------------------------------------------------------------------ data
if [ ! -f "$DATA/$DS/groundtruth-100.ivecs" ]; then
    log "fetching $DS"
    VECGRID_DATA="$DATA" VECGRID_PREP_CP="$SRC/benchmarks/target/lib/*" \
        bash "$SRC/scripts/fetch-datasets.sh" "$DS"
fi
BASE="$DATA/$DS/base.fvecs"
QUERY="$DATA/$DS/query.fvecs"
GT="$DATA/$DS/groundtruth-100.ivecs"

RESULTS="$WORK/results.tsv"
REPORT_ONLY="${BENCH_REPORT_ONLY:-0}"
if [ "$REPORT_ONLY" = 1 ]; then
    [ -s "$RESULTS" ] && [ -s "$WORK/run.env" ] || die "BENCH_REPORT_ONLY=1 but no earlier run in $WORK"
else
    : > "$RESULTS"
    echo "LOAD_BEFORE='$(cut -d' ' -f1-3 /proc/loadavg)'" > "$WORK/run.env"
    echo "START=$(date +%s)" >> "$WORK/run.env"
fi
# shellcheck disable=SC1091
source "$WORK/run.env"

java_bench() {  # JAVA SUBCOMMAND ARGS...
    local j="$1" rc=0; shift
    # shellcheck disable=SC2086
    (cd "$WORK" && "$j" -Xms1g -Xmx6g -XX:+UseParallelGC $VECGRID_JVM_OPENS -Dvecgrid.data="$DATA" \
        -cp "$CP" io.vecgrid.benchmarks.SegmentBench "$@" --data "$DS" --n "$N" --m "$M" --efc "$EFC" --results "$RESULTS") \
        > "$WORK/java.out" 2>&1 || rc=$?
    grep -v -e 'WARNING: Using incubator modules' -e 'VectorizationProvider' -e 'Falling back to slower' "$WORK/java.out" || true
    [ "$rc" = 0 ] || die "SegmentBench $1 on $j failed (exit $rc)"
}

if [ "$REPORT_ONLY" != 1 ]; then
# ------------------------------------------------------------------ builds
for j in "${JAVAS[@]}"; do
    f=$(java_feature "$j")
    java_bench "$j" build --index "$WORK/index/vecgrid-jdk$f.idx"
    [ -s "$WORK/index/vecgrid-jdk$f.idx" ] || die "vecgrid build on JDK $f failed"
done
"$HNSW_BIN" build "$BASE" "$N" "$M" "$EFC" "$THREADS" "$WORK/index/hnswlib-native.idx" "$RESULTS" hnswlib-native
"${ANCHORS[@]}" build --engine hnswlib-debian --base "$BASE" --n "$N" --m "$M" --efc "$EFC" --threads "$THREADS" \
    --index "$WORK/index/hnswlib-debian.idx" --results "$RESULTS"
"${ANCHORS[@]}" build --engine faiss-hnsw --base "$BASE" --n "$N" --m "$M" --efc "$EFC" --threads "$THREADS" \
    --index "$WORK/index/faiss-hnsw.idx" --results "$RESULTS"

# ------------------------------------------------------------------ interleaved rounds
steps=()
for j in "${JAVAS[@]}"; do steps+=("java:$j"); done
steps+=(hnswlib-native hnswlib-debian faiss-hnsw)
run_step() {  # STEP ROUND
    case "$1" in
        java:*)
            local j="${1#java:}" f
            f=$(java_feature "$j")
            java_bench "$j" search --index "$WORK/index/vecgrid-jdk$f.idx" --nq "$NQ" --efs "$EFS" --round "$2"
            java_bench "$j" cost --index "$WORK/index/vecgrid-jdk$f.idx" --nq 2000 --efs "$COST_EFS" --round "$2"
            java_bench "$j" scan --round "$2" ;;
        hnswlib-native)
            "$HNSW_BIN" search "$BASE" "$N" "$QUERY" "$GT" "$NQ" "$WORK/index/hnswlib-native.idx" "$EFS" "$2" "$RESULTS" hnswlib-native
            "$HNSW_BIN" cost "$N" "$QUERY" 2000 "$WORK/index/hnswlib-native.idx" "$COST_EFS" "$2" "$RESULTS" hnswlib-native
            "$HNSW_BIN" probe "$BASE" "$N" 12 "$2" "$RESULTS" cpp-probe ;;
        hnswlib-debian)
            "${ANCHORS[@]}" search --engine hnswlib-debian --base "$BASE" --n "$N" --query "$QUERY" --gt "$GT" --nq "$NQ" \
                --index "$WORK/index/hnswlib-debian.idx" --efs "$EFS" --round "$2" --results "$RESULTS" ;;
        faiss-hnsw)
            "${ANCHORS[@]}" search --engine faiss-hnsw --base "$BASE" --n "$N" --query "$QUERY" --gt "$GT" --nq "$NQ" \
                --index "$WORK/index/faiss-hnsw.idx" --efs "$EFS" --round "$2" --results "$RESULTS"
            "${ANCHORS[@]}" scan --base "$BASE" --n "$N" --query "$QUERY" --round "$2" --results "$RESULTS" ;;
    esac
}
for ((r = 1; r <= ROUNDS; r++)); do
    log "round $r of $ROUNDS"
    for ((i = 0; i < ${#steps[@]}; i++)); do
        run_step "${steps[$(( (i + r - 1) % ${#steps[@]} ))]}" "$r"
    done
done

echo "LOAD_AFTER='$(cut -d' ' -f1-3 /proc/loadavg)'" >> "$WORK/run.env"
echo "END=$(date +%s)" >> "$WORK/run.env"
fi
# shellcheck disable=SC1091
source "$WORK/run.env"

# ------------------------------------------------------------------ report
CPU="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $THREADS cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
SIMD="no AVX instructions in hnswlib.so / _swigfaiss.so (baseline x86-64 build, SSE only)"
if command -v objdump >/dev/null 2>&1; then
    h=$(objdump -d /usr/lib/python3/dist-packages/hnswlib*.so 2>/dev/null | grep -c -E 'ymm|zmm' || true)
    fa=$(objdump -d /usr/lib/python3/dist-packages/faiss/_swigfaiss*.so 2>/dev/null | grep -c -E 'ymm|zmm' || true)
    SIMD="objdump counts $h AVX (ymm/zmm) instructions in hnswlib.so and $fa in _swigfaiss.so"
    if [ "$h" = 0 ] && [ "$fa" = 0 ]; then SIMD="$SIMD: baseline x86-64 builds, SSE only"; fi
fi
PKGS=""
for p in python3-hnswlib python3-faiss libhnswlib-dev; do
    PKGS="$PKGS${PKGS:+, }$p $(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo '?')"
done
mkdir -p "$OUT/benchmarks"
cp "$RESULTS" "$OUT/benchmarks/results.tsv"
# shellcheck disable=SC2086
"$JAVA_NEW" -Djava.awt.headless=true $VECGRID_JVM_OPENS -cp "$CP" io.vecgrid.benchmarks.ReportWriter \
    --results "$RESULTS" --md "$OUT/benchmarks.md" --png "$OUT/benchmarks/fashion-mnist-recall-qps.png" \
    --analysis "$SRC/benchmarks/analysis.md" \
    --meta "command=scripts/benchmark.sh" --meta "date=$(date -u -d "@$END" '+%Y-%m-%d %H:%M UTC'), $(( (END - START) / 60 )) min" \
    --meta "cpu=$CPU" --meta "cores=$THREADS" --meta "load.before=$LOAD_BEFORE" --meta "load.after=$LOAD_AFTER" \
    --meta "n=$N" --meta "nq=$NQ" --meta "m=$M" --meta "efc=$EFC" --meta "efs=$EFS" --meta "rounds=$ROUNDS" \
    --meta "anchor.simd=$SIMD" --meta "packages=$PKGS" 2>&1 | grep -v 'WARNING: Using incubator modules' || true
[ -s "$OUT/benchmarks.md" ] || die "no report written"
log "done (measured in $(( (END - START) / 60 )) min): $OUT/benchmarks.md"
