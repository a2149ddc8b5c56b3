#!/usr/bin/env bash
# Runs the JMH suite: finds a Java 17+, builds target/benchmarks.jar if it is missing or older than the
# sources, then hands over to perfmastery.runner.RunMain (./run-benchmarks.sh --help says what it does).
set -euo pipefail

# Relative paths the user gives (--jdk, report files) mean what they meant where the user was.
caller_dir="$PWD"
cd "$(dirname "${BASH_SOURCE[0]}")"

if [[ -n "${JAVA_HOME:-}" && -x "${JAVA_HOME}/bin/java" ]]; then
    java="${JAVA_HOME}/bin/java"
elif command -v java >/dev/null 2>&1; then
    java="$(command -v java)"
else
    echo "run-benchmarks.sh: no Java found: install a JDK 17+ or set JAVA_HOME" >&2
    exit 2
fi

# java.specification.version is "17", "25" (or "1.8" before 9). The JDK's release file (JAVA_VERSION="17.0.15")
# says it without starting a JVM, a tenth of a second that the report subcommand would pay on every call; a java
# without one is asked.
spec=""
release="$(dirname "$(dirname "$(readlink -f "$java")")")/release"
if [[ -f "$release" ]]; then
    spec="$(sed -n 's/^JAVA_VERSION="\([0-9][0-9.]*\).*"$/\1/p' "$release" | head -n 1)" || true
fi
if [[ -z "$spec" ]]; then
    spec="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1)" || true
fi
feature="${spec#1.}"
feature="${feature%%.*}"
if ! [[ "$feature" =~ ^[0-9]+$ ]]; then
    echo "run-benchmarks.sh: cannot tell the version of $java: install a JDK 17+ or set JAVA_HOME" >&2
    exit 2
fi
if (( feature < 17 )); then
    echo "run-benchmarks.sh: $java is Java $spec: jvm-perf-mastery needs JDK 17 or newer (set JAVA_HOME)" >&2
    exit 2
fi

jar="target/benchmarks.jar"
if [[ ! -f "$jar" ]]; then
    reason="$jar is missing"
elif [[ pom.xml -nt "$jar" ]] || [[ -n "$(find src/main -newer "$jar" -print -quit)" ]]; then
    reason="the sources are newer than $jar"
else
    reason=""
fi
if [[ -n "$reason" ]]; then
    echo "Building: $reason (./mvnw -B -q package -DskipTests)"
    JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$java")")")" ./mvnw -B -q package -DskipTests </dev/null
fi

launcher_flags=()
if (( feature >= 24 )); then
    launcher_flags=(--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED)
fi

# The report subcommand starts the report's JVM straight from here, with the flags RunMain gives it at the end
# of a run (src/main/resources/perfmastery/report/jvm-flags): going through RunMain would start a second JVM
# and add half a second to a tool whose whole run is two.
if [[ "${1:-}" == "report" ]]; then
    shift
    report_flags=()
    while IFS= read -r line; do
        [[ -z "$line" || "$line" == "#"* ]] || report_flags+=("$line")
    done < src/main/resources/perfmastery/report/jvm-flags
    jar="$PWD/$jar"
    cd "$caller_dir"
    exec "$java" "${launcher_flags[@]}" "${report_flags[@]}" -cp "$jar" perfmastery.report.ReportMain "$@"
fi

exec "$java" "${launcher_flags[@]}" "-Dperfmastery.callerDir=$caller_dir" -cp "$jar" perfmastery.runner.RunMain "$@"
