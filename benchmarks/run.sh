#!/usr/bin/env bash
# Builds the benchmarks module (-Pbench) and runs the benchmarks; rewrites docs/benchmarks.adoc and the charts
# in docs/adaptive-*.png from each part's figures in benchmarks/results/ (committed: a run of one part keeps the
# others'). Arguments: parts to run (overhead route accuracy scale adaptive model); none runs all (about 25 min);
# "report" alone only rewrites the document from benchmarks/results/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mvn -B -q -Pbench -pl benchmarks -am verify -DskipTests
cd "$root/benchmarks"
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
exec java -Xms1g -Xmx1g -Djava.awt.headless=true -Dbench.commit="$commit" -Dbench.docs="$root/docs" \
  -Dbench.results="$root/benchmarks/results" \
  -cp "target/classes:$(cat target/classpath.txt)" io.github.camelratelimit.benchmarks.RunAll "$@"
