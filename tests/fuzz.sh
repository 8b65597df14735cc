#!/bin/sh
# Fuzzing: builds every libFuzzer target in tests/fuzz (fuzz_*.c) with clang
# -fsanitize=fuzzer,address,undefined against the library's own sources and
# runs each for FUZZ_SECONDS, seeded from tests/fuzz/corpus/TARGET.
#
# In `make check` this is the short CI run, done in the --enable-asan build
# only (20 s a target; skipped in the plain build and in distcheck, which
# would only repeat it). `make fuzz [FUZZ_SECONDS=N]` runs it on purpose,
# keeping grown corpora and crash inputs in fuzz-out/ of the build tree.
# FUZZ_TARGETS="fuzz_a fuzz_b" limits the run to those targets.
. "${srcdir:-.}/tests/lib.sh"

SECONDS_EACH=${FUZZ_SECONDS:-20}
BUILD=$(cd "$(dirname "$MEMSLOPE")" && pwd)
FUZZDIR=$srcdir/tests/fuzz
if [ "${MEMSLOPE_FUZZ:-0}" != 1 ]; then
	grep -q '^SAN_CFLAGS = -fsanitize' "$BUILD/Makefile" 2>/dev/null ||
		skip "short fuzzing runs in the --enable-asan build's make check (or run: make fuzz)"
fi
[ -d "$FUZZDIR" ] || skip "no fuzz targets in $FUZZDIR"
CC=${FUZZ_CC:-clang}
command -v "$CC" >/dev/null 2>&1 || skip "$CC is not installed (Debian: clang, libclang-rt-14-dev)"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; return (int)(n & 0); }\n' \
	>"$TMP/probe.c"
"$CC" -fsanitize=fuzzer $SAN "$TMP/probe.c" -o "$TMP/probe" >"$TMP/probe.log" 2>&1 ||
	skip "clang's libFuzzer runtime is missing (Debian: libclang-rt-14-dev): $(head -n 1 "$TMP/probe.log")"
pkg-config --exists libproc2 jansson ncursesw || skip "pkg-config cannot find libproc2, jansson and ncursesw"

if [ "${MEMSLOPE_FUZZ:-0}" = 1 ]; then
	OUT=$BUILD/fuzz-out # make fuzz: corpora grow across runs
else
	OUT=$TMP/fuzz-out
fi
mkdir -p "$OUT/obj" || fail "cannot create $OUT"

# The library, every src/*.c but main.c and the static binary's own
# stand-ins (static_*.c replace libc's dlopen and friends, which breaks
# the sanitizers' interceptors), with coverage for the fuzzer.
CFLAGS="-g -O1 -std=gnu11 -fsanitize=fuzzer-no-link $SAN -D_GNU_SOURCE -I$srcdir/src -I$BUILD $(pkg-config --cflags libproc2 jansson ncursesw)"
LIBS="$(pkg-config --libs libproc2 jansson ncursesw) -lm"
rm -f "$OUT"/obj/*.o "$OUT/libfuzz.a"
ls "$srcdir"/src/*.c | grep -v -e '/main\.c$' -e '/static_[a-z_]*\.c$' |
	xargs -P "$(nproc 2>/dev/null || echo 2)" -I{} sh -c '"$1" $2 -c "$3" -o "$4/obj/$(basename "$3" .c).o" || exit 255' \
		sh "$CC" "$CFLAGS" {} "$OUT" >"$TMP/build.log" 2>&1 ||
	{ cat "$TMP/build.log"; fail "building the library for fuzzing failed"; }
ar rcs "$OUT/libfuzz.a" "$OUT"/obj/*.o || fail "ar failed"

targets=${FUZZ_TARGETS:-$(cd "$FUZZDIR" && ls fuzz_*.c | sed 's/\.c$//')}
for t in $targets; do
	"$CC" $CFLAGS -fsanitize=fuzzer -I"$FUZZDIR" "$FUZZDIR/$t.c" "$OUT/libfuzz.a" $LIBS -o "$OUT/$t" \
		>"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; fail "building $t failed"; }
done

failed=""
total_runs=0
for t in $targets; do
	mkdir -p "$OUT/corpus/$t"
	seeds=$FUZZDIR/corpus/$t
	[ -d "$seeds" ] || seeds=""
	# Errors on stderr go to the log; -close_fd_mask keeps a parser's
	# stdout/stderr chatter (none expected) out of it.
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
		"$OUT/$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$OUT/$t-" "$OUT/corpus/$t" $seeds >"$TMP/$t.log" 2>&1
	rc=$?
	runs=$(awk '/^stat::number_of_executed_units/ {print $NF}' "$TMP/$t.log")
	cov=$(grep -E '^#[0-9]+' "$TMP/$t.log" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\).*corp: \([0-9]*\).*/cov \1, corpus \2/p')
	if [ $rc -ne 0 ]; then
		echo "FAIL $t (exit $rc):"
		grep -E 'ERROR|invariant|SUMMARY|runtime error|#[0-9]+ in ' "$TMP/$t.log" | head -n 30
		for a in "$OUT/$t"-*; do
			[ -f "$a" ] || continue
			echo "input $a (base64): $(head -c 2048 "$a" | base64 -w0)"
		done
		failed="$failed $t"
	else
		echo "ok $t: ${runs:-?} runs in ${SECONDS_EACH} s, ${cov:-no stats}"
		total_runs=$((total_runs + ${runs:-0}))
	fi
done
[ -z "$failed" ] || fail "fuzz targets failed:$failed"
ok "$(echo $targets | wc -w) targets, $total_runs runs, ${SECONDS_EACH} s each, no findings"
