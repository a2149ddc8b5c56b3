#!/usr/bin/env bash
# Copies one run's results (JMH JSON, sidecars, logs) out of results/ for a CI artifact:
#   scripts/ci-collect.sh RUN_DIR DEST_DIR
# The JSON of one (JDK, flag set) keeps its name; DEST_DIR should be unique per job (jdk17-shard2), so
# that the report job can download every job's files side by side.
set -euo pipefail
if [[ $# -ne 2 ]]; then
    echo "usage: scripts/ci-collect.sh RUN_DIR DEST_DIR" >&2
    exit 2
fi
run_dir="$1"
dest="$2"
if [[ ! -d "$run_dir" ]]; then
    echo "ci-collect: no run folder at $run_dir (did the run start?)" >&2
    exit 2
fi
mkdir -p "$dest"
shopt -s nullglob
copied=0
for file in "$run_dir"/*.json "$run_dir"/*.log; do
    cp -p "$file" "$dest/"
    copied=$((copied + 1))
done
echo "ci-collect: $copied file(s) from $run_dir into $dest"
