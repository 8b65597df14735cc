#!/bin/sh
# examples: every command example in README.md (its ```sh blocks and the
# inline `memslope ...` commands) and in the man page's EXAMPLES section (as
# man renders it, so quoting that the roff eats is caught) is run.
#
# Placeholders become things that exist here: PID 4242 a running python3
# program, gunicorn that program's name, job.py/etl.py short jobs, a
# container's cgroup this shell's own, /var/log and /var/lib paths files in a
# temporary directory, /usr/local/bin/heap-dump /bin/true, `ssh host` and a
# trailing `</dev/null &` nothing (every headless example runs so),
# pidof memslope a memslope started here, a container's name this shell's
# cgroup too. Durations are shortened and an
# endless headless run gets --count 2. A TUI example runs in a private tmux
# server at 80x24 until its screen shows, then q; a headless one must exit 0
# within 60 s (the jq one must print JSON). An example this test cannot map
# fails it: keep the test in step with the docs.
# Exit 77 (skip) with a reason when tmux, python3, jq or man/groff is missing.
set -u

MEMSLOPE=${MEMSLOPE:-./memslope}
case $MEMSLOPE in /*) ;; *) MEMSLOPE=$(pwd)/$MEMSLOPE ;; esac
SRC=${srcdir:-.}
case $SRC in /*) ;; *) SRC=$(pwd)/$SRC ;; esac

for tool in tmux python3 jq; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "examples: SKIP: $tool is not installed (the README's test set-up installs it)"
		exit 77
	fi
done
if command -v groff >/dev/null 2>&1; then
	render_man() { LC_ALL=C.UTF-8 groff -man -Tutf8 -rLL=1000n -P-cbou "$1" 2>/dev/null; }
elif command -v man >/dev/null 2>&1 && command -v col >/dev/null 2>&1; then
	render_man() { LC_ALL=C.UTF-8 MANWIDTH=1000 man -l "$1" 2>/dev/null | col -b; }
else
	echo "examples: SKIP: neither groff (groff-base) nor man is installed to render the man page"
	exit 77
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memslope-examples.XXXXXX") || exit 1
SOCK=memslope-examples-$$
PIDS=
T() { tmux -L "$SOCK" -f /dev/null "$@"; }
# tmux_reap SOCKET [SESSION]: a session or the server ends with its panes' processes.
. "${srcdir:-.}/tests/lib_tmux.sh"
cleanup() {
	tmux_reap "$SOCK"
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "examples: FAIL: $*"; exit 1; }
note() { echo "examples: $*"; }
now_s() { date +%s; }

# ---- what the placeholders become ------------------------------------------
mkdir -p "$TMP/bin" "$TMP/log"
ln -s "$MEMSLOPE" "$TMP/bin/memslope"
PATH=$TMP/bin:$PATH
export PATH
cat >"$TMP/flat.py" <<'EOF'
import time
keep = b"y" * (16 * 1024 * 1024)
while True:
    time.sleep(1)
EOF
cat >"$TMP/job.py" <<'EOF'
import time
keep = b"j" * (8 * 1024 * 1024)
time.sleep(3)
EOF
python3 "$TMP/flat.py" & FLAT=$!
PIDS=$FLAT
own_cg=$(sed -n 's/^[0-9]*:[^:]*\bmemory\b[^:]*://p' /proc/self/cgroup | head -n 1)
if [ -n "$own_cg" ] && [ -d /sys/fs/cgroup/memory ]; then
	cg_root=/sys/fs/cgroup/memory
else
	own_cg=$(sed -n 's/^0:://p' /proc/self/cgroup | head -n 1)
	cg_root=/sys/fs/cgroup
fi
[ -n "$own_cg" ] || own_cg=/
# A memslope for `kill -USR1 $(pidof memslope)`, writing snapshots here.
(cd "$TMP" && exec memslope --log "$TMP/bg.ndjson" --snapshot-dir "$TMP" -p "$FLAT") & BG=$!
PIDS="$PIDS $BG"
# A log for --replay and jq.
memslope --log "$TMP/log/memslope.ndjson" --count 3 -d 0.2 -p "$FLAT" >/dev/null 2>&1 ||
	fail "cannot record a log to replay"

# Map one example to a runnable command on stdout; fail when unknown.
# The --check gate's job is one with no start-up ramp (sh, sleep): under a
# loaded sanitizer build an interpreter's start-up, seconds long, is growth
# that --max-growth rightly counts (tests/launch.sh and gpu_json.sh test the
# gate on real growth).
map() {
	printf '%s\n' "$1" | sed \
		-e 's/[[:space:]]*#.*$//' \
		-e 's|[[:space:]]*</dev/null[[:space:]]*&$||' \
		-e 's/^ssh host //' \
		-e "s|\$(pidof memslope)|$BG|g" \
		-e "s/\\b4242\\b/$FLAT/g" \
		-e 's/\bgunicorn\b/flat\\.py/g' \
		-e 's|^\(memslope --check .*-- \)python3 etl\.py$|\1sh -c "sleep 3"|' \
		-e "s|python3 job\\.py|python3 $TMP/job.py|; s|python3 etl\\.py|python3 $TMP/job.py|; s|python3 train\\.py|python3 $TMP/job.py|" \
		-e 's/-n train\.py/-n flat\.py/' \
		-e "s|/system\\.slice/docker-[0-9a-z]*\\.scope|$own_cg|" \
		-e "s|-c web-1\\b|-c $own_cg|" \
		-e "s|--cgroup-root /sys/fs/cgroup/memory -c /kubepods/pod42|--cgroup-root $cg_root -c $own_cg|" \
		-e "s|/var/log/memslope\\.ndjson|$TMP/log/memslope.ndjson|g" \
		-e "s| log\\.ndjson| $TMP/log/memslope.ndjson|" \
		-e "s| old\\.ndjson| $TMP/log/memslope.ndjson|" \
		-e "s|/var/lib/prometheus/node-exporter/memslope\\.prom|$TMP/memslope.prom|" \
		-e 's|/usr/local/bin/heap-dump|/bin/true|' \
		-e 's/--duration 1d/--duration 3s/' \
		-e "s|-- CMD\$|-- python3 $TMP/job.py|"
}

# ---- the examples ----------------------------------------------------------
# README: the ```sh blocks, and inline `memslope ...` commands.
awk '/^```sh$/ {on = 1; next} /^```/ {on = 0} on && NF' "$SRC/README.md" >"$TMP/readme.txt"
# An inline one with a placeholder in capitals (`memslope -- CMD`) is syntax
# in the prose, not an example.
grep -o '`memslope [^`]*`' "$SRC/README.md" | tr -d '`' | grep -Ev '(^| )[A-Z]{2,}( |$)' >>"$TMP/readme.txt"
# The man page: the indented command lines of EXAMPLES, as rendered.
render_man "$SRC/man/memslope.1" | awk '/^EXAMPLES/ {on = 1; next} /^[A-Z]/ {on = 0} on' |
	sed -n 's/^ \{8,\}\(memslope.*\|jq .*\)$/\1/p' >"$TMP/man.txt"
n_readme=$(wc -l <"$TMP/readme.txt")
n_man=$(wc -l <"$TMP/man.txt")
[ "$n_readme" -ge 10 ] || fail "only $n_readme examples found in README.md"
[ "$n_man" -ge 6 ] || fail "only $n_man examples found in the rendered man page"
note "$n_readme README examples, $n_man man page examples"

cat >"$TMP/pane.sh" <<'EOF'
cd "$1" || exit 1
export TERM=screen LC_ALL=C.UTF-8
sh "$2"
printf 'EXITED rc=%s\n' "$?"
exec sleep 3600
EOF

screen() { T capture-pane -p -t t 2>/dev/null; }
wait_for() {
	deadline=$(($(now_s) + $2))
	while ! screen | grep -Eq -- "$1"; do
		[ "$(now_s)" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}

run_tui() { # run_tui SOURCE CMD
	printf '%s\n' "$2" >"$TMP/example.sh"
	T new-session -d -s next -x 80 -y 24 "sh '$TMP/pane.sh' '$TMP' '$TMP/example.sh'" || fail "tmux cannot start"
	tmux_reap "$SOCK" t
	T rename-session -t next t
	if ! wait_for '^memslope |^PID [0-9]+ \(' 10 || ! wait_for 'COMMAND|CGROUP|RSS' 10; then
		screen
		fail "$1: '$2' shows no memslope screen"
	fi
	screen | grep -q 'EXITED' && fail "$1: '$2' ended by itself"
	T send-keys -t t q
	wait_for '^EXITED rc=0' 10 || { screen; fail "$1: '$2' did not quit cleanly on q"; }
}

run_headless() { # run_headless SOURCE CMD
	cmd=$2
	case $cmd in
	memslope*--log*|memslope*--prom-file*)
		case $cmd in *--count*|*--duration*|*--check*|*--once*|*--replay*) ;; *) cmd="$cmd --count 2" ;; esac ;;
	esac
	(cd "$TMP" && timeout 60 sh -c "$cmd") >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	[ $rc -eq 0 ] || fail "$1: '$cmd' exited $rc: $(head -c 300 "$TMP/err")"
	case $cmd in
	jq*) [ -s "$TMP/out" ] && jq -e . "$TMP/out" >/dev/null || fail "$1: '$cmd' printed no JSON" ;;
	*--once*) jq -e '.schema == "memslope/1"' "$TMP/out" >/dev/null || fail "$1: '$cmd' printed no snapshot" ;;
	*--log\ -*) [ "$(wc -l <"$TMP/out")" -ge 2 ] || fail "$1: '$cmd' logged no lines" ;;
	*--prom-file*) [ -s "$TMP/memslope.prom" ] || fail "$1: '$cmd' wrote no metrics file" ;;
	kill\ -USR1*)
		deadline=$(($(now_s) + 10))
		while ! ls "$TMP"/memslope-*.json >/dev/null 2>&1; do
			[ "$(now_s)" -ge "$deadline" ] && fail "$1: '$cmd' made no snapshot file"
			sleep 0.1
		done ;;
	esac
}

n=0
for src in readme man; do
	while IFS= read -r ex; do
		cmd=$(map "$ex")
		[ -n "$cmd" ] || continue
		case $cmd in
		*4242*|*gunicorn*|*docker-*|*/var/*|*/usr/local/*|*pod42*|*web-1*|*etl.py*|*train.py*|*job.py*)
			case $cmd in *"$TMP"/job.py*) ;; *) fail "$src: no mapping for '$ex' (update tests/examples.sh)" ;; esac ;;
		esac
		case $cmd in
		./configure*--enable-static-binary*)
			note "not run here: $ex (test.sh builds the static binary, tests/static_binary.sh checks it)"
			continue ;;
		docker\ *)
			note "not run: $ex (needs docker and a container)"
			continue ;;
		esac
		n=$((n + 1))
		case $cmd in
		*--once*|*--log*|*--check*|*--prom-file*|*\ -o\ *|*\ \|\ *|kill\ *|jq\ *) run_headless "$src" "$cmd" ;;
		memslope*) run_tui "$src" "$cmd" ;;
		*) fail "$src: '$ex' is neither a memslope nor a known shell command" ;;
		esac
		note "ok: $ex"
	done <"$TMP/$src.txt"
done
note "PASS ($n examples run)"
exit 0
