#!/bin/sh
# Live v1: a real memory cgroup with a limit under our own memory cgroup,
# a process inside it, the effective limit in the JSON; removed afterwards.
. "${srcdir:-.}/tests/lib.sh"

mnt=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ {print $5; exit}' /proc/self/mountinfo)
[ -n "$mnt" ] || skip "no cgroup v1 memory controller mounted (cgroup v2 logic is tested on fixtures)"
own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3; exit}' /proc/self/cgroup)
CG="$own/memslope-test-$$"
DIR="$mnt$CG"
mkdir "$DIR" 2>/dev/null || skip "cannot create a memory cgroup under $mnt$own (not permitted here)"
rmcg() { for p in $(cat "$DIR/cgroup.procs" 2>/dev/null); do echo "$p" >"$mnt$own/cgroup.procs"; done; rmdir "$DIR" 2>/dev/null; }
trap 'cleanup; rmcg' EXIT
echo $((256 * 1024 * 1024)) >"$DIR/memory.limit_in_bytes" || skip "cannot set a limit"
P=$(hold 20 "$DIR")

"$MEMSLOPE" --once --json -p "$P" >"$TMP/v1.json" || fail "run failed"
validate "$TMP/v1.json"
[ "$(jget "$TMP/v1.json" "d['processes'][0]['cgroup']")" = "$CG" ] || fail "process cgroup is $(jget "$TMP/v1.json" "d['processes'][0]['cgroup']"), expected $CG"
[ "$(jget "$TMP/v1.json" "d['processes'][0]['limit_bytes']")" = 268435456 ] || fail "process limit_bytes"
[ "$(jget "$TMP/v1.json" "d['processes'][0]['limit_source']")" = "$CG" ] || fail "process limit_source"
[ "$(jget "$TMP/v1.json" "[c for c in d['cgroups'] if c['path']=='$CG'][0]['effective_limit_bytes']")" = 268435456 ] ||
	fail "cgroup effective limit"
# -c with the real cgroup: its counters and its process.
"$MEMSLOPE" --once --json -c "$CG" >"$TMP/c.json" || fail "-c run failed"
[ "$(jget "$TMP/c.json" "[p['pid'] for p in d['processes']]")" = "[$P]" ] || fail "-c did not select the process in it"
[ "$(jget "$TMP/c.json" "d['cgroups'][0]['current_bytes'] >= 20*2**20")" = True ] || fail "cgroup usage below what the process holds"
ok "live v1 cgroup $CG"

# A process already seen outside the -c cgroup and moved into it afterwards
# (a shell, a runtime or systemd forks, then writes the PID into
# cgroup.procs) is watched from then on.
sleep 120 </dev/null >/dev/null 2>&1 &
S=$!
echo "$S" >>"$TMP/pids"
"$MEMSLOPE" -c "$CG" --interval 200ms --duration 30s --log "$TMP/join.ndjson" </dev/null 2>"$TMP/join.err" &
CHILDREN="$CHILDREN $!"
lines() { [ "$(wc -l <"$TMP/join.ndjson")" -ge "$1" ]; }
wait_for 20 lines 3 || fail "-c run wrote no log: $(cat "$TMP/join.err")"
echo "$S" >"$DIR/cgroup.procs" || fail "cannot move $S into $DIR"
joined() { grep -q "\"pid\": *$S[,}]" "$TMP/join.ndjson"; }
wait_for 10 joined || fail "-c: process $S moved into $CG is not watched ($(wc -l <"$TMP/join.ndjson") lines)"
ok "-c: a process moved into the cgroup after it was first seen is watched"
