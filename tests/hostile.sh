#!/bin/sh
# Hostile input: processes whose names and command lines carry terminal
# escape sequences, invalid UTF-8, newlines and 4 KB+ arguments, and cgroup
# paths with spaces, escapes and newlines. The JSON (--once --json, --log -)
# and the Prometheus file escape them: every document parses, no raw control
# byte gets out; a name is either the text itself (valid UTF-8, escaped by
# the writer) or a replacement that keeps its printable text. An alert hook
# gets a path full of shell syntax only as a MEMSLOPE_* variable.
# (The TUI's side, an escape-named process that cannot set the terminal's
# title, is in tui_e2e.sh.)
. "${srcdir:-.}/tests/lib.sh"

TAG=hostile$$
# raw FILE [utf8]: fail if FILE holds a byte a terminal would act on: C0
# other than newline, or, for JSON (JSON_ENSURE_ASCII), any byte >= 0x80
# (DEL is legal JSON and inert on a terminal); with utf8, valid UTF-8 but
# no DEL and no C1 control (U+0080..U+009F: U+009B is CSI).
raw() {
	python3 - "$1" "${2:-ascii}" <<'EOF'
import sys
b = open(sys.argv[1], 'rb').read()
if sys.argv[2] == 'utf8':
    try: t = b.decode('utf-8')
    except UnicodeDecodeError as e: sys.exit('%s: invalid UTF-8: %s' % (sys.argv[1], e))
    bad = sorted(set(ord(c) for c in t if (ord(c) < 0x20 and c != '\n') or 0x7f <= ord(c) <= 0x9f))
else:
    bad = sorted(set(c for c in b if (c < 0x20 and c != 0x0a) or c >= 0x80))
if bad: sys.exit('%s: raw bytes %s' % (sys.argv[1], [hex(c) for c in bad]))
EOF
}

# ---- processes ----
# Each names itself (comm, 15 bytes at most) and carries its argv as given.
python3 - "$TAG" "$TMP" <<'EOF' &
import os, sys, time
tag, tmp = sys.argv[1].encode(), sys.argv[2]
big = b'A' * 5000
kids = [
    # (comm, argv after "python3 -c CODE")
    (b'\x1b]0;pwned\x07\x1b[2J', [b'esc-' + tag, b'\x1b]0;pwned\x07', b'\x1b[31mred\x1b[0m']),
    (b'bad\xff\xfe\xc0\xaf', [b'utf8-' + tag, b'\xff\xfe\xc3\x28 invalid', b'caf\xc3\xa9 ok']),
    (b'new\nline', [b'nl-' + tag, b'line1\nline2\r\n', b'tab\there']),
    (b'c1\xc2\x9b31m', [b'c1-' + tag, b'\xc2\x9b31m CSI as C1', b'\x7fdel']),
    (b'big', [b'big-' + tag, big, big]),
]
code = b'import os, sys, time; open("/proc/self/comm", "wb").write(os.fsencode(sys.argv[1])); time.sleep(120)'
pids = []
for comm, args in kids:
    pid = os.fork()
    if pid == 0:
        os.execv(sys.executable, [b'python3', b'-c', code, comm] + args)
    pids.append(pid)
open(os.path.join(tmp, 'pids'), 'a').write(''.join('%d\n' % p for p in pids))
open(os.path.join(tmp, 'hostile.ready'), 'w').write(' '.join(map(str, pids)))
time.sleep(120)
EOF
echo $! >>"$TMP/pids"
wait_for 20 test -s "$TMP/hostile.ready" || fail "hostile processes did not start"
PIDS=$(cat "$TMP/hostile.ready")
# each has written its comm (python3's start-up takes seconds under load)
comms_set() {
	python3 -c 'import sys; sys.exit(any(open("/proc/%s/comm" % p, "rb").read().startswith(b"python") for p in sys.argv[1:]))' $PIDS
}
wait_for 30 comms_set || fail "the hostile processes did not name themselves"
csv=$(echo "$PIDS" | tr ' ' ',')

"$MEMSLOPE" --once --json -p "$csv" >"$TMP/once.json" 2>"$TMP/once.err" || fail "--once --json: $(cat "$TMP/once.err")"
raw "$TMP/once.json" || fail "--once --json lets a raw byte out"
validate "$TMP/once.json"
"$MEMSLOPE" --log - --count 2 --interval 100ms -p "$csv" >"$TMP/log.ndjson" || fail "--log - run"
raw "$TMP/log.ndjson" || fail "--log - lets a raw byte out"
[ "$(wc -l <"$TMP/log.ndjson")" -eq 2 ] || fail "--log -: a name broke a line ($(wc -l <"$TMP/log.ndjson") lines for 2 samples)"
validate "$TMP/log.ndjson" --ndjson

python3 - "$TMP/once.json" "$TMP/log.ndjson" $PIDS <<'EOF' || fail "names and command lines"
import json, sys
once, log, pids = sys.argv[1], sys.argv[2], [int(p) for p in sys.argv[3:]]
docs = [json.load(open(once))] + [json.loads(l) for l in open(log)]
def real(pid, f):
    b = open('/proc/%d/%s' % (pid, f), 'rb').read()
    return b.rstrip(b'\n') if f == 'comm' else b.rstrip(b'\0').replace(b'\0', b' ')
def printable_subseq(orig, v):
    """The printable ASCII of the original survives, in order; what was
    not printable is replaced (libproc2 turns controls into '.' and, in
    the C locale, every byte >= 0x80 into '?'; util_sanitize into '?')."""
    it = iter(v)
    return all(any(c == w for w in it) for c in orig.decode('latin-1') if 0x20 < ord(c) < 0x7f)
for d in docs:
    got = {p['pid']: p for p in d['processes']}
    for pid in pids:
        p = got.get(pid)
        if p is None: sys.exit('pid %d missing' % pid)
        for key, f in (('name', 'comm'), ('cmdline', 'cmdline')):
            orig, v = real(pid, f), p[key]
            try:
                if v == orig.decode('utf-8'):
                    continue  # the text itself, escaped by the JSON writer
            except UnicodeDecodeError:
                pass
            # else a replacement: no control left, the printable text kept
            if any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in v):
                sys.exit('%s of %d holds a control character: %r' % (key, pid, v[:80]))
            if not printable_subseq(orig, v):
                sys.exit('%s of %d lost its printable text: %r for %r' % (key, pid, v[:80], orig[:80]))
got = {p['pid']: p for p in docs[0]['processes']}
for pid in pids:
    p = got[pid]
    print('hostile: pid %d name %s cmdline %s... (%d chars)' % (pid, json.dumps(p['name']), json.dumps(p['cmdline'][:24] + p['cmdline'][96:140]), len(p['cmdline'])))
big = [p for p in docs[0]['processes'] if 'big-' in p['cmdline']][0]
if len(big['cmdline']) < 4096: sys.exit('the 10 KB command line was cut to %d' % len(big['cmdline']))
EOF
ok "process names and command lines: escaped in JSON (exact or replaced), no raw control byte, 4 KB+ command line kept"

# Selecting by name (-n) on hostile text, and the events that quote names.
"$MEMSLOPE" --once --json -n "$TAG" >"$TMP/n.json" || fail "-n run"
raw "$TMP/n.json" || fail "-n: raw byte"
[ "$(jget "$TMP/n.json" "len(d['processes'])")" -ge 5 ] || fail "-n $TAG found $(jget "$TMP/n.json" "len(d['processes'])") processes"
ok "-n matches hostile command lines"

# Prometheus labels, when the exporter is there (issue 6).
prom() {
	"$MEMSLOPE" --prom-file "$TMP/m.prom" -p "$csv" --count 2 --interval 100ms --log /dev/null 2>"$TMP/prom.err" ||
		fail "--prom-file run: $(cat "$TMP/prom.err")"
	[ -e "$TMP/m.prom" ] || fail "--prom-file wrote nothing"
	raw "$TMP/m.prom" utf8 || fail "Prometheus file lets a raw byte out"
	python3 - "$TMP/m.prom" <<'EOF' || fail "Prometheus text format"
import re, sys
# exposition format: name{label="value",...} number; values escape \\ \" \n
label = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
line = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{(' + label + r')(,' + label + r')*,?\})? [-+0-9.eEInfNa]+( -?[0-9]+)?$')
n = 0
for l in open(sys.argv[1], encoding='utf-8'):
    l = l.rstrip('\n')
    if not l or l.startswith('#'): continue
    if not line.match(l): sys.exit('bad line: %r' % l[:200])
    n += 1
print('hostile: %d Prometheus samples, all well-formed' % n)
EOF
	ok "Prometheus labels escaped"
}
prom

# ---- cgroup paths ----
# A fixture tree (--cgroup-root): a v2 cgroup whose name holds a space, a
# newline and an OSC escape (real cgroupfs refuses newlines since 5.19).
FX="${srcdir:-.}/tests/fixtures/cgroup/v2"
mkdir "$TMP/root"
cp "$FX"/cgroup.controllers "$FX"/memory.stat "$TMP/root/" || fail "fixture copy"
NAME=$(printf 'new\nline \033]0;pwned\007 x')
D="$TMP/root/$NAME"
mkdir "$D" || fail "cannot create a directory named with a newline"
printf '1048576\n' >"$D/memory.current"
printf 'max\n' >"$D/memory.max"
printf 'anon 1024\nfile 0\ninactive_file 0\n' >"$D/memory.stat"
"$MEMSLOPE" --cgroup-root "$TMP/root" -c "/$NAME" -p $$ --once --json >"$TMP/cg.json" 2>"$TMP/cg.err" ||
	fail "fixture cgroup run: $(cat "$TMP/cg.err")"
raw "$TMP/cg.json" || fail "cgroup path: raw byte"
validate "$TMP/cg.json"
python3 - "$TMP/cg.json" "/$NAME" <<'EOF' || fail "cgroup path with a newline"
import json, sys
d = json.load(open(sys.argv[1]))
paths = [c['path'] for c in d['cgroups']]
if sys.argv[2] not in paths: sys.exit('path not round-tripped: %r' % paths)
c = [c for c in d['cgroups'] if c['path'] == sys.argv[2]][0]
if c['current_bytes'] != 1048576: sys.exit('counters of the cgroup: %s' % c['current_bytes'])
print('hostile: fixture cgroup %s read, current_bytes %d' % (json.dumps(sys.argv[2]), c['current_bytes']))
EOF
"$MEMSLOPE" --cgroup-root "$TMP/root" -c "/$NAME" -p $$ --log - --count 2 --interval 100ms >"$TMP/cg.ndjson" ||
	fail "fixture cgroup --log run"
[ "$(wc -l <"$TMP/cg.ndjson")" -eq 2 ] || fail "a newline in a cgroup path broke a log line"
raw "$TMP/cg.ndjson" || fail "cgroup path: raw byte in the log"
ok "cgroup path with a newline and escapes (fixture): escaped, read, whole lines"

# The alert hook: fired by that kind of cgroup at 95% of its limit, run
# without a shell, what it is about only in MEMSLOPE_* variables. The name
# carries shell syntax: nothing may run it.
hook() {
	NAME2=$(printf 'x;$(touch PWNED)`touch PWNED2`\nnl \033]0;t\007')
	D2="$TMP/root/$NAME2"
	mkdir "$D2" || fail "cannot create the hook fixture"
	printf '1000000\n' >"$D2/memory.current"
	printf '1048576\n' >"$D2/memory.max"
	printf 'anon 1000000\nfile 0\ninactive_file 0\n' >"$D2/memory.stat"
	printf '#!/bin/sh\n{ echo "argc=$#"; env | grep "^MEMSLOPE_"; } >"%s/hook.out"\n' "$TMP" >"$TMP/hook.sh"
	chmod +x "$TMP/hook.sh"
	(cd "$TMP" && "$MEMSLOPE" --cgroup-root "$TMP/root" -c "/$NAME2" -p $$ --on-alert "$TMP/hook.sh" \
		--log /dev/null --count 10 --interval 200ms) 2>"$TMP/hook.err" || fail "hook run: $(cat "$TMP/hook.err")"
	wait_for 10 test -s "$TMP/hook.out" || fail "the alert hook did not run"
	[ ! -e "$TMP/PWNED" ] && [ ! -e "$TMP/PWNED2" ] && [ ! -e PWNED ] || fail "a cgroup name was run by a shell"
	grep -q '^argc=0$' "$TMP/hook.out" || fail "the hook got arguments: $(head -n 1 "$TMP/hook.out")"
	grep -q '^MEMSLOPE_CGROUP=.*touch PWNED' "$TMP/hook.out" || fail "MEMSLOPE_CGROUP: $(grep CGROUP "$TMP/hook.out")"
	raw "$TMP/hook.out" utf8 || fail "a hook variable holds a raw control byte"
	echo "hostile: hook saw $(grep '^MEMSLOPE_CGROUP=' "$TMP/hook.out")"
	ok "alert hook: no shell, no arguments, the hostile path only in MEMSLOPE_CGROUP (sanitised)"
}
hook

# A real v1 memory cgroup named with a space and an escape sequence, a
# process in it: its path is found through /proc/PID/cgroup.
mnt=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ {print $5; exit}' /proc/self/mountinfo)
own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3; exit}' /proc/self/cgroup)
CG="$own/memslope $(printf '\033[31m')red $$"
if [ -z "$mnt" ] || ! mkdir "$mnt$CG" 2>/dev/null; then
	skip "real cgroup with a space: no v1 memory controller or not permitted (the other cases passed)"
fi
rmcg() { for p in $(cat "$mnt$CG/cgroup.procs" 2>/dev/null); do echo "$p" >"$mnt$own/cgroup.procs"; done; rmdir "$mnt$CG" 2>/dev/null; }
trap 'cleanup; rmcg' EXIT
P=$(hold 8 "$mnt$CG")
"$MEMSLOPE" --once --json -p "$P" >"$TMP/v1.json" || fail "real cgroup run"
raw "$TMP/v1.json" || fail "real cgroup: raw byte"
[ "$(jget "$TMP/v1.json" "d['processes'][0]['cgroup'] == '''$CG'''")" = True ] ||
	fail "process cgroup is $(jget "$TMP/v1.json" "repr(d['processes'][0]['cgroup'])")"
"$MEMSLOPE" --once --json -c "$CG" >"$TMP/v1c.json" || fail "-c with a space"
[ "$(jget "$TMP/v1c.json" "[p['pid'] for p in d['processes']]")" = "[$P]" ] || fail "-c '$CG' did not select its process"
[ "$(jget "$TMP/v1c.json" "d['cgroups'][0]['current_bytes'] >= 8 << 20")" = True ] || fail "-c: counters"
ok "real v1 cgroup named with a space and an escape: found, escaped, read"
