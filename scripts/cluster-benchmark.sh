#!/usr/bin/env bash
# vecgrid's cluster benchmark: real node processes, a real data set, one run.
#
#   scripts/cluster-benchmark.sh [--quick] [NODES] [DATASET]     (defaults: 3 fashion-mnist; DATASET also glove-100)
#
# Starts NODES server nodes as separate JVMs with scripts/start-node.sh (the shipped persistent
# config/default-config.xml) on ports of their own (a random free range away from the shipped defaults, so it never
# joins a developer's cluster or a CI run) with work directories under a temporary directory, loads the data set
# into a collection (HNSW, shipped defaults, 2 shards, replicaNumber 1) through a thick client in the benchmark's JVM,
# waits until it settles (compaction leaves one segment per shard, every copy serviceable), then measures, in this
# order (io.vecgrid.benchmarks.ClusterBench):
#   1. router overhead: single-query searches (replicaNumber 1, one thread, thick client) vs an empty compute job
#      broadcast to the same nodes through the same client, and the segment search itself timed in-JVM;
#   2. throughput: cluster QPS with CB_THREADS client threads vs the same segments (read from the cluster, decoded
#      with the project's segment classes) searched in the benchmark's JVM with the same threads, ef and merge;
#   6. replica scaling: QPS at replicaNumber 1, then 3 (NODES >= 3), then 2 (replica changes copy, never rebuild);
#   3. stall: SIGSTOP of one node for CB_STALL_SECONDS (replicaNumber 2), then SIGCONT, under search load through a
#      thin client (routed by a live node) and the thick client at once; then one node made slow (throttled: SIGSTOP
#      CB_SLOW_STOP_MS of every CB_SLOW_STOP_MS + CB_SLOW_RUN_MS), adaptive vs round-robin replica choice;
#   4. kill -9 of the node a thin client (given every address) routes through, under search + insert load; every
#      acknowledged insert is read back afterwards; the node is started again;
#   5. a rolling restart of every node (SIGTERM, start, wait until every copy is back on 2 nodes) under that load.
# Writes docs/benchmarks/cluster-DATASET.tsv (every figure and event; the per-call records behind the plots stay in
# the run's directory), docs/benchmarks/cluster-DATASET-*.png and the
# "Cluster: DATASET" section of docs/benchmarks.md (between its markers; the rest of the page is left as it is),
# with benchmarks/cluster-analysis-DATASET.md (hand-written: causes and remedies) embedded if it exists.
#
# --quick: a smaller, shorter run to try the benchmark out (20,000 rows, one round, shorter windows; 13 min on 2 cores
# at a load average of 30-48, less on a quiet machine); it writes its report into its work directory (printed at the
# end), not into docs/, unless CB_OUT is set.
#
# Every engine runs with transparent huge pages where the kernel allows them (scripts/env.sh vecgrid_huge_pages,
# docs/operations.md "Huge pages"; runs published before 2026-12-06 18:00 UTC did not); VECGRID_HUGE_PAGES=0 turns it off.
# Installs nothing. Builds the project first if it is not built or its sources changed since it was (mvn -B -q
# -DskipTests package -pl benchmarks -am; CB_BUILD=1 forces it) and fetches the data set with scripts/fetch-datasets.sh if it is not in
# ${VECGRID_DATA:-~/.cache/vecgrid}. Every process it starts is ended on exit, failure or Ctrl-C (trap).
#
# Settings (environment, with defaults; --quick changes those marked q): CB_ROWS (whole data set; q 20000)
# CB_QUERIES (10000; q 2000) CB_SHARDS (2) CB_THREADS (8) CB_SECONDS (10: each QPS measurement; q 6)
# CB_WARMUP_SECONDS (3; q 2: each measurement's warm-up, which then goes on until the JIT compiler threads of the nodes and
# the benchmark's JVM use less than CB_JIT_QUIET_CPU cores together, 0.05, for at most CB_JIT_WARMUP_MAX_SECONDS, 60)
# CB_ROUNDS (2; q 1) CB_OVERHEAD_QUERIES (1000; q 300) CB_STEADY_THREADS (2: search
# threads per client in the stall, kill and rolling tests) CB_HEALTHY_SECONDS (8; q 5) CB_AFTER_SECONDS (10; q 6)
# CB_STALL_SECONDS (3; keep it below failureDetectionTimeout, 5 s in the shipped config) CB_SLOW_STOP_MS (50)
# CB_SLOW_RUN_MS (50) CB_SLOW_THREADS (4) CB_INSERT_BATCH (20 rows) CB_INSERT_PAUSE_MS (100) CB_LOAD_BATCH (1000)
# CB_LOAD_THREADS (2) CB_SETTLE_TIMEOUT (1800 s) CB_RECALL_QUERIES (1000; q 200) CB_NODE_JVM_OPTS
# ("-Xms512m -Xmx2g") CB_BENCH_HEAP (3g: the benchmark's JVM) CB_OUT (docs of this repository) CB_KEEP_DATA=1 (keep
# the nodes' data) CB_PHASES (overhead,throughput,scaling,stall,slow,kill,rolling: a subset to try one part)
# CB_QUIET_CPU (0.3 cores: the nodes count as quiet below it, waited for after loading and each change) CB_QUIET_TIMEOUT
# (90 s) CB_DUMP_AFTER_MS (2000: a search in flight this long in the stall, kill and rolling tests dumps every JVM's threads)
# CB_REPORT_ONLY=DIR (measure nothing: rewrite the report from the run kept in DIR, e.g. after changing the writer).
# CB_PROFILER=/path/to/libasyncProfiler.so (async-profiler's agent, e.g. unpacked from Maven Central's
# tools.profiler:async-profiler jar; the benchmark installs nothing): every measured window is profiled in every process
# by CPU time, collapsed stacks written to the work directory as profile-<window>-<n>-<process>.collapsed.
# Takes 13 minutes for Fashion-MNIST on 2 shared cores at a load average of 8-33, 20-21 at 30-45 (loading and compaction
# take a third of it).
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

log() { echo "[cluster-benchmark] $*"; }
die() { echo "[cluster-benchmark] ERROR: $*" >&2; exit 1; }

QUICK=0
ARGS=()
for a in "$@"; do
    case "$a" in
        --quick) QUICK=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $a (see --help)" ;;
        *) ARGS+=("$a") ;;
    esac
done
NODES="${ARGS[0]:-3}"
DS="${ARGS[1]:-fashion-mnist}"
[[ "$NODES" =~ ^[0-9]+$ ]] && [ "$NODES" -ge 2 ] || die "NODES must be a number >= 2, got '$NODES'"
case "$DS" in fashion-mnist|glove-100) ;; *) die "DATASET must be fashion-mnist or glove-100, got '$DS'" ;; esac
if [ "$QUICK" = 1 ]; then
    export CB_ROWS="${CB_ROWS:-20000}" CB_QUERIES="${CB_QUERIES:-2000}" CB_SECONDS="${CB_SECONDS:-6}" \
        CB_WARMUP_SECONDS="${CB_WARMUP_SECONDS:-2}" CB_ROUNDS="${CB_ROUNDS:-1}" CB_OVERHEAD_QUERIES="${CB_OVERHEAD_QUERIES:-300}" \
        CB_HEALTHY_SECONDS="${CB_HEALTHY_SECONDS:-5}" CB_AFTER_SECONDS="${CB_AFTER_SECONDS:-6}" \
        CB_RECALL_QUERIES="${CB_RECALL_QUERIES:-200}"
fi
DATA="${VECGRID_DATA:-$HOME/.cache/vecgrid}"
JAVA="$(vecgrid_java)"
vecgrid_huge_pages  # as the nodes (scripts/start-node.sh): both sides of every ratio alike
# This checkout's plugin (the one its nodes run) ahead of benchmarks/target/lib: the copy there comes from the local
# Maven repository, which another checkout's `mvn install` may have replaced with a different build of the same version.
cb_classpath() {
    echo "$VECGRID_HOME/benchmarks/target/classes:$(vecgrid_node_classpath):$VECGRID_HOME/benchmarks/target/lib/*"
}

if [ -n "${CB_REPORT_ONLY:-}" ]; then
    WORK="$CB_REPORT_ONLY"
    [ -s "$WORK/results.tsv" ] && [ -s "$WORK/run.env" ] || die "CB_REPORT_ONLY=$WORK holds no earlier run"
else
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/vecgrid-clusterbench.XXXXXX")"
fi
if [ -n "${CB_OUT:-}" ]; then OUT="$CB_OUT"
elif [ "$QUICK" = 1 ]; then OUT="$WORK/report"
else OUT="$VECGRID_HOME/docs"; fi

HARNESS_PID=""
# Ends everything this run started: the benchmark's JVM, then every process it listed in $WORK/pids (node JVMs,
# the throttle loop) that is still there and still ours (its environment names this run's directory).
cleanup() {
    local rc=$? pid what
    trap - EXIT INT TERM
    if [ -n "$HARNESS_PID" ] && kill -0 "$HARNESS_PID" 2>/dev/null; then
        kill -TERM "$HARNESS_PID" 2>/dev/null || true
        for _ in $(seq 1 30); do kill -0 "$HARNESS_PID" 2>/dev/null || break; sleep 1; done
        kill -KILL "$HARNESS_PID" 2>/dev/null || true
    fi
    if [ -f "$WORK/pids" ] && [ -z "${CB_REPORT_ONLY:-}" ]; then
        while read -r pid what; do
            [ -d "/proc/$pid" ] || continue
            if tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -q -F "$WORK/"; then
                kill -CONT "$pid" 2>/dev/null || true
                kill -KILL "$pid" 2>/dev/null && log "ended leftover $what (pid $pid)"
            fi
        done < "$WORK/pids"
        # The nodes' log files (scripts/start-node.sh writes them to logs/): keep them with the run.
        while read -r pid what; do
            [ "$what" = throttle ] && continue
            for f in "$VECGRID_HOME/logs/vecgrid-$what.log"; do [ -f "$f" ] && mv -f "$f" "$WORK/" || true; done
        done < "$WORK/pids"
        if [ "${CB_KEEP_DATA:-0}" != 1 ]; then
            rm -rf "$WORK/nodes" "$WORK"/cb-client*
        fi
        log "logs of this run: $WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Whether the plugin's or the benchmark's sources changed after they were built (source tree): a run must not measure
# an older build than the sources say (one once did, with a temporary probe still compiled in).
cb_sources_newer() {
    [ "$VECGRID_LAYOUT" = distribution ] && return 1
    local jar bench="$VECGRID_HOME/benchmarks/target/classes/io/vecgrid/benchmarks/ClusterBench.class"
    jar=$(vecgrid_module_jar ignite-plugin vecgrid-ignite-plugin)
    [ -n "$jar" ] && [ -f "$bench" ] || return 0
    [ -n "$(find "$VECGRID_HOME/ignite-plugin/src/main" -type f -newer "$jar" -print -quit 2>/dev/null)" ] ||
        [ -n "$(find "$VECGRID_HOME/benchmarks/src/main" -type f -newer "$bench" -print -quit 2>/dev/null)" ]
}

if [ -z "${CB_REPORT_ONLY:-}" ]; then
    # ------------------------------------------------------------------ build, data
    if [ "${CB_BUILD:-0}" = 1 ] || ! vecgrid_node_classpath >/dev/null 2>&1 || cb_sources_newer \
        || [ ! -f "$VECGRID_HOME/benchmarks/target/classes/io/vecgrid/benchmarks/ClusterBench.class" ] \
        || [ ! -d "$VECGRID_HOME/benchmarks/target/lib" ]; then
        log "building (mvn -B -q -DskipTests package -pl benchmarks -am)"
        (cd "$VECGRID_HOME" && mvn -B -q -DskipTests package -pl benchmarks -am) || die "build failed"
    fi
    if [ ! -f "$DATA/$DS/groundtruth-100.ivecs" ]; then
        log "fetching $DS"
        VECGRID_DATA="$DATA" VECGRID_PREP_CP="$VECGRID_HOME/benchmarks/target/lib/*" \
            bash "$VECGRID_HOME/scripts/fetch-datasets.sh" "$DS"
    fi

    CP="$(cb_classpath)"

    # ------------------------------------------------------------------ measure
    {
        echo "LOAD_BEFORE='$(cut -d' ' -f1-3 /proc/loadavg)'"
        echo "START=$(date +%s)"
        echo "QUICK=$QUICK"
    } > "$WORK/run.env"
    log "nodes: $NODES, data set: $DS, work directory: $WORK, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    rc=0
    : > "$WORK/harness.out"
    # shellcheck disable=SC2086
    "$JAVA" -Xms1g -Xmx"${CB_BENCH_HEAP:-3g}" $VECGRID_THP_OPTS $VECGRID_JVM_OPENS -Djava.awt.headless=true \
        -DIGNITE_UPDATE_NOTIFIER=false -DIGNITE_QUIET=true -DIGNITE_NO_ASCII=true -Dvecgrid.data="$DATA" \
        -cp "$CP" io.vecgrid.benchmarks.ClusterBench --nodes "$NODES" --dataset "$DS" --work "$WORK" \
        --results "$WORK/results.tsv" --repo "$VECGRID_HOME" > "$WORK/harness.out" 2>&1 &
    HARNESS_PID=$!
    # In the background, so that a signal to this script is handled at once (wait returns on it; cleanup runs).
    { tail -n +1 -f "$WORK/harness.out" --pid "$HARNESS_PID" | grep --line-buffered -v 'WARNING: Using incubator modules' || true; } &
    TAIL_PID=$!
    wait "$HARNESS_PID" || rc=$?
    HARNESS_PID=""
    wait "$TAIL_PID" 2>/dev/null || true
    {
        echo "LOAD_AFTER='$(cut -d' ' -f1-3 /proc/loadavg)'"
        echo "END=$(date +%s)"
    } >> "$WORK/run.env"
    [ "$rc" = 0 ] || die "the benchmark failed (exit $rc); docs left unchanged; see $WORK/harness.out"
fi
# shellcheck disable=SC1091
source "$WORK/run.env"

# ------------------------------------------------------------------ report
CP="$(cb_classpath)"
CPU="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
mkdir -p "$OUT/benchmarks"
# Every figure and event of the run; the per-call records behind the plots (megabytes) stay in $WORK/results.tsv.
grep -v '^op'$'\t' "$WORK/results.tsv" > "$OUT/benchmarks/cluster-$DS.tsv" || true
ANALYSIS=()
if [ "$QUICK" = 1 ]; then COMMAND="scripts/cluster-benchmark.sh --quick $NODES $DS"
else
    COMMAND="scripts/cluster-benchmark.sh $NODES $DS"
    # The hand-written analysis speaks of a full run's figures.
    ANALYSIS=(--analysis "$VECGRID_HOME/benchmarks/cluster-analysis-$DS.md")
fi
"$JAVA" -Djava.awt.headless=true -cp "$CP" io.vecgrid.benchmarks.ClusterReport --results "$WORK/results.tsv" \
    --md "$OUT/benchmarks.md" --png-dir "$OUT/benchmarks" --dataset "$DS" "${ANALYSIS[@]}" \
    --meta "command=$COMMAND" \
    --meta "date=$(date -u -d "@$END" '+%Y-%m-%d %H:%M UTC'), $(( (END - START + 30) / 60 )) min" \
    --meta "cpu=$CPU" --meta "cores=$(nproc)" --meta "load.before=$LOAD_BEFORE" --meta "load.after=$LOAD_AFTER" \
    || die "report failed"
log "done: $OUT/benchmarks.md (section 'Cluster: $DS'), $OUT/benchmarks/cluster-$DS.tsv"
