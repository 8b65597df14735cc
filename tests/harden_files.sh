#!/bin/sh
# Files memslope writes as root cannot be redirected by another user (issue
# 19, items 1-2): symbolic links planted by uid 65534 (nobody) at the
# snapshot's temporary and final names and at the --log path, at the first
# open and during rotation. The directories belong to nobody and are not
# sticky, so fs.protected_symlinks does not apply: only memslope's own care
# stops the attack.
. "${srcdir:-.}/tests/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root: the attack is another user redirecting root's writes"
command -v setpriv >/dev/null 2>&1 || skip "setpriv (util-linux) is not installed"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
as_nobody true || skip "cannot run as uid 65534 here"
# nobody needs a python3 it may execute (not one under root's home).
NPY=/usr/bin/python3
as_nobody "$NPY" -c pass 2>/dev/null || skip "uid 65534 cannot run $NPY"

# The file another user wants root to overwrite: root-only, known content.
mkdir "$TMP/secret"
printf 'precious\n' >"$TMP/secret/target"
chmod 600 "$TMP/secret/target"
chmod 755 "$TMP" "$TMP/secret"
unchanged() { [ "$(cat "$TMP/secret/target")" = precious ] || fail "$1: the target was written through a link"; }
DIR=$TMP/nobody
mkdir "$DIR"
chown 65534:65534 "$DIR"
chmod 755 "$DIR"

# 1. Snapshots (SIGUSR1). nobody plants a link at every name the old
# writer could use for the next seconds (host, tick time to the
# millisecond, memslope's PID), and at the final names too.
"$MEMSLOPE" --log "$TMP/snap.ndjson" --snapshot-dir "$DIR" -p $$ --interval 100ms 2>"$TMP/usr1.err" &
M=$!
CHILDREN="$CHILDREN $M"
wait_for 10 test -s "$TMP/snap.ndjson" || fail "memslope wrote no log line"
as_nobody "$NPY" - "$DIR" "$(hostname)" "$M" "$TMP/secret/target" <<'EOF' || fail "planting links failed"
import os, sys, time
d, host, pid, target = sys.argv[1:]
now = int(time.time() * 1000)
for ms in range(now - 3000, now + 4000):
    t = time.strftime("%Y-%m-%dT%H-%M-%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)
    base = "%s/memslope-%s-%s.json" % (d, host, t)
    os.symlink(target, base + ".tmp." + pid)
    os.symlink(target, base)
EOF
kill -USR1 $M
named() { grep -q "snapshot written to" "$TMP/usr1.err"; }
wait_for 10 named || { cat "$TMP/usr1.err"; unchanged "snapshot"; fail "SIGUSR1 wrote no snapshot"; }
kill -TERM $M
wait $M
unchanged "snapshot"
snap=$(sed -n 's/.*snapshot written to //p' "$TMP/usr1.err")
[ -f "$snap" ] && [ ! -L "$snap" ] || fail "snapshot $snap is not a regular file"
validate "$snap"
ls "$DIR" | grep -v '\.tmp\.[0-9]*$' | grep -q '\.tmp\.' && fail "a temporary file was left behind: $(ls "$DIR" | grep '\.tmp\.' | grep -v '\.tmp\.[0-9]*$')"
ok "snapshot: planted links at the temporary and final names not followed"

# 2a. A link at the --log path when memslope starts: refused in one line.
as_nobody ln -s "$TMP/secret/target" "$DIR/m.log"
"$MEMSLOPE" --log "$DIR/m.log" --count 1 -p $$ 2>"$TMP/log.err" && fail "a symbolic link as --log was accepted"
unchanged "--log"
[ "$(wc -l <"$TMP/log.err")" -eq 1 ] && grep -q "symbolic link" "$TMP/log.err" ||
	fail "no one-line refusal: $(cat "$TMP/log.err")"
ok "--log: $(cat "$TMP/log.err")"

# 2b. A file of another user at the log path: root does not append to it.
rm -f "$DIR/m.log"
as_nobody touch "$DIR/m.log"
"$MEMSLOPE" --log "$DIR/m.log" --count 1 -p $$ 2>"$TMP/log.err" && fail "root appended to a file of uid 65534"
[ ! -s "$DIR/m.log" ] || fail "root wrote into a file of uid 65534"
[ "$(wc -l <"$TMP/log.err")" -eq 1 ] && grep -q "uid 65534" "$TMP/log.err" ||
	fail "no one-line refusal: $(cat "$TMP/log.err")"
ok "--log: $(cat "$TMP/log.err")"

# 2c. A second hard link to a root file at the log path. nobody cannot
# make one here (fs.protected_hardlinks), root makes it to test memslope's
# own refusal, which holds where the kernel's protection is off.
rm -f "$DIR/m.log"
ln "$TMP/secret/target" "$DIR/m.log"
"$MEMSLOPE" --log "$DIR/m.log" --count 1 -p $$ 2>"$TMP/log.err" && fail "a hard link to a root file was accepted"
rm -f "$DIR/m.log"
unchanged "--log (hard link)"
grep -q "hard links: refused as root" "$TMP/log.err" || fail "no refusal of the hard link: $(cat "$TMP/log.err")"
ok "--log: $(cat "$TMP/log.err")"

# 2d. The rotation race: nobody re-plants a link the moment the log is
# renamed away (a tight loop), for 60 rotations.
rm -f "$DIR/m.log"
: >"$DIR/m.log" # root's own log is in place first: the race is at rotation
setpriv --reuid=65534 --regid=65534 --clear-groups "$NPY" - "$DIR/m.log" "$TMP/secret/target" <<'EOF' &
import os, sys, time
link, target = sys.argv[1:]
end = time.time() + 20
while time.time() < end:
    try:
        os.symlink(target, link)
    except FileExistsError:
        pass
EOF
P=$!
CHILDREN="$CHILDREN $P"
"$MEMSLOPE" --log "$DIR/m.log" --log-max-size 4K --log-keep 1 --count 60 --interval 100ms \
	2>"$TMP/rot.err" >/dev/null -p $$
rc=$?
kill $P 2>/dev/null
wait $P 2>/dev/null
unchanged "--log rotation"
if [ $rc -ne 0 ]; then
	grep -q "symbolic link" "$TMP/rot.err" || fail "rotation run failed: $(cat "$TMP/rot.err")"
	ok "--log rotation: the planted link was refused ($(cat "$TMP/rot.err"))"
else
	ok "--log rotation: 60 rotations, the planted link never followed"
fi
