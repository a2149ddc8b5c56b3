#!/usr/bin/env bash
# The steps of .github/workflows/benchmarks.yml on this machine, shards in sequence, so the CI path is
# tested where GitHub is out of reach:
#   scripts/ci-local.sh [--preset P] [--shards N] [--jdk DIR]... [--out DIR] [-- JMH regexes/options]
# For each JDK and each shard K/N: ./run-benchmarks.sh --shard K/N, then scripts/ci-collect.sh into
# OUT/shards/jdkX-shardK (what each matrix job uploads); then scripts/ci-report.sh merges them into
# OUT/merged (what the report job publishes). Defaults: smoke preset, 2 shards, the JDK of JAVA_HOME.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
preset=smoke
shards=2
out=""
jdks=()
jmh=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --preset) preset="${2:?--preset needs a value}"; shift 2 ;;
        --shards) shards="${2:?--shards needs a number}"; shift 2 ;;
        --jdk) jdks+=("${2:?--jdk needs a JDK folder}"); shift 2 ;;
        --out) out="${2:?--out needs a folder}"; shift 2 ;;
        --) shift; jmh=("$@"); break ;;
        *) echo "ci-local: unknown option $1 (see the header of scripts/ci-local.sh)" >&2; exit 2 ;;
    esac
done
if ! [[ "$shards" =~ ^[1-9][0-9]*$ ]]; then
    echo "ci-local: --shards wants a positive number, not '$shards'" >&2
    exit 2
fi
if [[ ${#jdks[@]} -eq 0 ]]; then
    jdks=("${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}")
fi
if [[ -z "$out" ]]; then
    out="$(mktemp -d "${TMPDIR:-/tmp}/ci-local.XXXXXX")"
fi
mkdir -p "$out/shards"
# The shards run as separate invocations: one run id makes them parts of one run for the report's merge.
export PERFMASTERY_RUN_ID="${PERFMASTERY_RUN_ID:-ci-local-$(date -u +%Y%m%dT%H%M%S)-$$}"
status=0
for jdk in "${jdks[@]}"; do
    feature="$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = //p' | head -n 1)"
    for ((k = 1; k <= shards; k++)); do
        echo "=== ci-local: JDK $feature, shard $k/$shards"
        ./run-benchmarks.sh --preset "$preset" --jdk "$jdk" --shard "$k/$shards" ${jmh[@]+--} "${jmh[@]}" || status=$?
        scripts/ci-collect.sh "$(readlink -f results/latest)" "$out/shards/jdk$feature-shard$k"
    done
done
echo "=== ci-local: merged report"
scripts/ci-report.sh "$out/shards" "$out/merged" || status=$?
echo "ci-local: shards in $out/shards, merged report in $out/merged (exit $status)"
exit "$status"
