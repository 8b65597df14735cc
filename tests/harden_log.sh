#!/bin/sh
# The log survives a kill (issue 19, items 4-6): a partial last line left by
# SIGKILL is cut back when the next run opens the log, and memslope says so;
# --replay skips and counts bad lines instead of refusing the log; every run
# of --log-format delta starts with a whole snapshot line.
. "${srcdir:-.}/tests/lib.sh"

# lines_whole FILE: every line is a whole JSON object; prints the count.
lines_whole() {
	python3 - "$1" <<'EOF'
import json, sys
n = 0
for i, line in enumerate(open(sys.argv[1], 'rb'), 1):
    try:
        json.loads(line)
    except ValueError:
        sys.exit("line %d of %s is not whole JSON (%d bytes)" % (i, sys.argv[1], len(line)))
    n += 1
print(n)
EOF
}
# replay_ok FILE: --replay accepts FILE (without a terminal it stops at
# "not a terminal", exit 2; a refused log is exit 1).
replay_ok() {
	"$MEMSLOPE" --replay "$1" >/dev/null 2>"$TMP/replay.err" </dev/null
	rc=$?
	[ $rc -eq 2 ] && grep -q "not a terminal" "$TMP/replay.err" ||
		fail "--replay $1 refused the log (exit $rc): $(cat "$TMP/replay.err")"
}

# ---- 4. A partial last line, as a killed writer leaves it: cut back at open.
"$MEMSLOPE" --log "$TMP/a.ndjson" --count 3 --interval 100ms -p $$ 2>"$TMP/err" || fail "recording: $(cat "$TMP/err")"
size=$(wc -c <"$TMP/a.ndjson")
head -c $((size - 500)) "$TMP/a.ndjson" >"$TMP/a.cut" && cp "$TMP/a.cut" "$TMP/a.ndjson"
"$MEMSLOPE" --log "$TMP/a.ndjson" --count 2 --interval 100ms -p $$ 2>"$TMP/err" || fail "restart: $(cat "$TMP/err")"
grep -q "ended in a partial line of [0-9]* bytes .*cut back to its last whole line" "$TMP/err" ||
	fail "the restart did not say it cut a partial line: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "more than one line on stderr: $(cat "$TMP/err")"
n=$(lines_whole "$TMP/a.ndjson") || fail "$n"
[ "$n" -eq 4 ] || fail "expected 2 + 2 whole lines, got $n"
ok "a partial last line is cut back: $(cat "$TMP/err")"
# A file with no newline at all is not cut: new lines start after one.
printf 'no newline here' >"$TMP/b.ndjson"
"$MEMSLOPE" --log "$TMP/b.ndjson" --count 1 -p $$ 2>"$TMP/err" || fail "restart: $(cat "$TMP/err")"
[ "$(head -n 1 "$TMP/b.ndjson")" = "no newline here" ] || fail "a file without a newline was cut"
tail -n 1 "$TMP/b.ndjson" | python3 -c 'import json,sys; json.load(sys.stdin)' || fail "the new line is glued on"
grep -q "no newline" "$TMP/err" || fail "not said: $(cat "$TMP/err")"
ok "no newline at all: $(cat "$TMP/err")"

# ---- 4. The real thing: SIGKILL at random moments while multi-MB lines are
# written (400 processes with 4000-byte command lines), then a restart
# each time; every line whole at the end, and --replay reads the log.
python3 - "$TMP/pids" <<'EOF' || fail "cannot start the crowd"
import subprocess, sys
with open(sys.argv[1], 'a') as f:
    for i in range(400):
        p = subprocess.Popen(['sleep-%03d-' % i + 'x' * 4000, '3600'], executable='/bin/sleep',
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        f.write('%d\n' % p.pid)
EOF
cuts=0
for i in $(seq 1 25); do
	"$MEMSLOPE" --log "$TMP/big.ndjson" --interval 100ms --no-pss 2>>"$TMP/big.err" >/dev/null &
	M=$!
	# Kill at a random moment 0.3-1.3 s in: within a tick, often mid-line.
	sleep "$(python3 -c 'import random; print(0.3 + random.random())')"
	kill -KILL $M
	wait $M 2>/dev/null
	[ -s "$TMP/big.ndjson" ] && [ "$(tail -c 1 "$TMP/big.ndjson" | od -An -c | tr -d ' ')" != '\n' ] &&
		cuts=$((cuts + 1))
done
"$MEMSLOPE" --log "$TMP/big.ndjson" --count 1 --no-pss 2>>"$TMP/big.err" >/dev/null || fail "last run: $(tail -n 1 "$TMP/big.err")"
said=$(grep -c "cut back\|no newline" "$TMP/big.err")
[ "$said" -eq "$cuts" ] || fail "$cuts kills left a partial line, $said restarts said so"
max=$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$TMP/big.ndjson")
[ "$max" -gt 1000000 ] || fail "the lines are not multi-MB ($max bytes): the test does not test"
n=$(lines_whole "$TMP/big.ndjson") || fail "$n"
replay_ok "$TMP/big.ndjson"
ok "25 SIGKILLs ($cuts mid-line), $n whole lines of up to $max bytes, --replay reads the log"

# ---- 5. --replay skips and counts bad lines, refuses only a log with none usable.
"$MEMSLOPE" --log "$TMP/r.ndjson" --count 4 --interval 100ms -p $$ 2>/dev/null || fail "recording"
{ head -n 2 "$TMP/r.ndjson"; printf '{"schema":"memslope/1",\n'; head -c 300 "$TMP/r.ndjson"; echo;
  tail -n 2 "$TMP/r.ndjson"; } >"$TMP/bad.ndjson"
replay_ok "$TMP/bad.ndjson"
printf 'hello\nworld\n' >"$TMP/none.ndjson"
"$MEMSLOPE" --replay "$TMP/none.ndjson" >/dev/null 2>"$TMP/err" </dev/null
[ $? -eq 1 ] && grep -q "line 1 is not a memslope/1 log line.*and 1 more bad line: nothing to replay" "$TMP/err" ||
	fail "a log with no usable line: $(cat "$TMP/err")"
ok "--replay: bad lines skipped; no usable line refused: $(cat "$TMP/err")"
# The note, on the replay's status line (in a private tmux server).
if command -v tmux >/dev/null 2>&1; then
	SOCK=memslope-harden-$$
	T() { tmux -L "$SOCK" -f /dev/null "$@"; }
	trap 'tmux_reap "$SOCK"; cleanup' EXIT
	T new-session -d -s r -x 120 -y 30 "TERM=xterm-256color '$MEMSLOPE' --replay '$TMP/bad.ndjson'; sleep 60" ||
		fail "tmux cannot start"
	shown() { T capture-pane -p -t r | grep -q "2 bad lines skipped, first: line 3"; }
	wait_for 10 shown || { T capture-pane -p -t r | tail -n 3; fail "no note of the skipped lines"; }
	tmux_reap "$SOCK"
	ok "the replay's status line: 2 bad lines skipped"
else
	part_skip "the replay's status line: tmux is not installed (Debian package tmux)"
fi

# ---- 6. A restarted delta log starts with a snapshot: a process that died
# in between is gone from the replayed model.
python3 -c "import os; os.execv('/bin/sleep', ['harden-victim-$$', '3600'])" &
S=$!
CHILDREN="$CHILDREN $S"
wait_for 5 grep -q "harden-victim" /proc/$S/cmdline || fail "the victim did not start"
"$MEMSLOPE" --log "$TMP/d.ndjson" --log-format delta --count 3 --interval 100ms -n "harden-victim-$$" \
	2>"$TMP/err" || fail "delta run 1: $(cat "$TMP/err")"
kill $S
wait $S 2>/dev/null
"$MEMSLOPE" --log "$TMP/d.ndjson" --log-format delta --count 3 --interval 100ms -n "harden-victim-$$" \
	2>"$TMP/err" || fail "delta run 2: $(cat "$TMP/err")"
python3 - "$TMP/d.ndjson" "$S" <<'EOF' || fail "the second run's first line"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
types = [l.get("type", "snapshot") for l in lines]
if len(lines) != 6 or types[0] != "snapshot" or types[3] != "snapshot":
    sys.exit("line types %s: each run must start with a snapshot" % types)
if any(p["pid"] == int(sys.argv[2]) for p in lines[3]["processes"]):
    sys.exit("the dead process is still in the second run's first line")
EOF
ok "each delta run starts with a snapshot line"
parts_done
