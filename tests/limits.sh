#!/bin/sh
# The second death: a python3 job that grows until MemoryError under
# `prlimit --as` and under `prlimit --data`, launched under memslope with
# --check. Each time memslope must name the limit as binding, warn
# (limit_imminent, naming it) before the job ends, fail --check on it
# (exit 3) and say in the post-mortem that it died of memory_error. A job
# mapping a file (VmSize grows, RSS does not) in a cgroup with a 512 MB
# memory limit: the address-space limit binds, not the cgroup.
. "${srcdir:-.}/tests/lib.sh"
W="${srcdir:-.}/tests/workloads/workload.py"
command -v prlimit >/dev/null 2>&1 || skip "prlimit (util-linux) is not installed"
MB=1048576

# run NAME PRLIMIT-OPTION WORKLOAD...: launched in the background.
run() {
	name=$1 opt=$2
	shift 2
	"$MEMSLOPE" --check --json --interval 500ms --log "$TMP/$name.ndjson" -- \
		prlimit "$opt" python3 "$W" "$@" >"$TMP/$name.pm.json" 2>"$TMP/$name.err" &
	echo $! >"$TMP/$name.pid"
}

# check NAME KIND: memslope's exit, post-mortem, log and check reason.
check() {
	name=$1 kind=$2
	wait "$(cat "$TMP/$name.pid")"
	rc=$?
	[ $rc -eq 3 ] || fail "$name: --check exit $rc, expected 3: $(tail -c 800 "$TMP/$name.err")"
	grep -q "^MemoryError" "$TMP/$name.err" || grep -q "Cannot allocate memory" "$TMP/$name.err" ||
		fail "$name: no MemoryError/ENOMEM in the job's stderr: $(tail -c 600 "$TMP/$name.err")"
	validate "$TMP/$name.pm.json"
	validate "$TMP/$name.ndjson" --ndjson
	grep -q "memslope: cause: memory_error (likely: $kind " "$TMP/$name.err" ||
		fail "$name: post-mortem text lacks the cause: $(grep memslope: "$TMP/$name.err")"
	[ "$(jget "$TMP/$name.pm.json" "d['cause'], d['cause_likely'], d['cause_limit']['kind']")" = \
	  "memory_error True $kind" ] ||
		fail "$name: post-mortem JSON: $(jget "$TMP/$name.pm.json" "d['cause'], d['cause_limit']")"
	[ "$(jget "$TMP/$name.pm.json" "'limit_imminent $kind' in ' '.join(d['check']['reasons'])")" = True ] ||
		fail "$name: --check reasons: $(jget "$TMP/$name.pm.json" "d['check']")"
	python3 - "$TMP/$name.ndjson" "$kind" <<'PY' || fail "$name: the log does not show it"
import json, sys
kind = sys.argv[2]
warn = end = None
peak = None  # the sample nearest the limit (the job frees memory as it unwinds)
pid = None
for line in open(sys.argv[1]):
    d = json.loads(line)
    for p in d["processes"]:
        if p["name"] == "python3" and p["alive"]:
            pid = p["pid"]
            lim = [l for l in p["limits"] if l["kind"] == kind]
            if lim and (peak is None or lim[0]["used_bytes"] > peak[1]["used_bytes"]):
                peak = (p["binding_limit"], lim[0])
    for e in d["events"]:
        if e["kind"] == "limit_imminent" and e.get("limit") == kind and warn is None:
            warn = e["time_ms"] / 1000
        if e["kind"] == "process_exit" and e.get("pid") == pid:
            end = e["time_ms"] / 1000
binding, lim = peak
print("%s: binding %s at its peak, %s %d of %d MB, warned %.1f s before the end" % (
    sys.argv[1].split("/")[-1], binding, kind, lim["used_bytes"] >> 20, lim["limit_bytes"] >> 20,
    end - warn if warn and end else -1))
assert binding == kind, "binding limit %s, expected %s" % (binding, kind)
assert warn is not None and end is not None and end - warn >= 2, "no warning 2 s before the end"
assert lim["used_bytes"] > 0.8 * lim["limit_bytes"] and lim["source"] == "rlimit"
PY
	ok "$name: $kind binds, warned before the end, --check failed, post-mortem says memory_error"
}

# About 20 MB/s (touched): the limit is reached in ~25 s.
run as --as=$((600 * MB)) race --rate 20 --duration 120
run data --data=$((500 * MB)) race --rate 20 --duration 120

# The mapped file, in a memory cgroup with a limit when one can be made.
CG=
mnt=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ {print $5; exit}' /proc/self/mountinfo)
own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3; exit}' /proc/self/cgroup)
if [ -n "$mnt" ] && mkdir "$mnt$own/memslope-limits-$$" 2>/dev/null; then
	CG="$mnt$own/memslope-limits-$$"
	echo $((512 * MB)) >"$CG/memory.limit_in_bytes" || CG=
fi
if [ -z "$CG" ] && [ -w /sys/fs/cgroup/cgroup.subtree_control ] &&
	mkdir "/sys/fs/cgroup/memslope-limits-$$" 2>/dev/null; then
	CG=/sys/fs/cgroup/memslope-limits-$$
	echo $((512 * MB)) >"$CG/memory.max" || CG=
fi
trap 'cleanup; [ -z "$CG" ] || rmdir "$CG" 2>/dev/null' EXIT
[ -n "$CG" ] || part_skip "cannot create a memory cgroup with a limit here: the mmap job runs against the machine only"
sh -c '[ -z "$1" ] || echo $$ >"$1/cgroup.procs" || exit 1; shift; exec "$@"' sh "$CG" \
	"$MEMSLOPE" --json --interval 500ms --log "$TMP/map.ndjson" -- \
	prlimit --as=$((1500 * MB)) python3 "$W" mapfile --rate 60 --duration 120 >"$TMP/map.pm.json" 2>"$TMP/map.err" &
echo $! >"$TMP/map.pid"

check as rlimit_as
check data rlimit_data
# Re-analysed (--replay LOG --log -): the same log, limits, TTLs and
# limit_imminent events included (the rlimits are inputs the log carries).
for name in as data; do
	"$MEMSLOPE" --replay "$TMP/$name.ndjson" --log - >"$TMP/$name.re.ndjson" </dev/null ||
		fail "$name: re-analysing the log failed"
	cmp -s "$TMP/$name.ndjson" "$TMP/$name.re.ndjson" ||
		fail "$name: re-analysis differs: $(diff "$TMP/$name.ndjson" "$TMP/$name.re.ndjson" | head -c 600)"
done
ok "the logs re-analysed are the same, line for line"

wait "$(cat "$TMP/map.pid")"
grep -q "Cannot allocate memory" "$TMP/map.err" || fail "map: mmap did not fail: $(tail -c 600 "$TMP/map.err")"
validate "$TMP/map.ndjson" --ndjson
[ "$(jget "$TMP/map.pm.json" "d['cause'], d['cause_limit']['kind']")" = "memory_error rlimit_as" ] ||
	fail "map: post-mortem: $(jget "$TMP/map.pm.json" "d['cause'], d['cause_limit']")"
python3 - "$TMP/map.ndjson" "${CG:+cgroup}" <<'PY' || fail "map: the address space does not bind"
import json, sys
last = None
for line in open(sys.argv[1]):
    for p in json.loads(line)["processes"]:
        if p["name"] == "python3" and p["alive"] and (
                last is None or (p["vm_size_bytes"] or 0) >= (last["vm_size_bytes"] or 0)):
            last = p
kinds = {l["kind"]: l for l in last["limits"]}
print("map: binding %s, VmSize %d MB, RSS %d MB, limits %s" % (
    last["binding_limit"], last["vm_size_bytes"] >> 20, last["rss_bytes"] >> 20,
    {k: (l["used_bytes"] >> 20, l["limit_bytes"] >> 20) for k, l in kinds.items()}))
assert last["binding_limit"] == "rlimit_as"
assert last["vm_size_bytes"] > 1000 << 20 and last["rss_bytes"] < 200 << 20
if sys.argv[2]:
    assert kinds["cgroup_max"]["limit_bytes"] == 512 << 20, "no cgroup_max limit"
    assert kinds["cgroup_max"]["used_bytes"] < 256 << 20
PY
ok "mmap job: the address-space limit binds${CG:+, not the 512 MB cgroup limit}"
parts_done
