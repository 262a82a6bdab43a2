#!/usr/bin/env bash
# What the store's secondary indexes cost a load (issue 3): loads one synthetic source file into
# a fresh hub three ways, alternately, ROUNDS times each, and prints wall and user CPU seconds:
#   shipped  the schema as migrated;
#   lean     no source_records_current index: the one B-tree of the three measured on
#            2026-11-25 that migration 16 did not take out (it dropped source_records_by_load
#            and made event_involvements WITHOUT ROWID);
#   bare     every secondary index of the five tables a load writes dropped (not a usable hub:
#            lookups by location, reference and person become scans).
# The binary's SQL works unchanged on all three. The schema is changed with the sqlite3 shell
# after `tessera init`. Figures: docs/benchmarks.md, "How much the secondary indexes cost".
# Usage: bench/ingest_index_cost.sh [TESSERA] [PEOPLE] [SOURCE] [ROUNDS] [WORK_DIR]
set -euo pipefail
tessera=${1:-build/release/tessera}
people=${2:-200000}
source=${3:-police_crime}
rounds=${4:-3}
work=${5:-$(mktemp -d "${TMPDIR:-/tmp}/tessera-index-cost.XXXXXX")}
. "$(dirname "$0")/ingest_world.sh"

lean_sql="DROP INDEX source_records_current;"
bare_sql="DROP INDEX source_records_current; DROP INDEX source_records_retired;
DROP INDEX person_records_by_location; DROP INDEX events_by_ref; DROP INDEX events_by_source_record; DROP INDEX events_by_location;
DROP INDEX event_involvements_by_person; DROP INDEX locations_by_postcode;
DROP INDEX locations_by_small_area;"

for round in $(seq 1 "$rounds"); do
  for schema in shipped lean bare; do
    hub=$work/hub-$schema
    rm -rf "$hub"
    "$tessera" init --data "$hub" >/dev/null
    case $schema in
      lean) sqlite3 "$hub/hub.db" "$lean_sql" ;;
      bare) sqlite3 "$hub/hub.db" "$bare_sql" ;;
    esac
    /usr/bin/time -f "$schema round $round: %e s wall, %U s user, %M KB peak" \
      "$tessera" ingest --data "$hub" --mapping "$mapping" "$file" 2>&1 >/dev/null | tail -1
  done
done
