#!/bin/sh
# Container names on a real cgroup: a memory cgroup named as docker names
# its scopes (docker-<64 hex>.scope) with a process in it. The JSON gives
# the process and the cgroup a docker container (id, and the name from a
# docker state tree through MEMSLOPE_CONTAINER_STATE_ROOT) and the unit;
# -c takes the id prefix, the name or the unit, and says so in one line
# when a name matches nothing or more than one cgroup; --prom-file labels
# the series with the name; the TUI's CGROUP column and cgroup view show
# it. (container_unit.sh: a real systemd scope.)
. "${srcdir:-.}/tests/lib.sh"

mnt=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ {print $5; exit}' /proc/self/mountinfo)
own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3; exit}' /proc/self/cgroup)
if [ -z "$mnt" ]; then # v2: our own cgroup, if memory is delegated below it
	mnt=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
	own=$(awk -F: '$1 == "0" {print $3; exit}' /proc/self/cgroup)
	[ -n "$mnt" ] && grep -qw memory "$mnt$own/cgroup.subtree_control" 2>/dev/null ||
		skip "no memory controller where this test may create cgroups"
fi
[ "$own" = / ] && own=""
# Ids unique to this run; the second shares the first's 4-character prefix.
ID=$(printf '%s' "memslope-$$-$(date +%s%N)" | sha256sum | cut -c1-64)
ID2=$(printf '%s' "${ID}2" | sha256sum | cut -c5-64)
ID2="$(printf '%s' "$ID" | cut -c1-4)$ID2"
CG="$own/docker-$ID.scope"
CG2="$own/docker-$ID2.scope"
mkdir "$mnt$CG" 2>/dev/null || skip "cannot create a memory cgroup under $mnt$own (not permitted here)"
mkdir "$mnt$CG2" || { rmdir "$mnt$CG"; fail "cannot create a second cgroup"; }
rmcg() {
	for d in "$mnt$CG" "$mnt$CG2"; do
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do echo "$p" >"$mnt$own/cgroup.procs"; done
		rmdir "$d" 2>/dev/null
	done
}
SOCK=memslope-ctr-$$
trap 'tmux_reap "$SOCK"; cleanup; rmcg' EXIT
P=$(hold 20 "$mnt$CG")
SHORT=$(printf '%s' "$ID" | cut -c1-12)

# No runtime state readable: the id, no name; the label is docker:<12>.
MEMSLOPE_CONTAINER_STATE_ROOT="$TMP/none" "$MEMSLOPE" --once --json -p "$P" >"$TMP/a.json" || fail "--once failed"
validate "$TMP/a.json"
[ "$(jget "$TMP/a.json" "d['processes'][0]['container']['runtime']")" = docker ] || fail "process: runtime not docker"
[ "$(jget "$TMP/a.json" "d['processes'][0]['container']['id']")" = "$ID" ] || fail "process: not the full id"
[ "$(jget "$TMP/a.json" "d['processes'][0]['container']['name']")" = None ] || fail "process: a name without state"
[ "$(jget "$TMP/a.json" "d['processes'][0]['unit']")" = "docker-$ID.scope" ] || fail "process: unit"
[ "$(jget "$TMP/a.json" "[c['container']['id'] for c in d['cgroups'] if c['path'] == '$CG']")" = "['$ID']" ] ||
	fail "cgroup $CG: no docker container in the JSON"
ok "real cgroup: docker container and unit from the path"

# A docker state tree naming it: the name on the process and the cgroup.
S="$TMP/state"
mkdir -p "$S/var/lib/docker/containers/$ID"
printf '{"ID":"%s","Name":"/ms-test-web"}\n' "$ID" >"$S/var/lib/docker/containers/$ID/config.v2.json"
export MEMSLOPE_CONTAINER_STATE_ROOT="$S"
"$MEMSLOPE" --once --json -p "$P" >"$TMP/b.json" || fail "--once with state failed"
validate "$TMP/b.json"
[ "$(jget "$TMP/b.json" "d['processes'][0]['container']['name']")" = ms-test-web ] || fail "process: no name from state"
[ "$(jget "$TMP/b.json" "[c['container']['name'] for c in d['cgroups'] if c['path'] == '$CG']")" = "['ms-test-web']" ] ||
	fail "cgroup: no name from state"
ok "docker's config.v2.json names it"

# -c by id prefix, name, unit; a unique prefix of the second does not match the first.
for sel in "$SHORT" ms-test-web "docker-$ID.scope" "docker-$ID" "docker:$SHORT" "$CG"; do
	"$MEMSLOPE" --once --json -c "$sel" >"$TMP/c.json" 2>"$TMP/err" || fail "-c $sel: $(cat "$TMP/err")"
	[ "$(jget "$TMP/c.json" "[c['path'] for c in d['cgroups'] if c['selected']]")" = "['$CG']" ] ||
		fail "-c $sel did not select $CG"
	[ "$(jget "$TMP/c.json" "[p['pid'] for p in d['processes']]")" = "[$P]" ] || fail "-c $sel: not its process"
done
ok "-c takes the id prefix, the name, the unit"
P4=$(printf '%s' "$ID" | cut -c1-4)
"$MEMSLOPE" --once --json -c "$P4" >"$TMP/out" 2>"$TMP/err" && fail "-c $P4 matched one of two containers"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "names 2 cgroups" "$TMP/err" || fail "-c ambiguous: $(cat "$TMP/err")"
"$MEMSLOPE" --once --json -c ms-no-such-container-$$ >"$TMP/out" 2>"$TMP/err" && fail "-c of nothing succeeded"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "nor a container or unit" "$TMP/err" || fail "-c nothing: $(cat "$TMP/err")"
ok "-c: an ambiguous prefix and an unknown name are one line each, and fail"

# Prometheus: the name as a label.
"$MEMSLOPE" --prom-file "$TMP/m.prom" --count 2 --interval 200ms -c ms-test-web >/dev/null 2>"$TMP/err" ||
	fail "--prom-file: $(cat "$TMP/err")"
grep -q "^memslope_cgroup_usage_bytes{cgroup=\"$CG\",container=\"ms-test-web\"} " "$TMP/m.prom" ||
	fail "no container label on the cgroup's series"
ok "--prom-file labels the cgroup with container=\"ms-test-web\""

# TUI: the CGROUP column and the cgroup view show the name.
if command -v tmux >/dev/null 2>&1; then
	T() { tmux -L "$SOCK" -f /dev/null "$@"; }
	T new-session -d -s s -x 160 -y 30 "MEMSLOPE_CONTAINER_STATE_ROOT='$S' '$MEMSLOPE' -c ms-test-web --interval 300ms" ||
		fail "tmux cannot start"
	shows() { T capture-pane -p -t s | grep -q "$1"; }
	wait_for 15 shows "ms-test-web" || { T capture-pane -p -t s; fail "the table shows no ms-test-web"; }
	T capture-pane -p -t s | grep "^ *$P " | grep -q "ms-test-web" || { T capture-pane -p -t s; fail "CGROUP column"; }
	T send-keys -t s c
	wait_for 10 shows "ms-test-web: $CG" || { T capture-pane -p -t s; fail "the cgroup view is not labelled"; }
	T send-keys -t s q
	tmux_reap "$SOCK"
	ok "TUI: CGROUP column and cgroup view by name"
else
	part_skip "tmux is not installed: the TUI case did not run"
fi

parts_done
