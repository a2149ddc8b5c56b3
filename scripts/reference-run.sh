#!/usr/bin/env bash
# Makes results/reference/ again: the whole suite on JDK 17 and on a JDK 21+ (the newest under
# /usr/lib/jvm, or --jdk DIR), and the Node forms of the lessons when node is on the PATH, interleaved round
# by round, the quick preset's sequential plan, then the collector lesson under
# Serial, Parallel, G1 and ZGC on both; then one report over all of it. Run it on a quiet machine:
# nothing else running (each JSON's sidecar records the load average before and after).
# With --a-a it makes the reference's A/A partner instead: the same suite command again, right after, into
# results/reference/a-a/ (JSON, sidecars, logs, and one comparison report per runtime against the reference);
# The A/A pairs that hold both of their halves (results/reference/a-a-*/) are kept when the reference is made again.
#   scripts/reference-run.sh [--jdk17 DIR] [--jdk DIR] [--preset quick|full] [--a-a]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# relink STAGING FILES...: a report names its inputs by the folder they were read from; after STAGING has been
# moved into place, its links become relative to the new place.
relink() {
    local staging="$1"; shift
    sed -i "s|$staging/|./|g; s|$(basename "$staging")/||g" "$@" 2>/dev/null || true
}

java_feature() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = //p' | head -n 1 | sed 's/^1\.//; s/\..*//'
}

jdk17=""
newer=""
preset=quick
partner=false
while [[ $# -gt 0 ]]; do
    case "$1" in
        --jdk17) jdk17="${2:?--jdk17 needs a JDK folder}"; shift 2 ;;
        --jdk) newer="${2:?--jdk needs a JDK folder}"; shift 2 ;;
        --preset) preset="${2:?--preset needs quick or full}"; shift 2 ;;
        --a-a) partner=true; shift ;;
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

if [[ "$partner" == true ]] && ! compgen -G 'results/reference/jdk-*.json' >/dev/null; then
    echo "reference-run: --a-a makes the partner of results/reference/, which has no jdk-*.json; make the reference first" >&2
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

if [[ "$partner" == true ]]; then
    staging="$(mktemp -d results/.reference-a-a.XXXXXX)"
    trap 'rm -rf "$staging"' EXIT
    cp -p "$suite"/*.json "$suite"/*.log "$staging/"
    echo "reference-run: load after the partner run: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
    # One comparison per runtime: the reference's run of it (a) against the partner's (b).
    for second in "$staging"/jdk-*.json "$staging"/node-*.json; do
        [[ -e "$second" && "$second" != *.run.json ]] || continue
        name="$(basename "$second" .json)"
        first="results/reference/$name.json"
        if [[ ! -e "$first" ]]; then
            echo "reference-run: the reference has no $name.json to pair with the partner's; left unpaired" >&2
            continue
        fi
        label="${name%%.*}"
        JAVA_HOME="$jdk17" ./run-benchmarks.sh report --out "$staging/report-${label//-/}" "$first" "$second"
    done
    rm -rf results/reference/a-a
    mv "$staging" results/reference/a-a
    trap - EXIT
    relink "$staging" results/reference/a-a/report-*/report.md results/reference/a-a/report-*/report.html
    echo "reference-run: wrote results/reference/a-a/ (the partner's JSON, sidecars, logs, report-*/)"
    exit 0
fi

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
# The A/A pairs that hold both halves (a-a-rounds/, a-a-consecutive/; BetweenRuns reads them) stay; the
# partner in a-a/ was the old reference's and goes.
for pair in results/reference/a-a-*/; do
    if [[ -d "$pair" ]]; then
        mv "$pair" "$staging/"
    fi
done
if [[ -d results/reference/a-a ]]; then
    echo "reference-run: removed results/reference/a-a (the old reference's partner); make it again with --a-a" >&2
fi
rm -rf results/reference
mv "$staging" results/reference
trap - EXIT
relink "$staging" results/reference/report.md results/reference/report.html
echo "reference-run: load after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
echo "reference-run: wrote results/reference/ (report.md, report.html, charts/, JSON, sidecars, logs)"
