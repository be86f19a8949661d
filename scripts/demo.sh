#!/usr/bin/env bash
# The main job: builds vecgrid, then runs the demo (io.vecgrid.examples.Demo): an embedded three-node cluster loads
# real Fashion-MNIST (fetched into ~/.cache/vecgrid on first use), serves searches with two in-memory replicas and
# checks recall against exact ground truth, then loses a node and keeps serving.
#   scripts/demo.sh [rows] [queries] [--serve]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$VECGRID_HOME"
mvn -B -q -DskipTests package
# The reactor's own build: the examples, the data-set tooling, the plugin and every jar a node needs
# (ignite-plugin/target/lib, which also holds the vecgrid-client and vecgrid-kernel jars).
cp="examples/target/classes:vecgrid-dataset/target/classes:ignite-plugin/target/classes:ignite-plugin/target/lib/*"
java=$(vecgrid_java)
vecgrid_huge_pages
mkdir -p work
# shellcheck disable=SC2086
exec "$java" -Xms2g -Xmx6g $VECGRID_THP_OPTS $VECGRID_JVM_OPENS -DIGNITE_QUIET=true -DIGNITE_UPDATE_NOTIFIER=false \
    -DIGNITE_PERFORMANCE_SUGGESTIONS_DISABLED=true -Djava.net.preferIPv4Stack=true \
    -cp "$cp" io.vecgrid.examples.Demo "$@"
