# Sourced by ./pseries, ./run-tests, .ci/run and the benchmark scripts (benchmarks/*.sh): JDK discovery.
# pseries_find_jdk MIN: prints the home of a JDK with feature version 25 if one exists (needed to
# build and for the optimizing JS runtime), else the newest one >= MIN. Looks at
# PSERIES_JAVA_HOME, JAVA_HOME, then /usr/lib/jvm/*. Returns 1 when none fits.
PSERIES_BUILD_JDK=25

pseries_jdk_feature() { # feature version of a JDK home, read from its release file (no JVM start)
  local v
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null || true)
  echo "${v:-0}"
}

pseries_find_jdk() {
  local min="$1" c best="" bestv=0 v
  for c in "${PSERIES_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25* /usr/lib/jvm/*; do
    [ -n "$c" ] && [ -x "$c/bin/java" ] || continue
    v=$(pseries_jdk_feature "$c")
    [ "$v" -ge "$min" ] 2>/dev/null || continue
    if [ "$v" = "$PSERIES_BUILD_JDK" ]; then echo "$c"; return 0; fi
    if [ "$v" -gt "$bestv" ]; then best="$c"; bestv="$v"; fi
  done
  [ -n "$best" ] && { echo "$best"; return 0; }
  return 1
}

# pseries_check_java_home: warns on stderr when PSERIES_JAVA_HOME is set but cannot be used (not a
# JDK, or older than MIN), so a typo or a JDK 17 is not silently replaced by another JDK. Call it
# once, outside $(...), before pseries_find_jdk / pseries_build_jdk.
pseries_check_java_home() {
  local min="${1:-21}" h="${PSERIES_JAVA_HOME:-}" v
  [ -n "$h" ] || return 0
  if [ ! -x "$h/bin/java" ]; then
    echo "pseries: PSERIES_JAVA_HOME=$h is not a JDK (no $h/bin/java); ignoring it and looking in JAVA_HOME and /usr/lib/jvm" >&2
    return 0
  fi
  v=$(pseries_jdk_feature "$h")
  if [ "$v" -lt "$min" ] 2>/dev/null; then
    echo "pseries: PSERIES_JAVA_HOME=$h is JDK $v, pseries needs $min+ (JDK $PSERIES_BUILD_JDK to build); ignoring it" >&2
  elif [ "$v" != "$PSERIES_BUILD_JDK" ] && [ "${2:-}" = build ]; then
    echo "pseries: PSERIES_JAVA_HOME=$h is JDK $v, building needs JDK $PSERIES_BUILD_JDK; looking for one elsewhere" >&2
  fi
  return 0
}

# pseries_mvn: the Maven to run: mvn on PATH, else the project's Maven Wrapper (./mvnw, which
# fetches the Maven version pinned in .mvn/wrapper/maven-wrapper.properties from Maven Central).
pseries_mvn() {
  if command -v mvn >/dev/null 2>&1; then
    echo mvn
  else
    echo "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/mvnw"
  fi
}

# pseries_build_jdk: the JDK 25 home, or a clear error on stderr and status 1.
pseries_build_jdk() {
  local j
  if j=$(pseries_find_jdk "$PSERIES_BUILD_JDK") && [ "$(pseries_jdk_feature "$j")" = "$PSERIES_BUILD_JDK" ]; then
    echo "$j"
    return 0
  fi
  echo "pseries: building needs JDK $PSERIES_BUILD_JDK (Temurin 25.0.3+, to match GraalJS 25.0.3); none found in PSERIES_JAVA_HOME, JAVA_HOME or /usr/lib/jvm. Install Temurin 25 or set PSERIES_JAVA_HOME." >&2
  return 1
}
