#!/bin/sh
# Issue 14 item 2 on cgroup v2: after an OOM kill in /vmkept/job (its own
# memory.max), memslope watching /vmkept keeps the child cgroup where the
# kill happened, with its counters, well past the killed job's 10 s as a
# row: every snapshot (SIGUSR1) for 16 s after the job's exit event lists
# /vmkept/job with oom_kill 1 in memory.events and "ended": "emptied",
# and the oom_kill event names /vmkept/job (memory.events.local).
. "$srcdir/tests/vm/lib.sh"
cg_new vmkept/job
echo $((48 << 20)) >"$CGROOT/vmkept/job/memory.max" || fail "cannot set memory.max"

# The job is in /vmkept/job before memslope first sees it and starts when
# memslope is up: a process memslope saw before it moved into a watched
# cgroup is only picked up by a later full /proc walk (every 10 s), which a
# job killed within seconds under emulation may not outlive.
in_cg vmkept/job sh -c 'go=$1; shift; while [ ! -e "$go" ]; do sleep 0.1; done; exec "$@"' sh "$TMP/go" \
	python3 "$srcdir/tests/workloads/workload.py" race --rate 20 --duration 60 &
JOB=$!
XDG_STATE_HOME="$TMP/state" "$MEMSLOPE" --headless --interval 500ms -c /vmkept --duration 120s \
	--log "$TMP/log.ndjson" </dev/null 2>"$TMP/err" &
MS=$!
CHILDREN="$CHILDREN $MS"
wait_for 20 test -s "$TMP/log.ndjson" || fail "memslope wrote no log: $(cat "$TMP/err")"
touch "$TMP/go"
wait "$JOB"
rc=$?
[ $rc -eq 137 ] || fail "the job was not killed (exit $rc)"
grep -q '^oom_kill 1$' "$CGROOT/vmkept/job/memory.events" || fail "the kernel did not count the kill in /vmkept/job"
ok "job OOM-killed in /vmkept/job"

exited() { grep -q '"exited: process' "$TMP/log.ndjson"; }
wait_for 20 exited || fail "no exit event in the log"
# A snapshot every 2 s for 16 s, the last ones past the job's row retention.
i=0
while [ $i -lt 8 ]; do
	kill -USR1 "$MS" || fail "memslope is gone: $(cat "$TMP/err")"
	sleep 2
	i=$((i + 1))
done
kill "$MS"
wait "$MS"
python3 - "$TMP/state/memslope" "$TMP/log.ndjson" <<'PY' || fail "the killed cgroup was not kept"
import glob, json, os, sys
snaps = sorted(glob.glob(os.path.join(sys.argv[1], "*.json")))
assert len(snaps) >= 7, "only %d snapshots" % len(snaps)
for f in snaps:
    cg = {c["path"]: c for c in json.load(open(f))["cgroups"]}
    job = cg.get("/vmkept/job")
    assert job, "%s: /vmkept/job not listed (%s)" % (f, sorted(cg))
    assert job["events"]["oom_kill"] == 1 and job["ended"] == "emptied", job
kills = [e.get("cgroup") for l in open(sys.argv[2]) for e in json.loads(l)["events"] if e["kind"] == "oom_kill"]
assert kills == ["/vmkept/job"], kills
print("kept in %d snapshots; oom_kill event in %s" % (len(snaps), kills[0]))
PY
ok "the killed cgroup stays listed with oom_kill 1, ended: emptied"
