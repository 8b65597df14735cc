#!/bin/sh
# The container view: a process in /vmct (memory.max 96 MB) enters a new
# cgroup namespace (with a mount and a PID namespace: unshare -C -m -p) and
# mounts its own cgroup2, as a container does. There /vmct is "/", its
# memory.max sits at the namespace root, and memslope run inside must find
# it as the effective limit of the cgroup and of every process.
. "$srcdir/tests/vm/lib.sh"
command -v unshare >/dev/null || skip "unshare is not installed (Debian package util-linux)"
cg_new vmct
LIMIT=$((96 << 20))
echo $LIMIT >"$CGROOT/vmct/memory.max" || fail "cannot set memory.max"
cat >"$TMP/inside.sh" <<'IN'
. "$srcdir/tests/lib.sh"
umount /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup || fail "cannot mount cgroup2 in the namespace"
echo "inside: /proc/self/cgroup = $(cat /proc/self/cgroup); memory.max at / = $(cat /sys/fs/cgroup/memory.max)"
P=$(hold 16)
"$MEMSLOPE" --once --json -c / >"$1/c.json" || fail "memslope -c / failed"
"$MEMSLOPE" --once --json >"$1/all.json" || fail "memslope failed"
"$MEMSLOPE" --once --json -p "$P" >"$1/p.json" || fail "memslope -p failed"
echo "$P" >"$1/pid"
IN
in_cg vmct unshare -C -m -p -f --mount-proc sh "$TMP/inside.sh" "$TMP" || fail "the container run failed"
for f in c all p; do validate "$TMP/$f.json"; done
got=$(cgroup_of "$TMP/c.json" / "(c['version'], c['max_bytes'], c['effective_limit_bytes'], c['effective_limit_source'], c['current_bytes'] >= 16 << 20)")
echo "namespace root: (version, max, effective limit, source, current >= 16 MB) = $got"
[ "$got" = "(2, $LIMIT, $LIMIT, '/', True)" ] || fail "the container's limit at the namespace root"
P=$(cat "$TMP/pid")
got=$(jget "$TMP/p.json" "[(p['cgroup'], p['limit_bytes'], p['limit_source']) for p in d['processes'] if p['pid'] == $P]")
echo "the holder (pid $P in the namespace): $got"
[ "$got" = "[('/', $LIMIT, '/')]" ] || fail "the process's effective limit"
got=$(jget "$TMP/all.json" "sorted(set((p['cgroup'], p['limit_bytes'], p['limit_source']) for p in d['processes']))")
n=$(jget "$TMP/all.json" "len(d['processes'])")
echo "every process ($n): $got"
[ "$n" -ge 3 ] && [ "$got" = "[('/', $LIMIT, '/')]" ] || fail "plain memslope in the container: not every process has the container's limit"
ok "container: 96 MB at the namespace root is the effective limit of the cgroup and of all $n processes"
