#!/bin/sh
# A real scrape: memslope writes its metrics file into a textfile directory,
# node_exporter (textfile collector only) serves it on 127.0.0.1, a real
# Prometheus on 127.0.0.1 scrapes it every second, and the HTTP API gives
# a memslope metric back with the watched process's pid label. Bounded in
# time; everything started here is stopped here.
. "${srcdir:-.}/tests/lib.sh"

NE=$(command -v prometheus-node-exporter || command -v node_exporter) ||
	skip "node_exporter is not installed (Debian package prometheus-node-exporter)"
PROM=$(command -v prometheus) || skip "prometheus is not installed (Debian package prometheus)"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
NE_PORT=$(free_port)
PROM_PORT=$(free_port)
D="$TMP/textfile"
mkdir "$D" "$TMP/tsdb"
P=$(hold 20)

"$MEMSLOPE" --prom-file "$D/memslope.prom" --interval 500ms -p "$P" --duration 60s 2>"$TMP/memslope.err" &
CHILDREN="$CHILDREN $!"
"$NE" --web.listen-address="127.0.0.1:$NE_PORT" --collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$D" >"$TMP/ne.log" 2>&1 &
CHILDREN="$CHILDREN $!"
cat >"$TMP/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: memslope
    static_configs:
      - targets: ['127.0.0.1:$NE_PORT']
YML
"$PROM" --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
	--web.listen-address="127.0.0.1:$PROM_PORT" >"$TMP/prom.log" 2>&1 &
CHILDREN="$CHILDREN $!"

# node_exporter reports a textfile it cannot parse as node_textfile_scrape_error 1.
ne_ok() {
	python3 - "$NE_PORT" <<'PY'
import sys, urllib.request
text = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=2).read().decode()
assert "node_textfile_scrape_error 0" in text, "textfile collector error"
assert "memslope_process_rss_bytes{" in text
PY
}
wait_for 20 ne_ok || fail "node_exporter does not serve the metrics file cleanly: $(tail -n 5 "$TMP/ne.log")"

query() {
	python3 - "$PROM_PORT" "$P" >"$TMP/answer" <<'PY'
import json, sys, urllib.parse, urllib.request
port, pid = sys.argv[1], sys.argv[2]
q = urllib.parse.quote('memslope_process_rss_bytes{job="memslope",pid="%s"}' % pid)
d = json.load(urllib.request.urlopen("http://127.0.0.1:%s/api/v1/query?query=%s" % (port, q), timeout=2))
r = d["data"]["result"]
assert d["status"] == "success" and len(r) == 1, r
print(r[0]["metric"]["name"], r[0]["value"][1])
PY
}
wait_for 40 query || fail "Prometheus did not return memslope_process_rss_bytes for pid $P: $(tail -n 5 "$TMP/prom.log")"
read -r name rss <"$TMP/answer"
[ "$name" = python3 ] || fail "name label is '$name'"
[ "$rss" -ge $((20 * 1024 * 1024)) ] || fail "scraped RSS $rss is below the 20 MB the process holds"
ok "Prometheus scraped memslope through node_exporter: pid $P rss $rss bytes"
