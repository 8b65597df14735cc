#!/bin/sh
# tui_pss: the TUI reads PSS (smaps_rollup, the costly read) for the rows on
# screen, and not for the rest (SPEC §8: only watched, selected or visible
# rows, at a budgeted rate).
#
# memslope runs on all processes in a private tmux at 120x20 (about 14 table
# rows), filtered (/) to this test's own processes, 40 copies of sleep named
# after the test, so most of them are off screen and nothing else on the
# machine (other tests run alongside) moves in or out. Checks: within 40 s
# every row on screen shows a PSS, and an exported snapshot (e) holds a PSS
# (0 < PSS <= RSS) for the sleepers on screen and not for most of the ones
# off screen.
. "${srcdir:-.}/tests/lib.sh"

command -v tmux >/dev/null 2>&1 || skip "tmux is not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
case $MEMSLOPE in /*) ;; *) MEMSLOPE=$(pwd)/$MEMSLOPE ;; esac

SOCK=memslope-pss-$$
T() { tmux -L "$SOCK" -f /dev/null "$@"; }
screen() { T capture-pane -p -t t 2>/dev/null; }
trap 'tmux_reap "$SOCK"; cleanup' EXIT

TAG=pssq$$
cp "$(command -v sleep)" "$TMP/$TAG" || fail "cannot copy sleep"
SLEEPERS=
for i in $(seq 40); do
	"$TMP/$TAG" 600 &
	SLEEPERS="$SLEEPERS $!"
done
CHILDREN="$CHILDREN $SLEEPERS"

cd "$TMP" || fail "no temp dir"
T new-session -d -s t -x 120 -y 20 "LC_ALL=C.UTF-8 TERM=screen XDG_STATE_HOME='$TMP/state' '$MEMSLOPE'; sleep 600" ||
	fail "tmux cannot start"
deadline=$(($(date +%s) + 10))
until screen | grep -q 'COMMAND'; do
	[ "$(date +%s)" -ge "$deadline" ] && fail "no table on screen"
	sleep 0.1
done
T send-keys -t t /
sleep 0.3
T send-keys -t t -l "$TAG"
T send-keys -t t Enter

# table rows: PID USER RSS PSS ... ; header line starts with "PID".
rows() { screen | awk 'f && $1 ~ /^[0-9]+$/ {print} /^ *PID +USER/ {f = 1}'; }
missing_pss() { rows | awk '$4 == "-" {n++} END {print n + 0}'; }

deadline=$(($(date +%s) + 40))
while :; do
	n=$(rows | wc -l)
	m=$(missing_pss)
	[ "$n" -ge 5 ] && [ "$m" -eq 0 ] && break
	if [ "$(date +%s)" -ge "$deadline" ]; then
		screen
		fail "after 40 s, $m of $n rows on screen still have no PSS"
	fi
	sleep 1
done
visible=$(rows | wc -l)
ok "every one of the $visible rows on screen shows a PSS"
rows | awk '{print $1}' >"$TMP/onscreen"

T send-keys -t t e
deadline=$(($(date +%s) + 10))
while ! json=$(screen | grep -Eo '[^ ]*\.json' | head -n 1) || [ -z "$json" ]; do
	[ "$(date +%s)" -ge "$deadline" ] && fail "no export file named on screen"
	sleep 0.2
done
json="$TMP/state/memslope/$json" # no --snapshot-dir: $XDG_STATE_HOME/memslope/
[ -f "$json" ] || fail "export names $json but there is no such file"

python3 - "$json" "$TMP/onscreen" $SLEEPERS <<'PY' || fail "PSS is not limited to the rows on screen"
import json, sys
doc = json.load(open(sys.argv[1]))
onscreen = {int(x) for x in open(sys.argv[2]).read().split()}
sleepers = {int(x) for x in sys.argv[3:]}
procs = {p["pid"]: p for p in doc["processes"]}
on = [procs[p] for p in sleepers & onscreen if p in procs]
off = [procs[p] for p in sleepers - onscreen if p in procs]
print("ok: sleepers on screen %d (with PSS %d), off screen %d (with PSS %d)" % (
    len(on), sum(p["pss_bytes"] is not None for p in on),
    len(off), sum(p["pss_bytes"] is not None for p in off)))
assert len(on) >= 5 and len(off) >= 20, "expected most sleepers off screen"
assert all(p["pss_bytes"] is not None for p in on), "a sleeper on screen has no PSS"
# Rows that were on screen a moment (before the filter, or while the
# sleepers' RSS still moved them in the RSS order) keep their last PSS;
# reading PSS for every process would give all of them one.
assert sum(p["pss_bytes"] is not None for p in off) <= len(off) // 3, "PSS read for sleepers off screen"
for p in on:
    assert 0 < p["pss_bytes"] <= p["rss_bytes"], p
PY
ok "PSS only for what is on screen"
