#!/bin/sh
# The v2 fixture trees (tests/fixtures/cgroup/v2, read by the fast tests)
# match a real kernel: every file a fixture cgroup and the fixture root
# have exists in a real cgroup and root, in the same format (the same keys
# in memory.events, memory.events.local and memory.swap.events, the same
# PSI lines, "max" or a number in the limit files), and memslope's JSON for
# a fixture cgroup has the same fields as for a real one.
. "$srcdir/tests/vm/lib.sh"
FX="$srcdir/tests/fixtures/cgroup/v2"
cg_new vmfx/leaf
echo $((64 << 20)) >"$CGROOT/vmfx/memory.max"
echo $((60 << 20)) >"$CGROOT/vmfx/memory.high" # the fixture sets both
hold 4 "$CGROOT/vmfx/leaf" >/dev/null
python3 - "$FX" "$CGROOT" /vmfx/leaf <<'PY' || fail "the fixtures differ from the kernel $(uname -r)"
import os, re, sys
fx, root, leaf = sys.argv[1], sys.argv[2], sys.argv[3]
bad = []
def shape(path):
    """What memslope relies on in a file: its keys, or its value's form."""
    t = open(path).read()
    name = os.path.basename(path)
    if name in ("memory.events", "memory.events.local", "memory.swap.events"):
        return sorted(l.split()[0] for l in t.splitlines() if l.strip())
    if name.endswith(".pressure"):
        return [re.sub(r"[0-9.]+", "N", l) for l in t.splitlines()]
    if re.fullmatch(r"memory\.(max|high|low|min|current|peak|swap\.(max|high|current))", name):
        return "max" if t.strip() == "max" else "number" if t.strip().isdigit() else t
    return None
def compare(fdir, rdir):
    for f in sorted(os.listdir(fdir)):
        p = os.path.join(fdir, f)
        if os.path.isdir(p):
            continue
        r = os.path.join(rdir, f)
        if not os.path.exists(r):
            bad.append("%s: the kernel has no %s" % (p, f)); continue
        a, b = shape(p), shape(r)
        # a limit may be "max" in one and a number in the other
        if a != b and not (a in ("max", "number") and b in ("max", "number")):
            bad.append("%s: %s in the fixture, %s in the kernel" % (f, a, b))
    # memory.stat: the keys memslope reads exist in the kernel's
    stat = dict(l.split() for l in open(os.path.join(rdir, "memory.stat")) if l.strip()) \
        if os.path.exists(os.path.join(rdir, "memory.stat")) else {}
    for k in ("anon", "file", "inactive_file", "shmem"):
        if k not in stat:
            bad.append("%s/memory.stat: no %s" % (rdir, k))
    print("compared %s with %s" % (fdir, rdir))
compare(os.path.join(fx, "a/b/c"), root + leaf)
compare(fx, root)
for b in bad: print("DIFF:", b)
sys.exit(1 if bad else 0)
PY
"$MEMSLOPE" --once --json -c /vmfx/leaf >"$TMP/real.json" || fail "memslope on the kernel failed"
"$MEMSLOPE" --once --json --cgroup-root "$FX" -c /a/b/c >"$TMP/fx.json" || fail "memslope on the fixture failed"
python3 - "$TMP/real.json" "$TMP/fx.json" <<'PY' || fail "JSON fields differ"
import json, sys
def cg(p, path):
    return [c for c in json.load(open(p))["cgroups"] if c["path"] == path][0]
r, f = cg(sys.argv[1], "/vmfx/leaf"), cg(sys.argv[2], "/a/b/c")
def flat(d, pre=""):
    """Field path -> value, nested objects too (not memory.stat's keys)."""
    out = {}
    for k, v in d.items():
        out[pre + k] = v
        if isinstance(v, dict) and k != "stat":
            out.update(flat(v, pre + k + "."))
    return out
keys = lambda d: set(flat(d))
nulls = lambda d: sorted(k for k, v in flat(d).items() if v is None)
print("null in the kernel's JSON:", nulls(r), "; in the fixture's:", nulls(f))
diff = keys(r) ^ keys(f)
if diff: sys.exit("fields only in one: %s" % sorted(diff))
# ended: null while a live process is in the cgroup; the fixture's
# cgroup.procs names PIDs that are not in it here, so it reads "emptied"
if set(nulls(r)) - {"v1", "container", "unit", "trend.slope_bytes_per_s", "ended"} - set(nulls(f)):
    sys.exit("null on the kernel but not on the fixture: %s" % sorted(set(nulls(r)) - set(nulls(f))))
PY
ok "the v2 fixtures have the kernel's files, formats and JSON fields"
