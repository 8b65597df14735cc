#!/bin/sh
# Runs inside the VM, in the host's (read-only) root with the guest's kernel:
# each scenario named in $VM_SCENARIOS under a time limit, its output in
# /tmp/vm-out/NAME.log and its exit status in /tmp/vm-out/NAME.rc.
OUT=/tmp/vm-out
. "$OUT/env"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
export srcdir="$VM_SRCDIR" MEMSLOPE="$VM_MEMSLOPE" SCHEMA="$VM_SRCDIR/schema/memslope.schema.json"
export VALIDATE="$VM_SRCDIR/tests/validate_json.py"
export MEMSLOPE_IN_VM=1
# The memory controller (and cpu, io, pids when there) for the children of the root.
for c in $(cat /sys/fs/cgroup/cgroup.controllers); do echo "+$c" >>/sys/fs/cgroup/cgroup.subtree_control; done
echo "vm: kernel $(uname -r), controllers: $(cat /sys/fs/cgroup/cgroup.subtree_control)" >"$OUT/guest.log"
for s in $VM_SCENARIOS; do
	t0=$(cut -d' ' -f1 /proc/uptime)
	cd /tmp || exit 1
	timeout -k 5 "$VM_SCENARIO_TIMEOUT" sh "$VM_SRCDIR/tests/vm/scenarios/$s.sh" >"$OUT/$s.log" 2>&1 </dev/null
	rc=$?
	[ $rc -ne 124 ] || echo "vm: $s ran past its ${VM_SCENARIO_TIMEOUT} s limit" >>"$OUT/$s.log"
	echo "vm: $s exit $rc after $(awk -v a="$t0" '{printf "%.1f", $1 - a}' /proc/uptime) s" >>"$OUT/guest.log"
	echo $rc >"$OUT/$s.rc"
done
