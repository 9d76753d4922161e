#!/usr/bin/env bash
# Coverage-guided fuzzing (Jazzer) of one of ParserFuzzTest's byte parsers, for as long as asked:
#   tools/fuzz.sh fdtReader 10m             the FDT reader (io.pseries.core.dt)
#   tools/fuzz.sh optionVectorDecoder 1h    the CAS option-vector decoder (io.pseries.core.cas)
# The duration is seconds, or a number with s, m or h. CI fuzzes each target for the test's own
# 10 s through JUnit (JAZZER_FUZZ=1, .ci/run); @FuzzTest's maxDuration is fixed in the source, so a
# longer run goes through Jazzer's own driver here, on the same test method, corpus and seeds.
#
# Coverage comes from the parser's package only (as in core-machine's junit-platform.properties);
# libFuzzer prints 'cov:' (edges reached) and 'ft:' (features) as they grow. The corpus grows in
# core-machine/.cifuzz-corpus/io.pseries.core.ParserFuzzTest/TARGET/ and carries over between
# runs. A failing input is written to core-machine/crash-<sha1> and the run stops: move it into
# core-machine/src/test/resources/io/pseries/core/ParserFuzzTestInputs/TARGET/ (a short name
# saying what it is) and plain `mvn test` replays it from then on as a regression test.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/jdk.sh
. "$HERE/tools/jdk.sh"
target="${1:-}"
duration="${2:-5m}"
case "$target" in
  fdtReader) includes='io.pseries.core.dt.**' ;;
  optionVectorDecoder) includes='io.pseries.core.cas.**' ;;
  *) echo "usage: tools/fuzz.sh fdtReader|optionVectorDecoder [DURATION, e.g. 600, 10m, 2h]" >&2; exit 2 ;;
esac
case "$duration" in
  *h) secs=$(( ${duration%h} * 3600 )) ;;
  *m) secs=$(( ${duration%m} * 60 )) ;;
  *s) secs=${duration%s} ;;
  *) secs=$duration ;;
esac
[ "$secs" -gt 0 ] 2>/dev/null || { echo "fuzz: duration '$duration' is not a positive number of s, m or h" >&2; exit 2; }

JDK=$(pseries_build_jdk) || exit 2
MVN=$(pseries_mvn)
cd "$HERE/core-machine"
mkdir -p target
echo "fuzz: compiling core-machine's tests and resolving the test class path"
JAVA_HOME="$JDK" "$MVN" -B -ntp -q -f "$HERE/pom.xml" -pl core-machine test-compile dependency:build-classpath \
  -Dmdep.outputFile="$HERE/core-machine/target/fuzz.classpath" -Dmdep.includeScope=test
cp="target/test-classes:target/classes:$(cat target/fuzz.classpath)"
seeds="src/test/resources/io/pseries/core/ParserFuzzTestInputs/$target"
# libFuzzer writes new inputs into the first corpus directory: the git-ignored one, never the seeds
corpus=".cifuzz-corpus/io.pseries.core.ParserFuzzTest/$target"
mkdir -p "$corpus"
echo "fuzz: $target for ${secs} s, coverage from $includes, corpus in core-machine/$corpus, seeds in core-machine/$seeds"
exec "$JDK/bin/java" -XX:+EnableDynamicAgentLoading -cp "$cp" com.code_intelligence.jazzer.Jazzer \
  --target_class=io.pseries.core.ParserFuzzTest --target_method="$target" \
  --instrumentation_includes="$includes" -max_total_time="$secs" "$corpus" "$seeds"
