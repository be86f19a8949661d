#!/usr/bin/env bash
# RAM per vector per copy with the shipped configs, and the search speed of loaded copies held off the heap, in one run:
#
#   scripts/memory-bench.sh
#
#   - io.vecgrid.benchmarks.MemoryBench: three nodes in one JVM from config/default-config.xml (persistence, segments
#     in a bounded page cache) and then from config/in-memory-config.xml, Fashion-MNIST 60,000 x 784 into a collection
#     with 2 replicas (HNSW M=16, 2 shards) in two halves; region pages in RAM, heap after GC and direct memory after
#     each half; the slope per vector per copy. Runs on the JDK the scripts pick for nodes (scripts/env.sh: the newest).
#     Prints the live heap's largest classes at each measurement (what the heap holds, if its slope is not small).
#   - SegmentBench storage on JDK 17 AND on the newest JDK: one 60k HNSW index searched over a heap float[] (how copies
#     were held) and over direct buffers (how they are held now), interleaved rounds in one JVM per JDK.
#
# Writes the "Memory per vector per copy" section of docs/benchmarks.md (between its markers; the rest of the page is
# scripts/benchmark.sh's) and keeps the raw records in $BENCH_WORK/memory-results.tsv. Builds in its own directory
# (never in the work tree). Settings (environment): BENCH_WORK (/tmp/vecgrid-memory-bench), BENCH_ROWS (60000),
# BENCH_QUERIES (5000), BENCH_ROUNDS (3), BENCH_EFS (12,32), BENCH_JAVA17 (a JDK 17 java; found under /usr/lib/jvm
# otherwise), BENCH_OUT (docs of this repository). About 5-10 minutes on an idle 2-core machine.
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
vecgrid_huge_pages  # as nodes started by scripts/start-node.sh

WORK="${BENCH_WORK:-/tmp/vecgrid-memory-bench}"
ROWS="${BENCH_ROWS:-60000}"
NQ="${BENCH_QUERIES:-5000}"
ROUNDS="${BENCH_ROUNDS:-3}"
EFS="${BENCH_EFS:-12,32}"
OUT="${BENCH_OUT:-$VECGRID_HOME/docs}"
DATA="${VECGRID_DATA:-$HOME/.cache/vecgrid}"

log() { echo "[memory-bench] $*"; }
die() { echo "[memory-bench] ERROR: $*" >&2; exit 1; }

vecgrid_bench_javas
for j in "${JAVAS[@]}"; do log "JDK $(java_feature "$j"): $j"; done

# ------------------------------------------------------------------ build (into $WORK, not the work tree)
SRC="$WORK/src"
mkdir -p "$SRC"
log "copying sources to $SRC and building"
(cd "$VECGRID_HOME" && tar --exclude=./.git --exclude='*/target' --exclude=./target --exclude=./work \
    --exclude=./ignite-plugin/ignite --exclude=./logs --exclude=node_modules -cf - .) \
    | (cd "$SRC" && rm -rf ignite-plugin/src examples/src benchmarks/src && tar -xf -)
(cd "$SRC" && mvn -B -q -DskipTests package -pl benchmarks -am) > "$WORK/build.log" 2>&1 \
    || { tail -40 "$WORK/build.log"; die "build failed, see $WORK/build.log"; }
CP="$SRC/benchmarks/target/classes:$SRC/benchmarks/target/lib/*"

if [ ! -f "$DATA/fashion-mnist/groundtruth-100.ivecs" ]; then
    log "fetching fashion-mnist"
    VECGRID_DATA="$DATA" VECGRID_PREP_CP="$SRC/benchmarks/target/lib/*" \
        bash "$SRC/scripts/fetch-datasets.sh" fashion-mnist
fi

RESULTS="$WORK/memory-results.tsv"
: > "$RESULTS"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
START=$(date +%s)
quiet() { grep -v -e 'WARNING: Using incubator modules' -e 'VectorizationProvider' -e 'Falling back to slower' || true; }

# ------------------------------------------------------------------ memory, both configs, one JVM
log "memory: $ROWS rows, config/default-config.xml then config/in-memory-config.xml"
# shellcheck disable=SC2086
(cd "$SRC" && "$JAVA_NEW" -Xms2g -Xmx6g $VECGRID_JVM_OPENS -DIGNITE_QUIET=true -DIGNITE_UPDATE_NOTIFIER=false \
    -DIGNITE_PERFORMANCE_SUGGESTIONS_DISABLED=true -Djava.net.preferIPv4Stack=true -Dvecgrid.data="$DATA" \
    -Dvecgrid.memory.histogram=true -cp "$CP" io.vecgrid.benchmarks.MemoryBench measure --config "$SRC/config/default-config.xml" \
    --config "$SRC/config/in-memory-config.xml" --rows "$ROWS" --work "$WORK/nodes" --results "$RESULTS") 2>&1 | quiet
grep -q '^memory	' "$RESULTS" || die "MemoryBench measured nothing"

# ------------------------------------------------------------------ heap vs direct search speed, per JDK
INDEX="$WORK/fashion-mnist-60k.idx"
for j in "${JAVAS[@]}"; do
    log "storage: heap float[] vs direct buffers on JDK $(java_feature "$j")"
    # shellcheck disable=SC2086
    (cd "$WORK" && "$j" -Xms1g -Xmx6g -XX:+UseParallelGC $VECGRID_THP_OPTS $VECGRID_JVM_OPENS -Dvecgrid.data="$DATA" \
        -cp "$CP" io.vecgrid.benchmarks.SegmentBench storage --data fashion-mnist --n 60000 --m 16 --efc 200 \
        --index "$INDEX" --nq "$NQ" --efs "$EFS" --rounds "$ROUNDS" --kinds array,direct --results "$RESULTS") 2>&1 | quiet
done

# ------------------------------------------------------------------ report
END=$(date +%s)
CPU="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
JDKS=""
for j in "${JAVAS[@]}"; do
    JDKS="$JDKS${JDKS:+; }JDK $(java_feature "$j"): $("$j" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.vm.name/ {n=$2} /java.runtime.version/ {v=$2} END {print n " " v}') ($j)"
done
# shellcheck disable=SC2086
"$JAVA_NEW" $VECGRID_JVM_OPENS -cp "$CP" io.vecgrid.benchmarks.MemoryBench report --results "$RESULTS" \
    --md "$OUT/benchmarks.md" \
    --meta "date=$(date -u -d "@$END" '+%Y-%m-%d %H:%M UTC'), $(( (END - START) / 60 )) min" \
    --meta "machine=$CPU" \
    --meta "load average before / after=$LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)" \
    --meta "JDKs=$JDKS; the memory run and nodes started by the scripts use the newest ($(java_feature "$JAVA_NEW"))" \
    2>&1 | quiet
log "done in $(( (END - START) / 60 )) min: $OUT/benchmarks.md (raw records: $RESULTS)"
