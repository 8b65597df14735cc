#!/bin/sh
# tui_everyday: the everyday TUI defects of issue 14, each on a real screen
# in a private tmux server at 80x24 (polling capture-pane for a marker,
# never a bare sleep):
#   8  the help's footer says q goes back, and q does; Ctrl-L repaints what
#      something else wrote over the screen; + and - lead back to exactly
#      1 s; the tagged-only filter is shown; "snapshot written" goes away;
#   9  the detail view opens at a zoom that fits the data;
#  10  at 80 columns an event line starts with its news and COMMAND has room;
#  12  a growing process sorted off the page is shown within a tick of its
#      verdict;
#  11  --log FILE on a terminal keeps the TUI (and writes the log);
#  13  htop's F1, F3, F4, F5, F6, F10 and M.
# Exit 77 (skip) with a reason when tmux or python3 is missing.
set -u

MEMSLOPE=${MEMSLOPE:-./memslope}
case $MEMSLOPE in /*) ;; *) MEMSLOPE=$(pwd)/$MEMSLOPE ;; esac

if ! command -v tmux >/dev/null 2>&1; then
	echo "tui_everyday: SKIP: tmux is not installed (the README's test set-up installs it)"
	exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "tui_everyday: SKIP: python3 is not installed (needed for the watched test programs)"
	exit 77
fi
if [ ! -x "$MEMSLOPE" ]; then
	echo "tui_everyday: FAIL: $MEMSLOPE is not an executable (set MEMSLOPE)"
	exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memslope-everyday.XXXXXX") || exit 1
SOCK=memslope-everyday-$$
PIDS=

T() { tmux -L "$SOCK" -f /dev/null "$@"; }
# tmux_reap SOCKET [SESSION]: a session or the server ends with its panes' processes.
. "${srcdir:-.}/tests/lib_tmux.sh"

cleanup() {
	tmux_reap "$SOCK"
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

screen() { T capture-pane -p -t t 2>/dev/null; }
fail() {
	echo "tui_everyday: FAIL: $*"
	echo "--- screen ---"
	screen
	echo "--------------"
	exit 1
}
note() { echo "tui_everyday: $*"; }
now_s() { date +%s; }
wait_for() {
	deadline=$(($(now_s) + ${2:-10}))
	while ! screen | grep -Eq -- "$1"; do
		[ "$(now_s)" -ge "$deadline" ] && fail "no /$1/ on screen within ${2:-10}s"
		sleep 0.1
	done
}
wait_gone() {
	deadline=$(($(now_s) + ${2:-10}))
	while screen | grep -Eq -- "$1"; do
		[ "$(now_s)" -ge "$deadline" ] && fail "/$1/ still on screen after ${2:-10}s"
		sleep 0.1
	done
}
keys() { T send-keys -t t "$@"; }
text() { T send-keys -t t -l "$1"; }

UTF8_LOCALE=
for l in C.UTF-8 C.utf8 en_US.UTF-8 en_US.utf8; do
	if locale -a 2>/dev/null | grep -qx "$l"; then
		UTF8_LOCALE=$l
		break
	fi
done

cat >"$TMP/flat.py" <<'EOF'
import sys, time
keep = b"y" * (int(sys.argv[1]) * 1024 * 1024)
while True:
    time.sleep(1)
EOF
cat >"$TMP/leak.py" <<'EOF'
import time
keep = []
while True:
    keep.append(b"x" * (3 * 1024 * 1024))  # written, so resident: 3 MiB/s
    time.sleep(1)
EOF
PY=$(python3 -c 'import sys; print(sys.executable)')
cd "$TMP" || exit 1
# Two flat programs, one with a long argument: COMMAND must show it.
"$PY" flat.py 24 --a-rather-long-argument-that-needs-room & FLAT=$!
"$PY" flat.py 8 & SMALL=$!
PIDS="$FLAT $SMALL"
cd - >/dev/null || exit 1

cat >"$TMP/run.sh" <<EOF
cd "$TMP" || exit 1
export TERM=screen ${UTF8_LOCALE:+LC_ALL=$UTF8_LOCALE}
export XDG_STATE_HOME="$TMP/state" # the 'e' export: not into the user's home
"$MEMSLOPE" "\$@"
printf 'EXITED rc=%s\n' "\$?"
exec sleep 3600
EOF

start_pane() {
	T new-session -d -s next -x 80 -y 24 "sh '$TMP/run.sh' $*" || fail "tmux cannot start"
	tmux_reap "$SOCK" t
	T rename-session -t next t || fail "tmux cannot rename the session"
}

# ===========================================================================
note "item 13: F1 F3 F4 F5 F6 F10 M; item 8: help footer, q in help"
start_pane -p "$FLAT,$SMALL"
wait_for 'COMMAND' 10
wait_for 'flat\.py 8' 10
keys F1
wait_for 'this help' 5
wait_for 'Esc/q back.*F10 quit' 5
keys q
wait_for 'COMMAND' 5
screen | grep -q 'EXITED' && fail "q in the help quit memslope"
keys F6
wait_for 'Sort by' 5
keys F6
wait_gone 'Sort by' 5
keys F5
wait_for 'COMMAND \(tree\)' 5
keys F5
wait_gone 'COMMAND \(tree\)' 5
keys s Home Enter # sort by PID
keys M
wait_for 'RSS[^ ]+ ' 5
keys F4
wait_for 'Filter:' 5
text 'flat.py 8'
keys F4
wait_for "^ *$SMALL " 5
screen | grep -Eq "^ *$FLAT " && fail "F4's filter let $FLAT through"
keys Escape
wait_for "^ *$FLAT " 5
# F3 searches without filtering: the cursor lands on the match (Enter
# opens the detail view of the row under the cursor).
keys F3
wait_for 'Search:' 5
text 'needs-room'
keys Enter
wait_gone 'Search:' 5
wait_for "^ *$SMALL " 5
keys Enter
wait_for "^PID $FLAT " 5
keys Escape

# ===========================================================================
note "item 10: at 80 columns COMMAND has room"
wait_for 'flat\.py 24 --a-rather' 5

# ===========================================================================
note "item 8: the tagged-only filter is shown"
keys Home Space T
wait_for 'tagged only' 5
keys T
wait_gone 'tagged only' 5
keys U

note "item 8: Ctrl-L repaints what something else wrote over the screen"
tty=$(T display -p -t t '#{pane_tty}')
printf '\033[12;30HGARBAGE-OVER-THE-TABLE' >"$tty"
wait_for 'GARBAGE-OVER-THE-TABLE' 5
keys C-l
wait_gone 'GARBAGE' 5

note "item 8: + and - lead back to exactly 1 s"
keys - - - -
wait_for 'every 0\.1s' 5
keys + + + +
wait_for 'every 1s' 5
screen | grep -q 'every 1\.6s' && fail "+ went past 1 s"

keys F10
wait_for '^EXITED rc=0' 10

# ===========================================================================
note "item 8: a \"snapshot written\" message goes away (sampling every 60 s)"
start_pane -d 60 -p "$FLAT"
wait_for 'COMMAND' 10
keys e
wait_for 'snapshot.*\.json' 5
wait_gone 'snapshot.*\.json' 15

# ===========================================================================
note "item 9: the detail view opens at a zoom that fits the data"
keys Enter
wait_for "^PID $FLAT " 5
wait_for 'zoom 1m' 5
keys q
wait_for '^EXITED rc=0' 10
start_pane -- "$PY" "$TMP/flat.py" 4
wait_for '^PID [0-9]+ \(python3\)' 10
wait_for 'zoom 1m' 5
keys q
wait_for '^EXITED' 10

# ===========================================================================
note "item 11: --log FILE on a terminal keeps the TUI and writes the log"
start_pane --log "$TMP/tui.ndjson" -d 0.5 -p "$FLAT"
wait_for 'COMMAND' 10
wait_for "^ *$FLAT " 5
deadline=$(($(now_s) + 10))
while [ "$(wc -l <"$TMP/tui.ndjson" 2>/dev/null || echo 0)" -lt 3 ]; do
	[ "$(now_s)" -ge "$deadline" ] && fail "the TUI wrote no log lines to --log FILE"
	sleep 0.1
done
python3 -c 'import json, sys; [json.loads(l) for l in open(sys.argv[1])]' "$TMP/tui.ndjson" ||
	fail "--log FILE under the TUI is not NDJSON"
keys q
wait_for '^EXITED rc=0' 10
# Without a terminal on stdin it stays headless, on the same terminal.
start_pane --log "$TMP/bg.ndjson" --count 2 -p "$FLAT" "</dev/null"
wait_for '^EXITED rc=0' 10
screen | grep -q 'COMMAND' && fail "--log FILE </dev/null took the screen"
[ "$(wc -l <"$TMP/bg.ndjson")" -eq 2 ] || fail "--log FILE </dev/null did not log 2 lines"

# ===========================================================================
note "items 12 and 10: a growing process sorted off the page, its event line (up to 120 s)"
many=
cd "$TMP" || exit 1
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22; do
	sleep 3600 & PIDS="$PIDS $!"
	many="$many,$!"
done
"$PY" leak.py & LEAK=$!
PIDS="$PIDS $LEAK"
cd - >/dev/null || exit 1
# Sorted by COMMAND, reversed, the 22 "sleep 3600" rows come first and the
# leak is below the 80x24 page (PIDs may wrap, so not by PID).
start_pane -p "$FLAT$many,$LEAK"
wait_for 'COMMAND' 10
keys s End Enter
wait_for 'COMMAND[^ ]+' 5
keys I
# The cursor followed its process (the biggest, first by RSS) down the
# page: Home takes it, and the page, back to the top.
keys Home
wait_for '^ *[0-9]+ .* sleep 3600' 5
screen | grep -Eq "^ *$LEAK " && fail "the leak is on the page: the test cannot show item 12"
wait_for "off-page.*$LEAK python3 leak\.py (growing|leak|oom_imminent)" 120
# The event line leads with its news, not with a clock.
if screen | grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2} '; then
	fail "an event line starts with its time, not its news"
fi
keys q
wait_for '^EXITED rc=0' 10

note "PASS"
exit 0
