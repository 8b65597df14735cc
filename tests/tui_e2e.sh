#!/bin/sh
# tui_e2e: the interactive TUI end to end, in a private tmux server at 80x24.
#
# Starts a leaking and a flat python3 program and one that names itself with
# terminal escape sequences, runs $MEMSLOPE on them, drives every documented
# key, resizes, quits, and checks that the screen tells the truth (the leak
# is flagged, its plot rises, the limit line is drawn), that the terminal is
# restored after q, F10 and SIGTERM, that idle redraws stay cheap, and that
# the escape-named process cannot change the terminal (its title).
#
# The cgroup counters come from a small fixture tree (--cgroup-root, the
# documented override for tests) that gives the processes' cgroup a 400M
# memory.max, so the limit line and the TTL can be checked on any host.
# Exit 77 (skip) with a reason when tmux or python3 is missing.
set -u

MEMSLOPE=${MEMSLOPE:-./memslope}
case $MEMSLOPE in /*) ;; *) MEMSLOPE=$(pwd)/$MEMSLOPE ;; esac

if ! command -v tmux >/dev/null 2>&1; then
	echo "tui_e2e: SKIP: tmux is not installed (the README's test set-up installs it)"
	exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "tui_e2e: SKIP: python3 is not installed (needed for the watched test programs)"
	exit 77
fi
if [ ! -x "$MEMSLOPE" ]; then
	echo "tui_e2e: FAIL: $MEMSLOPE is not an executable (set MEMSLOPE)"
	exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memslope-e2e.XXXXXX") || exit 1
SOCK=memslope-test-$$
LEAK= FLAT= EVIL=

T() { tmux -L "$SOCK" -f /dev/null "$@"; }
# tmux_reap SOCKET [SESSION]: a session or the server ends with its panes' processes.
. "${srcdir:-.}/tests/lib_tmux.sh"

cleanup() {
	tmux_reap "$SOCK"
	for p in $LEAK $FLAT $EVIL; do kill "$p" 2>/dev/null; done
	pkill -f "$TMP/" 2>/dev/null # what launch mode started and left running
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

screen() { T capture-pane -p -t t 2>/dev/null; }

fail() {
	echo "tui_e2e: FAIL: $*"
	echo "--- screen ---"
	screen
	echo "--------------"
	exit 1
}

note() { echo "tui_e2e: $*"; }

now_s() { date +%s; }

# wait_for ERE [SECONDS]: poll the screen until a line matches.
wait_for() {
	deadline=$(($(now_s) + ${2:-10}))
	while ! screen | grep -Eq -- "$1"; do
		[ "$(now_s)" -ge "$deadline" ] && fail "no /$1/ on screen within ${2:-10}s"
		sleep 0.1
	done
}

# wait_gone ERE [SECONDS]: poll until no line matches.
wait_gone() {
	deadline=$(($(now_s) + ${2:-10}))
	while screen | grep -Eq -- "$1"; do
		[ "$(now_s)" -ge "$deadline" ] && fail "/$1/ still on screen after ${2:-10}s"
		sleep 0.1
	done
}

# wait_line ERE1 ERE2 [SECONDS]: a line matching ERE1 that also matches ERE2.
wait_line() {
	deadline=$(($(now_s) + ${3:-10}))
	while ! screen | grep -E -- "$1" | grep -Eq -- "$2"; do
		[ "$(now_s)" -ge "$deadline" ] && fail "no line /$1/ with /$2/ within ${3:-10}s"
		sleep 0.1
	done
}

keys() { T send-keys -t t "$@"; }
# Table rows on screen (a PID, after an optional tag mark).
rows() { screen | grep -Ec '^[* ] *[0-9]+ '; }
# wait_rows N [SECONDS]
wait_rows() {
	deadline=$(($(now_s) + ${2:-10}))
	while [ "$(rows)" -ne "$1" ]; do
		[ "$(now_s)" -ge "$deadline" ] && fail "not $1 table rows within ${2:-10}s"
		sleep 0.1
	done
}
row_of() { screen | grep -E "^[* ] *$1 "; }
# The memslope running in the pane: the child of the pane's shell.
memslope_pid() { pgrep -n -P "$(T display -p -t t '#{pane_pid}')"; }
text() { T send-keys -t t -l "$1"; }

# A UTF-8 locale gives braille and the Unicode glyphs the checks look for.
UTF8_LOCALE=
for l in C.UTF-8 C.utf8 en_US.UTF-8 en_US.utf8; do
	if locale -a 2>/dev/null | grep -qx "$l"; then
		UTF8_LOCALE=$l
		break
	fi
done
[ -n "$UTF8_LOCALE" ] || note "no UTF-8 locale: checking the ASCII-safe markers only"

# ---- the watched programs -------------------------------------------------
cat >"$TMP/leak.py" <<'EOF'
import time
keep = []
while True:
    keep.append(b"x" * (3 * 1024 * 1024))  # written, so resident: 3 MB/s
    time.sleep(1)
EOF
cat >"$TMP/flat.py" <<'EOF'
import time
keep = b"y" * (24 * 1024 * 1024)
while True:
    time.sleep(1)
EOF
cat >"$TMP/evil.py" <<'EOF'
import ctypes, time
# PR_SET_NAME: the process name becomes an OSC "set title" sequence.
ctypes.CDLL(None).prctl(15, ctypes.c_char_p(b"\x1b]0;pwned\x07x"), 0, 0, 0)
keep = b"z" * (8 * 1024 * 1024)
while True:
    time.sleep(1)
EOF
# Started from $TMP so their command lines are short enough to read, with
# the real interpreter: a wrapper (pyenv shim) would exec it later under the
# same PID and leave memslope the wrapper's command line.
PY=$(python3 -c 'import sys; print(sys.executable)')
EVILARG=$(printf '\033]2;pwned2\007')
cd "$TMP" || exit 1
"$PY" leak.py & LEAK=$!
"$PY" flat.py & FLAT=$!
"$PY" evil.py "$EVILARG" & EVIL=$!
cd - >/dev/null || exit 1

# ---- a fixture cgroup tree holding their cgroup, with a 400M limit ---------
CG=$TMP/cg
mkdir -p "$CG"
v2_path=$(sed -n 's/^0:://p' "/proc/$LEAK/cgroup" | head -n 1)
v1_path=$(sed -n 's/^[0-9]*:[^:]*\bmemory\b[^:]*://p' "/proc/$LEAK/cgroup" | head -n 1)
MIB=1048576
if [ -n "$v1_path" ]; then
	# A v1 memory controller is what memslope would use on this host.
	dir=$CG$v1_path
	mkdir -p "$dir"
	for d in "$CG" "$dir"; do
		echo $((100 * MIB)) >"$d/memory.usage_in_bytes"
		echo 9223372036854771712 >"$d/memory.limit_in_bytes"
		echo $((120 * MIB)) >"$d/memory.max_usage_in_bytes"
		echo 0 >"$d/memory.failcnt"
		printf 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n' >"$d/memory.oom_control"
		printf 'total_rss %s\ntotal_cache 0\ntotal_inactive_file 0\n' $((100 * MIB)) >"$d/memory.stat"
	done
	echo $((400 * MIB)) >"$dir/memory.limit_in_bytes"
else
	dir=$CG${v2_path:-/}
	mkdir -p "$dir"
	echo memory >"$CG/cgroup.controllers"
	for d in "$CG" "$dir"; do
		echo $((100 * MIB)) >"$d/memory.current"
		printf 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n' >"$d/memory.events"
		printf 'anon %s\nfile 0\ninactive_file 0\n' $((100 * MIB)) >"$d/memory.stat"
	done
	echo $((400 * MIB)) >"$dir/memory.max"
	echo $((300 * MIB)) >"$dir/memory.high"
fi

# ---- the pane: run memslope, then report how the terminal was left --------
cat >"$TMP/run.sh" <<EOF
cd "$TMP" || exit 1
export TERM=screen ${UTF8_LOCALE:+LC_ALL=$UTF8_LOCALE}
export XDG_STATE_HOME="$TMP/state"
unset NO_COLOR
printf 'BEFORE-MEMSLOPE\n'
"$MEMSLOPE" "\$@"
rc=\$?
printf 'EXITED rc=%s\n' "\$rc"
# One write, so the test never reads "MODES" before the modes follow it.
printf 'MODES %s\n' "\$(stty -a | tr ' ;' '\n\n' | grep -Ex -- '-?(icanon|echo|isig)' | tr '\n' ' ')"
exec sleep 3600
EOF

# A fresh 80x24 pane running run.sh with these memslope arguments. The new
# session exists before the old one goes, so the server never exits between.
start_pane() {
	T new-session -d -s next -x 80 -y 24 "sh '$TMP/run.sh' $*" || fail "tmux cannot start"
	tmux_reap "$SOCK" t
	T rename-session -t next t || fail "tmux cannot rename the session"
}

check_restored() {
	wait_for '^EXITED rc=0' 10
	wait_for '^MODES' 5
	screen | grep -E '^MODES' | grep -Eq ' icanon( |$)' || fail "terminal left without icanon"
	screen | grep -E '^MODES' | grep -Eq ' echo( |$)' || fail "terminal left without echo"
	screen | grep -q 'BEFORE-MEMSLOPE' || fail "the screen from before memslope is not back"
	if screen | grep -q 'every'; then fail "memslope's screen is still shown after exit"; fi
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }

# ===========================================================================
note "session 1: table, sort, filter, tree, tags, detail, cgroups, help, sampling keys"
start_pane --cgroup-root "$CG" -p "$LEAK,$FLAT,$EVIL"
wait_for 'memslope' 10
wait_for 'PID +USER|PID +RSS' 10
wait_for 'leak\.py' 10
wait_for 'flat\.py' 10
MS=$(memslope_pid) || fail "memslope is not running"
title0=$(T display -p -t t '#{pane_title}')

# Sort by PID through the chooser; order is then known.
keys s
wait_for 'Sort by' 5
keys Home Enter
wait_gone 'Sort by' 5
first=$(printf '%s\n%s\n%s\n' "$LEAK" "$FLAT" "$EVIL" | sort -n | head -n 1)
last=$(printf '%s\n%s\n%s\n' "$LEAK" "$FLAT" "$EVIL" | sort -n | tail -n 1)
keys I
keys g
wait_for 'min[^ ]* +VERDICT' 5
keys m
wait_for 'RSS[^ ]' 5

# Cursor keys: Home/End pick the first and last rows (checked via Enter).
keys s Home Enter
keys End Enter
wait_for "^PID $last " 5
keys Escape
wait_for 'COMMAND' 5
keys Home Enter
wait_for "^PID $first " 5
keys Escape
keys Down Down Up PPage NPage Home
wait_for 'COMMAND' 5

# Filter: substring, regex, clear with \ and with Esc.
keys /
wait_for 'Filter:' 5
text 'FLAT'
keys Enter
wait_gone 'leak\.py' 5
wait_for 'flat\.py' 5
keys '\'
wait_for 'leak\.py' 5
keys /
text 'lea.\.py|nothing'
keys Enter
wait_gone 'flat\.py' 5
wait_for 'leak\.py' 5
keys / Escape
wait_for 'flat\.py' 5

# Tree view on and off.
keys t
wait_for 'COMMAND \(tree\)' 5
keys t
wait_gone 'COMMAND \(tree\)' 5

# Tags: space tags and moves down; T shows only tagged; U untags.
wait_rows 3 5
keys Home Space
wait_for '^\*' 5
keys T
wait_rows 1 5
keys T U
wait_rows 3 5
if screen | grep -q '^\*'; then fail "U left a tag"; fi

# Sampling keys: interval, pause, export.
keys +
wait_for 'every 2s' 5
keys -
wait_for 'every 1s' 5
keys p
wait_for 'PAUSED' 5
keys p
wait_gone 'PAUSED' 5
keys e
wait_for '(snapshot|export).*\.json' 5
json=$(screen | grep -Eo '[^ ]*\.json' | head -n 1)
# No --snapshot-dir: the export goes to \$XDG_STATE_HOME/memslope/.
[ -f "$TMP/state/memslope/$json" ] || fail "export names $json but there is no such file in \$XDG_STATE_HOME/memslope"

# The truth: the leak is flagged, the flat one is not.
note "waiting for the growth verdict (up to 120 s)"
keys m
wait_line "^[* ] *$LEAK " ' (growing|leak|oom_imminent) ' 120
row_of "$FLAT" | grep -Eq ' (stable|-) ' || fail "the flat process is not stable"

# Detail view of the leak: verdict with evidence, rising plot, limit line.
keys /
text "$LEAK"
keys Enter Home Enter
wait_for "^PID $LEAK " 5
wait_for 'GROWING|LEAK|OOM' 5
wait_for 'MK Z=' 5
wait_for 'zoom (1m|5m)' 5
wait_for 'max 400M' 5
if [ -n "$UTF8_LOCALE" ]; then
	wait_for '│┄max┄' 10
	# The RSS series rises: its newest dots sit higher than its oldest.
	screen >"$TMP/detail.txt"
	python3 - "$TMP/detail.txt" <<'EOF' || fail "the RSS plot does not rise"
import sys
rows = open(sys.argv[1], encoding="utf-8").read().split("\n")
plot = [r for r in rows if len(r) > 7 and r[6] == "\u2502"]
now_col = None
for r in plot:
    x = r.find("\u250a", 7)
    if x >= 0:
        now_col = x
        break
# Per column left of "now": the highest and lowest rows holding braille
# dots (the RSS and the fixture's flat cgroup line share the plot).
top, bottom = {}, {}
for y, r in enumerate(plot):
    for x, ch in enumerate(r):
        if x > 6 and 0x2801 <= ord(ch) <= 0x28ff and (now_col is None or x < now_col):
            top[x] = min(top.get(x, y), y)
            bottom[x] = max(bottom.get(x, y), y)
if len(top) < 3:
    sys.exit("no series drawn")
a, b = min(top), max(top)
rose = top[b] <= top[a] and bottom[b] <= bottom[a] and (top[b] < top[a] or bottom[b] < bottom[a])
sys.exit(0 if rose else "rows %d-%d at the start, %d-%d now" % (top[a], bottom[a], top[b], bottom[b]))
EOF
fi
keys '<'
wait_for 'zoom 1m' 5
keys '>' '>'
wait_for 'zoom 15m' 5
keys '>'
wait_for 'zoom 1h' 5
keys '>'
wait_for 'zoom all' 5
keys Escape '\'
wait_for 'flat\.py' 5
keys Enter Down
wait_for '^PID [0-9]+ ' 5
keys Up
keys Escape
wait_for 'COMMAND' 5

# Cgroup view.
keys c
wait_for 'CURRENT' 5
keys Down Up PPage NPage End Home
wait_for 'limit 400M' 5
keys Escape
wait_for 'COMMAND' 5

# Help: ? and F1, scrolled, left with q and Esc (q leaves help, not memslope).
keys '?'
wait_for 'this help' 5
keys Down NPage End
wait_for 'Plot' 5
keys Home q
wait_for 'COMMAND' 5
keys F1
wait_for 'this help' 5
keys Escape
wait_for 'COMMAND' 5

# Idle on screen: a few redraws a second at most, never a storm.
t0=$(cpu_ticks "$MS")
sleep 5
t1=$(cpu_ticks "$MS")
hz=$(getconf CLK_TCK)
[ $((t1 - t0)) -le $((hz / 2)) ] || fail "memslope used $((t1 - t0)) ticks of CPU in 5 s while idle"

# Resize: redraws at each size, survives 20x5.
T resize-window -t t -x 40 -y 12
wait_for '^memslope' 5
screen | tail -n 1 | grep -q 'help' || fail "no key bar on the last row at 40x12"
T resize-window -t t -x 20 -y 5
wait_for '^memslope' 5
T resize-window -t t -x 80 -y 24
wait_for 'every 1s' 5
wait_for 'COMMAND' 5

[ "$(T display -p -t t '#{pane_title}')" = "$title0" ] || fail "the pane title changed"
keys q
check_restored

# ===========================================================================
note "session 2: a process named with escape sequences, F10, SIGTERM"
start_pane -p "$EVIL"
wait_for 'COMMAND' 10
title0=$(T display -p -t t '#{pane_title}')
keys Enter
wait_for "^PID $EVIL " 5
# Shown, but defused: ESC and BEL became '?'. Wide enough for the whole
# command line in the title.
wait_for '\(\?\]0;pwned\?x\)' 5
T resize-window -t t -x 160 -y 24
wait_for '\?\]2;pwned2\?' 5
T capture-pane -e -p -t t | grep -q "$(printf '\033')]0;pwned" && fail "a raw OSC sequence is on screen"
[ "$(T display -p -t t '#{pane_title}')" = "$title0" ] || fail "the process name changed the pane title"
case $(T display -p -t t '#{pane_title}') in *pwned*) fail "pane title is pwned" ;; esac
keys F10
check_restored

start_pane -p "$FLAT"
wait_for 'flat\.py' 10
MS=$(memslope_pid) || fail "memslope is not running"
kill -TERM "$MS"
check_restored

# Launch mode opens on the command's detail view.
start_pane -- "$PY" "$TMP/flat.py"
wait_for '^PID [0-9]+ \(python3\)' 10
keys q
wait_for '^EXITED' 10

# ===========================================================================
if "$MEMSLOPE" --help 2>&1 | grep -q -- '--replay'; then
	note "session 3: replay keys"
	"$MEMSLOPE" -p "$LEAK,$FLAT" --log "$TMP/rec.ndjson" --count 5 -d 0.2 >/dev/null 2>&1 ||
		fail "recording a log for replay failed"
	start_pane --replay "$TMP/rec.ndjson"
	wait_for 'REPLAY' 10
	keys Home Right Right Left ']' '[' End
	wait_for 'REPLAY' 5
	keys q
	check_restored
else
	note "replay keys not exercised: this memslope has no --replay"
fi

note "PASS"
exit 0
