#!/bin/sh
# contrib/prometheus: the rules pass `promtool check rules` and their unit
# tests (`promtool test rules` on every *_test.yml); the Grafana dashboard is
# valid JSON, and every metric that the rules and the dashboard name is one
# that out_prom.c or the series table (series.c) exports (or one the rules
# record).
. "${srcdir:-.}/tests/lib.sh"

command -v promtool >/dev/null 2>&1 || skip "promtool is not installed (Debian package prometheus)"
P="$srcdir/contrib/prometheus"
promtool check rules "$P/memslope.rules.yml" >"$TMP/check" 2>&1 || fail "promtool check rules: $(cat "$TMP/check")"
n=0
for t in "$P"/*_test.yml; do
	# promtool finds rule_files beside the test file.
	(cd "$P" && promtool test rules "$(basename "$t")") >"$TMP/test" 2>&1 ||
		fail "promtool test rules $(basename "$t"): $(cat "$TMP/test")"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no rule tests in $P"
ok "rules checked, $n rule test file(s) pass"

python3 - "$P/memslope.dashboard.json" "$P/memslope.rules.yml" "$srcdir/src/out_prom.c" "$srcdir/src/series.c" <<'PY' || fail "dashboard or rules name an unknown metric"
import json, re, sys
dash = json.load(open(sys.argv[1]))
rules = open(sys.argv[2]).read()
src = open(sys.argv[3]).read() + open(sys.argv[4]).read()
exported = set(re.findall(r'"(memslope_[a-z_]+)"', src))
recorded = set(re.findall(r'record: (memslope:[a-z0-9_:]+)', rules))
assert dash.get("panels"), "no panels"
exprs = []
for p in dash["panels"]:
    assert p.get("title") and p.get("type") and p.get("gridPos"), p
    for t in p.get("targets") or []:
        exprs.append(t["expr"])
bad = []
def check(where, text):
    # label_replace's capture (memslope_(.*)_leak) names no metric; a name
    # regex such as memslope_(process|tree)_leak names each alternative.
    text = re.sub(r'memslope_\([^)]*\*[^)]*\)[a-z_]*', '', text)
    for m in re.finditer(r'(memslope_)\(([a-z_|]+)\)([a-z_]*)', text):
        for alt in m.group(2).split("|"):
            check(where, m.group(1) + alt + m.group(3))
    text = re.sub(r'memslope_\([a-z_|]+\)[a-z_]*', '', text)
    for name in re.findall(r'memslope[_:][a-z0-9_:]*', text):
        if name not in exported and name not in recorded:
            bad.append(f"{where}: {name}")
for e in exprs:
    check("dashboard", e)
# The rules' expressions: an "expr:" line and the lines indented under it.
indent = None
for line in rules.splitlines():
    if re.match(r'\s*#', line):
        continue
    m = re.match(r'(\s*)expr:(.*)', line)
    if m:
        indent = len(m.group(1))
        check("rules", m.group(2))
    elif indent is not None and len(line) - len(line.lstrip()) > indent:
        check("rules", line)
    else:
        indent = None
for var in dash["templating"]["list"]:
    if var["type"] == "query":
        check("dashboard variable", var["query"])
if bad:
    print("\n".join(bad))
    sys.exit(1)
print(f"{len(exprs)} dashboard queries, {len(recorded)} recorded series, {len(exported)} exported names")
PY
ok "dashboard JSON and metric names"
