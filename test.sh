#!/usr/bin/env bash
# Build memslope and run every test, on a fresh Debian 12 machine too:
# installs what is missing with apt-get, builds with strict warnings, runs
# `make check`, `make distcheck` and the sanitizer build's `make check`,
# and ends with one line: "N passed, N failed[, N skipped]".
set -u
cd "$(dirname "$0")"
TOP=$(pwd)

BUILD_DEPS="build-essential binutils ncurses-bin autoconf automake pkg-config libproc2-dev libjansson-dev libncurses-dev"
TEST_DEPS="python3 python3-jsonschema tmux procps systemd logrotate util-linux prometheus prometheus-node-exporter jq groff-base gnuplot-nox zsh clang libclang-rt-14-dev valgrind qemu-system-x86 linux-image-amd64 busybox-static cpio"

missing=""
for p in $BUILD_DEPS $TEST_DEPS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "test.sh: installing:$missing"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null ||
		{ echo "test.sh: apt-get install failed"; echo "0 passed, 1 failed"; exit 1; }
fi

passed=0 failed=0 skipped=0
count() { # count LOGFILE: add automake's totals
	local p f s e
	# the summary's lines only: a failed TAP test's log, quoted below it, may
	# hold its own "# FAIL: ..." lines (tests/vm/vm.tap's guest output)
	p=$(awk '/^# PASS:/ {print $3; exit}' "$1"); f=$(awk '/^# FAIL:/ {print $3; exit}' "$1")
	s=$(awk '/^# SKIP:/ {print $3; exit}' "$1"); e=$(awk '/^# ERROR:/ {print $3; exit}' "$1")
	passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0})); skipped=$((skipped + ${s:-0}))
}
step() { # step NAME COMMAND...: one counted step that is not a test suite
	echo "== $1"
	shift
	if "$@"; then passed=$((passed + 1)); else echo "test.sh: FAILED: $*"; failed=$((failed + 1)); fi
}
# A test ends what it started (tests/lib_tmux.sh's tmux_reap for a TUI in a
# tmux pane: once hung up, a sanitizer-built one can spin in LeakSanitizer's
# exit check for hours). One left over is a failure, killed so that it
# cannot slow the next stage.
asan_none_left() {
	local left
	left=$(pgrep -f "$TOP/build-asan/memslope") || return 0
	echo "test.sh: still running after the sanitizer build's make check:"
	ps -o pid,ppid,pcpu,etime,args -p "$(echo $left | tr ' ' ,)"
	kill -KILL $left 2>/dev/null
	return 1
}
show_failures() { # print the logs of failed tests
	for log in $(find "$1" -name '*.log' ! -name test-suite.log); do
		grep -qE '^:test-result: (FAIL|ERROR)' "${log%.log}.trs" 2>/dev/null && { echo "---- $log"; tail -n 40 "$log"; }
	done
}

if ! autoreconf -fi >/tmp/memslope-autoreconf.log 2>&1; then
	cat /tmp/memslope-autoreconf.log
	echo "0 passed, 1 failed"
	exit 1
fi

# 1. The normal build, warnings as errors, and every test.
rm -rf build && mkdir build && cd build
step "configure" ../configure --enable-werror -q
step "make" make -j"$(nproc)" -s
echo "== make check"
make -j"$(nproc)" check >make-check.out 2>&1
grep -E '^(PASS|FAIL|SKIP|ERROR|XFAIL|XPASS):' make-check.out
count test-suite.log
show_failures .
cd "$TOP"

# 2. The sanitizer build (ASan + UBSan): every test again; any report fails.
# The static binary (issue 18): built, then its own test (empty environment,
# chroot with only /proc and /sys) and the end-to-end tests run against it.
if [ "${MEMSLOPE_SKIP_STATIC:-0}" != 1 ]; then
	rm -rf build-static && mkdir build-static && cd build-static
	step "configure --enable-static-binary" ../configure --enable-werror --enable-static-binary -q
	step "make (static)" make -j"$(nproc)" -s
	echo "== make check (static binary)"
	make -j"$(nproc)" check TESTS="tests/static_binary.sh tests/live_json.sh tests/bad_input.sh tests/tui_e2e.sh" \
		>make-check.out 2>&1
	grep -E '^(PASS|FAIL|SKIP|ERROR|XFAIL|XPASS):' make-check.out | sed 's/^/static /'
	grep -h '^static binary:' tests/static_binary.log 2>/dev/null
	count test-suite.log
	show_failures .
	cd "$TOP"
fi

if [ "${MEMSLOPE_SKIP_ASAN:-0}" != 1 ]; then
	rm -rf build-asan && mkdir build-asan && cd build-asan
	step "configure --enable-asan" ../configure --enable-werror --enable-asan -q
	step "make (asan)" make -j"$(nproc)" -s
	echo "== make check (asan)"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		make -j"$(nproc)" check >make-check.out 2>&1
	grep -E '^(PASS|FAIL|SKIP|ERROR|XFAIL|XPASS):' make-check.out | sed 's/^/asan /'
	step "no sanitizer-built memslope left running" asan_none_left
	count test-suite.log
	show_failures .
	cd "$TOP"
fi

# 3. The release tarball builds and passes its own tests.
if [ "${MEMSLOPE_SKIP_DISTCHECK:-0}" != 1 ]; then
	cd build
	step "make distcheck" sh -c 'make distcheck >distcheck.out 2>&1 || { tail -n 60 distcheck.out; exit 1; }'
	cd "$TOP"
fi

echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$failed" -eq 0 ]
