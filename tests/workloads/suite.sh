#!/usr/bin/env bash
# The labelled workload suite through the real program, in launch mode:
#   tests/workloads/suite.sh [MEMSLOPE] [DURATION_S]
# Runs every kind of workload.py at once (default 720 s each), each under
# `memslope --log`, then prints a table: ground truth, the verdict reached,
# when `growing` and `leak` first appeared, and for the limit race the
# oom_imminent lead time. Not part of `make check` (it takes DURATION_S).
set -u
MEMSLOPE=${1:-./memslope}
DUR=${2:-720}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mktemp -d /tmp/memslope-suite.XXXXXX)
KINDS="linear slow bounded sawtooth warmup step sawtooth_leak late noisy children race"
pids=""

# The race runs in a v1 memory cgroup with a limit it will hit, when we may create one.
mnt=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ {print $5; exit}' /proc/self/mountinfo)
own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3; exit}' /proc/self/cgroup)
RACE_CG=""
if [ -n "$mnt" ] && mkdir "$mnt$own/memslope-suite-$$" 2>/dev/null; then
	RACE_CG="$mnt$own/memslope-suite-$$"
	echo $((512 << 20)) >"$RACE_CG/memory.limit_in_bytes"
fi
cleanup() { for p in $pids; do kill "$p" 2>/dev/null; done; [ -n "$RACE_CG" ] && rmdir "$RACE_CG" 2>/dev/null; }
trap cleanup EXIT

for k in $KINDS; do
	args=(python3 "$HERE/workload.py" "$k" --duration "$DUR")
	[ "$k" = race ] && args=(python3 "$HERE/workload.py" race --rate 0.75 --duration "$DUR")
	if [ "$k" = race ] && [ -n "$RACE_CG" ]; then
		"$MEMSLOPE" --log "$OUT/$k.ndjson" -- sh -c 'echo $$ >"$1/cgroup.procs"; shift; exec "$@"' sh "$RACE_CG" "${args[@]}" \
			>/dev/null 2>"$OUT/$k.err" &
	else
		"$MEMSLOPE" --log "$OUT/$k.ndjson" -- "${args[@]}" >/dev/null 2>"$OUT/$k.err" &
	fi
	pids="$pids $!"
done
wait
python3 - "$OUT" $KINDS <<'PY'
import json, sys, os
out, kinds = sys.argv[1], sys.argv[2:]
truth = {"linear": "leak", "slow": "leak (slow)", "bounded": "no leak", "sawtooth": "no leak",
         "warmup": "no leak", "step": "no leak", "sawtooth_leak": "leak", "late": "leak (from 120 s)",
         "noisy": "no leak", "children": "leak (tree only)", "race": "leak, hits limit"}
rank = {"unknown": 0, "stable": 1, "shrinking": 1, "growing": 2, "leak": 3}
print("%-14s %-18s %-9s %-9s %8s %8s %-10s %s" % ("kind", "truth", "final", "worst", "grow@s", "leak@s", "tree", "notes"))
for k in kinds:
    path = os.path.join(out, k + ".ndjson")
    lines = [json.loads(l) for l in open(path)] if os.path.exists(path) else []
    if not lines:
        print("%-14s %-18s (no log)" % (k, truth[k])); continue
    t0 = lines[0]["time_ms"]
    grow = leak = None; worst = "unknown"; final = "unknown"; tree_worst = "-"; oom_t = None; notes = []
    root = None
    for d in lines:
        t = (d["time_ms"] - t0) / 1000
        procs = [p for p in d["processes"] if p["selected"]]
        if root is None and procs:
            root = procs[0]["pid"]
        for p in d["processes"]:
            if p["pid"] != root:
                continue
            v = p["trend"]["verdict"]
            final = v
            if rank[v] > rank[worst]: worst = v
            if v in ("growing", "leak") and grow is None: grow = t
            if v == "leak" and leak is None: leak = t
            if p["trend"]["oom_imminent"] and oom_t is None: oom_t = t
        for tr in d["trees"]:
            v = tr["trend"]["verdict"]
            if tree_worst == "-" or rank[v] > rank[tree_worst]: tree_worst = v
        for e in d["events"]:
            if e["kind"] == "oom_kill": notes.append("OOM kill at %.0f s" % t)
    if oom_t is not None:
        notes.append("oom_imminent at %.0f s" % oom_t)
    print("%-14s %-18s %-9s %-9s %8s %8s %-10s %s" % (k, truth[k], final, worst,
          "-" if grow is None else "%.0f" % grow, "-" if leak is None else "%.0f" % leak,
          tree_worst, "; ".join(notes)))
PY
echo "logs: $OUT"
