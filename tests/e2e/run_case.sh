#!/usr/bin/env bash
# Runs one end-to-end case file against the tessera binary.
#
# A case file is a list of steps, one per line; blank lines and '#' comments are ignored.
# $TMP is a fresh directory for the case, removed afterwards. Steps:
#   run: ARGS...                    run `tessera ARGS`; it must exit 0
#   fail: ARGS...                   run `tessera ARGS`; it must exit non-zero
#   stdout-has: TEXT                the last command's stdout contains TEXT
#   stderr-has: TEXT                the last command's stderr contains TEXT
#   stdout-lacks: TEXT              the last command's stdout does not contain TEXT
#   exists: PATH                    PATH exists
#   same-tree: DIR_A DIR_B          the two directories hold byte-identical files
#   file-has: PATH TEXT             the file contains TEXT
#   lines: PATH N                   the file has exactly N lines
#   truth-covers-landing: DIR       every record key in DIR/landing is in DIR/truth/records.csv
#   copy: FROM TO                   copy a file or folder (e.g. specs from $SRC/examples)
#   write: PATH TEXT                write TEXT (with \n for new lines) to PATH
#   start: ARGS...                  run `tessera ARGS` in the background (one at a time)
#   wait-for: PATH                  wait up to 20 s for PATH to exist
#   stop:                           send SIGTERM to the background tessera; it must exit 0;
#                                   its stdout and stderr become the last command's
#   http-get: PATH                  GET PATH from the background `tessera serve` (the URL it
#                                   printed: "listening on URL"); status line, headers and body
#                                   become the last command's stdout (curl, or bash's /dev/tcp)
# $SRC is the source tree, for the shipped examples.
# Usage: run_case.sh CASE_FILE TESSERA_BINARY
set -uo pipefail
case_file=$1
tessera=$2
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tessera-e2e.XXXXXX")
SRC=${TESSERA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bg_pid=""
trap '[ -n "$bg_pid" ] && kill -9 "$bg_pid" 2>/dev/null; rm -rf "$TMP"' EXIT
out="$TMP/.stdout"
err="$TMP/.stderr"
: >"$out"
: >"$err"
bg_out="$TMP/.bg_stdout"
bg_err="$TMP/.bg_stderr"
line_no=0
failures=0

fail() {
  echo "$case_file:$line_no: $*" >&2
  failures=$((failures + 1))
}

expand() { eval "printf '%s' \"$1\""; }

truth_covers_landing() {
  local dir=$1 keys="$TMP/.keys" truth="$TMP/.truth"
  cut -d, -f1,2 "$dir/truth/records.csv" | tail -n +2 | sort -u >"$truth"
  : >"$keys"
  local f src
  for f in "$dir"/landing/*/*.csv; do
    src=$(basename "$(dirname "$f")")
    tail -n +2 "$f" | sed '1s/^\xEF\xBB\xBF//' | cut -d, -f1 | tr -d '\r' | sed "s/^/$src,/" >>"$keys"
  done
  for f in "$dir"/landing/*/*.jsonl; do
    src=$(basename "$(dirname "$f")")
    sed -n 's/^{"episode_id":"\([^"]*\)".*/\1/p' "$f" | sed "s/^/$src,/" >>"$keys"
  done
  for f in "$dir"/landing/*/*.json; do
    src=$(basename "$(dirname "$f")")
    grep -o '"resourceType":"Patient","id":"[^"]*"' "$f" | sed 's/.*"id":"\([^"]*\)"/\1/' |
      sed "s/^/$src,/" >>"$keys"
  done
  sort -u "$keys" -o "$keys"
  local landed truths
  landed=$(wc -l <"$keys")
  truths=$(wc -l <"$truth")
  [ "$landed" -gt 0 ] || { fail "no records in $dir/landing"; return; }
  if ! diff -q "$keys" "$truth" >/dev/null; then
    fail "landing keys ($landed) and truth keys ($truths) differ: $(diff "$keys" "$truth" | head -5)"
  fi
}

http_get() {
  local path=$1 url="" hostport host port
  for _ in $(seq 1 200); do
    url=$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$bg_out" 2>/dev/null | head -1)
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { fail "http-get: the server printed no 'listening on http://...'"; return; }
  if command -v curl >/dev/null; then
    curl -sS -i --max-time 10 "$url$path" >"$out" 2>"$err" || fail "http-get: curl $url$path failed: $(head -3 "$err")"
  else
    hostport=${url#http://}
    host=${hostport%:*}
    port=${hostport##*:}
    if ! (exec 3<>"/dev/tcp/$host/$port" &&
      printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$hostport" >&3 &&
      timeout 10 cat <&3) >"$out" 2>"$err"; then
      fail "http-get: GET $url$path failed: $(head -3 "$err")"
    fi
  fi
}

while IFS= read -r raw || [ -n "$raw" ]; do
  line_no=$((line_no + 1))
  line="${raw#"${raw%%[![:space:]]*}"}"
  [ -z "$line" ] && continue
  [ "${line:0:1}" = "#" ] && continue
  step="${line%%:*}"
  arg="${line#*: }"
  arg=$(expand "$arg")
  case "$step" in
    run | fail)
      # shellcheck disable=SC2086
      (cd "$TMP" && eval "\"$tessera\" $arg") >"$out" 2>"$err"
      rc=$?
      if [ "$step" = run ] && [ $rc -ne 0 ]; then fail "exit $rc: tessera $arg: $(head -3 "$err")"; fi
      if [ "$step" = fail ] && [ $rc -eq 0 ]; then fail "expected failure: tessera $arg"; fi
      ;;
    stdout-has) grep -qF -- "$arg" "$out" || fail "stdout lacks '$arg': $(head -5 "$out")" ;;
    stderr-has) grep -qF -- "$arg" "$err" || fail "stderr lacks '$arg': $(head -5 "$err")" ;;
    stdout-lacks) ! grep -qF -- "$arg" "$out" || fail "stdout has '$arg': $(grep -F -- "$arg" "$out" | head -3)" ;;
    exists) [ -e "$arg" ] || fail "missing $arg" ;;
    same-tree)
      read -r a b <<<"$arg"
      diff -r -q "$a" "$b" >/dev/null || fail "trees differ: $(diff -r -q "$a" "$b" | head -3)"
      [ -n "$(ls -A "$a")" ] || fail "$a is empty"
      ;;
    file-has)
      read -r path text <<<"$arg"
      grep -qF -- "$text" "$path" || fail "$path lacks '$text'"
      ;;
    lines)
      read -r path n <<<"$arg"
      [ "$(wc -l <"$path")" -eq "$n" ] || fail "$path has $(wc -l <"$path") lines, not $n"
      ;;
    truth-covers-landing) truth_covers_landing "$arg" ;;
    copy)
      read -r from to <<<"$arg"
      mkdir -p "$(dirname "$to")"
      cp -r "$from" "$to" || fail "cannot copy $from to $to"
      ;;
    write)
      read -r path text <<<"$arg"
      mkdir -p "$(dirname "$path")"
      printf '%b' "$text" >"$path"
      ;;
    start)
      (cd "$TMP" && eval "exec \"$tessera\" $arg") >"$bg_out" 2>"$bg_err" &
      bg_pid=$!
      ;;
    http-get) http_get "$arg" ;;
    wait-for)
      for _ in $(seq 1 200); do
        [ -e "$arg" ] && break
        sleep 0.1
      done
      [ -e "$arg" ] || fail "timed out waiting for $arg"
      ;;
    stop)
      if [ -z "${bg_pid:-}" ]; then
        fail "stop: nothing started"
      else
        kill -TERM "$bg_pid"
        wait "$bg_pid"
        rc=$?
        cp "$bg_out" "$out"
        cp "$bg_err" "$err"
        [ $rc -eq 0 ] || fail "background tessera exited $rc after SIGTERM: $(head -3 "$err")"
        bg_pid=""
      fi
      ;;
    *) fail "unknown step '$step'" ;;
  esac
done <"$case_file"

if [ $failures -ne 0 ]; then
  echo "FAILED: $case_file ($failures failures)" >&2
  exit 1
fi
echo "passed: $case_file"
