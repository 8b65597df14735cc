#!/bin/sh
# The effective limit through nested cgroups: the parent sets memory.max, the
# child none; memslope must find the parent's limit for the child and for
# the process in it, and name the parent as its source.
. "$srcdir/tests/vm/lib.sh"
cg_new vmnest/child
echo $((200 << 20)) >"$CGROOT/vmnest/memory.max" || fail "cannot set memory.max"
P=$(hold 24 "$CGROOT/vmnest/child")
"$MEMSLOPE" --once --json -p "$P" -c /vmnest/child >"$TMP/n.json" || fail "memslope failed"
validate "$TMP/n.json"
got=$(cgroup_of "$TMP/n.json" /vmnest/child "(c['version'], c['max_bytes'], c['effective_limit_bytes'], c['effective_limit_source'], c['current_bytes'] >= 24 << 20)")
echo "child: (version, max, effective limit, source, current >= 24 MB) = $got"
[ "$got" = "(2, 'max', $((200 << 20)), '/vmnest', True)" ] || fail "the child's effective limit"
got=$(jget "$TMP/n.json" "[(p['cgroup'], p['limit_bytes'], p['limit_source']) for p in d['processes'] if p['pid'] == $P]")
echo "process: $got"
[ "$got" = "[('/vmnest/child', $((200 << 20)), '/vmnest')]" ] || fail "the process's effective limit"
# No limit anywhere: the machine's memory, source "machine".
echo max >"$CGROOT/vmnest/memory.max"
"$MEMSLOPE" --once --json -c /vmnest/child >"$TMP/m.json" || fail "memslope failed"
mt=$(awk '/^MemTotal:/ {print $2 * 1024}' /proc/meminfo)
got=$(cgroup_of "$TMP/m.json" /vmnest/child "(c['effective_limit_bytes'], c['effective_limit_source'])")
[ "$got" = "($mt, 'machine')" ] || fail "no limit set: $got, MemTotal $mt"
ok "nested limit: the child (max) gets the parent's 200 MB, source /vmnest; none set: MemTotal"
