#!/bin/sh
# A real OOM kill in launch mode. /vmoom sets memory.max; the job runs in
# its child /vmoom/job, a bystander in /vmoom/other. The post-mortem must
# show the kill (exit 137, SIGKILL, oom_killed, oom_imminent fired), the log
# oom_imminent before oom_kill, and the oom_kill event must name the cgroup
# the process was killed in (memory.events.local), not the parent whose
# memory.events counts its subtree's kills too, nor the sibling; so must the
# oom_kill alert hook.
. "$srcdir/tests/vm/lib.sh"
cg_new vmoom/job
cg_new vmoom/other
echo $((160 << 20)) >"$CGROOT/vmoom/memory.max" || fail "cannot set memory.max"
B=$(hold 8 "$CGROOT/vmoom/other")
printf '#!/bin/sh\necho "$MEMSLOPE_EVENT ${MEMSLOPE_CGROUP:-}" >>"%s/alerts"\n' "$TMP" >"$TMP/hook.sh"
chmod +x "$TMP/hook.sh"
in_cg vmoom/job "$MEMSLOPE" --json --interval 500ms -c /vmoom --log "$TMP/oom.ndjson" --on-alert "$TMP/hook.sh" -- \
	python3 "$srcdir/tests/workloads/workload.py" race --rate 6 --duration 300 >"$TMP/pm.json" 2>"$TMP/pm.err"
rc=$?
cat "$TMP/pm.err"
[ $rc -eq 137 ] || fail "expected exit 137 (SIGKILL), got $rc"
grep -q "OOM kill: yes" "$TMP/pm.err" || fail "post-mortem does not report the OOM kill"
grep -q "oom_imminent fired: yes" "$TMP/pm.err" || fail "oom_imminent did not fire before the kill"
validate "$TMP/pm.json"
validate "$TMP/oom.ndjson" --ndjson
got=$(jget "$TMP/pm.json" "(d['oom_killed'], d['oom_imminent_fired'], d['signal'], d['limit_bytes'], d['limit_source'])")
echo "post-mortem: $got"
[ "$got" = "(True, True, 'SIGKILL', $((160 << 20)), '/vmoom')" ] || fail "post-mortem JSON"
kill -0 "$B" || fail "the bystander in /vmoom/other was killed"
python3 - "$TMP/oom.ndjson" <<'PY' || fail "oom events"
import json, sys
first, kills = {}, []
for l in open(sys.argv[1]):
    for e in json.loads(l)["events"]:
        first.setdefault(e["kind"], e["time_ms"])
        if e["kind"] == "oom_kill":
            kills.append(e.get("cgroup"))
        if e["kind"] in ("oom_kill", "oom_imminent", "cgroup_event"):
            print("event:", e["kind"], e.get("cgroup"), e.get("pid"), e["message"])
imm, kill = first.get("oom_imminent"), first.get("oom_kill")
if not (imm and kill and imm < kill):
    sys.exit("oom_imminent must come before oom_kill: %s" % first)
print("oom_imminent %.1f s before the kill" % ((kill - imm) / 1000))
if kills != ["/vmoom/job"]:
    sys.exit("oom_kill events name %s, expected only /vmoom/job" % kills)
PY
echo "alert hooks run: $(sort "$TMP/alerts" | uniq -c | tr '\n' ';')"
[ "$(grep '^oom_kill ' "$TMP/alerts")" = "oom_kill /vmoom/job" ] || fail "the oom_kill alert hook must run once, for /vmoom/job"
ok "OOM kill in /vmoom/job: exit 137, oom_imminent first, the kill attributed to /vmoom/job only"
