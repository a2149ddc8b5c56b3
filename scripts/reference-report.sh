#!/usr/bin/env bash
# Makes results/reference's report again from its committed JMH JSON, with the current report code: no
# benchmark runs. The suite's runs come first (JDK 17 is run a of the comparisons), then the collector runs,
# as scripts/reference-run.sh orders them. Writes report.md, report.html, charts/, claims.csv and
# comparison.csv in results/reference/; then regenerate docs/findings.md and the README's findings with
# scripts/findings-doc.sh.
#
#   scripts/reference-report.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ ! -f target/benchmarks.jar ]]; then
    echo "reference-report.sh: build first: ./mvnw -B -q package -DskipTests" >&2
    exit 2
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/java}"
java="${java:-java}"
root="$(pwd)"
cd results/reference
mapfile -t inputs < <(find . -maxdepth 1 \( -name 'jdk-*.json' -o -name 'node-*.json' \) ! -name '*.run.json' | sort;
                      find . -maxdepth 1 -name 'collectors-*.json' ! -name '*.run.json' | sort)
inputs=("${inputs[@]#./}")
# Through run-benchmarks.sh, so that the report runs with its own JVM flags (src/main/resources/.../jvm-flags).
JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v "$java")")")")" "$root/run-benchmarks.sh" report --out . "${inputs[@]}"
