#!/bin/sh
# Launch mode, a job that moves itself into another memory cgroup after it
# starts (a wrapper joining one: echo $$ >DIR/cgroup.procs; exec ...). The
# post-mortem must name the cgroup it moved into, that cgroup's limit, and
# (when the kernel kills it there) the OOM kill - whatever the timing: the
# move before or after the first sample (delays 0, 0.3 s, 1.5 s), samples
# every 100 ms (one may land while the job is exiting: a v1 /proc/PID/cgroup
# then reads "/"), with and without two busy loops competing for the CPU.
. "${srcdir:-.}/tests/lib.sh"

mnt=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ {print $5; exit}' /proc/self/mountinfo)
[ -n "$mnt" ] || skip "no cgroup v1 memory controller"
own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3; exit}' /proc/self/cgroup)
[ "$own" = / ] && own=
REL="$own/memslope-cgmove-$$"
BASE="$mnt$REL"
mkdir "$BASE" 2>/dev/null || skip "cannot create a memory cgroup under $mnt$own (not permitted here)"

# Whatever happens: kill what is left in the test cgroups, then remove them.
rm_cgroups() {
	for d in "$BASE"/c*/ "$BASE"/; do
		[ -d "$d" ] || continue
		for try in 1 2 3 4 5 6 7 8 9 10; do
			for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
			rmdir "$d" 2>/dev/null && break
			sleep 0.2
		done
	done
}
trap 'cleanup; rm_cgroups' EXIT
trap 'exit 1' HUP INT TERM

LIMIT_MB=128
NFAIL=0
N=0
bad() { echo "FAIL: $*"; NFAIL=$((NFAIL + 1)); }

# new_cgroup NAME: a child cgroup with the limit (and no swap for it).
new_cgroup() {
	mkdir "$BASE/$1" || fail "cannot create $BASE/$1"
	echo $((LIMIT_MB << 20)) >"$BASE/$1/memory.limit_in_bytes" || skip "cannot set a memory limit"
	[ -w "$BASE/$1/memory.memsw.limit_in_bytes" ] &&
		echo $((LIMIT_MB << 20)) >"$BASE/$1/memory.memsw.limit_in_bytes" 2>/dev/null
	echo 0 >"$BASE/$1/memory.swappiness" 2>/dev/null
}

# The job: sh sleeps DELAY (none for 0), moves itself into DIR, execs python3.
MOVE='[ "$2" = 0 ] || sleep "$2"; echo $$ >"$1/cgroup.procs" || exit 99; shift 2; exec "$@"'
# 4 MB touched every 20 ms: past the limit in about 0.7 s, with samples
# of it in the new cgroup before the kill.
GROW='
import time
hold = []
while True:
    b = bytearray(4 << 20)
    for i in range(0, len(b), 4096): b[i] = 1
    hold.append(b)
    time.sleep(0.02)'
# 40 MB, held for 1 s, then a normal exit.
HOLD='
import time
b = bytearray(40 << 20)
for i in range(0, len(b), 4096): b[i] = 1
time.sleep(1)'

# check CASE CG RC EXPECT_RC EXPECT_OOM: the post-mortem of one run.
check() {
	local what=$1 cg=$2 rc=$3 want_rc=$4 want_oom=$5 got
	[ "$rc" -eq "$want_rc" ] || { bad "$what: exit $rc, expected $want_rc ($(tail -n 4 "$TMP/pm.err" | tr '\n' ' '))"; return; }
	got=$(jget "$TMP/pm.json" "d['limit_source'], d['limit_bytes'], d['oom_killed'], d['signal']") ||
		{ bad "$what: no post-mortem JSON"; return; }
	[ "$got" = "$REL/$cg $((LIMIT_MB << 20)) $want_oom $( [ "$want_rc" -eq 137 ] && echo SIGKILL || echo None)" ] ||
		{ bad "$what: post-mortem says $got, expected the limit of $REL/$cg, oom_killed $want_oom"; return; }
	grep -q "limit ${LIMIT_MB}M ($REL/$cg)" "$TMP/pm.err" || { bad "$what: text post-mortem: $(grep limit "$TMP/pm.err")"; return; }
	ok "$what"
}

run_case() {
	local kind=$1 delay=$2 load=$3 cg rc kills
	N=$((N + 1))
	cg=c$N
	new_cgroup $cg
	if [ "$kind" = oom ]; then code=$GROW; else code=$HOLD; fi
	"$MEMSLOPE" --json --interval 100ms -- sh -c "$MOVE" sh "$BASE/$cg" "$delay" python3 -c "$code" \
		>"$TMP/pm.json" 2>"$TMP/pm.err"
	rc=$?
	[ $rc -ne 99 ] || fail "the job could not move itself into $BASE/$cg"
	if [ "$kind" = oom ]; then
		kills=$(awk '$1 == "oom_kill" {print $2}' "$BASE/$cg/memory.oom_control")
		# No oom_kill line (kernel < 4.13) or no kill there: nothing to judge.
		[ "${kills:-0}" -ge 1 ] || { echo "note: no OOM kill counted in $cg (rc $rc), case not judged"; return; }
		check "moved after ${delay}s${load:+ under load}, OOM-killed there" "$cg" $rc 137 True
	else
		check "moved after ${delay}s${load:+ under load}, normal exit" "$cg" $rc 0 False
	fi
	rmdir "$BASE/$cg" 2>/dev/null
}

for load in "" 1; do
	if [ -n "$load" ]; then
		for i in 1 2; do
			sh -c 'while :; do :; done' &
			CHILDREN="$CHILDREN $!"
		done
	fi
	for delay in 0 0.3 1.5; do
		run_case oom "$delay" "$load"
	done
	for delay in 0 0.3; do
		run_case exit "$delay" "$load"
	done
done
for p in $CHILDREN; do kill -9 "$p" 2>/dev/null; done
[ $NFAIL -eq 0 ] || fail "$NFAIL of the launched jobs were not followed into their cgroup"
ok "launched jobs are followed into the cgroup they move into"
