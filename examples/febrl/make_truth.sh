#!/usr/bin/env bash
# Writes the FEBRL ground truth as a `tessera evaluate` truth CSV (source,record_id,person_id)
# to stdout. FEBRL record ids name their entity: rec-N-org is the original of entity N and
# rec-N-dup-K its K-th duplicate, in one file (FEBRL1-3) or across the two halves of FEBRL4
# (rec-N-org in dataset4a, rec-N-dup-0 in dataset4b).
# Usage: make_truth.sh SOURCE FILE [SOURCE FILE]...   e.g. make_truth.sh febrl dataset3.csv
set -euo pipefail
if [ $# -eq 0 ] || [ $(($# % 2)) -ne 0 ]; then
  echo "usage: $0 SOURCE FILE [SOURCE FILE]..." >&2
  exit 2
fi
echo "source,record_id,person_id"
while [ $# -gt 0 ]; do
  source=$1 file=$2
  shift 2
  # The files have a space after each comma and may end in CRLF; the record id is the first field.
  awk -F',' -v source="$source" '
    FNR == 1 { next }
    {
      id = $1
      gsub(/[ \t\r]/, "", id)
      if (id == "") next
      if (id !~ /^rec-[0-9]+-(org|dup-[0-9]+)$/) {
        printf "%s:%d: not a FEBRL record id: %s\n", FILENAME, FNR, id > "/dev/stderr"
        failed = 1
        exit 1
      }
      split(id, part, "-")
      print source "," id "," part[2]
    }
    END { if (failed) exit 1 }' "$file"
done
