#!/usr/bin/env bash
# The regression gate's real-run checks (issue 20), on a quiet machine; not part of ./mvnw verify:
#   scripts/gate-check.sh [--preset quick|smoke] [--runs N] [--out DIR] [-- JMH regexes]
# 1. Real A/A: N runs (default 3) of ./run-benchmarks.sh --compare-with the head's own jar, on the lessons
#    given (default FibonacciBenchmark BackpressureBenchmark JsonParsingBenchmark): each must exit 0.
# 2. Real A/B: a head whose one lesson does 1.3x the work (FibonacciBenchmark.iterative also computes
#    F(0.3 n), patched into a temporary worktree of HEAD and built there) against the same base jar: it must
#    exit 4 with the gate's REGRESSION rows all FibonacciBenchmark.iterative, and no other.
# Each run's report.md is kept in OUT (default a new temporary folder), and the gate tables are printed.
# --preset smoke is a dry run of the plumbing: -f 2 (two rounds, so the gate has intervals), nothing judged.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
preset=quick
runs=3
out=""
lessons=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --preset) preset="${2:?--preset needs quick or smoke}"; shift 2 ;;
        --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
        --out) out="${2:?--out needs a folder}"; shift 2 ;;
        --) shift; lessons=("$@"); break ;;
        *) echo "gate-check: unknown option $1 (see the header of scripts/gate-check.sh)" >&2; exit 2 ;;
    esac
done
if [[ "$preset" != quick && "$preset" != smoke && "$preset" != full ]]; then
    echo "gate-check: --preset takes quick, full or smoke, not '$preset'" >&2
    exit 2
fi
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
    echo "gate-check: --runs wants a positive number, not '$runs'" >&2
    exit 2
fi
if [[ ${#lessons[@]} -eq 0 ]]; then
    lessons=(FibonacciBenchmark BackpressureBenchmark JsonParsingBenchmark)
fi
extra=()
if [[ "$preset" == smoke ]]; then
    extra=(-f 2)
fi
if [[ -z "$out" ]]; then
    out="$(mktemp -d "${TMPDIR:-/tmp}/gate-check.XXXXXX")"
fi
mkdir -p "$out"
work="$(mktemp -d "${TMPDIR:-/tmp}/gate-check-work.XXXXXX")"
tree="$work/slow-head"
cleanup() {
    if [[ -d "$tree" ]]; then
        git worktree remove --force "$tree" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "=== gate-check: building the head's jar"
./mvnw -q -B package -DskipTests </dev/null
base_jar="$work/base.jar"
cp -p target/benchmarks.jar "$base_jar"

gate_table() {
    # The gate's table of a report: its heading to the next heading.
    sed -n '/^## Regression gate/,/^## [^R]/p' "$1" | sed '$d'
}

aa_codes=()
for ((i = 1; i <= runs; i++)); do
    echo "=== gate-check: A/A run $i/$runs (--compare-with the same jar, preset $preset)"
    code=0
    ./run-benchmarks.sh --preset "$preset" --compare-with "$base_jar" -- "${lessons[@]}" "${extra[@]}" || code=$?
    aa_codes+=("$code")
    cp -p "$(readlink -f results/latest)/report.md" "$out/aa-$i.md"
    gate_table "$out/aa-$i.md"
done

echo "=== gate-check: A/B (a head whose FibonacciBenchmark.iterative does 1.3x the work)"
git worktree add --detach "$tree" HEAD >/dev/null
lesson="$tree/src/main/java/perfmastery/cpu/FibonacciBenchmark.java"
sed -i 's|^\(\s*\)return iterative(n);$|\1return iterative(n) + iterative(n * 3 / 10); // gate-check: 1.3x the work|' "$lesson"
if ! grep -q "gate-check: 1.3x the work" "$lesson"; then
    echo "gate-check: could not patch $lesson (its iterative benchmark changed): A/B not run" >&2
    exit 2
fi
(cd "$tree" && ./mvnw -q -B package -DskipTests </dev/null)
ab_code=0
(cd "$tree" && ./run-benchmarks.sh --preset "$preset" --compare-with "$base_jar" -- "${lessons[@]}" "${extra[@]}") \
    || ab_code=$?
cp -p "$(readlink -f "$tree/results/latest")/report.md" "$out/ab.md"
gate_table "$out/ab.md"

flagged="$(grep -E '^\| .* \| REGRESSION \|' "$out/ab.md" | cut -d'|' -f2 | sed 's/^ *//; s/ *$//' || true)"
others="$(printf '%s\n' "$flagged" | grep -v '^FibonacciBenchmark\.iterative ' | grep -v '^$' || true)"
echo "=== gate-check: summary (reports in $out)"
echo "A/A exit codes: ${aa_codes[*]} (each should be 0)"
echo "A/B exit code: $ab_code (should be 4); rows flagged:"
printf '  %s\n' ${flagged:+"$flagged"}
if [[ "$preset" == smoke ]]; then
    echo "gate-check: smoke is a dry run of the plumbing: nothing judged"
    exit 0
fi
status=0
for code in "${aa_codes[@]}"; do
    if [[ "$code" -ne 0 ]]; then
        status=1
    fi
done
if [[ "$ab_code" -ne 4 || -z "$flagged" || -n "$others" ]]; then
    status=1
fi
echo "gate-check: $([[ $status -eq 0 ]] && echo passed || echo FAILED)"
exit "$status"
