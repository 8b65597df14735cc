#!/bin/sh
# A real OOM kill: a fast-growing python3 in a v1 memory cgroup with a
# 384 MB limit, launched under memslope. The post-mortem must report the
# kill (SIGKILL, exit 137, "OOM kill: yes") and that oom_imminent fired, and
# the log must show oom_imminent before the oom_kill event.
. "${srcdir:-.}/tests/lib.sh"
W="${srcdir:-.}/tests/workloads/workload.py"

mnt=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ {print $5; exit}' /proc/self/mountinfo)
[ -n "$mnt" ] || skip "no cgroup v1 memory controller (v2 OOM accounting is tested on fixtures)"
own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3; exit}' /proc/self/cgroup)
DIR="$mnt$own/memslope-oom-$$"
mkdir "$DIR" 2>/dev/null || skip "cannot create a memory cgroup under $mnt$own (not permitted here)"
trap 'cleanup; rmdir "$DIR" 2>/dev/null' EXIT
echo $((384 << 20)) >"$DIR/memory.limit_in_bytes" || skip "cannot set a limit"
# Without swap the kernel must kill; with swap, forbid it for this cgroup.
[ -w "$DIR/memory.memsw.limit_in_bytes" ] && echo $((384 << 20)) >"$DIR/memory.memsw.limit_in_bytes" 2>/dev/null
echo 0 >"$DIR/memory.swappiness" 2>/dev/null

# memslope starts inside the cgroup (its ~5 MB count against the limit), so
# the job is in it from its first sample. A job that moves itself into the
# cgroup is tests/launch_cgmove.sh (it also covers the exit window in which
# the kernel shows a dying task in "/" of a v1 hierarchy, which once made
# this test report the root cgroup under load).
# Every alert hook's MEMSLOPE_* environment is recorded (issue 14 item 6).
mkdir "$TMP/hooks"
cat >"$TMP/hook.sh" <<SH
#!/bin/sh
env | grep '^MEMSLOPE_' | sort >"$TMP/hooks/rec.\$\$"
SH
chmod +x "$TMP/hook.sh"
sh -c 'echo $$ >"$1/cgroup.procs"; shift; exec "$@"' sh "$DIR" \
	"$MEMSLOPE" --json --interval 500ms --log "$TMP/oom.ndjson" --on-alert "$TMP/hook.sh" -- \
	python3 "$W" race --rate 6 --duration 300 >"$TMP/pm.json" 2>"$TMP/pm.err"
rc=$?
cat "$TMP/pm.err"
[ $rc -eq 137 ] || fail "expected exit 137 (SIGKILL), got $rc"
grep -q "OOM kill: yes" "$TMP/pm.err" || fail "post-mortem does not report the OOM kill"
grep -q "oom_imminent fired: yes" "$TMP/pm.err" || fail "oom_imminent did not fire before the kill"
validate "$TMP/pm.json"
[ "$(jget "$TMP/pm.json" "d['oom_killed']")" = True ] || fail "postmortem JSON: oom_killed is not true"
[ "$(jget "$TMP/pm.json" "d['signal']")" = SIGKILL ] || fail "postmortem JSON: signal"
[ "$(jget "$TMP/pm.json" "d['cause'], d['cause_likely']")" = "oom_kill False" ] ||
	fail "postmortem JSON: cause $(jget "$TMP/pm.json" "d['cause']")"
grep -q "memslope: cause: oom_kill" "$TMP/pm.err" || fail "post-mortem text does not give the cause"
python3 - "$TMP/oom.ndjson" <<'PY' || fail "oom_imminent did not come before the oom_kill event"
import json, sys
first = {}
for l in open(sys.argv[1]):
    for e in json.loads(l)["events"]:
        first.setdefault(e["kind"], e["time_ms"])
imm, kill = first.get("oom_imminent"), first.get("oom_kill")
print("oom_imminent %.1f s before the kill" % ((kill - imm) / 1000) if imm and kill else first)
sys.exit(0 if imm and kill and imm < kill else 1)
PY
ok "OOM kill reported, oom_imminent first"

# Item 4: the limit against what it is compared with, the cgroup's charged
# working set (not RSS, whose file pages the cgroup may not be charged for).
[ "$(jget "$TMP/pm.json" "d['usage_basis'], d['peak_used_bytes'] <= d['limit_bytes']")" = "cgroup True" ] ||
	fail "postmortem: usage_basis/peak_used_bytes $(jget "$TMP/pm.json" "d.get('usage_basis'), d.get('peak_used_bytes')")"
grep -q "peak charged to the cgroup (working set)" "$TMP/pm.err" || fail "post-mortem text does not say what the limit is compared with"
ok "post-mortem compares the limit with the cgroup's charged usage"

# Item 6: an oom_imminent hook's verdict and slope are those that produced its TTL.
n=0
for rec in $(grep -l '^MEMSLOPE_EVENT=oom_imminent$' "$TMP"/hooks/rec.* 2>/dev/null); do
	n=$((n + 1))
	v=$(sed -n 's/^MEMSLOPE_VERDICT=//p' "$rec")
	slope=$(sed -n 's/^MEMSLOPE_SLOPE_BYTES_PER_S=//p' "$rec")
	ttl=$(sed -n 's/^MEMSLOPE_TTL_S=//p' "$rec")
	case $v in growing | leak) ;; *) fail "oom_imminent hook: MEMSLOPE_VERDICT=$v (TTL '$ttl', slope '$slope')" ;; esac
	[ -n "$slope" ] && [ -n "$ttl" ] || fail "oom_imminent hook: slope '$slope', TTL '$ttl' with verdict $v"
	python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 0 else 1)" "$slope" ||
		fail "oom_imminent hook: slope $slope is no growth"
done
[ "$n" -ge 1 ] || fail "no oom_imminent hook ran"
ok "oom_imminent hook environment consistent ($n hook(s))"
