#!/bin/sh
# --on-alert: a leaking process crosses --crit-pct; the hook runs once per
# cooldown with the details in MEMSLOPE_* variables and nothing else; a
# process named like a shell command substitution cannot run anything; a
# hanging hook is killed after --alert-timeout, and every hook's end is an
# alert_hook event in the log.
. "${srcdir:-.}/tests/lib.sh"

HOOKDIR="$TMP/hooks"
mkdir "$HOOKDIR"
export HOOKDIR
cat >"$TMP/hook.sh" <<'SH'
#!/bin/sh
# Record this hook's MEMSLOPE_* environment and its arguments.
f="$HOOKDIR/rec.$$"
env | grep '^MEMSLOPE_' | sort >"$f.tmp"
for a in "$@"; do printf 'ARG=%s\n' "$a" >>"$f.tmp"; done
mv "$f.tmp" "$f"
SH
chmod +x "$TMP/hook.sh"

# The limit: a memory cgroup of 200 MB when one can be made (crit at 50 %
# is then 100 MB), else the machine's memory (crit at 2 %).
CG="" DIR=""
mnt=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ {print $5; exit}' /proc/self/mountinfo)
own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3; exit}' /proc/self/cgroup)
if [ -n "$mnt" ] && mkdir "$mnt$own/memslope-alert-$$" 2>/dev/null; then
	CG="$own/memslope-alert-$$"
	DIR="$mnt$CG"
	echo $((200 * 1024 * 1024)) >"$DIR/memory.limit_in_bytes" || { rmdir "$DIR"; CG="" DIR=""; }
fi
rmcg() {
	[ -n "$DIR" ] || return 0
	for p in $(cat "$DIR/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	sleep 0.2
	rmdir "$DIR" 2>/dev/null
}
trap 'cleanup; rmcg' EXIT
if [ -n "$CG" ]; then
	WARN=20 CRIT=50 TARGET_MB=130 LIMIT=$((200 * 1024 * 1024))
else
	total_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
	TARGET_MB=$((total_kb * 2 / 100 / 1024 + 40))
	[ "$TARGET_MB" -le 1024 ] || skip "no memory cgroup can be made and 2 % of MemTotal is over 1 GB"
	WARN=1 CRIT=2 LIMIT=""
fi

# The interpreter itself, not a wrapper script (pyenv shims), so that
# exec -a names the python process.
PY=$(python3 -c 'import sys; print(sys.executable)')
# leaker NAME: a python3 that grows 10 MB every 100 ms to TARGET_MB and
# stays; started inside the cgroup, its argv[0] and comm set to NAME.
leaker() {
	bash -c '[ -z "$1" ] || echo $$ >"$1/cgroup.procs" || exit 1; name=$2; shift 2; exec -a "$name" "$@"' \
		sh "$DIR" "$1" "$PY" -c "
import sys, time
open('/proc/self/comm', 'w').write(open('/proc/self/cmdline').read().split(chr(0))[0][:15])
chunks = []
while len(chunks) * 10 < $TARGET_MB:
    b = bytearray(10 << 20)
    for i in range(0, len(b), 4096): b[i] = 1
    chunks.append(b)
    time.sleep(0.1)
time.sleep(3600)" </dev/null >/dev/null 2>&1 &
	local pid=$!
	echo "$pid" >>"$TMP/pids"
	# Watch it only once it is in its cgroup and named.
	named() { [ "$(cat "/proc/$pid/comm")" = "$(printf '%.15s' "$1")" ]; }
	wait_for 10 named "$1" || fail "leaker $1 did not start"
	echo "$pid"
}
records() { grep -l "^MEMSLOPE_PID=$1\$" "$HOOKDIR"/rec.* 2>/dev/null | xargs -r grep -l "^MEMSLOPE_EVENT=$2\$" | wc -l; }
has_record() { [ "$(records "$1" "$2")" -ge "${3:-1}" ]; }

# 1. Fires once for the leaking process with the right environment.
L=$(leaker memslope-leaker)
"$MEMSLOPE" -p "$L" --interval 200ms --warn-pct $WARN --crit-pct $CRIT --on-alert "$TMP/hook.sh one two" \
	--alert-cooldown 1h --log "$TMP/once.ndjson" --duration 6s 2>"$TMP/err1" || fail "memslope failed: $(cat "$TMP/err1")"
n=$(records "$L" crit)
[ "$n" -eq 1 ] || fail "crit hook for pid $L ran $n times within the cooldown (records: $(ls "$HOOKDIR"))"
rec=$(grep -l "^MEMSLOPE_PID=$L\$" "$HOOKDIR"/rec.* | xargs grep -l '^MEMSLOPE_EVENT=crit$')
get() { sed -n "s/^$1=//p" "$rec"; }
[ "$(get MEMSLOPE_ENTITY)" = process ] || fail "MEMSLOPE_ENTITY=$(get MEMSLOPE_ENTITY)"
[ "$(get MEMSLOPE_NAME)" = memslope-leaker ] || fail "MEMSLOPE_NAME=$(get MEMSLOPE_NAME)"
[ "$(get MEMSLOPE_HOST)" = "$(hostname)" ] || fail "MEMSLOPE_HOST=$(get MEMSLOPE_HOST)"
rss=$(get MEMSLOPE_RSS_BYTES)
limit=$(get MEMSLOPE_LIMIT_BYTES)
[ -n "$rss" ] && [ -n "$limit" ] || fail "MEMSLOPE_RSS_BYTES='$rss' MEMSLOPE_LIMIT_BYTES='$limit'"
[ "$((rss * 100))" -ge "$((limit * CRIT))" ] || fail "fired at rss $rss, below $CRIT % of $limit"
if [ -n "$CG" ]; then
	[ "$limit" -eq "$LIMIT" ] || fail "MEMSLOPE_LIMIT_BYTES=$limit, cgroup limit $LIMIT"
	[ "$(get MEMSLOPE_CGROUP)" = "$CG" ] || fail "MEMSLOPE_CGROUP=$(get MEMSLOPE_CGROUP), expected $CG"
fi
get MEMSLOPE_MESSAGE | grep -q "crit-pct $CRIT" || fail "MEMSLOPE_MESSAGE=$(get MEMSLOPE_MESSAGE)"
for v in MEMSLOPE_TTL_S MEMSLOPE_SLOPE_BYTES_PER_S MEMSLOPE_USAGE_PCT MEMSLOPE_TIME; do
	grep -q "^$v=" "$rec" || fail "$v is not set"
done
[ "$(grep -c '^ARG=' "$rec")" -eq 2 ] && grep -q '^ARG=one$' "$rec" && grep -q '^ARG=two$' "$rec" ||
	fail "hook arguments: $(grep '^ARG=' "$rec")"
python3 - "$TMP/once.ndjson" "$L" <<'PY' || fail "alert_hook events missing from the log"
import json, sys
ev = [e for l in open(sys.argv[1]) for e in json.loads(l)["events"] if e["kind"] == "alert_hook"]
started = [e for e in ev if "started" in e["message"] and "crit: process %s " % sys.argv[2] in e["message"]]
ended = [e for e in ev if "exited with status 0 after" in e["message"] and "crit: process %s " % sys.argv[2] in e["message"]]
assert len(started) == 1 and len(ended) == 1 and started[0]["pid"] == int(sys.argv[2]), ev
PY
validate "$TMP/once.ndjson" --ndjson
kill -9 "$L"
ok "crit alert fired once in 6 s with the right environment (rss $rss of $limit)"

# 2. A short cooldown lets it fire again.
L=$(leaker memslope-again)
"$MEMSLOPE" -p "$L" --interval 200ms --warn-pct $WARN --crit-pct $CRIT --on-alert "$TMP/hook.sh" \
	--alert-cooldown 1s --log /dev/null --duration 6s 2>"$TMP/err2" || fail "memslope failed: $(cat "$TMP/err2")"
n=$(records "$L" crit)
[ "$n" -ge 2 ] || fail "with --alert-cooldown 1s the hook ran only $n times"
kill -9 "$L"
ok "cooldown 1s: fired $n times"

# 3. A process named "$(touch /tmp/pwned)" runs nothing: no shell anywhere.
rm -f /tmp/pwned
[ ! -e /tmp/pwned ] || skip "/tmp/pwned exists and cannot be removed"
L=$(leaker '$(touch /tmp/pwned)')
"$MEMSLOPE" -p "$L" --interval 200ms --warn-pct $WARN --crit-pct $CRIT --on-alert "$TMP/hook.sh \$(touch /tmp/pwned) ;id" \
	--log /dev/null --duration 5s 2>"$TMP/err3" || fail "memslope failed: $(cat "$TMP/err3")"
[ ! -e /tmp/pwned ] || { rm -f /tmp/pwned; fail "/tmp/pwned was created: something ran through a shell"; }
rec=$(grep -l "^MEMSLOPE_PID=$L\$" "$HOOKDIR"/rec.* | head -n 1)
[ -n "$rec" ] || fail "the hook did not run for the oddly named process"
grep -qxF 'MEMSLOPE_NAME=$(touch /tmp/pw' "$rec" || fail "name not passed literally: $(grep NAME "$rec")"
grep -qxF 'MEMSLOPE_CMDLINE=$(touch /tmp/pwned) -c' "$rec" ||
	grep -qF 'MEMSLOPE_CMDLINE=$(touch /tmp/pwned) ' "$rec" || fail "cmdline not passed literally: $(grep CMDLINE "$rec")"
grep -qxF 'ARG=$(touch' "$rec" && grep -qxF 'ARG=;id' "$rec" || fail "hook arguments were interpreted: $(grep '^ARG=' "$rec")"
kill -9 "$L"
ok "a process named \$(touch /tmp/pwned) ran nothing; its name reached the hook literally"

# 4. A hanging hook is killed after --alert-timeout, and that is logged.
L=$(leaker memslope-hang)
cat >"$TMP/hang.sh" <<'SH'
#!/bin/sh
echo $$ >"$HOOKDIR/hang.pid"
exec sleep 300
SH
chmod +x "$TMP/hang.sh"
"$MEMSLOPE" -p "$L" --interval 200ms --warn-pct $WARN --crit-pct $CRIT --on-alert "$TMP/hang.sh" \
	--alert-timeout 1s --log "$TMP/hang.ndjson" --duration 6s 2>"$TMP/err4" || fail "memslope failed: $(cat "$TMP/err4")"
[ -s "$HOOKDIR/hang.pid" ] || fail "the hanging hook never ran"
hp=$(cat "$HOOKDIR/hang.pid")
[ ! -d "/proc/$hp" ] || { kill -9 "$hp"; fail "the hanging hook (pid $hp) is still running"; }
python3 - "$TMP/hang.ndjson" "$hp" <<'PY' || fail "no 'timed out' alert_hook event: $(grep -o '"alert hook[^"]*"' "$TMP/hang.ndjson")"
import json, sys
ev = [e["message"] for l in open(sys.argv[1]) for e in json.loads(l)["events"] if e["kind"] == "alert_hook"]
hit = [m for m in ev if "(pid %s)" % sys.argv[2] in m and "timed out after" in m and "SIGTERM" in m]
assert hit, ev
t = float(hit[0].split("timed out after ")[1].split(" s")[0])
assert 1.0 <= t < 2.5, hit[0]
PY
kill -9 "$L"
ok "a hook hanging past --alert-timeout 1s was killed and logged"

# 5. Bad hooks are one line before anything starts.
"$MEMSLOPE" --on-alert "/no/such/hook" --log /dev/null --count 1 >"$TMP/out" 2>"$TMP/err5"
rc=$?
[ $rc -eq 1 ] && [ "$(wc -l <"$TMP/err5")" -eq 1 ] && grep -q -- "--on-alert" "$TMP/err5" ||
	fail "missing hook: exit $rc, $(cat "$TMP/err5")"
ok "alert hooks"
