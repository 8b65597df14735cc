#!/bin/sh
# memory.peak (kernel 5.19+): a 40 MB holder comes and goes in /vmpeak, an
# 8 MB one stays. memslope's peak_bytes must be the kernel's memory.peak
# (the high-water mark, far above the current usage).
. "$srcdir/tests/vm/lib.sh"
cg_new vmpeak
[ -f "$CGROOT/vmpeak/memory.peak" ] || skip "this kernel has no memory.peak ($(uname -r))"
P=$(hold 40 "$CGROOT/vmpeak")
kill -9 "$P"
wait_for 10 sh -c '! kill -0 '"$P" || fail "the 40 MB holder did not exit"
hold 8 "$CGROOT/vmpeak" >/dev/null
"$MEMSLOPE" --once --json -c /vmpeak >"$TMP/p.json" || fail "memslope failed"
peak=$(cat "$CGROOT/vmpeak/memory.peak")
validate "$TMP/p.json"
got=$(cgroup_of "$TMP/p.json" /vmpeak "(c['peak_bytes'], c['peak_bytes'] >= 40 << 20, c['current_bytes'] < 24 << 20)")
echo "(peak_bytes, peak >= 40 MB, current < 24 MB) = $got; memory.peak $peak"
[ "$got" = "($peak, True, True)" ] || fail "peak_bytes is not memory.peak"
ok "memory.peak: $((peak >> 20)) MB reported while $(cgroup_of "$TMP/p.json" /vmpeak "c['current_bytes'] >> 20") MB is in use"
