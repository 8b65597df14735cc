#!/bin/sh
# Live: the NDJSON log. --count, trees with children, SIGTERM mid-run,
# rotation, SIGUSR1 snapshots; every line whole and schema-valid.
. "${srcdir:-.}/tests/lib.sh"

# A parent with two children, each holding memory: the tree sums them.
python3 -c "
import os, time
kids = []
for i in range(2):
    pid = os.fork()
    if pid == 0:
        b = bytearray(30 << 20)
        for j in range(0, len(b), 4096): b[j] = 1
        time.sleep(3600); os._exit(0)
    kids.append(pid)
time.sleep(3600)" &
PARENT=$!
CHILDREN="$CHILDREN $PARENT"
kids() { cat /proc/$PARENT/task/*/children 2>/dev/null | wc -w; }
two_kids() { [ "$(kids)" -eq 2 ]; }
wait_for 20 two_kids || fail "children did not start"
for k in $(cat /proc/$PARENT/task/*/children); do CHILDREN="$CHILDREN $k"; wait_for 20 rss_at_least "$k" 30000; done

"$MEMSLOPE" --log - --count 5 -t -p "$PARENT" --interval 200ms >"$TMP/tree.ndjson" || fail "--log - failed"
[ "$(wc -l <"$TMP/tree.ndjson")" -eq 5 ] || fail "--count 5 wrote $(wc -l <"$TMP/tree.ndjson") lines"
validate "$TMP/tree.ndjson" --ndjson
tail -n 1 "$TMP/tree.ndjson" >"$TMP/last.json"
[ "$(jget "$TMP/last.json" "d['trees'][0]['n_procs']")" -eq 3 ] || fail "tree does not hold parent and 2 children"
[ "$(jget "$TMP/last.json" "d['trees'][0]['rss_bytes'] >= 60*2**20")" = True ] || fail "tree sum below the children's 60 MB"
[ "$(jget "$TMP/last.json" "sum(p['rss_bytes'] for p in d['processes']) == d['trees'][0]['rss_bytes']")" = True ] ||
	fail "tree rss is not the sum of its processes"
ok "tree"

# SIGTERM mid-run: exit 0, only whole lines.
"$MEMSLOPE" --log "$TMP/term.ndjson" --interval 100ms >/dev/null 2>&1 &
M=$!
CHILDREN="$CHILDREN $M" # runs until killed: not past a failed check
has_lines() { [ "$(wc -l <"$TMP/term.ndjson" 2>/dev/null || echo 0)" -ge 3 ]; }
wait_for 20 has_lines || fail "no log lines"
kill -TERM $M
wait $M
rc=$?
[ $rc -eq 0 ] || fail "SIGTERM exit status $rc"
[ "$(tail -c 1 "$TMP/term.ndjson" | od -An -c | tr -d ' ')" = '\n' ] || fail "log ends in a partial line"
validate "$TMP/term.ndjson" --ndjson
ok "SIGTERM leaves whole lines"

# Rotation: small cap, FILE.1 appears, each file valid on its own.
"$MEMSLOPE" --log "$TMP/rot.ndjson" --log-max-size 64K --log-keep 2 --count 40 --interval 100ms >/dev/null ||
	fail "rotation run failed"
[ -s "$TMP/rot.ndjson.1" ] || fail "no rotated file"
[ ! -e "$TMP/rot.ndjson.3" ] || fail "--log-keep 2 kept a third file"
validate "$TMP/rot.ndjson" --ndjson
validate "$TMP/rot.ndjson.1" --ndjson
ok "rotation"

# SIGUSR1: a snapshot file, named on stderr.
"$MEMSLOPE" --log /dev/null --snapshot-dir "$TMP" -p "$PARENT" --interval 100ms 2>"$TMP/usr1.err" &
M=$!
CHILDREN="$CHILDREN $M"
sleep 0.5
kill -USR1 $M
named() { grep -q "snapshot written to" "$TMP/usr1.err"; }
wait_for 20 named || fail "SIGUSR1 wrote no snapshot"
kill -TERM $M
wait $M
snap=$(sed -n 's/.*snapshot written to //p' "$TMP/usr1.err")
[ -s "$snap" ] || fail "snapshot $snap missing"
validate "$snap"
ok "SIGUSR1 snapshot $snap"

# --duration bounds the run; delta lines validate.
"$MEMSLOPE" --log "$TMP/delta.ndjson" --log-format delta --duration 1s --interval 200ms -p "$PARENT" ||
	fail "--duration/--log-format delta failed"
validate "$TMP/delta.ndjson" --ndjson
[ "$(head -n 1 "$TMP/delta.ndjson" | python3 -c 'import json,sys; print(json.load(sys.stdin)["type"])')" = snapshot ] ||
	fail "delta log does not start with a snapshot"
ok "live log"
