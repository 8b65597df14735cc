#!/bin/sh
# New processes are seen at the next tick (issue 19, item 8), also when
# /proc/loadavg's last PID does not move: memslope in a private PID
# namespace with the host's /proc (unshare -p -f, /proc not remounted), and
# PIDs reused after ns_last_pid was set back (in a private namespace of its
# own, so nothing of the host changes). Before, such a process stayed
# invisible until the full walk every 10 s.
. "${srcdir:-.}/tests/lib.sh"

command -v unshare >/dev/null 2>&1 || skip "unshare (util-linux) is not installed"
unshare -p -f true 2>/dev/null || skip "cannot make a PID namespace here (unshare -p: not permitted)"

# seen_within LOG PID TICKS START_MS [CMDLINE]: PID appears alive (with
# CMDLINE) in one of the first TICKS lines of LOG sampled after START_MS
# (wall clock, ms); prints the delay in ms and in ticks. Counted in ticks,
# not ms: under a loaded make check a 200 ms tick ran late (a reused PID
# "seen after 1004 ms" at the 2nd tick), while the bug this guards against
# hid a process until the full walk every 10 s (50 ticks).
seen_within() {
	python3 - "$@" <<'PY'
import json, sys
log, pid, limit, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
cmd = sys.argv[5] if len(sys.argv) > 5 else ""
ticks = 0
for line in open(log):
    d = json.loads(line)
    if d["time_ms"] <= start:
        continue
    ticks += 1
    if any(p["pid"] == pid and p["alive"] and cmd in (p.get("cmdline") or "") for p in d["processes"]):
        print(f"{d['time_ms'] - start} ms, tick {ticks}")
        sys.exit(0 if ticks <= limit else 1)
print(f"never ({ticks} ticks)")
sys.exit(1)
PY
}

# 1. memslope in its own PID namespace, /proc the host's.
unshare -p -f "$MEMSLOPE" --log "$TMP/ns.ndjson" --interval 200ms --duration 4s --no-pss 2>"$TMP/ns.err" &
M=$!
wait_for 10 test -s "$TMP/ns.ndjson" || fail "memslope in a PID namespace wrote nothing: $(cat "$TMP/ns.err")"
sleep 1
start=$(($(date +%s%N) / 1000000))
sleep 60 &
V=$!
CHILDREN="$CHILDREN $V"
wait $M || fail "memslope failed: $(cat "$TMP/ns.err")"
d=$(seen_within "$TMP/ns.ndjson" "$V" 2 "$start") || fail "a new host process was seen after $d (private PID namespace; at most the 2nd tick)"
ok "private PID namespace, host /proc: a new process seen after $d"

# 2. ns_last_pid set back: a PID reused with the last PID restored.
unshare -p -f -m --mount-proc true 2>/dev/null || skip "cannot mount a private /proc (part 1 passed)"
host_ns=$(readlink /proc/self/ns/pid)
unshare -p -f -m --mount-proc python3 - "$MEMSLOPE" "$TMP/reuse.ndjson" "$host_ns" >"$TMP/reuse.out" 2>&1 <<'PY'
import os, subprocess, sys, time
memslope, log, host_ns = sys.argv[1:]
if os.readlink("/proc/self/ns/pid") == host_ns:
    sys.exit("not in a private PID namespace: ns_last_pid left alone")
def last_pid():
    return int(open("/proc/loadavg").read().split()[-1])
def set_last(n):
    with open("/proc/sys/kernel/ns_last_pid", "w") as f:
        f.write(str(n))
m = subprocess.Popen([memslope, "--log", log, "--interval", "200ms", "--duration", "4s", "--no-pss"])
decoy = subprocess.Popen(["sleep", "600"])
pad = [subprocess.Popen(["sleep", "600"]) for _ in range(3)]
time.sleep(1.0)
decoy.kill(); decoy.wait()
time.sleep(0.6)  # memslope has seen the decoy go
n = last_pid()
set_last(decoy.pid - 1)
victim = subprocess.Popen(["sleep", "601"])
set_last(n)  # as a restorer leaves it: the last PID did not move
start = int(time.time() * 1000)
print("victim", victim.pid, "decoy", decoy.pid, "last", n, last_pid(), "start", start)
m.wait()
for p in pad + [victim]:
    p.kill()
sys.exit(0 if victim.pid == decoy.pid and last_pid() >= n else "the PID was not reused")
PY
rc=$?
cat "$TMP/reuse.out"
[ $rc -eq 0 ] || {
	grep -q "Permission denied\|Read-only\|not reused" "$TMP/reuse.out" && skip "cannot set ns_last_pid in a private namespace (part 1 passed)"
	fail "the reuse run failed"
}
set -- $(sed -n 's/^victim \([0-9]*\) .* start \([0-9]*\)$/\1 \2/p' "$TMP/reuse.out")
# The same PID as the decoy: the entity must be the new command.
d=$(seen_within "$TMP/reuse.ndjson" "$1" 2 "$2" "sleep 601") || fail "a reused PID was seen after $d (last PID restored; at most the 2nd tick)"
ok "ns_last_pid set back: the reused PID seen after $d"
