# Sourced by the ingest bench scripts: makes (or reuses) a generated world in $work/world and
# sets $file (the source's first landing file), $mapping (its shipped spec) and $rows.
# Needs $tessera, $people, $source and $work.
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 shell (apt install sqlite3)" >&2; exit 1; }
world=$work/world
if [ ! -d "$world/landing/$source" ]; then
  "$tessera" init --data "$world" >/dev/null
  "$tessera" generate --people "$people" --seed 1 --out "$world" >/dev/null
fi
file=$(ls "$world/landing/$source/"* | head -1)
mapping=examples/synthetic/mappings/$source.yaml
rows=$(($(wc -l <"$file") - 1))
echo "$source: $rows rows in $file"
