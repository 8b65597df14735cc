#!/bin/sh
# --prom-file: a real metrics file passes `promtool check metrics`, carries
# the documented families, escapes label values, keeps cardinality to
# --prom-top plus growing processes, is replaced atomically (no reader ever
# sees half a file, no temporary left behind), and a bad path is one line,
# exit 1, before anything starts.
. "${srcdir:-.}/tests/lib.sh"

command -v promtool >/dev/null 2>&1 || skip "promtool is not installed (Debian package prometheus)"
D="$TMP/textfile"
mkdir "$D"
P=$(hold 20)

# A process whose name needs escaping: a double quote and a backslash.
python3 -c '
import time
open("/proc/self/comm", "w").write("we\"ird\\name")
time.sleep(3600)' &
Q=$!
CHILDREN="$CHILDREN $Q"
named() { grep -q 'ird' "/proc/$Q/comm"; }
wait_for 10 named || fail "could not rename the test process"

"$MEMSLOPE" --prom-file "$D/memslope.prom" --count 3 --interval 200ms -p "$P,$Q" -t >"$TMP/out" 2>"$TMP/err" ||
	fail "memslope --prom-file failed: $(cat "$TMP/err")"
[ ! -s "$TMP/out" ] || fail "--prom-file wrote to stdout"
promtool check metrics <"$D/memslope.prom" >"$TMP/promtool" 2>&1 || fail "promtool check metrics: $(cat "$TMP/promtool")"
for fam in memslope_process_rss_bytes memslope_process_growth_bytes_per_second memslope_process_leak \
	memslope_cgroup_usage_bytes memslope_cgroup_limit_bytes memslope_time_to_limit_seconds memslope_tree_rss_bytes \
	memslope_self_rss_bytes memslope_self_cpu_ratio memslope_info; do
	grep -q "^# HELP $fam " "$D/memslope.prom" || fail "no HELP for $fam"
	grep -q "^# TYPE $fam gauge" "$D/memslope.prom" || fail "no TYPE for $fam"
done
grep -q "^memslope_process_rss_bytes{pid=\"$P\",name=\"python3\",cgroup=\"[^\"]*\"} [0-9][0-9]*\$" "$D/memslope.prom" ||
	fail "no RSS sample for pid $P"
grep -q "^memslope_process_leak{pid=\"$P\",.*} 0\$" "$D/memslope.prom" || fail "no leak=0 sample for a flat process"
# The expected label: the name memslope reports, escaped per the format.
"$MEMSLOPE" --once --json -p "$Q" >"$TMP/q.json" || fail "--once for the odd name failed"
want=$(python3 -c 'import json, sys
n = json.load(open(sys.argv[1]))["processes"][0]["name"]
assert "\"" in n and "\\" in n, n
print("name=\"%s\"" % n.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))' "$TMP/q.json") ||
	fail "the odd name lost its quote or backslash"
grep -qF "$want" "$D/memslope.prom" || fail "label value not escaped: want $want; got $(grep "pid=\"$Q\"" "$D/memslope.prom" | head -n 1)"
grep -q "^memslope_tree_rss_bytes{pid=\"$P\",name=\"python3\"} " "$D/memslope.prom" || fail "no tree sample"
if grep -q ' NaN$\| nan$' "$D/memslope.prom"; then fail "absent values written as NaN"; fi
[ "$(ls -A "$D")" = memslope.prom ] || fail "temporary files left behind: $(ls -A "$D")"
ok "promtool check metrics passes; families, labels and escaping"

# Cardinality: every process watched, but only --prom-top 3 plus growing ones exported.
"$MEMSLOPE" --prom-file "$D/all.prom" --prom-top 3 --count 2 --interval 200ms 2>"$TMP/err" || fail "all-process run failed"
promtool check metrics <"$D/all.prom" >"$TMP/promtool" 2>&1 || fail "promtool (all): $(cat "$TMP/promtool")"
n=$(grep -c '^memslope_process_rss_bytes{' "$D/all.prom")
growing=$(grep -c '^memslope_process_growing{.*} 1$' "$D/all.prom")
watched=$(sed -n 's/^memslope_self_processes_watched //p' "$D/all.prom")
[ "$n" -le $((3 + growing)) ] || fail "$n processes exported with --prom-top 3 and $growing growing"
[ "$n" -eq "$(sed -n 's/^memslope_self_processes_exported //p' "$D/all.prom")" ] || fail "processes_exported disagrees"
[ "$watched" -gt "$n" ] || fail "watched $watched, exported $n: the bound was not exercised"
ok "cardinality: $n of $watched processes exported"

# Atomic replacement: a reader polling while memslope rewrites every 100 ms
# always sees a whole file (it ends with the last family's HELP/TYPE or a
# sample and a newline, and starts with memslope_info).
"$MEMSLOPE" --prom-file "$D/live.prom" --interval 100ms -p "$P" --duration 4s 2>"$TMP/err" &
M=$!
exists() { [ -s "$D/live.prom" ]; }
wait_for 10 exists || fail "no metrics file"
reads=$(python3 - "$D/live.prom" <<'PY'
import sys, time
path, n, t_end = sys.argv[1], 0, time.time() + 2.5
while time.time() < t_end:
    with open(path) as f:
        text = f.read()
    assert text.startswith("# HELP memslope_info "), "file does not start with memslope_info"
    assert text.endswith("\n"), "partial file (no final newline)"
    assert "# TYPE memslope_time_to_limit_seconds gauge\n" in text, "partial file (last family missing)"
    n += 1
print(n)
PY
) || fail "a reader saw a partial metrics file"
kill -TERM $M
wait $M || fail "memslope exited $? on SIGTERM"
[ "$(ls -A "$D" | grep -vc '\.prom$')" -eq 0 ] || fail "temporary files left behind: $(ls -A "$D")"
ok "atomic rewrite: $reads whole reads while it was replaced"

# Bad paths: one line, exit 1, nothing started.
expect1() {
	"$MEMSLOPE" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	[ "$rc" -eq 1 ] || fail "memslope $* exited $rc, expected 1"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "memslope $*: not one line: $(cat "$TMP/err")"
	grep -q -- "--prom-file" "$TMP/err" || fail "memslope $*: $(cat "$TMP/err")"
	[ ! -s "$TMP/out" ] || fail "memslope $* wrote to stdout"
}
expect1 --prom-file /nonexistent-dir/memslope.prom --count 1
expect1 --prom-file "$D" --count 1
chmod 0555 "$D"
if [ "$(id -u)" -ne 0 ]; then expect1 --prom-file "$D/x.prom" --count 1; fi
chmod 0755 "$D"
ok "bad --prom-file paths"
