#!/bin/sh
# memory.high throttling on a real kernel. A launched job moves itself into
# /vmhigh (memslope stays outside, unthrottled) and fills 48 MB of tmpfs,
# charged to /vmhigh; then memory.high drops 4 MB under that shmem, which
# cannot be reclaimed without swap: the cgroup stays above high, and the
# job's next 2 MB count in memory.events high (and are throttled). memslope
# must report the increments as cgroup_event events and the time above
# memory.high in the post-mortem. (tmpfs, not a python heap: a write charges
# in bulk, where every page fault above high would be throttled on its own.)
. "$srcdir/tests/vm/lib.sh"
cg_new vmhigh
"$MEMSLOPE" --json --interval 200ms --log "$TMP/h.ndjson" -- sh -c '
	echo $$ >"$1/cgroup.procs" || exit 1
	dd if=/dev/zero of="$2/fill" bs=1M count=48 status=none && touch "$2/ready" || exit 1
	sleep 5                                 # above memory.high
	dd if=/dev/zero of="$2/fill2" bs=1M count=2 status=none
	sleep 1' sh "$CGROOT/vmhigh" "$TMP" >"$TMP/pm.json" 2>"$TMP/pm.err" &
J=$!
wait_for 60 test -e "$TMP/ready" || fail "the job did not fill its 48 MB"
shmem=$(awk '$1 == "shmem" {print $2}' "$CGROOT/vmhigh/memory.stat")
HIGH=$(( (shmem >> 20) - 4 << 20 ))
echo "shmem $((shmem >> 20)) MB; memory.high set to $((HIGH >> 20)) MB"
echo $HIGH >"$CGROOT/vmhigh/memory.high" || fail "cannot set memory.high"
wait "$J"
rc=$?
cat "$TMP/pm.err"
[ $rc -eq 0 ] || fail "the job exited $rc"
validate "$TMP/pm.json"
validate "$TMP/h.ndjson" --ndjson
python3 - "$TMP/h.ndjson" "$HIGH" <<'PY' || fail "memory.high or events.high in the log"
import json, sys
high, seen, ev = int(sys.argv[2]), None, 0
for l in open(sys.argv[1]):
    d = json.loads(l)
    for c in d["cgroups"]:
        if c["path"] == "/vmhigh" and c["high_bytes"] == high:
            seen = (c["effective_high_bytes"], c["effective_high_source"], c["events"]["high"])
    ev += sum(1 for e in d["events"] if e["kind"] == "cgroup_event" and e.get("cgroup") == "/vmhigh"
              and "memory.events high" in e["message"])
print("cgroup /vmhigh (effective high, source, events.high): %s; cgroup_event high events: %d" % (seen, ev))
if not seen or seen[:2] != (high, "/vmhigh") or seen[2] < 1 or ev < 1:
    sys.exit("expected effective high %d from /vmhigh, events.high >= 1 and a cgroup_event" % high)
PY
above=$(jget "$TMP/pm.json" "d['time_above_high_s']")
echo "post-mortem: time above memory.high ${above} s"
python3 -c "import sys; sys.exit(0 if $above >= 3 else 1)" || fail "time above memory.high: $above s (the job sat above it for 5 s)"
grep -q 'time above memory.high [1-9]' "$TMP/pm.err" || fail "the text post-mortem does not show the time above memory.high"
ok "memory.high: events.high counted, ${above} s above high in the post-mortem"
