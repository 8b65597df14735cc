#!/bin/sh
# The config file: $XDG_CONFIG_HOME/memslope/config, else
# ~/.config/memslope/config; every long option by name; flags as "key" or
# "key = true/false"; the command line wins; --config FILE and --no-config;
# errors are one line "config FILE:LINE: ..." and exit 2.
. "${srcdir:-.}/tests/lib.sh"

export XDG_CONFIG_HOME="$TMP/xdg"
export HOME="$TMP/home"
mkdir -p "$XDG_CONFIG_HOME/memslope" "$HOME/.config/memslope"
P=$(hold 10)
interval() { jget "$1" "d['interval_ms']"; }

# No file at all: defaults, no complaint.
"$MEMSLOPE" --once --json -p "$P" >"$TMP/a.json" 2>"$TMP/err" || fail "run without a config file failed: $(cat "$TMP/err")"
[ ! -s "$TMP/err" ] || fail "complaint without a config file: $(cat "$TMP/err")"
[ "$(interval "$TMP/a.json")" -eq 1000 ] || fail "default interval"

# XDG file: values, comments, blank lines, quotes, flags both ways.
cat >"$XDG_CONFIG_HOME/memslope/config" <<CFG
# memslope defaults
interval = 250ms

  # an indented comment
no-pss
tree = false
warn-pct=70
crit-pct = "85"
pid = $P
CFG
"$MEMSLOPE" --once --json >"$TMP/b.json" 2>"$TMP/err" || fail "XDG config run failed: $(cat "$TMP/err")"
[ "$(interval "$TMP/b.json")" -eq 250 ] || fail "interval from the XDG config not applied"
[ "$(jget "$TMP/b.json" "[p['pid'] for p in d['processes']]")" = "[$P]" ] || fail "pid from the config not applied"
[ "$(jget "$TMP/b.json" "d['trees']")" = "[]" ] || fail "tree = false turned trees on"
[ "$(jget "$TMP/b.json" "d['processes'][0]['pss_bytes']")" = None ] || fail "no-pss flag not applied"
ok "XDG config applied"

# The command line wins, for scalars and for lists.
"$MEMSLOPE" --once --json --interval 2s -p 1 >"$TMP/c.json" 2>"$TMP/err" || fail "override run failed: $(cat "$TMP/err")"
[ "$(interval "$TMP/c.json")" -eq 2000 ] || fail "command line did not win over the config file"
[ "$(jget "$TMP/c.json" "[p['pid'] for p in d['processes']]")" = "[1]" ] || fail "-p on the command line did not replace the config's pid"
ok "command line wins"

# ~/.config when XDG_CONFIG_HOME is unset (or relative, which the spec says to ignore).
echo "interval = 300ms" >"$HOME/.config/memslope/config"
echo "pid = $P" >>"$HOME/.config/memslope/config"
env -u XDG_CONFIG_HOME "$MEMSLOPE" --once --json >"$TMP/d.json" || fail "HOME config run failed"
[ "$(interval "$TMP/d.json")" -eq 300 ] || fail "~/.config/memslope/config not read"
XDG_CONFIG_HOME=relative/dir "$MEMSLOPE" --once --json >"$TMP/d2.json" || fail "relative XDG run failed"
[ "$(interval "$TMP/d2.json")" -eq 300 ] || fail "a relative XDG_CONFIG_HOME was not ignored"
ok "~/.config fallback"

# --config FILE and --no-config.
printf 'interval = 400ms\npid = %s\n' "$P" >"$TMP/other.conf"
"$MEMSLOPE" --config "$TMP/other.conf" --once --json >"$TMP/e.json" || fail "--config run failed"
[ "$(interval "$TMP/e.json")" -eq 400 ] || fail "--config FILE not read"
"$MEMSLOPE" --no-config --once --json -p "$P" >"$TMP/f.json" || fail "--no-config run failed"
[ "$(interval "$TMP/f.json")" -eq 1000 ] || fail "--no-config still read a file"
ok "--config and --no-config"

# Every long option in --help is a key the config file accepts (a bad
# value is reported as that option's problem, never as unknown).
"$MEMSLOPE" --help | grep -o -- '--[a-z][a-z-]*' | sed 's/^--//' | sort -u >"$TMP/opts"
[ "$(wc -l <"$TMP/opts")" -ge 30 ] || fail "too few options in --help"
while read -r opt; do
	case $opt in config | no-config | help | version) continue ;; esac
	printf '%s = \001bad\n' "$opt" >"$TMP/one.conf"
	"$MEMSLOPE" --config "$TMP/one.conf" --once --json >/dev/null 2>"$TMP/err"
	if grep -q "unknown option" "$TMP/err"; then fail "config key '$opt' is unknown: $(cat "$TMP/err")"; fi
done <"$TMP/opts"
ok "every long option is a config key ($(wc -l <"$TMP/opts") in --help)"

# Errors: one line naming FILE:LINE, exit 2, nothing on stdout.
expect2() { # expect2 PATTERN CONFIG-TEXT [ARGS]
	pat=$1
	printf '%s\n' "$2" >"$TMP/bad.conf"
	shift 2
	"$MEMSLOPE" --config "$TMP/bad.conf" --once --json "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ $rc -eq 2 ] || fail "config '$(cat "$TMP/bad.conf")': exit $rc, expected 2"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "config error is not one line: $(cat "$TMP/err")"
	grep -q -- "$pat" "$TMP/err" || fail "config error '$(cat "$TMP/err")' does not say '$pat'"
	[ ! -s "$TMP/out" ] || fail "config error wrote to stdout"
}
expect2 "config $TMP/bad.conf:3: unknown option 'frobnicate'" "# comment
interval = 1s
frobnicate = 3"
expect2 "bad.conf:1: --interval" "interval = 5ms"
expect2 "bad.conf:1: 'log' needs a value" "log ="
expect2 "bad.conf:2: 'tree' is a flag" "
tree = maybe"
expect2 "bad.conf:1: 'config' cannot be set" "config = /etc/passwd"
expect2 "bad.conf:1: not a 'key = value' line" "no such key = 1"
"$MEMSLOPE" --config "$TMP/missing.conf" --once --json >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] && grep -q "config $TMP/missing.conf: No such file" "$TMP/err" || fail "missing --config FILE: $(cat "$TMP/err")"
# A broken default file is an error too, but not for --help / --version.
echo "bogus" >"$XDG_CONFIG_HOME/memslope/config"
"$MEMSLOPE" --once --json >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] && grep -q "config $XDG_CONFIG_HOME/memslope/config:1: unknown option 'bogus'" "$TMP/err" ||
	fail "broken default config: $(cat "$TMP/err")"
"$MEMSLOPE" --help >/dev/null || fail "--help fails on a broken config file"
"$MEMSLOPE" --version >/dev/null || fail "--version fails on a broken config file"
ok "config errors"
