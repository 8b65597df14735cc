#!/bin/sh
# The static binary (configure --enable-static-binary; test.sh builds one):
# it needs no shared library; with an empty environment and
# TERM=xterm-256color it samples and draws its screen; in a chroot that
# holds only the binary, /proc and /sys (bind mounts) it still writes JSON,
# gives user names from the chroot's /etc/passwd (the number without one),
# and draws the TUI for each terminal it has built in, while an unknown
# terminal is one line and exit 1. Reports the binary's size.
. "${srcdir:-.}/tests/lib.sh"

command -v readelf >/dev/null 2>&1 || skip "readelf is not installed (Debian package binutils)"
readelf -l "$MEMSLOPE" >"$TMP/elf" 2>&1 || fail "readelf cannot read $MEMSLOPE"
if grep -q 'program interpreter' "$TMP/elf"; then
	skip "$MEMSLOPE is a dynamic build (configure --enable-static-binary builds the static one; test.sh does)"
fi
grep -q 'DYNAMIC' "$TMP/elf" && fail "a static memslope has a dynamic section"
# No NSS module loader linked in (a new getpw*/getgr* call that static_nss.c
# does not replace would bring it, and with it dlopen of libnss_*.so).
if command -v nm >/dev/null 2>&1; then
	nm "$MEMSLOPE" >"$TMP/syms" 2>/dev/null || fail "nm cannot read $MEMSLOPE"
	grep -E ' T (__nss_lookup_function|__nss_module_load|__nss_database_lookup2|__nss_(passwd|group)_lookup2)$' "$TMP/syms" &&
		fail "glibc's NSS is linked into the static binary: a user or group lookup is not in src/static_nss.c"
fi
size=$(wc -c <"$MEMSLOPE")
strip -o "$TMP/stripped" "$MEMSLOPE" 2>/dev/null && stripped=$(wc -c <"$TMP/stripped") || stripped="?"
echo "static binary: $size bytes, $stripped stripped"
command -v tmux >/dev/null 2>&1 || skip "tmux is not installed (Debian package tmux)"

me=$(id -u)
myname=$(id -un)
N=0
SOCK=memslope-static-$$-$N
T() { tmux -L "$SOCK" -f /dev/null "$@"; }
trap 'tmux_reap "$SOCK"; cleanup' EXIT
screen() { T capture-pane -p -t s 2>/dev/null; }
# tui NAME COMMAND: run COMMAND in an 80x24 pane until the process table
# shows, then quit with q; fails with the screen when it does not.
tui() {
	N=$((N + 1))
	SOCK=memslope-static-$$-$N # a server per case: a new one can race the last one's exit
	T new-session -d -s s -x 80 -y 24 "$2; echo \"EXIT=\$?\"; sleep 60" || fail "tmux cannot start"
	wait_for 15 sh -c "tmux -L '$SOCK' capture-pane -p -t s | grep -q 'PID.*RSS'" ||
		{ screen; fail "$1: no process table"; }
	T send-keys -t s q
	wait_for 10 sh -c "tmux -L '$SOCK' capture-pane -p -t s | grep -q 'EXIT='" || { screen; fail "$1: q did not quit"; }
	screen | grep -q 'EXIT=0' || { screen; fail "$1: exit status not 0"; }
	tmux_reap "$SOCK"
	ok "$1"
}

# 1. An empty environment.
env -i TERM=xterm-256color "$MEMSLOPE" --once --json -p $$ >"$TMP/empty.json" 2>"$TMP/err" ||
	fail "--once --json with an empty environment: $(cat "$TMP/err")"
validate "$TMP/empty.json"
python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))["processes"]
assert p and p[0]["user"] == sys.argv[2], p' "$TMP/empty.json" "$myname" || fail "user of pid $$ is not $myname"
ok "empty environment: JSON, user $myname"
tui "empty environment, TUI, xterm-256color" "env -i TERM=xterm-256color '$MEMSLOPE' --interval 500ms"

# 2. A chroot with the binary, /proc and /sys only: a mount namespace as
# root, or a user namespace for anyone (unshare -r).
R="$TMP/root"
mkdir -p "$R/proc" "$R/sys" && cp "$MEMSLOPE" "$R/memslope" || fail "cannot build the chroot"
UNSHARE="unshare -m"
[ "$me" -eq 0 ] || UNSHARE="unshare -rm"
cat >"$TMP/in-root.sh" <<EOS
mount --rbind /proc '$R/proc' && mount --rbind /sys '$R/sys' || exit 99
t=\$1; shift
exec env -i TERM="\$t" '$(command -v chroot)' '$R' "\$@"
EOS
inroot() { command -v unshare >/dev/null 2>&1 && $UNSHARE sh "$TMP/in-root.sh" "$@"; }
if ! inroot xterm-256color /memslope --version >"$TMP/v" 2>&1; then
	part_skip "chroot with bind-mounted /proc and /sys is not permitted here: $(tail -n 1 "$TMP/v")"
	parts_done
fi
inroot xterm-256color /memslope --once --json -p $$ >"$TMP/chroot.json" 2>"$TMP/err" ||
	fail "--once --json in the chroot: $(cat "$TMP/err")"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
p = d["processes"]
assert p and p[0]["user"] == sys.argv[2], p
assert d["system"]["mem_total_bytes"] > 0, d["system"]' "$TMP/chroot.json" "$me" ||
	fail "in a chroot without /etc/passwd, the user is not the number $me"
ok "chroot: JSON, user shown as the number $me without /etc/passwd"

mkdir -p "$R/etc"
printf 'ms-chroot-user:x:%s:%s::/:/memslope\n' "$me" "$(id -g)" >"$R/etc/passwd"
# An NSS module glibc would have to load (as sss or systemd would be): the
# static binary reads /etc/passwd itself and loads nothing.
echo 'passwd: memslope-no-such-module' >"$R/etc/nsswitch.conf"
inroot xterm-256color /memslope --once --json -u ms-chroot-user >"$TMP/named.json" 2>"$TMP/err" ||
	fail "-u by name in the chroot: $(cat "$TMP/err")"
python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))["processes"]
assert p and all(x["user"] == "ms-chroot-user" for x in p), p' "$TMP/named.json" ||
	fail "the chroot's /etc/passwd did not name uid $me"
ok "chroot: user names and -u USER from the chroot's /etc/passwd"
rm -rf "$R/etc"

for term in xterm xterm-256color screen tmux-256color linux; do
	tui "chroot TUI, TERM=$term (built-in terminfo)" "$UNSHARE sh '$TMP/in-root.sh' $term /memslope --interval 500ms"
done
# An entry the binary does not carry: one line, exit 1, before the screen.
N=$((N + 1))
SOCK=memslope-static-$$-$N
T new-session -d -s s -x 80 -y 24 "$UNSHARE sh '$TMP/in-root.sh' no-such-terminal /memslope 2>'$TMP/err'; echo \"EXIT=\$?\"; sleep 60" ||
	fail "tmux cannot start"
wait_for 10 sh -c "tmux -L '$SOCK' capture-pane -p -t s | grep -q 'EXIT='" || { screen; fail "unknown TERM: no exit"; }
screen | grep -q 'EXIT=1' || { screen; fail "an unknown terminal did not fail with 1"; }
[ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q '"no-such-terminal"' "$TMP/err" ||
	fail "an unknown terminal is not one line naming it: $(cat "$TMP/err")"
tmux_reap "$SOCK"
ok "chroot: an unknown TERM is one line and exit 1"
parts_done
