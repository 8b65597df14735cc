"""replay_gen.py LINES [FLAT]: a memslope/1 log as a live run at 1 s writes it,
with every recorded verdict "shrinking" and every TTL 5 s (wrong: the
re-analysis must not use them): a leaking tree root (pid 100, 1 MiB/s, in
/job) whose child (101) outlives it (the root exits at line LINES/2), a
sawtooth (200), a growing process (300) in /tmp1 that exits a line before
/tmp1 is removed (LINES/3), and FLAT flat processes (400...) in /flat.
Used by tests/replay.sh; `python3 tests/replay_gen.py 3600 50` is the
one-hour log of the seek measurements (docs/architecture.md)."""
import json
import sys

n = int(sys.argv[1])
flat = int(sys.argv[2]) if len(sys.argv) > 2 else 0
T0 = 1700000000000
MIB = 1 << 20
ex, rm = n // 2, n // 3
def proc(pid, ppid, name, cg, start, anon, alive):
    return {"pid": pid, "ppid": ppid, "name": name, "cmdline": name + " -x", "user": "u", "uid": 1000,
            "start_time_ms": start, "state": "S", "threads": 1, "cgroup": cg, "rss_bytes": anon + MIB,
            "rss_anon_bytes": anon, "rss_file_bytes": MIB, "rss_shmem_bytes": 0, "swap_bytes": 0,
            "selected": ppid == 1, "alive": alive, "trend": {"verdict": "shrinking", "ttl_s": 5}}
for i in range(n):
    ps = []
    if i <= ex:
        ps.append(proc(100, 1, "leaky", "/job", T0 - 9000, 50 * MIB + i * MIB, i < ex))
    ps.append(proc(101, 100 if i < ex else 1, "child", "/job", T0 - 8000, 20 * MIB + (i % 5) * 4096, True))
    ps.append(proc(200, 1, "saw", "/job", T0 - 7000, 100 * MIB + (i % 60) * MIB, True))
    if i + 1 <= rm:
        ps.append(proc(300, 1, "temp", "/tmp1", T0 - 6000, 30 * MIB + i * 204800, i + 1 < rm))
    for k in range(flat):
        ps.append(proc(400 + k, 1, "flat", "/flat", T0 - 5000, 10 * MIB + k * MIB + ((i * 7 + k) % 3) * 4096, True))
    cgs = [{"path": "/job", "version": 2, "exists": True, "current_bytes": 200 * MIB + i * MIB,
            "max_bytes": 4 << 30, "working_set_bytes": 200 * MIB + i * MIB, "trend": {"verdict": "shrinking"}}]
    if i == 0 and flat:
        cgs.append({"path": "/flat", "version": 2, "exists": True, "current_bytes": flat * 12 * MIB,
                    "max_bytes": "max", "working_set_bytes": flat * 12 * MIB})
    if i <= rm:
        cgs.append({"path": "/tmp1", "version": 2, "exists": i < rm, "current_bytes": 30 * MIB if i < rm else None,
                    "max_bytes": "max", "trend": {"verdict": "shrinking"}})
    print(json.dumps({"schema": "memslope/1", "type": "delta" if i else "snapshot", "time_ms": T0 + i * 1000,
                      "mono_ms": 5000 + i * 1000, "host": "g", "interval_ms": 1000, "cgroup_version": "v2",
                      "analysis": {"everything": False, "trees": True, "launch_pid": None, "warn_pct": 80, "crit_pct": 90},
                      "system": {"mem_total_bytes": 16 << 30, "mem_available_bytes": 8 << 30, "swap_total_bytes": 0, "swap_free_bytes": 0},
                      "processes": ps, "trees": [], "cgroups": cgs, "events": []}, separators=(",", ":")))
