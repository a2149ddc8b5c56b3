#!/usr/bin/env bash
# Times the report on the inputs of its speed targets (issue 10, defect 10) and prints wall time, CPU time,
# peak RSS and the largest heap in use, with the load average before and after (a loaded machine's figures
# are not measurements). Nothing is asserted: the targets are 10 files x 200 rows in at most 2 s wall (both as
# 10 lessons of 20 rows and shaped like jmh-samples' results, 50 lessons of 4 rows in several modes), and two
# files of 10,000 rows in at most 5 s wall within a 512 MB heap, on a quiet 2-core machine.
#
#   scripts/report-speed.sh [--runs N] [--cds] [--java PATH]
#
# The inputs are written by perfmastery.report.ReportSpeedInputs (test code: deterministic JMH-shaped JSON,
# 3 forks x 5 iterations with B/op) into a temporary folder, removed at the end. The report is timed as `java`
# with its own flags (src/main/resources/perfmastery/report/jvm-flags, what run-benchmarks.sh gives it), as
# `./run-benchmarks.sh report` itself (the script's checks included), and as a plain `java -cp
# target/benchmarks.jar perfmastery.report.ReportMain` with the JVM's default flags: in interleaved rounds, with
# each one's median. --cds also times it with an application class-data archive made by a first run (JDK 17:
# -XX:ArchiveClassesAtExit; JDK 19+: the same archive is what -XX:+AutoCreateSharedArchive would keep), to see
# what class loading costs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs=3
cds=false
java="${JAVA_HOME:+$JAVA_HOME/bin/java}"
java="${java:-java}"
while (( $# > 0 )); do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --cds) cds=true; shift ;;
        --java) java="$2"; shift 2 ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "report-speed.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [[ ! -f target/benchmarks.jar || ! -f target/test-classes/perfmastery/report/ReportSpeedInputs.class ]]; then
    echo "report-speed.sh: build first: ./mvnw -B -q package -DskipTests && ./mvnw -B -q test-compile" >&2
    exit 2
fi
if [[ pom.xml -nt target/benchmarks.jar ]] || [[ -n "$(find src/main -newer target/benchmarks.jar -print -quit)" ]]; then
    # run-benchmarks.sh would rebuild the jar inside a timed run.
    echo "report-speed.sh: the sources are newer than target/benchmarks.jar: ./mvnw -B -q package -DskipTests" >&2
    exit 2
fi
if [[ ! -x /usr/bin/time ]]; then
    echo "report-speed.sh: /usr/bin/time is missing (Debian: apt-get install time); peak RSS is left out" >&2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/report-speed.XXXXXX")"
trap 'rm -rf "$work"' EXIT

cp="target/benchmarks.jar"
"$java" -cp "$cp:target/test-classes" perfmastery.report.ReportSpeedInputs "$work/in"

echo "java: $("$java" -version 2>&1 | head -n 1); cores: $(nproc)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

mapfile -t report_flags < <(grep -v -e '^#' -e '^[[:space:]]*$' src/main/resources/perfmastery/report/jvm-flags)
echo "the report's flags: ${report_flags[*]}"
java_home="$(dirname "$(dirname "$(readlink -f "$(command -v "$java")")")")"

# The configurations: a label, how the report is started, its flags, then -- and the files. HOW is java (this
# script starts the JVM with the flags) or script (./run-benchmarks.sh report, which starts it with the report's
# own flags; the flags here are unused). Rounds interleave them (round 1 runs each once, then round 2...): a
# shared host's speed drifts over minutes, and configurations timed one after the other would carry the drift.
configs=()
add_config() {
    local IFS=$'\x1f'
    configs+=("$*")
}
ten=("$work"/in/ten/run*.json)
samples=("$work"/in/samples/run*.json)
big=("$work/in/big/a.json" "$work/in/big/b.json")
add_config "10 files x 200 rows" java "${report_flags[@]}" -- "${ten[@]}"
add_config "10 x 200, jmh-samples-shaped" java "${report_flags[@]}" -- "${samples[@]}"
add_config "2 files x 10,000 rows (-Xmx512m)" java "${report_flags[@]}" -Xmx512m -- "${big[@]}"
add_config "jmh-samples-shaped, run-benchmarks.sh report" script -- "${samples[@]}"
add_config "jmh-samples-shaped, plain java (JVM defaults)" java -- "${samples[@]}"
if $cds; then
    "$java" -XX:ArchiveClassesAtExit="$work/report.jsa" "${report_flags[@]}" -cp "$cp" \
        perfmastery.report.ReportMain --out "$work/out" "${ten[@]}" >/dev/null 2>&1
    add_config "10 x 200 with a CDS archive" java "${report_flags[@]}" -XX:SharedArchiveFile="$work/report.jsa" \
        -- "${ten[@]}"
    add_config "jmh-samples-shaped with CDS" java "${report_flags[@]}" -XX:SharedArchiveFile="$work/report.jsa" \
        -- "${samples[@]}"
    add_config "10,000 x 2 with a CDS archive" java "${report_flags[@]}" -Xmx512m \
        -XX:SharedArchiveFile="$work/report.jsa" -- "${big[@]}"
fi

# time_once N LABEL HOW FLAGS... -- FILES...: one run; appends its line to $work/lines.N and its wall time to
# $work/walls.N.
time_once() {
    local n="$1" label="$2" how="$3"; shift 3
    local flags=()
    while [[ "$1" != "--" ]]; do flags+=("$1"); shift; done
    shift
    rm -rf "$work/out" "$work/gc.log"
    local command=()
    if [[ "$how" == script ]]; then
        command=(env "JAVA_HOME=$java_home" ./run-benchmarks.sh report)
    else
        command=("$java" "${flags[@]}" "-Xlog:gc:file=$work/gc.log" -cp "$cp" perfmastery.report.ReportMain)
    fi
    local start end user="?" sys="?" rss=""
    start=$(date +%s%N)
    if [[ -x /usr/bin/time ]]; then
        /usr/bin/time -o "$work/time.txt" -f "%U %S %M" "${command[@]}" --out "$work/out" "$@" \
            >/dev/null 2>"$work/err.txt" || { cat "$work/err.txt" >&2; exit 1; }
        read -r user sys rss < "$work/time.txt"
    else
        "${command[@]}" --out "$work/out" "$@" >/dev/null 2>"$work/err.txt" || { cat "$work/err.txt" >&2; exit 1; }
    fi
    end=$(date +%s%N)
    # The largest heap in use before a collection, from the GC log ("Pause Young ... 123M->45M(512M)").
    local heap wall
    heap=$( (grep -o '[0-9]*M->' "$work/gc.log" 2>/dev/null || true) | tr -d 'M>-' | sort -n | tail -n 1)
    wall="$(printf '%.2f' "$(echo "($end - $start) / 1000000000" | bc -l)")"
    echo "$wall" >> "$work/walls.$n"
    printf '%-46s wall %5s s, cpu %s s user + %s s sys, peak RSS %s MB, heap in use at most %s MB\n' \
        "$label" "$wall" "$user" "$sys" "${rss:+$((rss / 1024))}" "${heap:-?}" >> "$work/lines.$n"
}

for ((round = 1; round <= runs; round++)); do
    for n in "${!configs[@]}"; do
        IFS=$'\x1f' read -r -a config <<< "${configs[$n]}"
        time_once "$n" "${config[@]}"
    done
done
for n in "${!configs[@]}"; do
    cat "$work/lines.$n"
    IFS=$'\x1f' read -r -a config <<< "${configs[$n]}"
    printf '%-46s median wall %s s over %d interleaved runs\n\n' "${config[0]}" \
        "$(sort -n "$work/walls.$n" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')" \
        "$runs"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
