#!/usr/bin/env bash
# vecgrid's per-segment benchmark, side by side with the engines Milvus searches segments with, in one run:
#
#   scripts/benchmark.sh [fashion-mnist|glove-100]      (default: fashion-mnist)
#
# On the same data (Fashion-MNIST, 60,000 x 784, L2; or GloVe-100, all 331,479 base rows x 100, cosine; 10,000
# queries held out from the base, with the data set's exact ground truth) and the same HNSW parameters (M,
# efConstruction, ef sweep), one search thread:
#   - vecgrid's segment index (io.vecgrid.index, its own HNSW builder and walk): build time, recall@10 vs QPS over the ef sweep, run
#     on the newest JDK >= 17 found (scripts/env.sh vecgrid_java) AND on JDK 17, reported side by side;
#   - vecgrid's FLAT scan in GB/s next to single-thread streaming sums over the same array (memory-bandwidth probes,
#     Java and C++) measured in the same run;
#   - anchors: hnswlib C++ (Debian's libhnswlib-dev headers, g++ -O3 -march=native), hnswlib from Debian's
#     python3-hnswlib, FAISS IndexHNSWFlat and IndexFlatL2 (IndexFlatIP for cosine) from Debian's python3-faiss.
# Cosine (GloVe-100): vecgrid scores COSINE on the raw rows; hnswlib C++ searches its inner-product space over rows
# and queries normalised to unit length, hnswlib's Python binding its 'cosine' space (it normalises itself), FAISS
# IndexHNSWFlat with METRIC_INNER_PRODUCT and IndexFlatIP over normalised rows and queries. Every engine's recall@10 is
# counted against the same ground truth file.
# The machine may be shared and noisy: every engine runs its sweep once per round, rounds interleaved (order rotated),
# and the report takes the best round per point and gives per-round ratios too.
#
# Fashion-MNIST writes docs/benchmarks.md (the whole page, keeping every marked section of other writers),
# docs/benchmarks/fashion-mnist-recall-qps.png and docs/benchmarks/results.tsv (raw records) in this repository.
# GloVe-100 writes only its own section of docs/benchmarks.md ("Per-segment: GloVe-100", between its markers; the
# rest of the page is left alone), docs/benchmarks/glove-100-recall-qps.png and docs/benchmarks/results-glove-100.tsv.
# benchmarks/analysis.md is the hand-written analysis of both: the part after its line "<!-- analysis: glove-100 -->"
# goes into the GloVe-100 section. Builds in its own directory (never in the work tree), so it can run while others
# build.
#
# Every engine runs with transparent huge pages where the kernel allows them (scripts/env.sh vecgrid_huge_pages,
# docs/operations.md "Huge pages"; runs published before 2026-12-06 18:00 UTC did not); VECGRID_HUGE_PAGES=0 turns it off.
# Installs what is missing (as root, or through sudo): python3-hnswlib python3-faiss libhnswlib-dev g++ (apt-get),
# and fetches the data set into ${VECGRID_DATA:-~/.cache/vecgrid} (scripts/fetch-datasets.sh).
#
# Settings (environment): BENCH_ROUNDS (3), BENCH_BUILD_ROUNDS (3: builds of vecgrid and hnswlib C++, the rounds after
# the first in alternating order, so their CPU ratio is a median of rounds, not one pair of builds),
# BENCH_QUERIES (10000), BENCH_M (16), BENCH_EFC (200),
# BENCH_EFS (ef sweep; Fashion-MNIST 10,12,14,16,18,20,24,28,32,40,48,64,96,128; GloVe-100
# 10,16,24,32,48,64,96,128,192,256,384,512,768, as its recall@10 needs a far larger ef), BENCH_COST_EFS (where a
# query's time goes, measured at these ef; Fashion-MNIST 10,12,14,16,18,20,24; GloVe-100
# 16,32,64,128,256,384,512,768; vecgrid's breakdown replays L2 distances only, so on GloVe-100 only hnswlib C++'s),
# BENCH_N (base rows indexed: all by default; fewer for a quick run, recall then against the exact ground truth of
# that prefix, computed first), BENCH_WORK (/tmp/vecgrid-bench: one directory per data set, $BENCH_WORK/NAME, with
# its build copy, indexes and results, so runs on the two data sets do not touch each other's), BENCH_JAVA17 (a
# JDK 17 java; found under /usr/lib/jvm otherwise), BENCH_OUT (docs of this repository), BENCH_REPORT_ONLY=1 (measure
# nothing: rewrite the data set's report from its last run's $BENCH_WORK/NAME/results.tsv, e.g. after editing
# benchmarks/analysis.md).
# Takes about 25 minutes for Fashion-MNIST on an idle 2-core machine, and roughly 45 for GloVe-100 (about 15 minutes of
# index builds, then about 8 per round); longer on a busy one.
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
vecgrid_huge_pages  # every engine alike: the JVM flag for vecgrid, malloc advised for all (C++ and Python too)

log() { echo "[benchmark] $*"; }
die() { echo "[benchmark] ERROR: $*" >&2; exit 1; }

# ------------------------------------------------------------------ data set
[ $# -le 1 ] || { echo "usage: $0 [fashion-mnist|glove-100]" >&2; exit 2; }
DS="${1:-fashion-mnist}"
case "$DS" in
    fashion-mnist)
        LABEL="Fashion-MNIST"; METRIC=l2; METRIC_NAME=L2; N_DEFAULT=60000
        EFS_DEFAULT=10,12,14,16,18,20,24,28,32,40,48,64,96,128; COST_EFS_DEFAULT=10,12,14,16,18,20,24 ;;
    glove-100)
        LABEL="GloVe-100"; METRIC=cosine; METRIC_NAME=cosine; N_DEFAULT=all
        EFS_DEFAULT=10,16,24,32,48,64,96,128,192,256,384,512,768; COST_EFS_DEFAULT=16,32,64,128,256,384,512,768 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [fashion-mnist|glove-100]" >&2; exit 2 ;;
esac

ROUNDS="${BENCH_ROUNDS:-3}"
BUILD_ROUNDS="${BENCH_BUILD_ROUNDS:-3}"
NQ="${BENCH_QUERIES:-10000}"
M="${BENCH_M:-16}"
EFC="${BENCH_EFC:-200}"
EFS="${BENCH_EFS:-$EFS_DEFAULT}"
COST_EFS="${BENCH_COST_EFS:-$COST_EFS_DEFAULT}"
WORK="${BENCH_WORK:-/tmp/vecgrid-bench}/$DS"
OUT="${BENCH_OUT:-$VECGRID_HOME/docs}"
DATA="${VECGRID_DATA:-$HOME/.cache/vecgrid}"
THREADS="$(nproc)"
if [ "$DS" = fashion-mnist ]; then
    TSV="results.tsv"                  # the page's own run keeps the names it always had
else
    TSV="results-$DS.tsv"
fi

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
# Rows of the base, from the file: int32 dimension, then that many floats, per row.
DIM=$(od -An -t d4 -N4 "$BASE" | tr -d ' ')
ROWS=$(( $(stat -c %s "$BASE") / (4 * (DIM + 1)) ))
N="${BENCH_N:-$N_DEFAULT}"
[ "$N" = all ] && N=$ROWS
[[ "$N" =~ ^[0-9]+$ ]] && [ "$N" -ge 100 ] && [ "$N" -le "$ROWS" ] || die "BENCH_N=$N: the base of $DS has $ROWS rows"
RESULTS="$WORK/results.tsv"
REPORT_ONLY="${BENCH_REPORT_ONLY:-0}"
if [ "$REPORT_ONLY" = 1 ]; then
    [ -s "$RESULTS" ] && [ -s "$WORK/run.env" ] || die "BENCH_REPORT_ONLY=1 but no earlier run in $WORK"
else
    : > "$RESULTS"
    echo "LOAD_BEFORE='$(cut -d' ' -f1-3 /proc/loadavg)'" > "$WORK/run.env"
    echo "START=$(date +%s)" >> "$WORK/run.env"
    # The run's settings: a report-only run describes the run it reports, whatever the environment says now.
    echo "N=$N NQ=$NQ M=$M EFC=$EFC EFS=$EFS COST_EFS=$COST_EFS ROUNDS=$ROUNDS BUILD_ROUNDS=$BUILD_ROUNDS" >> "$WORK/run.env"
fi
# shellcheck disable=SC1091
source "$WORK/run.env"
log "$LABEL: $N of $ROWS base rows x $DIM, $METRIC_NAME, $NQ queries; work directory $WORK"

java_bench() {  # JAVA SUBCOMMAND ARGS...
    local j="$1" rc=0; shift
    # shellcheck disable=SC2086
    (cd "$WORK" && "$j" -Xms1g -Xmx6g -XX:+UseParallelGC $VECGRID_THP_OPTS $VECGRID_JVM_OPENS -Dvecgrid.data="$DATA" \
        -cp "$CP" io.vecgrid.benchmarks.SegmentBench "$@" --data "$DS" --n "$N" --m "$M" --efc "$EFC" --results "$RESULTS") \
        > "$WORK/java.out" 2>&1 || rc=$?
    grep -v -e 'WARNING: Using incubator modules' -e 'VectorizationProvider' -e 'Falling back to slower' "$WORK/java.out" || true
    [ "$rc" = 0 ] || die "SegmentBench $1 on $j failed (exit $rc)"
}

# Ground truth: the data set's own file over the whole base; over a prefix (BENCH_N) the exact top-100 of that
# prefix, computed once per run with vecgrid's kernel (as the data set's file is) and used by every engine.
GT_TEXT=""
if [ "$N" != "$ROWS" ]; then
    GT="$WORK/groundtruth-n$N-q$NQ.ivecs"
    GT_TEXT="exact ground truth of that prefix (computed for this run with vecgrid's kernel, as the data set's own is)"
    if [ "$REPORT_ONLY" != 1 ] && [ ! -s "$GT" ]; then
        log "computing the exact ground truth of the first $N rows for $NQ queries"
        java_bench "$JAVA_NEW" truth --nq "$NQ" --out "$GT"
    fi
fi

if [ "$REPORT_ONLY" != 1 ]; then
# ------------------------------------------------------------------ builds
for j in "${JAVAS[@]}"; do
    f=$(java_feature "$j")
    java_bench "$j" build --index "$WORK/index/vecgrid-jdk$f.idx"
    [ -s "$WORK/index/vecgrid-jdk$f.idx" ] || die "vecgrid build on JDK $f failed"
done
"$HNSW_BIN" build "$BASE" "$N" "$M" "$EFC" "$THREADS" "$WORK/index/hnswlib-native.idx" "$RESULTS" hnswlib-native "$METRIC"
"${ANCHORS[@]}" build --engine hnswlib-debian --base "$BASE" --n "$N" --m "$M" --efc "$EFC" --threads "$THREADS" \
    --index "$WORK/index/hnswlib-debian.idx" --results "$RESULTS" --metric "$METRIC"
"${ANCHORS[@]}" build --engine faiss-hnsw --base "$BASE" --n "$N" --m "$M" --efc "$EFC" --threads "$THREADS" \
    --index "$WORK/index/faiss-hnsw.idx" --results "$RESULTS" --metric "$METRIC"
# More builds of vecgrid and hnswlib C++ (their CPU ratio is a goal), in alternating order, into a scratch index:
# the report gives every build and the median of the per-round ratios.
build_native() {
    "$HNSW_BIN" build "$BASE" "$N" "$M" "$EFC" "$THREADS" "$WORK/index/round.idx" "$RESULTS" hnswlib-native "$METRIC"
}
for ((r = 2; r <= BUILD_ROUNDS; r++)); do
    log "build round $r of $BUILD_ROUNDS"
    if [ $((r % 2)) = 0 ]; then build_native; fi
    for j in "${JAVAS[@]}"; do java_bench "$j" build --index "$WORK/index/round.idx"; done
    if [ $((r % 2)) = 1 ]; then build_native; fi
    rm -f "$WORK/index/round.idx"
done

# ------------------------------------------------------------------ interleaved rounds
steps=()
for j in "${JAVAS[@]}"; do steps+=("java:$j"); done
steps+=(hnswlib-native hnswlib-debian faiss-hnsw)
run_step() {  # STEP ROUND
    case "$1" in
        java:*)
            local j="${1#java:}" f
            f=$(java_feature "$j")
            java_bench "$j" search --index "$WORK/index/vecgrid-jdk$f.idx" --nq "$NQ" --efs "$EFS" --gt "$GT" --round "$2"
            java_bench "$j" cost --index "$WORK/index/vecgrid-jdk$f.idx" --nq 2000 --efs "$COST_EFS" --round "$2"
            java_bench "$j" scan --round "$2" ;;
        hnswlib-native)
            "$HNSW_BIN" search "$BASE" "$N" "$QUERY" "$GT" "$NQ" "$WORK/index/hnswlib-native.idx" "$EFS" "$2" "$RESULTS" \
                hnswlib-native "$METRIC"
            "$HNSW_BIN" cost "$N" "$QUERY" 2000 "$WORK/index/hnswlib-native.idx" "$COST_EFS" "$2" "$RESULTS" hnswlib-native \
                "$METRIC"
            "$HNSW_BIN" probe "$BASE" "$N" 12 "$2" "$RESULTS" cpp-probe ;;
        hnswlib-debian)
            "${ANCHORS[@]}" search --engine hnswlib-debian --base "$BASE" --n "$N" --query "$QUERY" --gt "$GT" --nq "$NQ" \
                --index "$WORK/index/hnswlib-debian.idx" --efs "$EFS" --round "$2" --results "$RESULTS" --metric "$METRIC" ;;
        faiss-hnsw)
            "${ANCHORS[@]}" search --engine faiss-hnsw --base "$BASE" --n "$N" --query "$QUERY" --gt "$GT" --nq "$NQ" \
                --index "$WORK/index/faiss-hnsw.idx" --efs "$EFS" --round "$2" --results "$RESULTS" --metric "$METRIC"
            "${ANCHORS[@]}" scan --base "$BASE" --n "$N" --query "$QUERY" --round "$2" --results "$RESULTS" --metric "$METRIC" ;;
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
cp "$RESULTS" "$OUT/benchmarks/$TSV"
CMD="scripts/benchmark.sh"
[ "$DS" = fashion-mnist ] || CMD="$CMD $DS"
DATA_META=(--meta "data=$LABEL" --meta "dim=$DIM" --meta "metric=$METRIC_NAME" --meta "base.rows=$ROWS"
    --meta "tsv=docs/benchmarks/$TSV")
[ -z "$GT_TEXT" ] || DATA_META+=(--meta "gt=$GT_TEXT")
# shellcheck disable=SC2086
"$JAVA_NEW" -Djava.awt.headless=true $VECGRID_JVM_OPENS -cp "$CP" io.vecgrid.benchmarks.ReportWriter \
    --results "$RESULTS" --md "$OUT/benchmarks.md" --png "$OUT/benchmarks/$DS-recall-qps.png" \
    --analysis "$SRC/benchmarks/analysis.md" --dataset "$DS" "${DATA_META[@]}" \
    --meta "command=$CMD" --meta "date=$(date -u -d "@$END" '+%Y-%m-%d %H:%M UTC'), $(( (END - START) / 60 )) min" \
    --meta "cpu=$CPU" --meta "cores=$THREADS" --meta "load.before=$LOAD_BEFORE" --meta "load.after=$LOAD_AFTER" \
    --meta "n=$N" --meta "nq=$NQ" --meta "m=$M" --meta "efc=$EFC" --meta "efs=$EFS" --meta "rounds=$ROUNDS" \
    --meta "anchor.simd=$SIMD" --meta "packages=$PKGS" 2>&1 | grep -v 'WARNING: Using incubator modules' || true
[ -s "$OUT/benchmarks.md" ] || die "no report written"
log "done ($DS, measured in $(( (END - START) / 60 )) min): $OUT/benchmarks.md"
