#!/usr/bin/env bash
# Rows per second scoring 10,000 short lines: a loop in one JVM, Spark local[2], a standalone cluster of 1 and 2 Workers.
#   jgpt-spark/bench.sh        (from any folder; needs a JDK 25 in JAVA_HOME or /usr/lib/jvm and Maven)
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
JAVA_HOME="${JAVA_HOME:-$(ls -d /usr/lib/jvm/*25* 2>/dev/null | head -n 1)}"
export JAVA_HOME MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
MODULE="$ROOT/jgpt-spark"
# one reactor run, so that jgpt-core comes from this checkout, not from a jar in ~/.m2
mvn -q -B -f "$ROOT/pom.xml" -pl jgpt-spark -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
FLAGS="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED $(sed -n 's#.*<spark.module.flags>\(.*\)</spark.module.flags>.*#\1#p' "$MODULE/pom.xml")"
cd "$MODULE"
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" $FLAGS -Xmx2g -Djgpt.spark.jvmFlags="$FLAGS" \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" dev.jgpt.spark.ScoringBench
