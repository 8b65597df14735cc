# lib.sh: shared helpers for memslope's shell tests (sourced, not run).
# Exit codes follow automake: 0 pass, 1 fail, 77 skip (with a printed reason).
set -u

MEMSLOPE=${MEMSLOPE:-./memslope}
SCHEMA=${SCHEMA:-${srcdir:-.}/schema/memslope.schema.json}
VALIDATE=${VALIDATE:-${srcdir:-.}/tests/validate_json.py}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/memslope-test.XXXXXX")
CHILDREN=""

# Children started in a subshell ($(hold ...)) are recorded in a file too.
cleanup() {
	for p in $CHILDREN $(cat "$TMP/pids" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
# Killed (make check interrupted, a time limit): still clean up, and fail.
trap 'exit 1' HUP INT TERM

# tmux_reap SOCKET [SESSION]: a test's tmux ends with what runs in its panes.
. "${srcdir:-.}/tests/lib_tmux.sh"

skip() { echo "SKIP: $*"; exit 77; }
# part_skip REASON: one case cannot run on this machine; the others still
# run, and parts_done (the test's last line) ends the test as a SKIP that
# names every such case: never a pass that hides an unchecked case.
part_skip() { echo "SKIP (one case): $*"; echo "$*" >>"$TMP/parts-skipped"; }
parts_done() { [ ! -s "$TMP/parts-skipped" ] || skip "cases not run: $(paste -sd ';' "$TMP/parts-skipped")"; }
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

# wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds.
wait_for() {
	local deadline=$(( $(date +%s%N) / 1000000 + $1 * 1000 ))
	shift
	while ! "$@" 2>/dev/null; do
		[ $(( $(date +%s%N) / 1000000 )) -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
rss_at_least() { local r; r=$(rss_kb "$1"); [ -n "$r" ] && [ "$r" -ge "$2" ]; }

# hold MB [CGROUP_DIR]: start a python3 that holds MB of touched anonymous
# memory (charged to CGROUP_DIR when given: it starts inside it); prints
# its PID once the memory is resident.
hold() {
	local out
	out=$(mktemp "$TMP/hold.XXXXXX")
	sh -c '[ -z "$1" ] || echo $$ >"$1/cgroup.procs" || exit 1; shift; exec "$@"' sh "${2:-}" python3 -c "
import sys, time
b = bytearray($1 * 1024 * 1024)
for i in range(0, len(b), 4096): b[i] = 1
sys.stdout.write('ready\\n'); sys.stdout.flush()
time.sleep(3600)" >"$out" 2>&1 </dev/null &
	local pid=$!
	echo "$pid" >>"$TMP/pids"
	# Ready when every page is touched (the program says so), not when RSS
	# first passes the size: RSS and PSS read a moment apart must agree.
	wait_for 30 grep -q ready "$out" || fail "python3 holder did not reach $1 MB"
	echo "$pid"
}

# validate FILE [--ndjson]: check against the published schema.
validate() {
	python3 "$VALIDATE" "$SCHEMA" "$@"
	local rc=$?
	[ $rc -eq 77 ] && skip "python3 jsonschema is not installed"
	[ $rc -eq 0 ] || fail "schema validation of $1 failed"
}

# jq-free JSON queries: jget FILE PYTHON-EXPRESSION-ON-d
jget() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
