#!/usr/bin/env bash
# Issue 4's stability goal: when 1% new records arrive, 99.9% or more of the existing nominal
# ids are unchanged. Generates a world, holds back the last three ambulance FHIR bundles (about 1% of
# the records), resolves the rest as a batch, then lands the held-back bundles and resolves
# incrementally, and counts the nominals that existed before and are still live with the same
# id afterwards (not merged into another, not retired).
# Usage: bench/resolve_stability.sh [TESSERA] [PEOPLE] [WORK_DIR]
set -euo pipefail
tessera=${1:-build/release/tessera}
people=${2:-50000}
work=${3:-$(mktemp -d "${TMPDIR:-/tmp}/tessera-stability.XXXXXX")}
hub=$work/hub
held=$work/held

"$tessera" init --data "$hub" >/dev/null
"$tessera" generate --people "$people" --seed 1 --out "$hub" >/dev/null
mkdir -p "$hub/mappings" "$held"
cp examples/synthetic/mappings/*.yaml "$hub/mappings/"
# The last three bundles of the ambulance source: about 1% of a world's records.
for f in $(ls "$hub/landing/ambulance/"*.json | sort | tail -3); do mv "$f" "$held/"; done
"$tessera" ingest --data "$hub" >/dev/null
"$tessera" resolve --data "$hub" | grep -E "resolved|live nominals"
sqlite3 "$hub/hub.db" "SELECT id FROM nominals WHERE status = 'live' ORDER BY id" >"$work/before.txt"
records_before=$(sqlite3 "$hub/hub.db" "SELECT count(*) FROM nominal_records")

mv "$held/"*.json "$hub/landing/ambulance/"
"$tessera" ingest --data "$hub" >/dev/null
"$tessera" resolve --data "$hub" | grep -E "resolved|new records|reclustered"
sqlite3 "$hub/hub.db" "SELECT id FROM nominals WHERE status = 'live' ORDER BY id" >"$work/after.txt"
records_after=$(sqlite3 "$hub/hub.db" "SELECT count(*) FROM nominal_records")

before=$(wc -l <"$work/before.txt")
kept=$(comm -12 <(sort "$work/before.txt") <(sort "$work/after.txt") | wc -l)
echo "new records: $((records_after - records_before)) on top of $records_before ($(awk -v a="$records_after" -v b="$records_before" 'BEGIN { printf "%.2f", 100 * (a - b) / b }')%)"
echo "existing nominal ids unchanged: $kept of $before ($(awk -v k="$kept" -v b="$before" 'BEGIN { printf "%.3f", 100 * k / b }')%)"
