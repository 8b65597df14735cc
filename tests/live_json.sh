#!/bin/sh
# Live: real processes, --once --json. RSS agrees with /proc within 5 %,
# selections work, the document validates against the schema.
. "${srcdir:-.}/tests/lib.sh"

P=$(hold 100)
"$MEMSLOPE" --once --json -p "$P" >"$TMP/once.json" || fail "--once --json -p $P failed"
validate "$TMP/once.json"
got=$(jget "$TMP/once.json" "[p['rss_bytes'] for p in d['processes'] if p['pid']==$P][0]")
want=$(( $(rss_kb "$P") * 1024 ))
python3 -c "import sys; g,w=$got,$want; sys.exit(0 if abs(g-w) <= 0.05*w else 1)" ||
	fail "rss_bytes $got differs from /proc VmRSS $want by more than 5 %"
ok "rss_bytes $got vs VmRSS $want"
[ "$(jget "$TMP/once.json" "len(d['processes'])")" -eq 1 ] || fail "-p selected more than one process"
[ "$(jget "$TMP/once.json" "d['schema']")" = "memslope/1" ] || fail "schema id"
# The process's cgroup is reported with an effective limit and its source.
jget "$TMP/once.json" "d['processes'][0]['limit_bytes'] > 0 and d['processes'][0]['limit_source']" >/dev/null ||
	fail "no effective limit"
cg=$(jget "$TMP/once.json" "d['processes'][0]['cgroup']")
if [ "$cg" != "None" ]; then
	[ "$(jget "$TMP/once.json" "len([c for c in d['cgroups'] if c['path']=='$cg'])")" -eq 1 ] ||
		fail "cgroup $cg of the process is not in cgroups[]"
fi
# PSS is on for explicitly watched processes, and plausible.
jget "$TMP/once.json" "0 < d['processes'][0]['pss_bytes'] <= d['processes'][0]['rss_bytes']" | grep -q True ||
	fail "pss_bytes missing or above rss for a watched process"

# -n matches the command line; --no-pss leaves PSS absent (null, not 0).
"$MEMSLOPE" --once --json --no-pss -n "bytearray\\(100 \\*" >"$TMP/n.json" || fail "-n failed"
[ "$(jget "$TMP/n.json" "[p['pid'] for p in d['processes']]")" = "[$P]" ] || fail "-n selected $(jget "$TMP/n.json" "[p['pid'] for p in d['processes']]")"
[ "$(jget "$TMP/n.json" "d['processes'][0]['pss_bytes']")" = "None" ] || fail "--no-pss still read PSS"

# Everything (default): many processes, no kernel threads, no zero RSS.
"$MEMSLOPE" --once --json >"$TMP/all.json" || fail "all processes failed"
validate "$TMP/all.json"
n=$(jget "$TMP/all.json" "len(d['processes'])")
[ "$n" -ge 3 ] || fail "only $n processes in the all-processes view"
[ "$(jget "$TMP/all.json" "len([p for p in d['processes'] if p['rss_bytes']==0])")" -eq 0 ] ||
	fail "a process has rss_bytes 0 (absent must be null)"
[ "$(jget "$TMP/all.json" "len([p for p in d['processes'] if p['cmdline'].startswith('[kworker')])")" -eq 0 ] ||
	fail "kernel threads listed"

# -u root selects root's processes only.
"$MEMSLOPE" --once --json -u root >"$TMP/u.json" || fail "-u failed"
[ "$(jget "$TMP/u.json" "len([p for p in d['processes'] if p['uid']!=0])")" -eq 0 ] || fail "-u root listed others"
ok "live json"
