#!/bin/sh
# Output files (issue 19, item 12): logs and snapshots carry what /proc may
# hide from other users (command lines; PSS under hidepid), so the files
# memslope creates are 0600, or 0640 owned by --file-group's group; a log
# that already exists keeps its mode; the Prometheus file stays 0644 (a
# collector of another user reads it).
. "${srcdir:-.}/tests/lib.sh"

mode() { stat -c %a "$1"; }
group() { stat -c %g "$1"; }
umask 022 # the old 0644 would show

# Default: 0600, for the log, each rotated file and a snapshot.
"$MEMSLOPE" --log "$TMP/a.ndjson" --log-max-size 4K --log-keep 2 --count 4 --interval 100ms -p $$ \
	--snapshot-dir "$TMP" 2>"$TMP/err" &
M=$!
wait_for 10 test -s "$TMP/a.ndjson" || fail "no log"
kill -USR1 $M
wait $M || fail "memslope failed: $(cat "$TMP/err")"
snap=$(sed -n 's/.*snapshot written to //p' "$TMP/err")
[ -f "$snap" ] || fail "no snapshot: $(cat "$TMP/err")"
[ -f "$TMP/a.ndjson.1" ] || fail "the log did not rotate"
for f in "$TMP/a.ndjson" "$TMP/a.ndjson.1" "$snap"; do
	[ "$(mode "$f")" = 600 ] || fail "$f is $(mode "$f"), expected 600"
done
ok "log, rotated log and snapshot are 0600"

# --file-group: 0640 in that group (nogroup as root; else our own group).
if [ "$(id -u)" = 0 ] && getent group nogroup >/dev/null; then G=nogroup; GID=$(getent group nogroup | cut -d: -f3)
else G=$(id -g); GID=$G; fi
mkdir "$TMP/gs"
"$MEMSLOPE" --log "$TMP/g.ndjson" --count 20 --interval 100ms -p $$ --file-group "$G" --snapshot-dir "$TMP/gs" \
	2>"$TMP/err" &
M=$!
wait_for 10 test -s "$TMP/g.ndjson" || fail "no log"
kill -USR1 $M
wait_for 10 grep -q "snapshot written to" "$TMP/err" || fail "no snapshot: $(cat "$TMP/err")"
wait $M || fail "memslope --file-group failed: $(cat "$TMP/err")"
snap=$(sed -n 's/.*snapshot written to //p' "$TMP/err")
for f in "$TMP/g.ndjson" "$snap"; do
	[ "$(mode "$f")" = 640 ] && [ "$(group "$f")" = "$GID" ] ||
		fail "$f is $(mode "$f") group $(group "$f"), expected 640 group $GID"
done
ok "--file-group $G: log and snapshot 0640 in group $GID"

# An existing log keeps its mode; the metrics file is 0644.
: >"$TMP/old.ndjson"
chmod 644 "$TMP/old.ndjson"
"$MEMSLOPE" --log "$TMP/old.ndjson" --prom-file "$TMP/m.prom" --count 1 -p $$ 2>"$TMP/err" || fail "$(cat "$TMP/err")"
[ "$(mode "$TMP/old.ndjson")" = 644 ] || fail "an existing log's mode was changed to $(mode "$TMP/old.ndjson")"
[ "$(mode "$TMP/m.prom")" = 644 ] || fail "the metrics file is $(mode "$TMP/m.prom")"
ok "an existing log keeps its mode; the metrics file is 0644"

"$MEMSLOPE" --file-group no-such-group-$$ --once --json >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] && grep -q "no such group" "$TMP/err" || fail "--file-group with a bad group: $(cat "$TMP/err")"
ok "$(cat "$TMP/err")"
