#!/bin/sh
# Bad input: one line on stderr naming the problem, the right exit status,
# nothing on stdout, no file created.
. "${srcdir:-.}/tests/lib.sh"

expect() { # expect CODE PATTERN ARGS...
	code=$1 pat=$2
	shift 2
	"$MEMSLOPE" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	[ "$rc" -eq "$code" ] || fail "memslope $* exited $rc, expected $code ($(cat "$TMP/err"))"
	[ ! -s "$TMP/out" ] || fail "memslope $* wrote to stdout"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "memslope $*: expected one line on stderr, got: $(cat "$TMP/err")"
	grep -q -- "$pat" "$TMP/err" || fail "memslope $*: stderr '$(cat "$TMP/err")' does not mention '$pat'"
}

expect 2 "unknown option" --frobnicate
expect 2 "unknown option" -Z
expect 2 "needs a value" --interval
expect 2 "not a process ID" -p abc --once --json
expect 2 "not a process ID" -p 12,x --once --json
expect 2 "bad regular expression" -n '(' --once --json
# The pattern is echoed as typed, not as memslope joined it ('(()').
grep -Fq "expression '(':" "$TMP/err" || fail "-n '(' echoed as: $(cat "$TMP/err")"
expect 2 "expression 'b\[':" -n ok -n 'b[' --once --json
expect 2 "no such user" -u no_such_user_xyz --once --json
expect 2 "interval" --interval 5ms --once --json
expect 2 "duration" --duration 10parsecs --log /dev/null
expect 2 "log-max-size" --log-max-size 12XB --log /dev/null
expect 2 "max-growth" --max-growth fast --check --duration 1s --log /dev/null
expect 2 "max-usage" --max-usage 140 --check --duration 1s --log /dev/null
expect 2 "log-format" --log-format xml --log /dev/null
expect 2 "unexpected argument" python3 job.py
expect 2 "not a terminal" -p 1
expect 2 "needs --once" --json
expect 1 "no such process" -p 999999999 --once --json
expect 1 "no such cgroup" -c /no/such/cgroup/here --once --json
expect 1 "cgroup-root" --cgroup-root "$TMP" --once --json
expect 1 "cannot open log" --log /nonexistent-dir/x.ndjson --count 1
[ ! -e /nonexistent-dir ] || fail "a directory was created"
expect 1 "snapshot-dir" --snapshot-dir /nonexistent-dir --log /dev/null --count 1
expect 127 "cannot run" --log /dev/null -- /no/such/program
ok "bad input"
