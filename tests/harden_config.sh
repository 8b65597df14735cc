#!/bin/sh
# The config file (issue 19, items 3 and 11): as root only a file of root or
# of the invoking user, writable by no one else, is read (it can set
# --on-alert, a command root runs); a device or FIFO is refused at once
# (--config /dev/zero spun forever); a NUL byte is an error, not a cut
# line; an error quotes at most the key, never the line or the value.
. "${srcdir:-.}/tests/lib.sh"

export XDG_CONFIG_HOME="$TMP/xdg" HOME="$TMP/home"
unset SUDO_UID
mkdir -p "$HOME"
chmod 755 "$TMP"

# expect_refused WHAT PATTERN ARGS...: exit 2, one line on stderr, saying PATTERN.
expect_refused() {
	what=$1 pat=$2
	shift 2
	timeout 10 "$MEMSLOPE" "$@" --once --json >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ $rc -eq 124 ] && fail "$what: memslope hung"
	[ $rc -eq 2 ] || fail "$what: exit $rc, expected 2 ($(cat "$TMP/err"))"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "$what: not one line: $(cat "$TMP/err")"
	grep -q -- "$pat" "$TMP/err" || fail "$what: '$(cat "$TMP/err")' does not say '$pat'"
	[ ! -s "$TMP/out" ] || fail "$what: wrote to stdout"
	echo "ok: $what: $(cat "$TMP/err")"
}

# 11. Not a regular file.
expect_refused "--config /dev/zero" "/dev/zero: not a regular file" --config /dev/zero
mkfifo "$TMP/fifo"
expect_refused "--config FIFO" "not a regular file" --config "$TMP/fifo"
expect_refused "--config DIR" "not a regular file" --config "$TMP"

# 11. A NUL byte in a line.
printf 'interval = 2s\0 ; on-alert = /bin/false\n' >"$TMP/nul.conf"
expect_refused "NUL byte" "nul.conf:1: holds a NUL byte" --config "$TMP/nul.conf"

# 11. Errors quote at most the key: a line of a secret file, a bad value.
printf 'root:$y$j9T$SeCrEtHaSh:19000:0:99999:7:::\n' >"$TMP/shadow"
expect_refused "a foreign file" "shadow:1: not a 'key = value' line" --config "$TMP/shadow"
grep -q SeCrEt "$TMP/err" && fail "the error quoted the secret line"
printf 'interval = SeCrEtValue\n' >"$TMP/val.conf"
expect_refused "a bad value" "val.conf:1: --interval" --config "$TMP/val.conf"
grep -q SeCrEt "$TMP/err" && fail "the error quoted the value"
printf 'tree = SeCrEtValue\n' >"$TMP/flag.conf"
expect_refused "a bad flag value" "'tree' is a flag" --config "$TMP/flag.conf"
grep -q SeCrEt "$TMP/err" && fail "the error quoted the flag's value"
ok "config errors quote at most the key"

# 3. As root: a config of another user is not read.
[ "$(id -u)" = 0 ] || { ok "items 11 done"; skip "item 3 needs root (the config another user leaves for root)"; }
mkdir -p "$XDG_CONFIG_HOME/memslope"
chmod 755 "$XDG_CONFIG_HOME" "$XDG_CONFIG_HOME/memslope"
CONF=$XDG_CONFIG_HOME/memslope/config
printf 'on-alert = touch %s/pwned\ninterval = 200ms\n' "$TMP" >"$CONF"
chown 65534:65534 "$CONF"
chmod 644 "$CONF"
expect_refused "config of uid 65534 (default path)" "belongs to uid 65534, neither root nor the invoking user" \
	-p $$
expect_refused "config of uid 65534 (--config)" "belongs to uid 65534" --config "$CONF" -p $$
[ ! -e "$TMP/pwned" ] || fail "the hook of uid 65534's config ran as root"
# sudo names the invoking user: that user's own config is read.
SUDO_UID=65534 "$MEMSLOPE" --once --json -p $$ >"$TMP/out" 2>"$TMP/err" ||
	fail "SUDO_UID=65534: its own config refused: $(cat "$TMP/err")"
[ "$(jget "$TMP/out" "d['interval_ms']")" -eq 200 ] || fail "SUDO_UID=65534: the config was not applied"
SUDO_UID=1234 expect_refused "SUDO_UID names someone else" "belongs to uid 65534" -p $$
# Root's own file, but writable by group or others.
chown 0:0 "$CONF"
chmod 664 "$CONF"
expect_refused "group-writable config" "writable by group or others" -p $$
chmod 646 "$CONF"
expect_refused "world-writable config" "writable by group or others" -p $$
chmod 644 "$CONF"
"$MEMSLOPE" --once --json -p $$ >"$TMP/out" 2>"$TMP/err" || fail "root's own config refused: $(cat "$TMP/err")"
[ "$(jget "$TMP/out" "d['interval_ms']")" -eq 200 ] || fail "root's own config was not applied"
ok "as root: only root's or the invoking user's config, writable by no one else"
