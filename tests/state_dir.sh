#!/bin/sh
# Snapshots without --snapshot-dir (SIGUSR1 here; the TUI's 'e' export in
# tui_e2e.sh) go to $XDG_STATE_HOME/memslope/, made on first use (mode
# 0700); a relative XDG_STATE_HOME is ignored (the XDG spec) for
# ~/.local/state/memslope/; with neither HOME nor XDG_STATE_HOME, the
# current directory.
. "${srcdir:-.}/tests/lib.sh"

# snap DIR ENV...: run memslope with ENV in DIR, SIGUSR1, print the path.
snap() {
	local dir=$1 m
	shift
	(cd "$dir" && exec env "$@" "$MEMSLOPE" --log /dev/null -p $$ --interval 100ms) 2>"$TMP/err" &
	m=$!
	CHILDREN="$CHILDREN $m"
	sleep 0.3
	kill -USR1 $m
	wait_for 10 grep -q "snapshot written to" "$TMP/err" || fail "SIGUSR1 wrote no snapshot: $(cat "$TMP/err")"
	kill -TERM $m
	wait $m
	sed -n 's/.*snapshot written to //p' "$TMP/err"
}

mkdir -p "$TMP/cwd" "$TMP/home"
p=$(snap "$TMP/cwd" HOME="$TMP/home" XDG_STATE_HOME="$TMP/xdg")
case "$p" in "$TMP/xdg/memslope/memslope-"*.json) ;; *) fail "with XDG_STATE_HOME: $p" ;; esac
[ -s "$p" ] || fail "$p is missing"
validate "$p"
[ "$(stat -c %a "$TMP/xdg/memslope")" = 700 ] || fail "state directory mode $(stat -c %a "$TMP/xdg/memslope")"
ok "XDG_STATE_HOME: $p"

p=$(snap "$TMP/cwd" HOME="$TMP/home" XDG_STATE_HOME=relative/dir)
case "$p" in "$TMP/home/.local/state/memslope/memslope-"*.json) ;; *) fail "relative XDG_STATE_HOME: $p" ;; esac
[ -s "$p" ] || fail "$p is missing"
[ ! -e "$TMP/cwd/relative" ] || fail "a relative XDG_STATE_HOME was used"
ok "HOME: $p"

p=$(snap "$TMP/cwd" -u HOME -u XDG_STATE_HOME)
case "$p" in "$TMP/cwd/memslope-"*.json) ;; *) fail "neither variable: $p" ;; esac
[ -s "$p" ] || fail "$p is missing"
ok "neither: the current directory"

