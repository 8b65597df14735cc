#!/bin/sh
# Faults: memslope keeps sampling, tells the truth and keeps its files whole
# when the system misbehaves around it.
#  - a fork/exit storm (and zombies) for ~60 s while it samples everything at
#    0.1 s: no crash, no 0-valued RSS of dead or dying processes, a bounded
#    descriptor count (printed at start and end);
#  - PID reuse, forced in a private PID namespace through ns_last_pid;
#  - EACCES: run as nobody against root's processes: PSS absent, not 0;
#  - a watched v1 memory cgroup removed mid-run: exists=false, ended gone with its last reading, cgroup_gone;
#  - disk full while logging (64 KiB tmpfs): whole lines, exit 1, one line;
#  - log rotation under load;
#  - SIGTERM/SIGINT/SIGHUP at random moments: exit 0, whole lines;
#  - SIGPIPE with --log - | head -1 (and --once --json | head): a quiet exit.
# The storm runs in the background while the other cases run.
. "${srcdir:-.}/tests/lib.sh"

STORM_S=${FAULTS_STORM_SECONDS:-60}
nfds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
# whole FILE: every line ends in a newline and parses as JSON.
whole() {
	[ -s "$1" ] || return 0
	[ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ] || { echo "$1 ends in a partial line"; return 1; }
	python3 -c "
import json, sys
for n, l in enumerate(open(sys.argv[1], 'rb'), 1):
    try: json.loads(l)
    except ValueError as e: sys.exit('%s:%d: not JSON: %s' % (sys.argv[1], n, e))" "$1"
}
note() { echo "faults: $*"; }

# ---- the storm: ~100 short-lived processes a second, and zombies ----
storm() {
	end=$(($(date +%s) + STORM_S + 2))
	while [ "$(date +%s)" -lt "$end" ]; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do /bin/true & done
		sh -c 'sleep 0.05' &
		# Children left unreaped for a moment: zombies (statm all zero).
		python3 -c 'import os, time
for i in range(5):
    if os.fork() == 0: os._exit(0)
time.sleep(0.3)' &
		sleep 0.1
		wait
	done
}
storm >/dev/null 2>&1 &
STORM=$!
CHILDREN="$CHILDREN $STORM"
"$MEMSLOPE" --log "$TMP/storm.ndjson" --interval 100ms --duration "${STORM_S}s" 2>"$TMP/storm.err" &
M=$!
CHILDREN="$CHILDREN $M"
has_lines() { [ "$(wc -l <"$TMP/storm.ndjson" 2>/dev/null || echo 0)" -ge 2 ]; }
wait_for 30 has_lines || fail "storm: no log lines"
# Its descriptor count, once a second, while the other cases run.
(while kill -0 "$M" 2>/dev/null; do nfds "$M" >>"$TMP/fds"; sleep 1; done) &
CHILDREN="$CHILDREN $!"

# ---- PID reuse in a private PID namespace ----
pid_reuse() {
	command -v unshare >/dev/null || { part_skip "pid reuse: no unshare"; return 0; }
	unshare --pid --fork --mount-proc true 2>/dev/null || { part_skip "pid reuse: cannot create a PID namespace here"; return 0; }
	unshare --pid --fork --mount-proc python3 - "$MEMSLOPE" "$TMP/reuse.ndjson" >"$TMP/reuse.out" 2>&1 <<'EOF'
import json, os, subprocess, sys, time
memslope, log = sys.argv[1], sys.argv[2]
def spawn_at(pid, name, mb):
    with open('/proc/sys/kernel/ns_last_pid', 'w') as f:
        f.write(str(pid - 1))
    # Run through a symlink called NAME: comm is NAME from the exec on,
    # so the log tells the three apart from their first sample.
    exe = os.path.join(os.path.dirname(log), name)
    if not os.path.exists(exe):
        os.symlink(sys.executable, exe)
    code = ("import sys, time; b = bytearray(%d << 20); "
            "b[::4096] = b'x' * len(b[::4096]); sys.stdout.write('ready\\n'); sys.stdout.flush(); time.sleep(60)" % mb)
    p = subprocess.Popen([exe, '-c', code], stdout=subprocess.PIPE)
    p.stdout.readline()
    return p
try:
    open('/proc/sys/kernel/ns_last_pid', 'w').close()
except OSError as e:
    print('SKIP: ns_last_pid is not writable: %s' % e); sys.exit(0)
m = subprocess.Popen([memslope, '--log', log, '--interval', '100ms'])
seen_lines = 0
def wait_log(name, alive, min_mb=0, timeout=30):
    """Until a log line shows pid 500 named NAME alive with all its memory
    (or, alive=False, no longer alive): the machine may be busy, so no
    fixed sleeps."""
    global seen_lines
    end = time.time() + timeout
    while time.time() < end:
        try:
            lines = open(log).read().split('\n')[:-1]
        except OSError:
            lines = []
        for l in lines[seen_lines:]:
            seen_lines += 1
            d = json.loads(l)
            now = [p for p in d['processes'] if p['pid'] == 500 and p['name'] == name]
            if alive and any(p['alive'] and (p['rss_bytes'] or 0) >= min_mb << 20 for p in now): return
            if not alive and not any(p['alive'] for p in now): return
        time.sleep(0.05)
    print('timeout waiting for %s alive=%s' % (name, alive)); m.kill(); sys.exit(1)
a = spawn_at(500, 'first', 10)
wait_log('first', True, 8)
a.kill(); a.wait()
wait_log('first', False)                 # its exit seen
b = spawn_at(500, 'second', 40)          # then the PID reused
wait_log('second', True, 38)
b.kill(); b.wait()
c = spawn_at(500, 'third', 20)           # reused at once (within ~one interval)
wait_log('third', True, 18)
print('pids', a.pid, b.pid, c.pid)
m.terminate(); rc = m.wait(); c.kill()
print('memslope exit', rc)
EOF
	if grep -q '^SKIP' "$TMP/reuse.out"; then part_skip "pid reuse: $(cat "$TMP/reuse.out")"; return 0; fi
	! grep -q '^timeout' "$TMP/reuse.out" || fail "pid reuse: $(grep '^timeout' "$TMP/reuse.out")"
	! grep -q 'Traceback' "$TMP/reuse.out" || { cat "$TMP/reuse.out"; fail "pid reuse: the driver failed"; }
	grep -q '^pids 500 500 500$' "$TMP/reuse.out" || { cat "$TMP/reuse.out"; part_skip "pid reuse: PIDs not reused ($(head -n 1 "$TMP/reuse.out"))"; return 0; }
	grep -q '^memslope exit 0$' "$TMP/reuse.out" || fail "pid reuse: $(cat "$TMP/reuse.out")"
	whole "$TMP/reuse.ndjson" || fail "pid reuse: log not whole"
	python3 - "$TMP/reuse.ndjson" <<'EOF' || fail "pid reuse"
import json, sys
seen = []   # (name, start_time_ms, rss) of pid 500 in order
for l in open(sys.argv[1]):
    d = json.loads(l)
    for p in d['processes']:
        if p['pid'] == 500 and p['alive']:
            seen.append((p['name'], p['start_time_ms'], p['rss_bytes']))
names, last = [], {}
# first holds 10 MB, second 40, third 20 (touched while starting): the
# second's 40 MB must not show under the third, and each ends at its own.
lim = {'first': (8, 30), 'second': (38, 60), 'third': (18, 38)}
for n, s, r in seen:
    if not names or names[-1][0] != n or names[-1][1] != s:
        names.append((n, s))
    if n in lim and r is not None:
        if r > lim[n][1] << 20:
            sys.exit('pid 500 %s has rss %d, above %d MB' % (n, r, lim[n][1]))
        last[n] = r
for n, r in last.items():
    if r < lim[n][0] << 20:
        sys.exit('pid 500 %s ends with rss %d, below %d MB' % (n, r, lim[n][0]))
order = [n for n, s in names if n in ('first', 'second', 'third')]
print('faults: pid reuse: pid 500 seen as', ' -> '.join(order))
if order != ['first', 'second', 'third']:
    sys.exit('expected first -> second -> third, got %s' % order)
if len(set(s for n, s in names if n in ('first', 'second', 'third'))) != 3:
    sys.exit('the three processes do not have three start times')
EOF
	ok "pid reuse: each new process under PID 500 is a new entry with its own values"
}

# ---- EACCES: nobody reading root's processes ----
# HOME is reset as runuser would: with root's HOME, nobody cannot reach the
# default config file under /root and memslope refuses to start.
eacces() {
	command -v setpriv >/dev/null || { part_skip "EACCES: no setpriv"; return 0; }
	[ "$(id -u)" -eq 0 ] || { part_skip "EACCES: not root, cannot switch to nobody"; return 0; }
	# A build tree nobody cannot reach (a clone under /root): a copy nobody can run.
	AS_NOBODY="$MEMSLOPE"
	if ! env -u XDG_CONFIG_HOME HOME=/nonexistent setpriv --reuid=65534 --regid=65534 --clear-groups "$MEMSLOPE" --version >/dev/null 2>&1; then
		mkdir "$TMP/nobody" && cp "$MEMSLOPE" "$TMP/nobody/memslope" && chmod 711 "$TMP" "$TMP/nobody" &&
			chmod 755 "$TMP/nobody/memslope" || fail "EACCES: cannot copy memslope for nobody"
		AS_NOBODY="$TMP/nobody/memslope"
	fi
	env -u XDG_CONFIG_HOME HOME=/nonexistent setpriv --reuid=65534 --regid=65534 --clear-groups "$AS_NOBODY" --version >/dev/null 2>&1 ||
		{ part_skip "EACCES: nobody cannot run $AS_NOBODY"; return 0; }
	P=$(hold 20)
	env -u XDG_CONFIG_HOME HOME=/nonexistent setpriv --reuid=65534 --regid=65534 --clear-groups "$AS_NOBODY" --once --json --pss -p "$P" \
		>"$TMP/eacces.json" 2>"$TMP/eacces.err" || fail "EACCES: -p run as nobody failed: $(cat "$TMP/eacces.err")"
	validate "$TMP/eacces.json"
	[ "$(jget "$TMP/eacces.json" "[(p['pss_bytes'], p['uss_bytes']) for p in d['processes']]")" = "[(None, None)]" ] ||
		fail "EACCES: root's PSS/USS as nobody: $(jget "$TMP/eacces.json" "[(p['pss_bytes'], p['uss_bytes']) for p in d['processes']]")"
	[ "$(jget "$TMP/eacces.json" "d['processes'][0]['rss_bytes'] >= 20 << 20")" = True ] ||
		fail "EACCES: RSS (readable by all) is missing"
	# Everything, PSS forced: no root process may show 0 for what it cannot read.
	env -u XDG_CONFIG_HOME HOME=/nonexistent setpriv --reuid=65534 --regid=65534 --clear-groups "$AS_NOBODY" --log - --count 2 --interval 200ms --pss \
		>"$TMP/eacces-all.ndjson" 2>"$TMP/eacces.err" || fail "EACCES: all-process run as nobody failed"
	whole "$TMP/eacces-all.ndjson" || fail "EACCES: log"
	python3 - "$TMP/eacces-all.ndjson" <<'EOF' || fail "EACCES: zero values"
import json, sys
d = [json.loads(l) for l in open(sys.argv[1])][-1]
root = [p for p in d['processes'] if p['uid'] == 0]
bad = [(p['pid'], k) for p in root for k in ('pss_bytes', 'uss_bytes', 'rss_bytes', 'threads')
       if p.get(k) == 0]
if bad: sys.exit('0 where absent is right: %s' % bad[:10])
pss = [p['pss_bytes'] for p in root if p['pss_bytes'] is not None]
print('faults: EACCES: %d root processes read as nobody, %d with PSS (must be 0)' % (len(root), len(pss)))
if pss: sys.exit('PSS of root processes read as nobody: %s' % pss[:5])
EOF
	ok "EACCES: root's PSS/USS are null for nobody, RSS still read"
}

# ---- a watched cgroup removed mid-run ----
cgroup_gone() {
	mnt=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ {print $5; exit}' /proc/self/mountinfo)
	[ -n "$mnt" ] || { part_skip "cgroup removal: no v1 memory controller (v2 hosts: fixture tests)"; return 0; }
	own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3; exit}' /proc/self/cgroup)
	CG="$own/memslope-gone-$$"
	mkdir "$mnt$CG" 2>/dev/null || { part_skip "cgroup removal: cannot create $mnt$CG"; return 0; }
	echo "$mnt$CG" >>"$TMP/cgdirs"
	"$MEMSLOPE" -c "$CG" --log "$TMP/gone.ndjson" --interval 100ms --duration 3s 2>"$TMP/gone.err" &
	G=$!
	glines() { [ "$(wc -l <"$TMP/gone.ndjson" 2>/dev/null || echo 0)" -ge 3 ]; }
	wait_for 20 glines || fail "cgroup removal: no lines"
	rmdir "$mnt$CG" || fail "cannot remove $mnt$CG"
	wait $G
	rc=$?
	[ $rc -eq 0 ] || fail "cgroup removal: exit status $rc ($(cat "$TMP/gone.err"))"
	whole "$TMP/gone.ndjson" || fail "cgroup removal: log"
	python3 - "$TMP/gone.ndjson" "$CG" <<'EOF' || fail "cgroup removal"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
cg = sys.argv[2]
states = [[c['exists'] for c in d['cgroups'] if c['path'] == cg] for d in lines]
gone = [e for d in lines for e in d['events'] if e['kind'] == 'cgroup_gone']
last = [c for c in lines[-1]['cgroups'] if c['path'] == cg]
print('faults: cgroup removal: exists per line', ''.join('T' if s == [True] else 'F' if s == [False] else '-' for s in states),
      '; events:', [e['message'] for e in gone])
if not last or last[0]['exists'] is not False: sys.exit('last line: cgroup not exists=false: %s' % last)
# Issue 14 item 2: a removed cgroup keeps its last reading, marked gone.
before = [c for d in lines for c in d['cgroups'] if c['path'] == cg and c['exists']]
if last[0]['ended'] != 'gone': sys.exit('removed cgroup: ended %s, not gone' % last[0]['ended'])
if not before or last[0]['current_bytes'] != before[-1]['current_bytes']:
    sys.exit('removed cgroup: current_bytes %s, its last reading %s' % (last[0]['current_bytes'], before and before[-1]['current_bytes']))
if len(gone) != 1: sys.exit('expected one cgroup_gone event, got %d' % len(gone))
EOF
	ok "cgroup removed while watched: exists=false, ended gone, its last reading kept, one cgroup_gone event"
}

# ---- disk full ----
disk_full() {
	mkdir "$TMP/full"
	mount -t tmpfs -o size=64k tmpfs "$TMP/full" 2>/dev/null || { part_skip "disk full: cannot mount a tmpfs here"; return 0; }
	echo "$TMP/full" >>"$TMP/mounts"
	# One process: ~3 KB lines, the 64 KiB fill after some 20.
	"$MEMSLOPE" -p $$ --log "$TMP/full/log.ndjson" --interval 100ms --duration 30s 2>"$TMP/full.err"
	rc=$?
	note "disk full (small lines): exit $rc, $(wc -l <"$TMP/full/log.ndjson") lines kept, stderr: $(cat "$TMP/full.err")"
	[ $rc -eq 1 ] || fail "disk full: exit status $rc, expected 1"
	[ "$(wc -l <"$TMP/full.err")" -eq 1 ] && grep -q 'No space left' "$TMP/full.err" ||
		fail "disk full: message is not one clear line: $(cat "$TMP/full.err")"
	whole "$TMP/full/log.ndjson" || fail "disk full: the log keeps a partial line"
	# Everything: lines of several hundred KB, the first one does not fit.
	rm -f "$TMP/full/log.ndjson"
	head -c 60000 /dev/zero >"$TMP/full/filler" 2>/dev/null
	"$MEMSLOPE" --log "$TMP/full/log.ndjson" --interval 100ms --duration 30s 2>"$TMP/full.err"
	rc=$?
	note "disk full (big line): exit $rc, $(wc -c <"$TMP/full/log.ndjson") bytes kept, stderr: $(cat "$TMP/full.err")"
	[ $rc -eq 1 ] || fail "disk full (big line): exit status $rc"
	whole "$TMP/full/log.ndjson" || fail "disk full (big line): partial line kept"
	umount "$TMP/full" && sed -i '\|/full$|d' "$TMP/mounts"
	ok "disk full: exit 1, one line, only whole lines in the log"
}

# ---- rotation under load ----
rotation() {
	"$MEMSLOPE" --log "$TMP/rot.ndjson" --log-max-size 64K --log-keep 2 --interval 100ms --duration 4s \
		2>"$TMP/rot.err" || fail "rotation under load: exit $? ($(cat "$TMP/rot.err"))"
	for f in "$TMP"/rot.ndjson*; do whole "$f" || fail "rotation: $f"; done
	[ ! -e "$TMP/rot.ndjson.3" ] || fail "rotation: --log-keep 2 kept a third file"
	ok "rotation under load: $(ls "$TMP"/rot.ndjson* | wc -l) files, all whole"
}

# ---- signals at random moments ----
signals() {
	i=0
	for sig in TERM INT HUP TERM INT HUP TERM INT HUP TERM INT HUP; do
		i=$((i + 1))
		d=$(awk -v s="$i$$" 'BEGIN { srand(s); printf "%.2f", 0.15 + rand() * 1.5 }')
		"$MEMSLOPE" --log "$TMP/sig.$i.ndjson" --interval 100ms 2>"$TMP/sig.err" &
		S=$!
		sleep "$d"
		kill -"$sig" $S
		wait $S
		rc=$?
		[ $rc -eq 0 ] || fail "SIG$sig after ${d}s: exit status $rc ($(cat "$TMP/sig.err"))"
		[ ! -s "$TMP/sig.err" ] || fail "SIG$sig after ${d}s: stderr: $(cat "$TMP/sig.err")"
		whole "$TMP/sig.$i.ndjson" || fail "SIG$sig after ${d}s"
		printf '%s' "SIG$sig@${d}s:$(wc -l <"$TMP/sig.$i.ndjson" 2>/dev/null || echo 0) "
	done
	echo
	ok "SIGTERM/SIGINT/SIGHUP at random moments: exit 0, whole lines"
}

# ---- SIGPIPE ----
sigpipe() {
	{ "$MEMSLOPE" --log - --interval 100ms 2>"$TMP/pipe.err"; echo $? >"$TMP/pipe.rc"; } | head -n 1 >"$TMP/pipe.first"
	[ "$(cat "$TMP/pipe.rc")" = 0 ] || fail "--log - | head -1: exit $(cat "$TMP/pipe.rc")"
	[ ! -s "$TMP/pipe.err" ] || fail "--log - | head -1: stderr: $(cat "$TMP/pipe.err")"
	whole "$TMP/pipe.first" || fail "--log - | head -1: first line"
	# --once --json of everything is larger than a pipe holds.
	{ "$MEMSLOPE" --once --json 2>"$TMP/pipe.err"; echo $? >"$TMP/pipe.rc"; } | head -c 10 >/dev/null
	[ "$(cat "$TMP/pipe.rc")" = 0 ] && [ ! -s "$TMP/pipe.err" ] ||
		fail "--once --json | head -c 10: exit $(cat "$TMP/pipe.rc"), stderr: $(cat "$TMP/pipe.err")"
	ok "SIGPIPE: --log - | head -1 and --once --json | head -c 10 exit 0 quietly"
}

trap 'for d in $(cat "$TMP/mounts" 2>/dev/null); do umount "$d"; done; for d in $(cat "$TMP/cgdirs" 2>/dev/null); do rmdir "$d" 2>/dev/null; done; cleanup' EXIT
sigpipe
signals
pid_reuse
eacces
cgroup_gone
disk_full
rotation

# ---- the storm's end ----
wait "$M"
rc=$?
[ $rc -eq 0 ] || fail "storm: exit status $rc ($(cat "$TMP/storm.err"))"
whole "$TMP/storm.ndjson" || fail "storm: log"
python3 - "$TMP/storm.ndjson" "$TMP/fds" <<'EOF' || fail "storm"
import json, sys
path = sys.argv[1]
fds = [int(l) for l in open(sys.argv[2]) if int(l) > 0]
fd0, fd1, fdmax = fds[0], fds[-1], max(fds)
lines = [json.loads(l) for l in open(path)]
zero, dead, seen, exited = [], 0, set(), set()
kept = [d['self']['fds'] for d in lines]
for d in lines:
    for p in d['processes']:
        seen.add((p['pid'], p['start_time_ms']))
        if not p['alive']:
            dead += 1
            exited.add((p['pid'], p['start_time_ms']))
        for k in ('rss_bytes', 'rss_anon_bytes', 'threads'):
            if p[k] == 0 and not (k == 'rss_anon_bytes' and p['rss_bytes']):
                zero.append((p['pid'], p['name'], k, p['alive'], p['state']))
print('faults: storm: %d lines, %d processes seen, %d of them exited, %d rows of exited processes'
      % (len(lines), len(seen), len(exited), dead))
print('faults: storm: memslope descriptors: start %d, end %d, max %d; kept (processes and kernel files): first %d, last %d, max %d'
      % (fd0, fd1, fdmax, kept[0], kept[-1], max(kept)))
if zero: sys.exit('0-valued samples: %s' % zero[:10])
# The kept ones follow the process count; the rest (log, /proc readers,
# libproc2) must not grow.
if fd1 - kept[-1] > fd0 - kept[0] + 16: sys.exit('descriptors beyond the kept ones grew')
if fdmax > 3 * max(len(d['processes']) for d in lines) + 64: sys.exit('descriptor count out of bound')
EOF
ok "storm: no crash, no 0-valued samples, descriptors bounded"
parts_done
