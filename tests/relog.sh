#!/bin/sh
# --replay LOG --log -: a log recorded live (a leaking, a sawtooth and a
# flat python3 process, and one that exits half-way, as a tree, every 0.5 s
# for 105 s) re-analysed without a terminal is the same log, line for line:
# every value, verdict, slope, TTL and event. Re-analysis goes through the
# update stage the live run used (replay is a sampler), so this holds by
# construction; a second rule anywhere would show here as a diff. Also: the
# re-analysis written as a delta log and re-analysed again is the original.
. "${srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null || skip "python3 is not installed"
W="${srcdir:-.}/tests/workloads/workload.py"

python3 "$W" linear --rate 2 --duration 115 >/dev/null 2>&1 &
LEAK=$!
python3 "$W" sawtooth --duration 115 >/dev/null 2>&1 &
SAW=$!
python3 "$W" step --duration 50 >/dev/null 2>&1 &
SHORT=$!
CHILDREN="$LEAK $SAW $SHORT"
FLAT=$(hold 30) || exit 1

"$MEMSLOPE" --log "$TMP/rec.ndjson" --interval 0.5s --duration 105s -t \
	-p "$LEAK,$SAW,$FLAT,$SHORT" >/dev/null 2>"$TMP/rec.err" || fail "recording failed: $(cat "$TMP/rec.err")"
n=$(wc -l <"$TMP/rec.ndjson")
[ "$n" -ge 200 ] || fail "the live log has $n lines, expected >= 200 (105 s at 0.5 s)"
# Not a vacuous comparison: the leak was found, the short one exited.
grep -q "\"kind\":\"verdict\",\"pid\":$LEAK,.*-> \(growing\|leak\)" "$TMP/rec.ndjson" ||
	fail "the live log never calls the leaking process $LEAK growing"
grep -q "\"message\":\"exited: process $SHORT (python3)\"" "$TMP/rec.ndjson" ||
	fail "the live log does not tell process $SHORT's exit"
grep -q '"ttl_s":[0-9]' "$TMP/rec.ndjson" || fail "the live log has no time to the limit"

"$MEMSLOPE" --replay "$TMP/rec.ndjson" --log - >"$TMP/re.ndjson" 2>"$TMP/re.err" </dev/null ||
	fail "--replay --log - failed: $(cat "$TMP/re.err")"
[ ! -s "$TMP/re.err" ] || fail "--replay --log - wrote to stderr: $(cat "$TMP/re.err")"
if ! cmp -s "$TMP/rec.ndjson" "$TMP/re.ndjson"; then
	diff "$TMP/rec.ndjson" "$TMP/re.ndjson" | head -c 2000
	fail "the re-analysed log differs from the live one ($(wc -l <"$TMP/re.ndjson") vs $n lines)"
fi
ok "re-analysis reproduces the live log line for line ($n lines)"

"$MEMSLOPE" --replay "$TMP/rec.ndjson" --log "$TMP/delta.ndjson" --log-format delta </dev/null ||
	fail "--replay --log FILE --log-format delta failed"
[ "$(wc -l <"$TMP/delta.ndjson")" -eq "$n" ] || fail "the delta log has not $n lines"
"$MEMSLOPE" --replay "$TMP/delta.ndjson" --log - >"$TMP/re2.ndjson" </dev/null ||
	fail "re-analysing the delta log failed"
cmp -s "$TMP/rec.ndjson" "$TMP/re2.ndjson" || fail "re-analysing the delta log does not give the live log"
ok "a delta log re-analysed gives the same log"

# Bad input: one line, exit 1, nothing written.
printf 'hello\n' >"$TMP/text"
"$MEMSLOPE" --replay "$TMP/text" --log - >"$TMP/out" 2>"$TMP/err" </dev/null
rc=$?
[ "$rc" -eq 1 ] && [ ! -s "$TMP/out" ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
	grep -q "line 1 is not a memslope/1 log line" "$TMP/err" ||
	fail "a text file: exit $rc, stderr '$(cat "$TMP/err")'"
ok "a file that is not a log is refused in one line"
