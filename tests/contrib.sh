#!/bin/sh
# contrib/: the jq recipes run against a real log and give the expected
# answers; memslope-plot draws PNG and SVG (when gnuplot is installed); the
# systemd units pass `systemd-analyze verify` and the logrotate file
# `logrotate -d`. test.sh installs every tool; one missing makes a SKIP.
. "${srcdir:-.}/tests/lib.sh"

C="$srcdir/contrib"
command -v jq >/dev/null 2>&1 || skip "jq is not installed (Debian package jq)"

# A log with a growing process in it, and a flat one.
PY=$(python3 -c 'import sys; print(sys.executable)')
"$PY" -c "
import time
chunks = []
for i in range(40):
    b = bytearray(2 << 20)
    for j in range(0, len(b), 4096): b[j] = 1
    chunks.append(b)
    time.sleep(0.1)
time.sleep(3600)" &
G=$!
CHILDREN="$CHILDREN $G"
F=$(hold 30)
cd "$TMP" || fail "no temporary directory"
"$MEMSLOPE" -p "$G,$F" --log memslope.ndjson --interval 200ms --duration 4s || fail "recording the log failed"
# A verdict and a slope need minutes of history: the last line again, with
# the trend fields and a verdict event a longer run would have produced.
tail -n 1 memslope.ndjson | jq -c --argjson g "$G" '.time_ms += 200 | .processes |= map(if .pid == $g
	then .trend.verdict = "growing" | .trend.slope_bytes_per_s = 1048576
	else .trend.verdict = "stable" | .trend.slope_bytes_per_s = 0 end)
	| .events = [{time_ms: .time_ms, time: .time, kind: "verdict", pid: $g, message: "unknown -> growing"}]' >last.json ||
	fail "could not extend the log"
cat last.json >>memslope.ndjson
validate memslope.ndjson --ndjson
lines=$(wc -l <memslope.ndjson)
CG=$(jq -r '.cgroups[0].path' memslope.ndjson | head -n 1)
[ -n "$CG" ] && [ "$CG" != null ] || fail "no cgroup in the log"

# Each ```sh block of recipes.md, with its example names replaced.
awk '/^```sh$/ {n++; f=sprintf("recipe%d.sh", n); next} /^```$/ {f=""; next} f {print >f}' "$C/jq/recipes.md"
n=$(ls recipe*.sh | wc -l)
[ "$n" -ge 6 ] || fail "only $n recipes found"
for r in recipe*.sh; do
	sed -i -e "s|/system.slice/nginx.service|$CG|" -e "s|--argjson pid 1234|--argjson pid $G|" "$r"
	sh "$r" >"$r.out" 2>"$r.err" || fail "recipe failed: $(cat "$r") -> $(cat "$r.err")"
done
# 1 top growers now, 2 over the log, 3 cgroup over time, 4 pid CSV,
# 5 largest cgroups, 6 events, 7 growing/leak processes.
[ "$(head -n 1 recipe1.sh.out | cut -f1)" = "$G" ] || fail "top grower now is not the growing process: $(cat recipe1.sh.out)"
[ "$(head -n 1 recipe2.sh.out | cut -f1)" = "$G" ] || fail "top grower over the log: $(cat recipe2.sh.out)"
[ "$(head -n 1 recipe2.sh.out | cut -f3)" -ge $((40 * 1024 * 1024)) ] || fail "grew_bytes too small: $(cat recipe2.sh.out)"
[ "$(wc -l <recipe3.sh.out)" -eq "$lines" ] || fail "cgroup usage rows $(wc -l <recipe3.sh.out), log lines $lines"
[ "$(wc -l <recipe4.sh.out)" -eq "$lines" ] || fail "process CSV rows $(wc -l <recipe4.sh.out), log lines $lines"
head -n 1 recipe4.sh.out | grep -q '^"20[0-9-]*T[0-9:.]*Z",[0-9][0-9]*,' || fail "CSV row: $(head -n 1 recipe4.sh.out)"
grep -q "^$CG	[0-9]" recipe5.sh.out || fail "largest cgroups: $(cat recipe5.sh.out)"
for r in 6 7; do [ -s recipe$r.sh.out ] || fail "recipe $r printed nothing: $(cat recipe$r.sh)"; done
grep -q "^$G	" recipe7.sh.out || fail "the growing process is not listed as growing: $(cat recipe7.sh.out)"
ok "$n jq recipes give the expected answers on a $lines-line log"

PLOT="$C/plot/memslope-plot"
# A tool test.sh installs but that is missing here: the other checks still
# run, and the test ends as a SKIP that names what was not checked.
NOT_CHECKED=""
if command -v gnuplot >/dev/null 2>&1; then
	sh "$PLOT" -o plot.png memslope.ndjson >/dev/null || fail "memslope-plot PNG failed"
	[ "$(head -c 8 plot.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "plot.png is not a PNG"
	sh "$PLOT" -o plot.svg -p "$G" -c "$CG" -t 'a "quoted" title' memslope.ndjson >/dev/null || fail "memslope-plot SVG failed"
	grep -q '<svg' plot.svg || fail "plot.svg is not SVG"
	grep -q "python3 ($G)" plot.svg || fail "the process is not in the SVG legend"
	if sh "$PLOT" -o plot.png -p 999999999 memslope.ndjson 2>/dev/null; then fail "plotting a missing pid succeeded"; fi
	if sh "$PLOT" -o plot.gif memslope.ndjson 2>/dev/null; then fail "an unknown format was accepted"; fi
	ok "memslope-plot wrote PNG and SVG"
else
	NOT_CHECKED="$NOT_CHECKED; memslope-plot (gnuplot is not installed: Debian package gnuplot-nox)"
fi

if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir units
	for u in memslope.service memslope@.service; do
		sed "s|@bindir@|$(dirname "$MEMSLOPE")|g" "$C/systemd/$u.in" >"units/$u"
	done
	# The template binds to the unit it watches: the test brings its own
	# (verify searches the units' directory), so no installed service is
	# needed. A unit that does not exist must fail the verification.
	printf '[Unit]\nDescription=memslope test target\n[Service]\nType=oneshot\nExecStart=/bin/true\n' \
		>units/memslope-test-target.service
	cp units/memslope@.service units/memslope@memslope-test-target.service.service
	cp units/memslope@.service units/memslope@memslope-no-such-unit.service.service
	systemd-analyze verify --man=no units/memslope.service units/memslope@memslope-test-target.service.service \
		>verify.out 2>&1 || fail "systemd-analyze verify: $(cat verify.out)"
	if grep -q . verify.out; then fail "systemd-analyze verify warns: $(cat verify.out)"; fi
	if systemd-analyze verify --man=no units/memslope@memslope-no-such-unit.service.service >verify2.out 2>&1; then
		fail "systemd-analyze verify passed a template bound to a missing unit: the check proves nothing"
	fi
	ok "systemd units verify"
else
	NOT_CHECKED="$NOT_CHECKED; systemd units (systemd-analyze is not installed: Debian package systemd)"
fi
if command -v logrotate >/dev/null 2>&1; then
	logrotate -d "$C/logrotate/memslope" >logrotate.out 2>&1 || fail "logrotate -d: $(cat logrotate.out)"
	if grep -qi 'error' logrotate.out; then fail "logrotate -d: $(cat logrotate.out)"; fi
	ok "logrotate file parses"
else
	NOT_CHECKED="$NOT_CHECKED; contrib/logrotate/memslope (logrotate is not installed: Debian package logrotate)"
fi
[ -z "$NOT_CHECKED" ] || skip "not checked${NOT_CHECKED#;}"
