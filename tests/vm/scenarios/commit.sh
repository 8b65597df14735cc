#!/bin/sh
# Strict overcommit for real: vm.overcommit_memory = 2 with CommitLimit set
# ~300 MB above what is committed now, and a python3 job growing 8 MB/s
# launched under memslope. Every process must carry the commit limit
# (source sysctl, used = the machine's Committed_AS), a TTL must be
# predicted and limit_imminent raised (naming commit) before the job dies
# of MemoryError, and the post-mortem must say memory_error, commit.
# memslope itself must survive the machine refusing commits. The
# sysctls are put back at exit (the next scenario runs in the same VM).
. "$srcdir/tests/vm/lib.sh"
MODE0=$(cat /proc/sys/vm/overcommit_memory)
KB0=$(cat /proc/sys/vm/overcommit_kbytes)
RATIO0=$(cat /proc/sys/vm/overcommit_ratio)
trap 'cleanup; cg_cleanup; echo "$MODE0" >/proc/sys/vm/overcommit_memory;
	echo "$RATIO0" >/proc/sys/vm/overcommit_ratio; [ "$KB0" = 0 ] || echo "$KB0" >/proc/sys/vm/overcommit_kbytes' EXIT
committed=$(awk '/^Committed_AS:/ {print $2}' /proc/meminfo)
echo $((committed + 300 * 1024)) >/proc/sys/vm/overcommit_kbytes || fail "cannot set vm.overcommit_kbytes"
echo 2 >/proc/sys/vm/overcommit_memory || fail "cannot set vm.overcommit_memory"
grep -E "^(CommitLimit|Committed_AS):" /proc/meminfo | tr -s ' ' | tr '\n' ' '
echo

"$MEMSLOPE" --json --interval 500ms --log "$TMP/c.ndjson" -- \
	python3 "$srcdir/tests/workloads/workload.py" race --rate 8 --duration 150 >"$TMP/pm.json" 2>"$TMP/pm.err"
rc=$?
# Back to heuristic overcommit before anything else runs (python3, jsonschema).
echo "$MODE0" >/proc/sys/vm/overcommit_memory
grep "^memslope:\|MemoryError" "$TMP/pm.err"
# Exit 1, or 120 when even printing the traceback or flushing at exit finds
# no memory to commit (then the traceback is cut short).
[ $rc -ne 0 ] || fail "the job should end with MemoryError, it exited 0"
grep -Eq "MemoryError|^Traceback" "$TMP/pm.err" || fail "no traceback in the job's stderr: $(tail -c 600 "$TMP/pm.err")"
validate "$TMP/pm.json"
got=$(jget "$TMP/pm.json" "d['cause'], d['cause_limit']['kind'], d['cause_limit']['source'], d['limit_imminent_fired']")
echo "post-mortem: $got"
[ "$got" = "memory_error commit sysctl commit" ] || fail "post-mortem cause"
python3 - "$TMP/c.ndjson" <<'PY' || fail "the log does not show the commit limit and its prediction"
import json, sys
warn = end = first_ttl = None
seen = 0
for line in open(sys.argv[1]):
    d = json.loads(line)
    t, s = d["time_ms"] / 1000, d["system"]
    for p in d["processes"]:
        if p["name"] != "python3" or not p["alive"]:
            continue
        c = [l for l in p["limits"] if l["kind"] == "commit"]
        if s["overcommit_mode"] == 2:
            assert c, "no commit limit under mode 2"
            c = c[0]
            assert c["source"] == "sysctl" and c["limit_bytes"] == s["commit_limit_bytes"]
            assert c["used_bytes"] == s["committed_as_bytes"]
            seen += 1
            if first_ttl is None and c["ttl_s"] is not None:
                first_ttl = (t, c["ttl_s"], c["ttl_band_s"], p["binding_limit"], c["used_bytes"] >> 20,
                             c["limit_bytes"] >> 20)
    for e in d["events"]:
        if e["kind"] == "limit_imminent" and e.get("limit") == "commit" and warn is None:
            warn = t
        if e["kind"] == "process_exit" and "python3" in e["message"]:
            end = t
print("samples with the commit limit: %d; first prediction at %s; limit_imminent %.1f s before the end" % (
    seen, first_ttl, end - warn if warn and end else -1))
assert seen > 10 and first_ttl is not None and first_ttl[3] == "commit"
assert warn is not None and end is not None and end - warn >= 2
PY
ok "strict overcommit: the commit limit is on every process, predicted and imminent before MemoryError"
