#!/bin/sh
# --replay: a real recorded log (snapshot and delta format) is accepted —
# without a terminal that is the usual one-line exit 2 — and a file that is
# not a memslope log is refused in one line with exit 1, before any screen.
. "${srcdir:-.}/tests/lib.sh"

PY=$(hold 20) || exit 1

"$MEMSLOPE" --log "$TMP/rec.ndjson" --count 8 --interval 200ms -p "$PY" >/dev/null 2>"$TMP/rec.err" ||
	fail "recording failed: $(cat "$TMP/rec.err")"
[ "$(wc -l <"$TMP/rec.ndjson")" -eq 8 ] || fail "--count 8 wrote $(wc -l <"$TMP/rec.ndjson") lines"
"$MEMSLOPE" --log "$TMP/delta.ndjson" --log-format delta --count 8 --interval 200ms -p "$PY" \
	>/dev/null 2>"$TMP/rec.err" || fail "recording a delta log failed: $(cat "$TMP/rec.err")"

# expect CODE PATTERN FILE: one line on stderr, nothing on stdout.
expect() {
	"$MEMSLOPE" --replay "$3" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	[ "$rc" -eq "$1" ] || fail "--replay $3 exited $rc, expected $1 ($(cat "$TMP/err"))"
	[ ! -s "$TMP/out" ] || fail "--replay $3 wrote to stdout"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "--replay $3: expected one line on stderr, got: $(cat "$TMP/err")"
	grep -q -- "$2" "$TMP/err" || fail "--replay $3: stderr '$(cat "$TMP/err")' does not mention '$2'"
}

expect 2 "not a terminal" "$TMP/rec.ndjson"
expect 2 "not a terminal" "$TMP/delta.ndjson"
ok "recorded logs open"

# Cut the last line in half, as a writer killed mid-line would: still a log.
size=$(wc -c <"$TMP/delta.ndjson")
last=$(tail -n 1 "$TMP/delta.ndjson" | wc -c)
head -c $((size - last / 2)) "$TMP/delta.ndjson" >"$TMP/cut.ndjson"
expect 2 "not a terminal" "$TMP/cut.ndjson"
ok "an incomplete last line is skipped"

printf 'hello\n' >"$TMP/text"
expect 1 "line 1 is not a memslope/1 log line" "$TMP/text"
: >"$TMP/empty"
expect 1 "is empty" "$TMP/empty"
# One bad line in the middle is skipped (and counted on the status line).
{ head -n 3 "$TMP/rec.ndjson"; printf '{"schema":"memslope/1",\n'; tail -n 2 "$TMP/rec.ndjson"; } >"$TMP/bad4"
expect 2 "not a terminal" "$TMP/bad4"
tail -n 1 "$TMP/delta.ndjson" >"$TMP/delta-only"
expect 1 "starts with a snapshot" "$TMP/delta-only"
expect 1 "No such file" "$TMP/no-such-file"
expect 1 "Is a directory" "$TMP"
ok "bad files are refused in one line"
