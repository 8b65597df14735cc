#!/bin/sh
# A real transient systemd unit: memslope run by systemd-run --scope names
# its own process's unit. Needs systemd as the machine's init (a SKIP with
# that reason elsewhere); container_names.sh covers the other shapes.
. "${srcdir:-.}/tests/lib.sh"

command -v systemd-run >/dev/null 2>&1 || skip "systemd-run is not installed (Debian package systemd)"
[ -d /run/systemd/system ] || skip "systemd does not run this machine: no transient scopes"
U="memslope-test-$$"
systemd-run --scope --unit "$U" --quiet sh -c 'exec "$0" --once --json -p $$' "$MEMSLOPE" >"$TMP/s.json" 2>"$TMP/err" ||
	skip "systemd-run --scope is not permitted here: $(tail -n 1 "$TMP/err")"
validate "$TMP/s.json"
[ "$(jget "$TMP/s.json" "d['processes'][0]['unit']")" = "$U.scope" ] ||
	fail "the scope's unit is $(jget "$TMP/s.json" "d['processes'][0]['unit']"), expected $U.scope"
ok "systemd-run --scope: unit $U.scope"
