#!/usr/bin/env python3
"""Labelled memory workloads for memslope's verdict (standard library only).

    workload.py KIND [--duration S] [--rate MB_PER_S] [--scale F]

Kinds and their ground truth (LEAK-DETECTION.md "Test it"):
    linear          leak      unbounded list grows at --rate MB/s (default 1)
    slow            leak      ~1 MB/min
    bounded         no leak   collections.deque(maxlen=...) fills, then plateaus
    sawtooth        no leak   allocate up to ~200 MB and free, in cycles
    warmup          no leak   a ramp that levels off (tau 60 s)
    step            no leak   a cache filled once (150 MB in 5 s), then flat
    sawtooth_leak   leak      a sawtooth whose floor rises 0.5 MB/s
    late            leak      flat for 120 s, then 1 MB/s
    noisy           no leak   flat with random +-20 MB churn
    children        leak(tree) parent flat, two children leak 0.5 MB/s each
    race            leak      fast leak (--rate, default 4 MB/s) toward a limit
    mapfile         no leak   a file read through mmap: VmSize grows --rate MB/s
                              (default 50), RSS barely (one page per MB read)
Every chunk is touched so it is resident (mapfile's maps are not). Exits 0 after --duration seconds.
"""
import argparse
import collections
import os
import random
import sys
import time

MB = 1 << 20


def chunk(mb):
    b = bytearray(int(mb * MB))
    for i in range(0, len(b), 4096):
        b[i] = 1
    return b


def run_for(duration, step_fn, tick=0.25):
    end = time.monotonic() + duration
    t0 = time.monotonic()
    while time.monotonic() < end:
        step_fn(time.monotonic() - t0)
        time.sleep(tick)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind")
    ap.add_argument("--duration", type=float, default=600)
    ap.add_argument("--rate", type=float, default=None, help="MB/s")
    args = ap.parse_args()
    k, dur = args.kind, args.duration
    hold = []
    base = chunk(30)  # every workload has a realistic base

    if k in ("linear", "race"):
        rate = args.rate or (1.0 if k == "linear" else 4.0)
        run_for(dur, lambda t: hold.append(chunk(rate * 0.25)))
    elif k == "slow":
        run_for(dur, lambda t: hold.append(chunk(1.0 / 60 * 0.25)))
    elif k == "bounded":
        d = collections.deque(maxlen=160)  # 160 x 0.5 MB = 80 MB, reached in 40 s
        run_for(dur, lambda t: d.append(chunk(0.5)))
    elif k == "sawtooth":
        # 0 -> ~200 MB in 20 s, then freed: a GC-like cycle
        def saw(t):
            if len(hold) >= 80:
                hold.clear()
            hold.append(chunk(2.5))
        run_for(dur, saw)
    elif k == "warmup":
        target, tau = 200.0, 60.0
        state = {"mb": 0.0}

        def warm(t):
            want = target * (1 - pow(2.718281828, -t / tau))
            if want - state["mb"] >= 0.5:
                hold.append(chunk(want - state["mb"]))
                state["mb"] = want
        run_for(dur, warm)
    elif k == "step":
        def step(t):
            if t < 5 and sum(len(h) for h in hold) < 150 * MB:
                hold.append(chunk(7.5))
        run_for(dur, step)
    elif k == "sawtooth_leak":
        leak = []

        def sl(t):
            if len(hold) >= 60:
                hold.clear()
            hold.append(chunk(2.5))
            leak.append(chunk(0.5 * 0.25))
        run_for(dur, sl)
    elif k == "late":
        run_for(dur, lambda t: hold.append(chunk(0.25)) if t > 120 else None)
    elif k == "noisy":
        rnd = random.Random(7)

        def noisy(t):
            want = 20 + rnd.randint(-20, 20)
            while len(hold) > want:
                hold.pop()
            while len(hold) < want:
                hold.append(chunk(1))
        run_for(dur, noisy)
    elif k == "children":
        kids = []
        for _ in range(2):
            pid = os.fork()
            if pid == 0:
                mine = []
                run_for(dur, lambda t: mine.append(chunk(0.5 * 0.25)))
                os._exit(0)
            kids.append(pid)
        run_for(dur, lambda t: None)
        for pid in kids:
            os.waitpid(pid, 0)
    elif k == "mapfile":
        import mmap
        import tempfile
        rate = args.rate or 50.0
        size = max(1, int(rate * 0.25)) * MB
        f = tempfile.TemporaryFile()
        f.truncate(size)  # sparse: no disk, no page cache until read

        def mapone(t):
            m = mmap.mmap(f.fileno(), size, access=mmap.ACCESS_READ)
            for i in range(0, size, MB):
                m[i]
            hold.append(m)
        run_for(dur, mapone)
    else:
        sys.exit("unknown kind %r" % k)
    del base


if __name__ == "__main__":
    main()
