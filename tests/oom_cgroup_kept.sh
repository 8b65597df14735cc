#!/bin/sh
# Issue 14 item 2: an OOM kill stays told in the cgroup it happened in. On
# v1 only that cgroup counts it (its parent says oom_kill 0), and once the
# killed job's row was dropped (10 s) the cgroup view dropped the cgroup
# too. A real v1 kill: a parent cgroup (-c) with a child holding a 64 MB
# limit, a python3 leaking into it under the TUI in a private tmux. Checks,
# on the cgroup view: 20 s after the kill (the job's row long gone) the
# child is still listed with oom_kill 1; after the child is removed, its
# last counters are still there.
. "${srcdir:-.}/tests/lib.sh"
W="${srcdir:-.}/tests/workloads/workload.py"

command -v tmux >/dev/null 2>&1 || skip "tmux is not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
case $MEMSLOPE in /*) ;; *) MEMSLOPE=$(pwd)/$MEMSLOPE ;; esac
case $W in /*) ;; *) W=$(pwd)/$W ;; esac
mnt=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ {print $5; exit}' /proc/self/mountinfo)
[ -n "$mnt" ] || skip "no cgroup v1 memory controller (the v2 case is a VM scenario: tests/vm)"
own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3; exit}' /proc/self/cgroup)
[ "$own" = / ] && own=
NAME=memslope-kept-$$
PARENT="$mnt$own/$NAME"
CHILD="$PARENT/job$$"
SOCK=memslope-kept-$$
T() { tmux -L "$SOCK" -f /dev/null "$@"; }
screen() { T capture-pane -p -t t 2>/dev/null; }
trap 'tmux_reap "$SOCK"; cleanup; rmdir "$CHILD" "$PARENT" 2>/dev/null' EXIT
mkdir "$PARENT" 2>/dev/null || skip "cannot create a memory cgroup under $mnt$own (not permitted here)"
mkdir "$CHILD" || fail "cannot create $CHILD"
echo $((64 << 20)) >"$CHILD/memory.limit_in_bytes" || skip "cannot set a limit"
[ -w "$CHILD/memory.memsw.limit_in_bytes" ] && echo $((64 << 20)) >"$CHILD/memory.memsw.limit_in_bytes" 2>/dev/null
echo 0 >"$CHILD/memory.swappiness" 2>/dev/null

T new-session -d -s t -x 160 -y 30 \
	"LC_ALL=C.UTF-8 TERM=screen XDG_STATE_HOME='$TMP/state' '$MEMSLOPE' --interval 500ms -c '$own/$NAME'; sleep 600" ||
	fail "tmux cannot start"
wait_for 10 sh -c "tmux -L '$SOCK' capture-pane -p -t t | grep -q COMMAND" || fail "no table on screen"
T send-keys -t t c

# The job joins the child cgroup, then leaks 20 MB/s into its 64 MB.
sh -c 'echo $$ >"$1/cgroup.procs"; shift; exec "$@"' sh "$CHILD" python3 "$W" race --rate 20 --duration 60 &
JOB=$!
CHILDREN="$CHILDREN $JOB"
wait $JOB
rc=$?
[ $rc -eq 137 ] || fail "the job was not killed (exit $rc)"
kills=$(awk '/^oom_kill / {print $2}' "$CHILD/memory.oom_control")
[ "$kills" = 1 ] || fail "the kernel counted $kills OOM kills in $CHILD"
ok "job OOM-killed in $CHILD"

# The cgroup view: the child's row ends in its events, high/failcnt/oom/oom_kill.
child_row() { screen | grep -E "job$$ .* [0-9-]+/[0-9-]+/[0-9-]+/1 "; }
# stays_for S WHAT: the row is on every screen for S seconds (polled).
stays_for() {
	end=$(($(date +%s) + $1))
	while [ "$(date +%s)" -lt "$end" ]; do
		child_row >/dev/null || { screen; fail "$2"; }
		sleep 0.5
	done
}
wait_for 10 child_row || { screen; fail "the cgroup view never showed job$$ with oom_kill 1"; }
# Past the killed job's 10 s as a row, when the cgroup used to go with it.
stays_for 20 "within 20 s of the kill the cgroup view dropped job$$ (or its oom_kill 1)"
ok "the killed cgroup is still listed, oom_kill 1: $(child_row | tr -s ' ')"

rmdir "$CHILD" || fail "cannot remove $CHILD"
stays_for 4 "after its removal the cgroup view lost job$$ and its counters"
ok "a removed cgroup keeps its last counters"
