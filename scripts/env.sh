#!/usr/bin/env bash
# Shared by the scripts: repository root, the JDK to run nodes on, and the JVM flags Ignite 2.17 needs.
# Sourced, not run.

VECGRID_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export VECGRID_HOME

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

# Classpath of a node: the plugin jar and every jar in ignite-plugin/target/lib (built by `mvn package`).
vecgrid_node_classpath() {
    local jar
    jar=$(ls "$VECGRID_HOME"/ignite-plugin/target/vecgrid-ignite-plugin-*.jar 2>/dev/null | grep -v -- '-sources\.jar$\|-tests\.jar$' | head -n 1)
    if [ -z "$jar" ] || [ ! -d "$VECGRID_HOME/ignite-plugin/target/lib" ]; then
        echo "vecgrid is not built: run 'mvn -B -DskipTests package' in $VECGRID_HOME first" >&2
        return 1
    fi
    echo "$jar:$VECGRID_HOME/ignite-plugin/target/lib/*"
}
