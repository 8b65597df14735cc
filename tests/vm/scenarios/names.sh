#!/bin/sh
# Containers seen from the host on a real v2 hierarchy, as the README shows
# (memslope -c /system.slice/docker-<id>.scope): a docker scope with its own
# memory.max, and a Kubernetes pod slice that sets the limit for the
# containerd container inside it. memslope must name each container (JSON
# "container" and "unit") and find its effective limit and where it is set.
. "$srcdir/tests/vm/lib.sh"
D=3f9a1c0e7b2d$(printf '%052d' 0)
K=7e2b9c4d1a0f$(printf '%052d' 1)
U=1f2e3d4c-5b6a-7980-a1b2-c3d4e5f6a7b8
DOCKER=/system.slice/docker-$D.scope
POD=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$(echo $U | tr - _).slice
CTR=$POD/cri-containerd-$K.scope
cg_new "${DOCKER#/}"
cg_new "${CTR#/}"
echo $((128 << 20)) >"$CGROOT$DOCKER/memory.max" || fail "cannot set memory.max"
echo $((192 << 20)) >"$CGROOT$POD/memory.max" || fail "cannot set memory.max"
P1=$(hold 8 "$CGROOT$DOCKER")
P2=$(hold 8 "$CGROOT$CTR")
"$MEMSLOPE" --once --json -c "$DOCKER" -c "$CTR" >"$TMP/n.json" || fail "memslope failed"
validate "$TMP/n.json"
got=$(cgroup_of "$TMP/n.json" "$DOCKER" "(c['container']['runtime'], c['container']['id'] == '$D', c['unit'], c['effective_limit_bytes'], c['effective_limit_source'] == '$DOCKER')")
echo "docker scope: $got"
[ "$got" = "('docker', True, 'docker-$D.scope', $((128 << 20)), True)" ] || fail "the docker container"
got=$(cgroup_of "$TMP/n.json" "$CTR" "(c['container']['runtime'], c['container']['id'] == '$K', c['container']['pod_uid'], c['container']['qos'], c['effective_limit_bytes'], c['effective_limit_source'] == '$POD')")
echo "containerd container in a burstable pod: $got"
[ "$got" = "('containerd', True, '$U', 'burstable', $((192 << 20)), True)" ] || fail "the Kubernetes container"
got=$(jget "$TMP/n.json" "sorted((p['pid'], p['container']['runtime'], p['limit_bytes']) for p in d['processes'] if p['pid'] in ($P1, $P2))")
echo "processes: $got"
[ "$got" = "$(python3 -c "print(sorted([($P1, 'docker', $((128 << 20))), ($P2, 'containerd', $((192 << 20)))]))")" ] ||
	fail "the processes' containers and limits"
# An explicit hierarchy (--cgroup-root) reads the same.
"$MEMSLOPE" --once --json --cgroup-root "$CGROOT" -c "$CTR" >"$TMP/r.json" || fail "memslope --cgroup-root failed"
got=$(cgroup_of "$TMP/r.json" "$CTR" "(c['version'], c['effective_limit_bytes'])")
[ "$got" = "(2, $((192 << 20)))" ] || fail "--cgroup-root $CGROOT: $got"
# Prometheus: the cgroup's usage and limit series carry the container label.
"$MEMSLOPE" --prom-file "$TMP/m.prom" -c "$CTR" --count 1 --log /dev/null || fail "memslope --prom-file failed"
python3 - "$TMP/m.prom" "$CTR" <<'PY' || fail "Prometheus cgroup series"
import re, sys
want = {"memslope_cgroup_limit_bytes": 192 << 20}
got = {}
for l in open(sys.argv[1]):
    m = re.match(r'(memslope_cgroup_(?:limit|usage)_bytes)\{(.*)\} (\S+)$', l)
    if m and 'cgroup="%s"' % sys.argv[2] in m.group(2):
        got[m.group(1)] = (float(m.group(3)), 'container="' in m.group(2))
print("prometheus:", got)
if got.get("memslope_cgroup_limit_bytes") != (192 << 20, True) or not got.get("memslope_cgroup_usage_bytes", (0,))[0] >= 8 << 20:
    sys.exit("expected limit 192 MB and usage >= 8 MB, with a container label")
PY
ok "containers named on v2 (docker, containerd in a burstable pod), limits found, --cgroup-root, Prometheus"
