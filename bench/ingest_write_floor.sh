#!/usr/bin/env bash
# The fastest a load's rows can be written into SQLite at all (issue 3): loads one synthetic
# source file with `tessera ingest`, then copies the rows that load wrote (loads, source
# records, locations, person records, events, involvements) into a fresh hub with one
# INSERT ... SELECT per table, in one transaction, with nothing else to do: no reading, mapping,
# standardising, hashing or per-row statements. That is a floor for any implementation of the
# load's write; it prints wall seconds and input rows per second for
#   ingest   `tessera ingest` of the file, end to end, for comparison;
#   copy     the same rows into the schema as migrated;
#   slim     the same into a slimmer hub, to see what smaller rows and fewer B-trees would buy:
#            no source_records_current or _retired index, no file name on each source record, a
#            32-character content hash and no raw values on person records (the source record's
#            payload keeps them). Before migration 16 it also dropped source_records_by_load and
#            made event_involvements WITHOUT ROWID, which that migration has since shipped;
#   records  the load's source records alone (with its load and quarantine rows): what a load
#            would write if person records, events and locations were derived after it.
# Foreign keys are on and the page cache is 256 MiB, as generous as a load gets. Each copy
# selects with `WHERE 1` so that SQLite cannot use its transfer shortcut, which copies whole
# B-tree pages when the target is empty and no load could use.
# Figures: docs/benchmarks.md, "The write floor".
# Usage: bench/ingest_write_floor.sh [TESSERA] [PEOPLE] [SOURCE] [ROUNDS] [WORK_DIR]
set -euo pipefail
tessera=${1:-build/release/tessera}
people=${2:-200000}
source=${3:-police_crime}
rounds=${4:-3}
work=${5:-$(mktemp -d "${TMPDIR:-/tmp}/tessera-write-floor.XXXXXX")}
. "$(dirname "$0")/ingest_world.sh"

seconds() { date +%s.%N; }
report() {  # name round start end
  awk -v n="$1" -v r="$2" -v a="$3" -v b="$4" -v rows="$rows" \
    'BEGIN { printf "%s round %d: %.3f s, %.0f rows/s\n", n, r, b - a, rows / (b - a) }'
}

lean_sql="DROP INDEX source_records_current; DROP INDEX source_records_retired;"

copy_sql() {  # loaded-hub.db slim?
  local sr_file=file sr_hash=content_hash pr_raw=raw
  if [ "$2" = slim ]; then sr_file="''" sr_hash="substr(content_hash, 1, 32)" pr_raw="'[]'"; fi
  cat <<SQL
PRAGMA cache_size = -262144;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;
ATTACH '$1' AS src;
BEGIN;
INSERT INTO loads SELECT * FROM src.loads WHERE 1;
INSERT INTO source_records (id, source_id, record_key, version, is_current, is_deleted, load_id,
  file, line, byte_offset, received_at, content_hash, payload)
  SELECT id, source_id, record_key, version, is_current, is_deleted, load_id, $sr_file, line,
  byte_offset, received_at, $sr_hash, payload FROM src.source_records WHERE 1;
INSERT INTO quarantine SELECT * FROM src.quarantine WHERE 1;
SQL
  if [ "$2" != records ]; then cat <<SQL
INSERT INTO locations SELECT * FROM src.locations WHERE 1;
INSERT INTO person_records (id, source_record_id, mention_key, role, given, middle, family, title,
  suffix, dob, sex, location_id, identifiers, phones, emails, aliases, raw, flags)
  SELECT id, source_record_id, mention_key, role, given, middle, family, title, suffix, dob, sex,
  location_id, identifiers, phones, emails, aliases, $pr_raw, flags
  FROM src.person_records WHERE 1;
INSERT INTO events SELECT * FROM src.events WHERE 1;
INSERT INTO event_involvements (event_id, person_record_id, role)
  SELECT event_id, person_record_id, role FROM src.event_involvements WHERE 1;
SQL
  fi
  echo "COMMIT;"
}

for round in $(seq 1 "$rounds"); do
  loaded=$work/hub-ingest
  rm -rf "$loaded"
  "$tessera" init --data "$loaded" >/dev/null
  start=$(seconds)
  "$tessera" ingest --data "$loaded" --mapping "$mapping" "$file" >/dev/null
  report ingest "$round" "$start" "$(seconds)"
  for schema in copy slim records; do
    hub=$work/hub-$schema
    rm -rf "$hub"
    "$tessera" init --data "$hub" >/dev/null
    # The rows `tessera init` writes itself (none of these tables') stay; the copy adds the load's.
    [ "$schema" = slim ] && sqlite3 "$hub/hub.db" "$lean_sql"
    script=$(copy_sql "$loaded/hub.db" "$schema")
    start=$(seconds)
    sqlite3 "$hub/hub.db" <<<"$script" >/dev/null
    report "$schema" "$round" "$start" "$(seconds)"
    echo "  $schema hub.db: $(du -m "$hub/hub.db" | cut -f1) MB"
  done
done
