#!/bin/sh
# Real swap (zram) and per-cgroup PSI. /vmswap has memory.max 32 MB and
# memory.swap.max 128 MB; a job keeps touching 64 MB, so about half of it
# lives in swap and it stalls on memory. memslope must report
# swap_current_bytes and swap_max_bytes, the process's VmSwap, and the
# cgroup's memory.pressure; a calm sibling cgroup shows no swap.
. "$srcdir/tests/vm/lib.sh"
[ -e /sys/block/zram0 ] || skip "no zram device (module zram not loaded)"
echo 256M >/sys/block/zram0/disksize || fail "cannot size zram0"
mkswap /dev/zram0 >/dev/null || fail "mkswap failed"
swapon /dev/zram0 || fail "swapon failed"
trap 'cleanup; cg_cleanup; swapoff /dev/zram0; echo 1 >/sys/block/zram0/reset' EXIT
cg_new vmswap/job
cg_new vmswap/calm
echo $((32 << 20)) >"$CGROOT/vmswap/job/memory.max" || fail "cannot set memory.max"
echo $((128 << 20)) >"$CGROOT/vmswap/job/memory.swap.max" || fail "cannot set memory.swap.max"
hold 4 "$CGROOT/vmswap/calm" >/dev/null
in_cg vmswap/job python3 -c "
import sys, time
b = bytearray(64 << 20)
open(sys.argv[1], 'w').close()
while True:                              # every page, again and again
    for j in range(0, len(b), 4096): b[j] = (b[j] + 1) & 255" "$TMP/started" &
CHILDREN="$CHILDREN $!"
wait_for 60 test -e "$TMP/started" || fail "the job did not start"
J=$(cat "$CGROOT/vmswap/job/cgroup.procs")
has_swap() { [ "$(cat "$CGROOT/vmswap/job/memory.swap.current")" -ge $((16 << 20)) ]; }
wait_for 60 has_swap || fail "less than 16 MB in swap: $(cat "$CGROOT/vmswap/job/memory.swap.current")"
sleep 2
"$MEMSLOPE" --once --json -p "$J" -c /vmswap/job -c /vmswap/calm >"$TMP/s.json" || fail "memslope failed"
psi_after=$(awk '/^some/ {sub("total=", "", $5); print $5}' "$CGROOT/vmswap/job/memory.pressure")
kill -9 "$J" # its spinning slows everything else in the VM
validate "$TMP/s.json"
got=$(cgroup_of "$TMP/s.json" /vmswap/job "(c['swap_current_bytes'] >= 16 << 20, c['swap_max_bytes'], c['pressure']['some_total_us'] > 0, c['pressure']['some_total_us'] <= $psi_after, c['current_bytes'] <= 32 << 20)")
echo "job: (swap >= 16 MB, swap.max, PSI some total > 0, <= the file's later $psi_after us, current <= 32 MB) = $got"
[ "$got" = "(True, $((128 << 20)), True, True, True)" ] || fail "swap or PSI of /vmswap/job"
echo "job: swap $(cgroup_of "$TMP/s.json" /vmswap/job "c['swap_current_bytes'] >> 20") MB, pressure $(cgroup_of "$TMP/s.json" /vmswap/job "c['pressure']")"
got=$(cgroup_of "$TMP/s.json" /vmswap/calm "(c['swap_current_bytes'], c['swap_max_bytes'], c['pressure'] is not None)")
echo "calm: (swap, swap.max, PSI present) = $got"
[ "$got" = "(0, 'max', True)" ] || fail "the calm cgroup"
got=$(jget "$TMP/s.json" "[p['swap_bytes'] >= 8 << 20 for p in d['processes'] if p['pid'] == $J]")
[ "$got" = "[True]" ] || fail "the job's VmSwap: $(jget "$TMP/s.json" "[p['swap_bytes'] for p in d['processes'] if p['pid'] == $J]")"
ok "swap: memory.swap.current/max and VmSwap read with real swap; per-cgroup PSI read"
