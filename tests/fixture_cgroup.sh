#!/bin/sh
# cgroup v2 and v1 logic against the fixture trees: -c works with no
# process in the cgroup; the effective limit and its source come from the
# tightest ancestor; absent files are null, never 0.
. "${srcdir:-.}/tests/lib.sh"
FX="${srcdir:-.}/tests/fixtures/cgroup"

"$MEMSLOPE" --cgroup-root "$FX/v2" -c /a/b/c -p $$ --once --json >"$TMP/v2.json" || fail "v2 fixture run"
validate "$TMP/v2.json"
q() { jget "$TMP/v2.json" "[c for c in d['cgroups'] if c['path']=='/a/b/c'][0]$1"; }
[ "$(q "['version']")" = 2 ] || fail "version"
[ "$(q "['effective_limit_bytes']")" = 536870912 ] || fail "effective limit $(q "['effective_limit_bytes']")"
[ "$(q "['effective_limit_source']")" = /a ] || fail "limit source $(q "['effective_limit_source']")"
[ "$(q "['max_bytes']")" = max ] || fail "max_bytes of an unlimited cgroup"
[ "$(q "['effective_high_source']")" = /a/b ] || fail "high source"
ok "v2 nested limits"

"$MEMSLOPE" --cgroup-root "$FX/v2" -c /nofiles -p $$ --once --json >"$TMP/nf.json" || fail "nofiles run"
validate "$TMP/nf.json"
[ "$(jget "$TMP/nf.json" "[c for c in d['cgroups'] if c['path']=='/nofiles'][0]['peak_bytes']")" = None ] ||
	fail "missing memory.peak is not null"
[ "$(jget "$TMP/nf.json" "[c for c in d['cgroups'] if c['path']=='/nofiles'][0]['pressure']")" = None ] ||
	fail "missing memory.pressure is not null"
ok "v2 missing files"

"$MEMSLOPE" --cgroup-root "$FX/v2-unlimited" -c /x/y -p $$ --once --json >"$TMP/un.json" || fail "unlimited run"
[ "$(jget "$TMP/un.json" "d['cgroups'][0]['effective_limit_source']")" = machine ] || fail "unlimited: source is not machine"
[ "$(jget "$TMP/un.json" "d['cgroups'][0]['effective_limit_bytes'] == d['system']['mem_total_bytes']")" = True ] ||
	fail "unlimited: effective limit is not MemTotal"
ok "v2 unlimited -> MemTotal"

"$MEMSLOPE" --cgroup-root "$FX/v1" -c /app/worker -p $$ --once --json >"$TMP/v1.json" || fail "v1 fixture run"
validate "$TMP/v1.json"
[ "$(jget "$TMP/v1.json" "d['cgroups'][0]['version']")" = 1 ] || fail "v1 version"
[ "$(jget "$TMP/v1.json" "d['cgroups'][0]['effective_limit_bytes']")" = 1073741824 ] || fail "v1 effective limit"
[ "$(jget "$TMP/v1.json" "d['cgroups'][0]['effective_limit_source']")" = /app ] || fail "v1 limit source"
ok "v1 hierarchy"
