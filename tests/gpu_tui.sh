#!/bin/sh
# gpu_tui: GPU memory on the interactive screen (issue 17), in a private tmux
# server at 80x24, against the stand-in libnvidia-ml.so.1 (tests/nvml/).
# Without the library: no GPU header line and no GPU column. With it: the
# header's per card used/total bar, a GPU column, and a process growing
# 256 MiB/s of GPU memory shown growing ("G:growing") with a time to the
# card's limit in the table, and in the detail view the GPU series, the
# card's limit line and the GPU evidence with its TTL.
# Exit 77 (skip) with a reason when tmux is missing.
set -u

MEMSLOPE=${MEMSLOPE:-./memslope}
case $MEMSLOPE in /*) ;; *) MEMSLOPE=$(pwd)/$MEMSLOPE ;; esac
STANDIN=${NVML_STANDIN_DIR:-$(pwd)/tests/nvml}

if ! command -v tmux >/dev/null 2>&1; then
	echo "gpu_tui: SKIP: tmux is not installed (the README's test set-up installs it)"
	exit 77
fi
if [ ! -f "$STANDIN/libnvidia-ml.so.1" ]; then
	echo "gpu_tui: SKIP: stand-in $STANDIN/libnvidia-ml.so.1 not built (run through make check)"
	exit 77
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memslope-gputui.XXXXXX") || exit 1
SOCK=memslope-gpu-$$
P= Q=

T() { tmux -L "$SOCK" -f /dev/null "$@"; }
# tmux_reap SOCKET [SESSION]: a session or the server ends with its panes' processes.
. "${srcdir:-.}/tests/lib_tmux.sh"
cleanup() {
	tmux_reap "$SOCK"
	for p in $P $Q; do kill "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

screen() { T capture-pane -p -t t 2>/dev/null; }
fail() {
	echo "gpu_tui: FAIL: $*"
	echo "--- screen ---"
	screen
	echo "--------------"
	exit 1
}
note() { echo "gpu_tui: $*"; }
now_s() { date +%s; }
# wait_for ERE [SECONDS]: poll the screen until a line matches.
wait_for() {
	deadline=$(($(now_s) + ${2:-10}))
	while ! screen | grep -Eq -- "$1"; do
		[ "$(now_s)" -ge "$deadline" ] && fail "no /$1/ on screen within ${2:-10}s"
		sleep 0.1
	done
}
keys() { T send-keys -t t "$@"; }

sleep 600 </dev/null >/dev/null 2>&1 & P=$!
sleep 600 </dev/null >/dev/null 2>&1 & Q=$!
printf 'gpu 0 85899345920 NVIDIA H200\nreserved 0 536870912\nproc 0 %s compute 1073741824 rate=268435456\n' "$P" \
	>"$TMP/script"

# The pane's environment: the library (or none) and the script.
cat >"$TMP/run.sh" <<EOF
export TERM=screen LC_ALL=C MEMSLOPE_NVML_SCRIPT='$TMP/script' LD_LIBRARY_PATH="\$1"
shift
"$MEMSLOPE" "\$@"
exec sleep 3600
EOF
start_pane() {
	T new-session -d -s next -x 80 -y 24 "sh '$TMP/run.sh' $*" || fail "tmux cannot start"
	tmux_reap "$SOCK" t
	T rename-session -t next t || fail "tmux cannot rename the session"
}

note "without libnvidia-ml.so.1"
start_pane "'$TMP/none'" -d 0.5 -p "$P,$Q"
wait_for "^ *$P " 10
sleep 1.5
screen | grep -Eq '^GPU' && fail "a GPU header line without NVML"
screen | grep -E 'PID' | grep -q 'GPU' && fail "a GPU column without NVML"
note "ok: no GPU line, no GPU column"

note "with the stand-in: one H200, $P growing 256 MiB/s"
start_pane "'$STANDIN'" -d 0.5 -p "$P,$Q"
wait_for '^GPU 0 NVIDIA H200 .*/80\.0G' 10
screen | grep -E 'PID' | grep -q ' GPU ' || fail "no GPU column"
wait_for "^ *$P .*[0-9.]+G" 10
screen | grep -E "^ *$Q " | grep -Eq ' - ' || fail "the process without GPU memory does not show '-'"
note "ok: header bar and column"
# tier 0 says growing after about 30 s of history
wait_for "^ *$P .*G:growing .* G[0-9]" 60
note "ok: $(screen | grep -E "^ *$P " | tr -s ' ')"
# RSS flat, GPU memory predicted to fill the card: %LIM is the GPU limit's, tagged GP
screen | grep -E "^ *$P " | grep -Eq ' [0-9]+%GP ' || fail "%LIM does not follow the GPU limit: $(screen | grep -E "^ *$P ")"

# The detail view of the first row (RSS sort: the sleeps tie; pick P by filter).
keys / && T send-keys -t t -l "$P" && keys Enter
wait_for "^ *$P " 5
keys Enter
wait_for '^GPU (GROWING|growing)' 10
screen | grep -Eq '^limits .*GP [0-9.]+G [0-9.]+G left TTL [0-9]' ||
	fail "the detail view's limits do not list the GPU limit: $(screen | grep '^limits')"
# the evidence wraps: its TTL (to the card's memory, with its band) may be on the next row
screen | grep -Eq 'TTL->[0-9.]+G [0-9]+m[0-9]+s \[' || fail "the GPU evidence has no TTL to the card with a band"
screen | grep -Eq 'GPU [0-9.]+G of [0-9.]+G \(GPU 0\)' || fail "no GPU figure on the limits line"
screen | grep -Eq 'GPU [0-9.]+G( \^)? *(zoom|$)' || fail "no GPU limit line in the legend"
# The card's limit line is drawn once the time axis reaches the TTL: zoom out.
for z in 1 2 3; do
	screen | grep -Eq '^[0-9.]+G .*GPU' && break
	keys '>'
	sleep 1
done
screen | grep -Eq '^[0-9.]+G .*GPU' || fail "no GPU limit line on the plot"
screen | grep -q 'trend' || fail "no trend projection"
note "ok: detail: $(screen | grep -E '^GPU (GROWING|growing)' | cut -c1-70)"
keys q
note "pass"
