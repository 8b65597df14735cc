# tests/vm/lib.sh: sourced by every VM scenario (tests/vm/scenarios/*.sh).
# Adds to tests/lib.sh (skip, fail, ok, hold, validate, jget, $TMP): the
# cgroup2 root, cg_new to make cgroups that are removed at exit, and a guard:
# a scenario changes cgroups and sysctls, so it runs only inside the VM.
. "$srcdir/tests/lib.sh"
[ "${MEMSLOPE_IN_VM:-}" = 1 ] || skip "a VM scenario runs inside the VM only: make check TESTS=tests/vm/vm.tap"
CGROOT=/sys/fs/cgroup
CG_MADE=""

# cg_new PATH: mkdir $CGROOT/PATH and its parents, each parent handing the
# memory controller down; removed (their processes killed) at exit.
cg_new() {
	local d="$CGROOT" part
	for part in $(echo "$1" | tr '/' ' '); do
		grep -qw memory "$d/cgroup.subtree_control" || echo +memory >"$d/cgroup.subtree_control" ||
			fail "cannot enable the memory controller in $d"
		d="$d/$part"
		[ -d "$d" ] || { mkdir "$d" || fail "cannot create $d"; CG_MADE="$d $CG_MADE"; }
	done
}
cg_cleanup() {
	local d p
	for d in $CG_MADE; do
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	done
	for d in $CG_MADE; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$d" 2>/dev/null && break; sleep 0.2; done
	done
}
trap 'cleanup; cg_cleanup' EXIT

# in_cg PATH CMD...: run CMD inside $CGROOT/PATH.
in_cg() { local d="$CGROOT/$1"; shift; sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$d" "$@"; }

# cgroup_of FILE PATH PYTHON-EXPR: evaluate EXPR on c, the cgroup PATH in
# the JSON document FILE (an error when it is not there).
cgroup_of() {
	python3 -c "import json,sys
d = json.load(open(sys.argv[1]))
c = [c for c in d['cgroups'] if c['path'] == sys.argv[2]]
if not c: sys.exit('no cgroup %s in %s' % (sys.argv[2], [c['path'] for c in d['cgroups']]))
c = c[0]
print($3)" "$1" "$2"
}
