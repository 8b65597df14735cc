#!/bin/sh
# valgrind: a headless run over every process (--count 30 at 0.1 s, log to
# /dev/null) and a --once --json snapshot under memcheck: no invalid reads
# or writes, no uninitialised values, nothing definitely or indirectly lost.
# "Still reachable" blocks (libproc2's and ncurses' caches) are fine.
# Skipped in the --enable-asan build (ASan and valgrind do not mix).
. "${srcdir:-.}/tests/lib.sh"

command -v valgrind >/dev/null 2>&1 || skip "valgrind is not installed (Debian: valgrind)"
BUILD=$(dirname "$MEMSLOPE")
grep -q '^SAN_CFLAGS = -fsanitize' "$BUILD/Makefile" 2>/dev/null &&
	skip "sanitizer build: valgrind runs in the plain build"

VG="valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect
	--errors-for-leak-kinds=definite,indirect --error-exitcode=9 --track-fds=no --num-callers=30"
P=$(hold 4)

run() { # run NAME ARGS...: memslope under valgrind, report in $TMP/NAME.vg
	name=$1
	shift
	$VG --log-file="$TMP/$name.vg" "$MEMSLOPE" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	rc=$?
	lost=$(grep -E 'definitely lost|indirectly lost|ERROR SUMMARY' "$TMP/$name.vg" | sed 's/^==[0-9]*== *//' | tr '\n' ';')
	echo "valgrind $name: exit $rc; $lost"
	if [ $rc -ne 0 ]; then
		grep -E -A 25 'Invalid|uninitialised|definitely lost in|indirectly lost in|Mismatched|overlap' "$TMP/$name.vg" | head -n 120
		cat "$TMP/$name.err"
		fail "valgrind $name: exit status $rc (9: valgrind found errors or leaks)"
	fi
}

run all --log /dev/null --count 30 --interval 100ms
run once --once --json -p "$P" --pss
run tree --log /dev/null --count 10 --interval 100ms -t -p 1
ok "valgrind: no errors, nothing definitely or indirectly lost"
