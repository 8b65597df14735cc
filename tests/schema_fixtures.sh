#!/bin/sh
# The published schema accepts the hand-written valid documents and the
# golden snapshot, and rejects documents that break its rules.
. "${srcdir:-.}/tests/lib.sh"
F="${srcdir:-.}/tests/fixtures/json"
validate "$F/valid-snapshot.json"
validate "$F/valid-postmortem.json"
validate "${srcdir:-.}/tests/expected/snapshot.json"
for bad in "$F"/invalid-*.json; do
	python3 "$VALIDATE" "$SCHEMA" "$bad" >/dev/null 2>&1
	rc=$?
	[ $rc -eq 77 ] && skip "python3 jsonschema is not installed"
	[ $rc -eq 1 ] || fail "schema accepted $bad (rc $rc)"
done
ok "schema fixtures"
