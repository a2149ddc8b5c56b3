#!/usr/bin/env bash
# Writes docs/findings.md and the README's findings block from results/reference/claims.csv (the claims'
# texts from the @Claim annotations in the jar). --check writes nothing and exits 1 when either is out of date.
#
#   scripts/findings-doc.sh [--check]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ ! -f target/benchmarks.jar ]]; then
    echo "findings-doc.sh: build first: ./mvnw -B -q package -DskipTests" >&2
    exit 2
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/java}"
exec "${java:-java}" -XX:TieredStopAtLevel=1 -cp target/benchmarks.jar perfmastery.report.FindingsDoc "$@" .
