#!/bin/sh
# Live: a watched process that calls execve keeps being read. Its PSS
# (smaps_rollup, on a descriptor kept open, which holds the old address
# space and fails with ESRCH after the exec) is read again, and its name
# and command line become the new program's.
. "${srcdir:-.}/tests/lib.sh"

sh -c 'while [ ! -e "$1" ]; do sleep 0.1; done; exec sleep 3600' sh "$TMP/go" &
P=$!
CHILDREN="$CHILDREN $P"

"$MEMSLOPE" -p "$P" --pss --interval 200ms --log "$TMP/x.ndjson" >/dev/null 2>"$TMP/err" &
M=$!
CHILDREN="$CHILDREN $M"

last() { tail -n 1 "$TMP/x.ndjson" >"$TMP/last.json" 2>/dev/null && [ -s "$TMP/last.json" ]; }
field() { jget "$TMP/last.json" "[p for p in d['processes'] if p['pid'] == $P][0]$1" 2>/dev/null; }
before_ok() { last && [ "$(field "['name']")" = sh ] && [ "$(field "['pss_bytes'] is not None")" = True ]; }
wait_for 20 before_ok || fail "no PSS for the shell before its exec: $(cat "$TMP/last.json" "$TMP/err" 2>/dev/null | tail -c 600)"
ok "PSS and name before the exec"

touch "$TMP/go"
after_ok() {
	last && [ "$(field "['name']")" = sleep ] && [ "$(field "['cmdline']")" = "sleep 3600" ] &&
		[ "$(field "['pss_bytes'] is not None")" = True ]
}
wait_for 20 after_ok || fail "after the exec: $(jget "$TMP/last.json" "[(p['name'], p['cmdline'], p['pss_bytes']) for p in d['processes']]")"
# And it stays so (a kept descriptor that fails would turn it to null).
sleep 1
last && [ "$(field "['pss_bytes'] is not None")" = True ] || fail "PSS lost after the exec"
[ "$(field "['pss_bytes'] < 8 * 2**20")" = True ] || fail "PSS of sleep is not small: $(field "['pss_bytes']")"
validate "$TMP/x.ndjson" --ndjson
ok "PSS, name and command line follow the exec"
kill -TERM "$M"
wait "$M" || fail "memslope exited $?"
