#!/bin/sh
# Soak (run by hand, not part of make check): memslope samples every process
# at 0.2 s for MINUTES with process churn around it and a rotating log; a
# second memslope watches the first at 1 s and judges its trend. Prints the
# soaked memslope's RSS and descriptor count at the start, every minute and
# at the end, and the watcher's verdict on it.
#
#   tests/soak.sh [MINUTES]     (default 30; MEMSLOPE=path/to/memslope)
#
# Exit 0 when RSS did not grow over the second half of the run (by less
# than 5% or 2 MiB: the first half includes the high-water mark of however
# many processes the machine had, which malloc keeps), descriptors other
# than the per-process kept ones did not grow, and the watcher's verdict is
# stable (unknown is accepted only when MINUTES is too short for one).
set -u
MINUTES=${1:-30}
MEMSLOPE=${MEMSLOPE:-$(dirname "$0")/../build/memslope}
[ -x "$MEMSLOPE" ] || { echo "soak.sh: $MEMSLOPE is not built (set MEMSLOPE=)"; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/memslope-soak.XXXXXX")
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; sleep 0.5; rm -rf "$TMP"' EXIT INT TERM

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
nfds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
# Descriptors memslope keeps on purpose (statm/status/smaps_rollup of the
# processes it samples), from its own last log line: the rest must not grow.
kept() { { tail -n 1 "$TMP/soak.ndjson.1"; tail -n 1 "$TMP/soak.ndjson"; } 2>/dev/null | tail -n 1 | python3 -c "
import json, sys
try: print(json.loads(sys.stdin.readline())['self']['fds'])
except Exception: print(0)"; }

# Churn: ~40 short-lived processes a second, some holding a little memory,
# and a few longer-lived ones that come and go.
churn() {
	i=0
	while :; do
		for _ in 1 2 3 4 5 6 7 8; do /bin/true & done
		sh -c 'x=$(seq 1 2000); sleep 0.05' &
		i=$((i + 1))
		[ $((i % 20)) -eq 0 ] && python3 -c 'import time; b=bytearray(8<<20); time.sleep(3)' &
		sleep 0.2
		wait 2>/dev/null
	done
}
churn >/dev/null 2>&1 &
PIDS="$PIDS $!"

# Stopped by SIGTERM after the last measurement, so that one is taken.
"$MEMSLOPE" --interval 200ms --log "$TMP/soak.ndjson" --log-max-size 16MB --log-keep 1 \
	2>"$TMP/soak.err" &
M=$!
PIDS="$PIDS $M"
"$MEMSLOPE" --interval 1s -p "$M" --log "$TMP/watch.ndjson" --log-format snapshot \
	--log-max-size 64MB --log-keep 1 --duration "$((MINUTES + 1))m" 2>"$TMP/watch.err" &
W=$!
PIDS="$PIDS $W"

sleep 10 # past start-up: the first tick's identity reads of every process
nprocs() { ls -d /proc/[0-9]* 2>/dev/null | wc -l; }
rss0=$(rss_kb "$M") fd0=$(nfds "$M") k0=$(kept) rss_half=""
max_procs=$(nprocs)
echo "soak.sh: start (t=10s): memslope pid $M rss ${rss0} kB, fds ${fd0} (${k0} kept on sampled processes)"
t=10
end=$((MINUTES * 60))
while [ $((t + 60)) -le "$end" ] && kill -0 "$M" 2>/dev/null; do
	sleep 60
	t=$((t + 60))
	n=$(nprocs)
	[ "$n" -gt "$max_procs" ] && max_procs=$n
	r=$(rss_kb "$M")
	[ -z "$rss_half" ] && [ "$t" -ge $((end / 2)) ] && rss_half=$r
	echo "soak.sh: t=${t}s rss ${r} kB, fds $(nfds "$M") ($(kept) kept), processes $n"
done
[ "$t" -lt "$end" ] && sleep $((end - t)) && t=$end
rss1=$(rss_kb "$M") fd1=$(nfds "$M") k1=$(kept)
echo "soak.sh: end (t=${t}s): rss ${rss1:-?} kB, fds ${fd1:-?} (${k1} kept on sampled processes), processes $(nprocs)"
echo "soak.sh: rss at the start ${rss0} kB, at half-time ${rss_half:-?} kB, at the end ${rss1:-?} kB; most processes seen $max_procs"
verdict=$(tail -n 1 "$TMP/watch.ndjson" | python3 -c "
import json, sys
d = json.loads(sys.stdin.readline())
p = [p for p in d['processes'] if p['pid'] == $M]
t = p[0]['trend'] if p else {}
print(t.get('verdict', 'gone'), t.get('slope_bytes_per_s'))")
echo "soak.sh: the watcher's verdict on memslope: $verdict (verdict, slope bytes/s)"
kill -TERM "$M"
wait "$M"
rc=$?
echo "soak.sh: memslope exit status $rc; stderr: $(head -c 300 "$TMP/soak.err")"
lines=$(cat "$TMP"/soak.ndjson* | wc -l)
bad=$(cat "$TMP"/soak.ndjson* | python3 -c "
import json, sys
bad = 0
for l in sys.stdin:
    try: json.loads(l)
    except ValueError: bad += 1
print(bad)")
echo "soak.sh: log lines $lines (current + rotated), unparsable $bad"

status=0
[ "$rc" -eq 0 ] || status=1
[ "$bad" -eq 0 ] || status=1
base=${rss_half:-$rss0}
[ -n "$rss1" ] && [ $((rss1 - base)) -lt $((base / 20 > 2048 ? base / 20 : 2048)) ] ||
	{ echo "soak.sh: RSS grew over the second half"; status=1; }
# The kept descriptors follow the number of processes on the machine; the
# others (log, /proc readers, libproc2) must stay put. The two counts are
# taken a moment apart under churn, hence the slack.
[ -n "$fd1" ] && [ $(((fd1 - k1) - (fd0 - k0))) -le 16 ] || { echo "soak.sh: descriptors grew"; status=1; }
case $verdict in
stable*) ;;
unknown*) [ "$MINUTES" -lt 10 ] || { echo "soak.sh: no verdict"; status=1; } ;;
*) echo "soak.sh: verdict is not stable"; status=1 ;;
esac
echo "soak.sh: $([ $status -eq 0 ] && echo PASS || echo FAIL)"
exit $status
