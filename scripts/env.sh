#!/usr/bin/env bash
# Shared by the scripts: where vecgrid is, the JDK to run nodes on, the JVM flags Ignite 2.17 needs, and the class
# paths of a node, the command line and sqlline. Sourced, not run.
#
# The same scripts run in two layouts, told apart by a libs/ directory next to the scripts' directory:
#   source tree   scripts/ in a checkout built by `mvn -B -DskipTests package`: jars in the modules' target/ dirs;
#   distribution  bin/ of vecgrid-VERSION-bin.tar.gz (or .zip) unpacked anywhere: jars in libs/ (see its README.md).
# VECGRID_HOME is the directory above the scripts' (the checkout, or the unpacked distribution); the scripts work
# from any working directory.

VECGRID_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export VECGRID_HOME
VECGRID_BIN="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -d "$VECGRID_HOME/libs" ]; then VECGRID_LAYOUT=distribution; else VECGRID_LAYOUT=source; fi
export VECGRID_LAYOUT

# The newest JDK >= 17 found: $JAVA_HOME first, then /usr/lib/jvm/*, then java on the PATH.
# Nodes and benchmarks run faster on newer JDKs (jvector's Vector API path); the build targets 17.
vecgrid_java() {
    local best="" best_ver=0 cand ver
    for cand in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
        [ -n "$cand" ] && [ -x "$cand/bin/java" ] || continue
        ver=$("$cand/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
        ver=${ver%%.*}
        [[ "$ver" =~ ^[0-9]+$ ]] || continue
        if [ "$ver" -ge 17 ] && [ "$ver" -gt "$best_ver" ]; then
            best="$cand/bin/java"; best_ver=$ver
        fi
        # JAVA_HOME, when set and recent enough, wins.
        if [ -n "${JAVA_HOME:-}" ] && [ "$cand" = "$JAVA_HOME" ] && [ "$ver" -ge 17 ]; then
            echo "$cand/bin/java"; return
        fi
    done
    if [ -n "$best" ]; then echo "$best"; else echo java; fi
}

VECGRID_JVM_OPENS="--add-opens=java.base/jdk.internal.access=ALL-UNNAMED --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED --add-opens=java.management/com.sun.jmx.mbeanserver=ALL-UNNAMED --add-opens=jdk.internal.jvmstat/sun.jvmstat.monitor=ALL-UNNAMED --add-opens=java.base/sun.reflect.generics.reflectiveObjects=ALL-UNNAMED --add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.math=ALL-UNNAMED --add-opens=java.sql/java.sql=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.management/sun.management=ALL-UNNAMED --add-opens=java.desktop/java.awt.font=ALL-UNNAMED --add-modules=jdk.incubator.vector"
export VECGRID_JVM_OPENS

# Transparent huge pages for the memory that grows with the data (docs/operations.md, "Huge pages"): sets
# VECGRID_THP_OPTS to the JVM flag for the Java heap (-XX:+UseTransparentHugePages) and exports
# GLIBC_TUNABLES=glibc.malloc.hugetlb=1, so that what malloc hands out (segment copies in direct buffers, Ignite's data
# regions; glibc 2.35 or later, older ones ignore it) is advised for huge pages too; every process started from this
# shell afterwards inherits the latter. Does nothing when the kernel's THP mode is "never" or unknown, or when
# VECGRID_HUGE_PAGES=0. A search reads rows at random places in hundreds of MB; with 4 KB pages most of those reads
# also miss the TLB.
vecgrid_huge_pages() {
    VECGRID_THP_OPTS=""
    [ "${VECGRID_HUGE_PAGES:-1}" != 0 ] || return 0
    grep -q '\[\(always\|madvise\)\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || return 0
    case ":${GLIBC_TUNABLES:-}:" in
        *glibc.malloc.hugetlb=*) ;;
        *) export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1" ;;
    esac
    VECGRID_THP_OPTS="-XX:+UseTransparentHugePages"
}

# What to run when vecgrid is not built (source tree), on stderr; returns 1.
vecgrid_not_built() {
    echo "vecgrid is not built: run 'mvn -B -DskipTests package' in $VECGRID_HOME first" >&2
    return 1
}

# The jar of a module of the source tree (not its -tests or -sources jar), or nothing.
vecgrid_module_jar() {  # MODULE_DIR ARTIFACT_ID
    ls "$VECGRID_HOME/$1/target/$2"-*.jar 2>/dev/null | grep -v -- '-sources\.jar$\|-tests\.jar$' | head -n 1
}

# Classpath of a node: Ignite's jars, the plugin and its dependencies.
#   source tree:  ignite-plugin/target/vecgrid-ignite-plugin-*.jar and ignite-plugin/target/lib/* (copied by `mvn package`)
#   distribution: libs/* (Ignite) and libs/vecgrid/* (vecgrid's jars and their dependencies)
vecgrid_node_classpath() {
    if [ "$VECGRID_LAYOUT" = distribution ]; then
        echo "$VECGRID_HOME/libs/*:$VECGRID_HOME/libs/vecgrid/*"
        return
    fi
    local jar
    jar=$(vecgrid_module_jar ignite-plugin vecgrid-ignite-plugin)
    if [ -z "$jar" ] || [ ! -d "$VECGRID_HOME/ignite-plugin/target/lib" ]; then
        vecgrid_not_built; return 1
    fi
    echo "$jar:$VECGRID_HOME/ignite-plugin/target/lib/*"
}

# Classpath of the command line (io.vecgrid.cli.VecgridCli).
#   source tree:  vecgrid-cli/target/vecgrid-cli-*.jar and vecgrid-cli/target/lib/*
#   distribution: libs/cli/* (the command line's own jars, first: their versions win, as in the source tree), then the
#                 node's classpath
vecgrid_cli_classpath() {
    if [ "$VECGRID_LAYOUT" = distribution ]; then
        echo "$VECGRID_HOME/libs/cli/*:$(vecgrid_node_classpath)"
        return
    fi
    local jar
    jar=$(vecgrid_module_jar vecgrid-cli vecgrid-cli)
    if [ -z "$jar" ] || [ ! -d "$VECGRID_HOME/vecgrid-cli/target/lib" ]; then
        vecgrid_not_built; return 1
    fi
    echo "$jar:$VECGRID_HOME/vecgrid-cli/target/lib/*"
}

# Feature version (17, 25, ...) of the java binary $1.
java_feature() { "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}'; }

# The JDKs a benchmark reports side by side: the newest >= 17 (vecgrid_java) and a JDK 17 when that is another one
# (BENCH_JAVA17 names its java binary; otherwise it is looked for under /usr/lib/jvm and on the PATH). Sets JAVA_NEW,
# JAVA_17 (empty when there is none) and the array JAVAS (JAVA_NEW first).
vecgrid_bench_javas() {
    JAVA_NEW="$(vecgrid_java)"
    JAVA_17="${BENCH_JAVA17:-}"
    local cand
    if [ -z "$JAVA_17" ]; then
        for cand in /usr/lib/jvm/*/bin/java "$(command -v java || true)"; do
            [ -x "$cand" ] || continue
            if [ "$(java_feature "$cand")" = 17 ]; then JAVA_17="$cand"; break; fi
        done
    fi
    JAVAS=("$JAVA_NEW")
    if [ -n "$JAVA_17" ] && [ "$(java_feature "$JAVA_17")" != "$(java_feature "$JAVA_NEW")" ]; then
        JAVAS+=("$JAVA_17")
    fi
}
