#!/usr/bin/env bash
# The FEBRL benchmark end to end: ingest, train the linkage model, resolve and evaluate.
#   FEBRL3: de-duplication of dataset3.csv (5,000 records of 2,000 people) in one source.
#   FEBRL4: linkage of dataset4a.csv and dataset4b.csv (5,000 people each, every one in both),
#           loaded with the one spec under two source ids, febrl4a and febrl4b.
# Every command is printed before it runs, so that a figure can name the command behind it.
# Usage: examples/febrl/run.sh [TESSERA_BINARY] [WORK_DIR]
#   TESSERA_BINARY  default build/release/tessera
#   WORK_DIR        where the hubs and truth files go (default: a new temporary directory);
#                   it must not already hold them, so that the figures come from a fresh run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
tessera=${1:-$root/build/release/tessera}
work=${2:-$(mktemp -d "${TMPDIR:-/tmp}/tessera-febrl.XXXXXX")}
spec=$here/febrl.yaml
data=$root/data/febrl

if [ ! -x "$tessera" ]; then
  echo "run.sh: no tessera binary at $tessera (build it with 'make release')" >&2
  exit 1
fi
mkdir -p "$work"
for hub in "$work/febrl3" "$work/febrl4"; do
  if [ -e "$hub" ]; then
    echo "run.sh: $hub already exists; remove it or give another WORK_DIR" >&2
    exit 1
  fi
done

run() {
  echo "\$ tessera $*"
  "$tessera" "$@"
}

header() {
  echo
  echo "=== $* ==="
}

header "FEBRL3: de-duplication of dataset3.csv"
h3=$work/febrl3
t3=$work/febrl3_truth.csv
"$here/make_truth.sh" febrl "$data/dataset3.csv" >"$t3"
run init --data "$h3"
run ingest --data "$h3" --mapping "$spec" "$data/dataset3.csv"
run linkage train --data "$h3"
run resolve --data "$h3"
run evaluate --data "$h3" --truth "$t3"

header "FEBRL4: linkage of dataset4a.csv (febrl4a) with dataset4b.csv (febrl4b)"
h4=$work/febrl4
t4=$work/febrl4_truth.csv
"$here/make_truth.sh" febrl4a "$data/dataset4a.csv" febrl4b "$data/dataset4b.csv" >"$t4"
run init --data "$h4"
run ingest --data "$h4" --mapping "$spec" --source febrl4a "$data/dataset4a.csv"
run ingest --data "$h4" --mapping "$spec" --source febrl4b "$data/dataset4b.csv"
run linkage train --data "$h4"
run resolve --data "$h4"
run evaluate --data "$h4" --truth "$t4"

echo
echo "hubs and truth files kept in $work"
