#!/usr/bin/env bash
# Makes results/reference/ again: the whole suite on JDK 17 and on a JDK 21+ (the newest under
# /usr/lib/jvm, or --jdk DIR), and the Node forms of the lessons when node is on the PATH, interleaved round
# by round, the quick preset's sequential plan, then the collector lesson under
# Serial, Parallel, G1 and ZGC on both; then one report over all of it. Run it on a quiet machine:
# nothing else running (each JSON's sidecar records the load average before and after).
#   scripts/reference-run.sh [--jdk17 DIR] [--jdk DIR] [--preset quick|full]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

java_feature() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = //p' | head -n 1 | sed 's/^1\.//; s/\..*//'
}

jdk17=""
newer=""
preset=quick
while [[ $# -gt 0 ]]; do
    case "$1" in
        --jdk17) jdk17="${2:?--jdk17 needs a JDK folder}"; shift 2 ;;
        --jdk) newer="${2:?--jdk needs a JDK folder}"; shift 2 ;;
        --preset) preset="${2:?--preset needs quick or full}"; shift 2 ;;
        *) echo "reference-run: unknown option $1 (see the header of scripts/reference-run.sh)" >&2; exit 2 ;;
    esac
done
if [[ -z "$jdk17" ]]; then
    for dir in /usr/lib/jvm/*17*; do
        if [[ -x "$dir/bin/java" && "$(java_feature "$dir")" == "17" ]]; then jdk17="$dir"; break; fi
    done
fi
if [[ -z "$newer" ]]; then
    for dir in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*; do
        [[ -x "$dir/bin/java" ]] || continue
        feature="$(java_feature "$dir")"
        if [[ "$feature" =~ ^[0-9]+$ ]] && (( feature >= 21 )); then newer="$dir"; break; fi
    done
fi
if [[ -z "$jdk17" || -z "$newer" ]]; then
    echo "reference-run: needs a JDK 17 and a JDK 21+ (found: '${jdk17:-none}' and '${newer:-none}'); give --jdk17/--jdk" >&2
    exit 2
fi
if [[ "$preset" != quick && "$preset" != full ]]; then
    echo "reference-run: --preset quick or full (the reference needs 3 forks per row), not '$preset'" >&2
    exit 2
fi

echo "reference-run: load before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
JAVA_HOME="$jdk17" ./mvnw -B -q package -DskipTests
runtimes=()
if command -v node >/dev/null; then
    runtimes=(--runtime node)
fi
JAVA_HOME="$jdk17" ./run-benchmarks.sh --preset "$preset" --jdk "$jdk17" --jdk "$newer" "${runtimes[@]}"
suite="$(readlink -f results/latest)"
JAVA_HOME="$jdk17" ./run-benchmarks.sh --preset "$preset" --jdk "$jdk17" --jdk "$newer" \
    --jvm-args "-XX:+UseSerialGC" --jvm-args "-XX:+UseParallelGC" --jvm-args "-XX:+UseG1GC" \
    --jvm-args "-XX:+UseZGC" -- GenerationalGcBenchmark
collectors="$(readlink -f results/latest)"

staging="$(mktemp -d results/.reference.XXXXXX)"
trap 'rm -rf "$staging"' EXIT
cp -p "$suite"/*.json "$suite"/*.log "$staging/"
for file in "$collectors"/*.json "$collectors"/*.log; do
    base="$(basename "$file")"
    cp -p "$file" "$staging/collectors-$base"
done
# The suite's runs first (JDK 17 is run a of the comparisons), then the collector runs.
mapfile -t inputs < <(find "$staging" -maxdepth 1 \( -name 'jdk-*.json' -o -name 'node-*.json' \) ! -name '*.run.json' | sort;
                      find "$staging" -maxdepth 1 -name 'collectors-*.json' ! -name '*.run.json' | sort)
JAVA_HOME="$jdk17" ./run-benchmarks.sh report --out "$staging" "${inputs[@]}"
rm -rf results/reference
mv "$staging" results/reference
trap - EXIT
# The report names its inputs by the folder they were read from: make the links relative to the new place.
sed -i "s|$staging/|./|g; s|$(basename "$staging")/||g" results/reference/report.md results/reference/report.html 2>/dev/null || true
echo "reference-run: load after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
echo "reference-run: wrote results/reference/ (report.md, report.html, charts/, JSON, sidecars, logs)"
