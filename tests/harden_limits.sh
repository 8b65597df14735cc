#!/bin/sh
# A monitor that sees nothing says why (issue 19, items 9-10): with
# `ulimit -n 8` memslope refuses to start in one line (it used to write
# lines of 0 processes and exit 0); with a modest limit its kept
# descriptors leave room for the metrics file; a --prom-file that fails
# every tick is reported with a count, and a run that ends with it failing
# exits 1; `-p 1,1` is one entity and one series, which node_exporter's
# textfile collector serves without a gathering error.
. "${srcdir:-.}/tests/lib.sh"

# 9. ulimit -n 8: a one-line error, non-zero status, no empty lines.
(ulimit -n 8 && exec "$MEMSLOPE" --log "$TMP/n8.ndjson" --count 2 --interval 100ms) 2>"$TMP/err"
rc=$?
[ $rc -ne 0 ] || fail "ulimit -n 8: exit 0 ($(cat "$TMP/err"))"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "open-file limit (RLIMIT_NOFILE) is 8" "$TMP/err" ||
	fail "ulimit -n 8: no one-line reason: $(cat "$TMP/err")"
[ ! -s "$TMP/n8.ndjson" ] || fail "ulimit -n 8: lines were written: $(head -c 200 "$TMP/n8.ndjson")"
ok "ulimit -n 8: exit $rc, $(cat "$TMP/err")"
# A limit of 40 works, metrics file included (kept descriptors are capped
# at a quarter of the limit).
(ulimit -n 40 && exec "$MEMSLOPE" --log "$TMP/n40.ndjson" --prom-file "$TMP/n40.prom" --count 3 --interval 100ms) \
	2>"$TMP/err" || fail "ulimit -n 40: $(cat "$TMP/err")"
[ ! -s "$TMP/err" ] || fail "ulimit -n 40: $(cat "$TMP/err")"
n=$(tail -n 1 "$TMP/n40.ndjson" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["processes"]))')
[ "$n" -gt 1 ] && grep -q '^memslope_process_rss_bytes{' "$TMP/n40.prom" || fail "ulimit -n 40: $n processes, or no metrics"
ok "ulimit -n 40: $n processes, metrics written"

# 9. A --prom-file failing every tick: said with a count, exit 1.
mkdir "$TMP/gone"
"$MEMSLOPE" --prom-file "$TMP/gone/m.prom" --log "$TMP/p.ndjson" --count 8 --interval 100ms -p $$ 2>"$TMP/err" &
M=$!
wait_for 10 test -s "$TMP/gone/m.prom" || fail "no metrics file written"
rm -rf "$TMP/gone"
wait $M
rc=$?
[ $rc -eq 1 ] || fail "a metrics file failing to the end: exit $rc ($(cat "$TMP/err"))"
grep -q "^memslope: --prom-file: cannot write .*(1 of [0-9]* writes failed)" "$TMP/err" &&
	grep -q "^memslope: --prom-file .*: [0-9]* of 8 writes failed, the last one too" "$TMP/err" ||
	fail "the failing metrics file was not reported with a count: $(cat "$TMP/err")"
ok "a failing --prom-file: exit 1; $(tail -n 1 "$TMP/err")"

# 10. -p 1,1 (and -p 1 -p 1): one process entity, one series per metric.
"$MEMSLOPE" -p 1,1 -p 1 --once --json >"$TMP/one.json" 2>"$TMP/err" || fail "-p 1,1: $(cat "$TMP/err")"
[ "$(jget "$TMP/one.json" "[p['pid'] for p in d['processes']]")" = "[1]" ] || fail "-p 1,1 -p 1: duplicate entities"
"$MEMSLOPE" -p 1,1 --prom-file "$TMP/dup.prom" --count 1 --log /dev/null 2>"$TMP/err" || fail "-p 1,1 --prom-file: $(cat "$TMP/err")"
dups=$(grep -v '^#' "$TMP/dup.prom" | sed 's/ [^ ]*$//' | sort | uniq -d)
[ -z "$dups" ] || fail "duplicate series: $dups"
NE=$(command -v prometheus-node-exporter || command -v node_exporter) ||
	skip "node_exporter is not installed (Debian package prometheus-node-exporter); no duplicate series found"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir "$TMP/textfile"
cp "$TMP/dup.prom" "$TMP/textfile/memslope.prom"
"$NE" --web.listen-address="127.0.0.1:$PORT" --collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$TMP/textfile" >"$TMP/ne.log" 2>&1 &
CHILDREN="$CHILDREN $!"
ne_ok() {
	python3 - "$PORT" >"$TMP/ne.answer" 2>&1 <<'PY'
import sys, urllib.request
text = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=2).read().decode()
err = [l for l in text.splitlines() if l.startswith("node_textfile_scrape_error")]
print(err)
assert err == ["node_textfile_scrape_error 0"], err
assert 'memslope_process_rss_bytes{' in text and 'pid="1"' in text, "no series for pid 1"
PY
}
wait_for 20 ne_ok || fail "node_exporter rejects the -p 1,1 metrics file: $(cat "$TMP/ne.answer") $(tail -n 3 "$TMP/ne.log")"
# A duplicate series is an error of the gatherer, logged at the scrape
# ("was collected before with the same name and label values").
sleep 0.3
! grep -q "error gathering metrics\|collected before" "$TMP/ne.log" ||
	fail "node_exporter: $(grep -o 'collected metric [^{]*' "$TMP/ne.log" | head -n 3)"
ok "-p 1,1: one entity; node_exporter's textfile collector takes the metrics file"
