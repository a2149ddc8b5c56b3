#!/usr/bin/env bash
# The report job of .github/workflows/benchmarks.yml, also run by scripts/ci-local.sh:
#   scripts/ci-report.sh SHARDS_DIR OUT_DIR [--baseline-dir DIR]
# Gathers every JMH JSON under SHARDS_DIR (one folder per job), makes one report over them (the report
# merges the files of one run identity: JDK, flags, machine kind and commit), and keeps the inputs in
# OUT_DIR/results for the next run's history. With --baseline-dir, every JMH JSON under DIR (with its
# sidecar) is a --baseline of a second report in OUT_DIR/history, which merges them by the same rule and
# compares each merged JDK run with the baseline's run of the same JDK and flags: for history and charts
# only. It never sets the exit code: runs made at other times on other runners are not interleaved, and
# the regression gate is the pull request's --compare-with job (docs/gate.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ $# -lt 2 ]]; then
    echo "usage: scripts/ci-report.sh SHARDS_DIR OUT_DIR [--baseline-dir DIR]" >&2
    exit 2
fi
shards="$1"
out="$2"
shift 2
baseline=""
if [[ $# -gt 0 ]]; then
    if [[ "$1" != "--baseline-dir" || $# -ne 2 ]]; then
        echo "ci-report: unknown arguments: $*" >&2
        exit 2
    fi
    baseline="$2"
fi
mapfile -t files < <(find "$shards" -type f -name '*.json' ! -name '*.run.json' | sort)
if [[ ${#files[@]} -eq 0 ]]; then
    echo "ci-report: no JMH JSON under $shards" >&2
    exit 2
fi
mkdir -p "$out/results"
for file in "${files[@]}"; do
    job="$(basename "$(dirname "$file")")"
    base="$(basename "$file" .json)"
    cp -p "$file" "$out/results/${job}--${base}.json"
    sidecar="${file%.json}.run.json"
    [[ -f "$sidecar" ]] && cp -p "$sidecar" "$out/results/${job}--${base}.run.json"
done
mapfile -t merged < <(find "$out/results" -type f -name '*.json' ! -name '*.run.json' | sort)
status=0
./run-benchmarks.sh report --out "$out" "${merged[@]}" || status=$?
if [[ $status -ne 0 ]]; then
    echo "ci-report: the report exited with $status" >&2
    exit "$status"
fi
if [[ -n "$baseline" ]]; then
    if [[ ! -d "$baseline" ]]; then
        echo "ci-report: no baseline folder at $baseline" >&2
        exit 2
    fi
    mapfile -t base_files < <(find "$baseline" -type f -name '*.json' ! -name '*.run.json' | sort)
    if [[ ${#base_files[@]} -eq 0 ]]; then
        echo "ci-report: no JMH JSON under $baseline: no regression gate"
    else
        base_args=()
        for file in "${base_files[@]}"; do
            base_args+=(--baseline "$file")
        done
        history=0
        ./run-benchmarks.sh report --out "$out/history" "${base_args[@]}" "${merged[@]}" || history=$?
        if [[ $history -ne 0 ]]; then
            echo "ci-report: the comparison with the baseline (history only, not a gate) exited with $history" >&2
        fi
    fi
fi
exit "$status"
