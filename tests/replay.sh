#!/bin/sh
# --replay: a real recorded log (snapshot and delta format) is accepted —
# without a terminal that is the usual one-line exit 2 — and a file that is
# not a memslope log is refused in one line with exit 1, before any screen;
# the browser's screen shows the re-analysis (what --replay --log - writes).
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
# The browser keeps the re-analysis in a temporary file: none can be made.
TMPDIR="$TMP/no-such-dir" "$MEMSLOPE" --replay "$TMP/rec.ndjson" >"$TMP/out" 2>"$TMP/err" </dev/null
rc=$?
[ "$rc" -eq 1 ] && [ ! -s "$TMP/out" ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
	grep -q "cannot make a temporary file for the re-analysis" "$TMP/err" ||
	fail "no temporary file: exit $rc, $(cat "$TMP/err")"
ok "no temporary file: refused in one line"

# ---- The browser is a view of the re-analysis (issue 12): at each sample
# the table shows the verdict and TTL that --replay FILE --log - writes for
# that sample, never the log's own (all "shrinking" here), and says so.
if ! command -v tmux >/dev/null 2>&1; then
	part_skip "the browser's screen: tmux is not installed (Debian package tmux)"
	parts_done
	exit 0
fi
python3 "${srcdir:-.}/tests/replay_gen.py" 300 >"$TMP/gen.ndjson" || fail "cannot generate a log"
"$MEMSLOPE" --replay "$TMP/gen.ndjson" --log - >"$TMP/re.ndjson" 2>"$TMP/re.err" </dev/null ||
	fail "--replay --log - failed: $(cat "$TMP/re.err")"
SOCK=memslope-replay-$$
T() { tmux -L "$SOCK" -f /dev/null "$@"; }
trap 'tmux_reap "$SOCK"; cleanup' EXIT
T new-session -d -s r -x 160 -y 30 "TERM=xterm-256color '$MEMSLOPE' --replay '$TMP/gen.ndjson'; sleep 60" ||
	fail "tmux cannot start"
# same LINE: the screen is at sample LINE and its rows are the live
# processes of --log -'s line LINE, each with that line's verdict, and a
# TTL where that line has one (the binding limit's, else the trend's).
same() {
	T capture-pane -p -t r >"$TMP/screen"
	python3 - "$TMP/screen" "$TMP/re.ndjson" "$1" <<'PY'
import json, re, sys
screen = open(sys.argv[1], encoding="utf-8", errors="replace").read()
want = int(sys.argv[3])
m = re.search(r"replay (\d+)/(\d+) ", screen)
if not m or int(m.group(1)) != want:
    sys.exit("the screen is not at sample %d: %s" % (want, m and m.group(0)))
body = "".join(l for l in screen.splitlines(True) if not l.startswith("replay "))
if "re-analysed" not in screen or "shrinking" in body:
    sys.exit("the screen does not say re-analysed, or shows a recorded verdict")
line = json.loads(open(sys.argv[2]).readlines()[want - 1])
exp = {}
for p in line["processes"]:
    if not p["alive"]:
        continue
    ttl = p["trend"]["ttl_s"]
    for l in p.get("limits") or []:
        if l["kind"] == p.get("binding_limit"):
            ttl = l.get("ttl_s")
    exp[p["pid"]] = (p["trend"]["verdict"], ttl is not None)
rows = {}
for l in screen.splitlines():
    r = re.match(r"\s*(\d+) u\s+\S+\s+\S+\s+\S+ (\w+)\s+\S+\s+(\S+) /", l)
    if r:
        rows[int(r.group(1))] = (r.group(2), r.group(3) != "-")
if rows != exp:
    sys.exit("sample %d: the screen shows %s, --log - wrote %s" % (want, rows, exp))
PY
}
wait_for 20 grep -q . "$TMP/re.ndjson"
wait_for 20 same 300 || { cat "$TMP/screen"; fail "the last sample"; }
grep -q "recorded verdicts differ on 300 lines" "$TMP/screen" ||
	fail "the status line does not say that the recorded verdicts differ"
T send-keys -t r '['
wait_for 5 same 240 || { cat "$TMP/screen"; fail "a minute back"; }
T send-keys -t r '[' '['
wait_for 5 same 120 || { cat "$TMP/screen"; fail "three minutes back"; }
grep -q "leaky" "$TMP/screen" && grep -q " growing " "$TMP/screen" ||
	fail "the leak is not growing at sample 120"
T send-keys -t r Left
wait_for 5 same 119 || { cat "$TMP/screen"; fail "one back"; }
T send-keys -t r '['
wait_for 5 same 59 || { cat "$TMP/screen"; fail "a minute back again"; }
T send-keys -t r Right
wait_for 5 same 60 || { cat "$TMP/screen"; fail "one forward"; }
tmux_reap "$SOCK"
ok "the browser shows --log -'s verdicts and TTLs at samples 300, 240, 120, 119, 59, 60 (the log's own differ)"
parts_done
