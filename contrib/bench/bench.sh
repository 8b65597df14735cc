#!/bin/bash
# bench.sh: memslope's cost side by side with top, htop, btop, atop and
# pidstat on the same machine, in the same run (SPEC.md section 8, issue 5).
#
# usage: contrib/bench/bench.sh [options]      (or: make bench)
#   -n N               idle processes to add (default 1000)
#   -d SECONDS         measured time per tool and run (default 60)
#   -r RUNS            runs; every figure is the median (default 3)
#   --scaling "N..."   process counts of the scaling table (default "100 1000 3000")
#   --scale-seconds S  measured time per scaling point and run (default 20)
#   --footprint-min M  minutes of the real-RSS run at N (default 3; 0: skip)
#   --stability-min M  memslope watching itself for M minutes (default 0: skip;
#                      the issue's check is 10)
#   --only LIST        comma list of: main,scaling,pid,footprint,stability
#   --tools LIST       comma list of the tools in the main table (default:
#                      memslope,memslope-tui,top,htop,btop,atop,pidstat)
#   --install-peers    apt-get install htop btop atop sysstat first
#   --memslope PATH    the binary (default: ./memslope, or $MEMSLOPE)
#   --builddir DIR     where floor and footprint are (default: dir of memslope)
#
# Method. Each tool runs at a 1 s interval for the same time, one after
# another, with N extra idle processes (`sleep`, ~1 MB RSS each). CPU is
# utime+stime of the tool's process (/proc/PID/stat, all its threads) over
# the measured window, which starts after a 3 s warm-up, as % of one core;
# peak RSS is its VmHWM at the end. Interactive tools run in a detached tmux
# at 200x50. Every child is killed by PID however the script ends.
set -u

N=1000 DUR=60 RUNS=3 SCALING="100 1000 3000" SCALE_DUR=20 FOOT_MIN=3 STAB_MIN=0
ONLY=main,scaling,pid,footprint,stability INSTALL=0 WARMUP=3 TOOLS=
MEMSLOPE=${MEMSLOPE:-./memslope} BUILDDIR=

while [ $# -gt 0 ]; do
	case $1 in
	-n) N=$2; shift ;;
	-d) DUR=$2; shift ;;
	-r) RUNS=$2; shift ;;
	--scaling) SCALING=$2; shift ;;
	--scale-seconds) SCALE_DUR=$2; shift ;;
	--footprint-min) FOOT_MIN=$2; shift ;;
	--stability-min) STAB_MIN=$2; shift ;;
	--only) ONLY=$2; shift ;;
	--tools) TOOLS=$(echo "$2" | tr ',' ' '); shift ;;
	--install-peers) INSTALL=1 ;;
	--memslope) MEMSLOPE=$2; shift ;;
	--builddir) BUILDDIR=$2; shift ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

HERE=$(cd "$(dirname "$0")" && pwd)
case $MEMSLOPE in /*) ;; *) MEMSLOPE=$(pwd)/$MEMSLOPE ;; esac
[ -n "$BUILDDIR" ] || BUILDDIR=$(dirname "$MEMSLOPE")
if [ ! -x "$MEMSLOPE" ]; then
	echo "bench.sh: $MEMSLOPE is not an executable (build first, or --memslope PATH)" >&2
	exit 1
fi
want() { case ",$ONLY," in *,$1,*) return 0 ;; esac; return 1; }

if [ "$INSTALL" = 1 ]; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		-o DPkg::Lock::Timeout=600 htop btop atop sysstat || {
		echo "bench.sh: apt-get install failed" >&2
		exit 1
	}
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memslope-bench.XXXXXX") || exit 1
SOCK=memslope-bench-$$
IDLE_PID= TOOL_PID= TMUX_PID= SLEEP_PID=
T() { tmux -L "$SOCK" -f /dev/null "$@"; }

kill_pid() { [ -n "${1:-}" ] && kill "$1" 2>/dev/null; }
idle_stop() {
	if [ -n "$IDLE_PID" ]; then
		kill "$IDLE_PID" 2>/dev/null
		wait "$IDLE_PID" 2>/dev/null
		# The children die with their parent (PDEATHSIG); make sure.
		if [ -s "$TMP/idle.pids" ]; then
			while read -r p; do kill -9 "$p" 2>/dev/null; done <"$TMP/idle.pids"
		fi
		rm -f "$TMP/idle.pids"
		IDLE_PID=
	fi
}
cleanup() {
	kill_pid "$SLEEP_PID"
	kill_pid "$TOOL_PID"
	if [ -n "$TMUX_PID" ]; then
		T kill-server >/dev/null 2>&1
		kill "$TMUX_PID" 2>/dev/null
	fi
	idle_stop
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# ---- helpers ----

CLK=$(getconf CLK_TCK)
# utime+stime of PID in clock ticks (fields 14, 15; comm may hold spaces).
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}'; }
# on-CPU nanoseconds of PID, all its threads (/proc/PID/task/*/schedstat,
# first field): the same time as utime+stime, without the 10 ms ticks.
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {if (NR) printf "%.0f\n", s}'; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
now_ms() { date +%s%3N; }
# A sleep the traps can interrupt (a foreground sleep would delay them).
nap() {
	sleep "$1" &
	SLEEP_PID=$!
	wait "$SLEEP_PID"
	SLEEP_PID=
}
median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

idle_start() { # N
	idle_stop
	python3 "$HERE/idle.py" "$1" "$TMP/idle.pids" >"$TMP/idle.out" 2>&1 &
	IDLE_PID=$!
	for _ in $(seq 600); do
		grep -q ready "$TMP/idle.out" 2>/dev/null && return 0
		kill -0 "$IDLE_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "bench.sh: could not start $1 idle processes: $(cat "$TMP/idle.out")" >&2
	exit 1
}

# measure SECONDS: samples $TOOL_PID after the warm-up; sets M to
# "cpu_pct hwm_kb cpu_pct_ns" (the last from schedstat, "nan" where the
# kernel has none). Runs in this shell (no $(...)) so traps stay prompt.
measure() {
	local t0 t1 c0 c1 n0 n1 h
	nap "$WARMUP"
	c0=$(cpu_ticks "$TOOL_PID"); n0=$(cpu_ns "$TOOL_PID"); t0=$(now_ms)
	nap "$1"
	c1=$(cpu_ticks "$TOOL_PID"); n1=$(cpu_ns "$TOOL_PID"); t1=$(now_ms); h=$(hwm_kb "$TOOL_PID")
	if [ -z "$c0" ] || [ -z "$c1" ]; then
		M="nan nan nan"
		return
	fi
	M=$(awk -v c0="$c0" -v c1="$c1" -v n0="${n0:-0}" -v n1="${n1:-0}" -v t0="$t0" -v t1="$t1" \
		-v hz="$CLK" -v h="${h:-nan}" 'BEGIN {
		w = (t1 - t0) / 1000
		ns = n1 > n0 ? sprintf("%.4f", 100 * (n1 - n0) / 1e9 / w) : "nan"
		printf "%.3f %s %s\n", 100 * (c1 - c0) / hz / w, h, ns}')
}

tool_stop() {
	kill_pid "$TOOL_PID"
	wait "$TOOL_PID" 2>/dev/null
	TOOL_PID=
	if [ -n "$TMUX_PID" ]; then
		T kill-server >/dev/null 2>&1
		wait "$TMUX_PID" 2>/dev/null
		TMUX_PID=
	fi
}

# run_plain CMD...: a batch tool, its output thrown away.
run_plain() {
	"$@" >/dev/null 2>&1 </dev/null &
	TOOL_PID=$!
}

# run_tmux CMD: an interactive tool in a detached 200x50 tmux.
run_tmux() {
	T new-session -d -s bench -x 200 -y 50 "exec $1" || return 1
	TMUX_PID=$(T display-message -p '#{pid}')
	TOOL_PID=$(T list-panes -t bench -F '#{pane_pid}')
}

XDG=$TMP/xdg
mkdir -p "$XDG/btop" "$XDG/htop"
# btop's interval is a config setting (default 2000 ms).
printf 'update_ms = 1000\n' >"$XDG/btop/btop.conf"
export XDG_CONFIG_HOME=$XDG
LANG=C.UTF-8 LC_ALL=C.UTF-8
export LANG LC_ALL

[ -n "${TOOLS:-}" ] || TOOLS="memslope memslope-tui top htop btop atop pidstat"
have_tool() {
	case $1 in
	memslope|memslope-tui) return 0 ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}
start_tool() {
	case $1 in
	memslope) run_plain "$MEMSLOPE" --log /dev/null ;;
	memslope-tui) run_tmux "$MEMSLOPE" ;;
	top) run_plain top -b -d 1 ;;
	htop) run_tmux "htop -d 10" ;;
	btop) run_tmux "btop --utf-force" ;;
	atop) run_plain atop 1 ;;
	pidstat) run_plain pidstat -r 1 ;;
	esac
}

version_of() {
	case $1 in
	memslope|memslope-tui) "$MEMSLOPE" --version 2>&1 | head -1 ;;
	top) top -V 2>&1 | head -1 ;;
	htop) htop --version 2>&1 | head -1 ;;
	btop) btop --version 2>&1 | head -1 ;;
	atop) atop -V 2>&1 | head -1 ;;
	pidstat) pidstat -V 2>&1 | head -1 ;;
	esac
}

# ---- header ----

echo "memslope benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(uname -srm), $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)," \
	"$(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo) RAM;" \
	"$(ls -d /proc/[0-9]* 2>/dev/null | wc -l) processes before the idle ones"
for t in memslope top htop btop atop pidstat; do
	if have_tool "$t"; then
		echo "  $(version_of "$t")"
	else
		echo "  $t: not installed (--install-peers)"
	fi
done
echo "method: N=$N idle processes, 1 s interval, ${DUR}s measured after ${WARMUP}s warm-up," \
	"median of $RUNS runs; CPU = utime+stime / wall, % of one core; RSS = VmHWM"
echo

# ---- 1. memslope and the peers, N processes ----

if want main; then
	idle_start "$N"
	for r in $(seq "$RUNS"); do
		for t in $TOOLS; do
			have_tool "$t" || continue
			if ! start_tool "$t"; then
				echo "bench.sh: cannot start $t" >&2
				continue
			fi
			measure "$DUR"; m=$M
			tool_stop
			echo "$m" | awk '{print $1}' >>"$TMP/cpu.$t"
			echo "$m" | awk '{print $2}' >>"$TMP/hwm.$t"
			echo "$m" | awk '{print $3}' >>"$TMP/ns.$t"
			echo "  run $r/$RUNS $t: $m" >&2
		done
	done
	idle_stop
	cpu_m=$(median <"$TMP/cpu.memslope")
	echo "All processes, N=$N (+ the machine's own): CPU % of one core and peak RSS, medians of $RUNS"
	printf '  %-22s %8s %10s %12s %10s %s\n' tool "CPU %" "peak RSS" "memslope/x" "CPU % (ns)" "runs (CPU %)"
	for t in $TOOLS; do
		[ -s "$TMP/cpu.$t" ] || continue
		c=$(median <"$TMP/cpu.$t")
		h=$(median <"$TMP/hwm.$t")
		ratio=$(awk -v a="$cpu_m" -v b="$c" 'BEGIN {if (b > 0) printf "%.2fx", a / b; else print "-"}')
		label=$t
		[ "$t" = memslope ] && label="memslope (headless)" && ratio=-
		[ "$t" = memslope-tui ] && label="memslope (TUI)" &&
			ratio=$(awk -v a="$c" -v b="$cpu_m" 'BEGIN {if (b > 0) printf "TUI/headless %.2fx", a / b; else print "-"}')
		printf '  %-22s %8.3f %7.1f MB %12s %10s %s\n' "$label" "$c" "$(awk -v k="$h" 'BEGIN {print k / 1024}')" \
			"$ratio" "$(median <"$TMP/ns.$t")" "$(tr '\n' ' ' <"$TMP/cpu.$t")"
	done
	echo "  targets: headless <= 0.5 % and <= 0.25x btop; TUI <= 1.5x headless"
	echo "  (CPU % is utime+stime in 10 ms ticks, as the issue defines it; CPU % (ns) is the same time from schedstat)"
	echo
fi

# ---- 2. per-process cost and scaling ----

if want scaling; then
	echo "Sampler cost and scaling (memslope --log FILE, all processes; floor = statm by pread on kept fds)"
	printf '  %6s %8s %8s %14s %14s %8s\n' N procs "CPU %" "memslope us/p" "floor us/p" "ratio"
	for n in $SCALING; do
		idle_start "$n"
		: >"$TMP/s.cpu"; : >"$TMP/s.cost"; : >"$TMP/s.floor"; : >"$TMP/s.procs"
		for r in $(seq "$RUNS"); do
			rm -f "$TMP/s.log"
			run_plain "$MEMSLOPE" --log "$TMP/s.log"
			measure "$SCALE_DUR"; m=$M
			tool_stop
			echo "$m" | awk '{print $1}' >>"$TMP/s.cpu"
			# median of the self-reported cost over the measured ticks
			python3 - "$TMP/s.log" "$WARMUP" >>"$TMP/s.cost" <<'EOF'
import json, sys
v = []
for i, line in enumerate(open(sys.argv[1])):
    if i < int(sys.argv[2]) + 1:
        continue
    s = json.loads(line).get("self") or {}
    c = s.get("sample_cost_us_per_process")
    if c is not None:
        v.append(c)
v.sort()
print(v[len(v) // 2] if v else "nan")
EOF
			f=$("$BUILDDIR/contrib/bench/floor" 20)
			echo "$f" | awk '{print $2}' >>"$TMP/s.floor"
			echo "$f" | awk '{print $4}' >>"$TMP/s.procs"
			echo "  scaling N=$n run $r: cpu $m cost $(tail -1 "$TMP/s.cost") floor $f" >&2
		done
		idle_stop
		c=$(median <"$TMP/s.cpu"); k=$(median <"$TMP/s.cost"); f=$(median <"$TMP/s.floor")
		printf '  %6s %8s %8.3f %14.2f %14.2f %7.2fx\n' "$n" "$(median <"$TMP/s.procs")" "$c" "$k" "$f" \
			"$(awk -v a="$k" -v b="$f" 'BEGIN {print (b > 0 ? a / b : 0)}')"
	done
	echo "  target: memslope us/p <= 3x floor"
	echo
fi

# ---- 3. one watched process, PSS on ----

if want pid; then
	idle_start 1
	target=$(head -1 "$TMP/idle.pids")
	: >"$TMP/p.cpu"; : >"$TMP/p.ns"
	for r in $(seq "$RUNS"); do
		run_plain "$MEMSLOPE" --log /dev/null --pss -p "$target"
		measure "$DUR"; m=$M
		tool_stop
		echo "$m" | awk '{print $1}' >>"$TMP/p.cpu"
		echo "$m" | awk '{print $3}' >>"$TMP/p.ns"
		echo "  -p run $r: $m" >&2
	done
	idle_stop
	echo "One watched process (-p PID --pss --log /dev/null): CPU $(median <"$TMP/p.cpu") % (runs: $(tr '\n' ' ' <"$TMP/p.cpu"); target <= 0.05 %)"
	echo "  the same from schedstat (ns, not 10 ms ticks): $(median <"$TMP/p.ns") % (runs: $(tr '\n' ' ' <"$TMP/p.ns"))"
	echo
fi

# ---- 4. footprint ----

if want footprint; then
	echo "Footprint"
	if [ -x "$BUILDDIR/contrib/bench/footprint" ]; then
		echo "  simulated hour (model, history and trend APIs, $N processes x 3600 samples):"
		"$BUILDDIR/contrib/bench/footprint" "$N" 3600 | sed 's/^/    /'
	fi
	if [ "$FOOT_MIN" != 0 ]; then
		# Headless and TUI side by side for the same minutes: RSS does not
		# depend much on the other one running, and it halves the wait.
		idle_start "$N"
		run_tmux "$MEMSLOPE"
		tui_pid=$TOOL_PID
		"$MEMSLOPE" --log /dev/null >/dev/null 2>&1 </dev/null &
		TOOL_PID=$!
		nap 60
		r1=$(rss_kb "$TOOL_PID"); t1=$(rss_kb "$tui_pid")
		nap $((FOOT_MIN * 60 - 60))
		r2=$(rss_kb "$TOOL_PID"); h=$(hwm_kb "$TOOL_PID")
		t2=$(rss_kb "$tui_pid"); th=$(hwm_kb "$tui_pid")
		tool_stop
		idle_stop
		echo "  real process, N=$N, headless --log /dev/null: VmRSS ${r1} kB after 1 min, ${r2} kB after $FOOT_MIN min, VmHWM ${h} kB"
		echo "  real process, N=$N, TUI 200x50:               VmRSS ${t1} kB after 1 min, ${t2} kB after $FOOT_MIN min, VmHWM ${th} kB"
	fi
	echo "  target: <= 12 MB with an hour of history"
	echo
fi

# ---- 5. memory is flat: memslope watching itself ----

if want stability && [ "$STAB_MIN" != 0 ]; then
	# memslope on all processes (N idle ones added) reads its own entry:
	# the last line of its log holds its RSS series and trend verdict (the
	# leak verdict needs >= 600 s of history, so a shorter run can only say
	# stable or unknown). The log rotates so the disk use stays bounded.
	idle_start "$N"
	run_plain "$MEMSLOPE" --log "$TMP/self.log" --log-max-size 64MB --log-keep 1 --duration "${STAB_MIN}m"
	self_pid=$TOOL_PID
	wait "$TOOL_PID" 2>/dev/null
	TOOL_PID=
	idle_stop
	[ -s "$TMP/self.log" ] && python3 - "$TMP/self.log" "$self_pid" "$STAB_MIN" <<'EOF'
import json, sys
last = None
for line in open(sys.argv[1]):
    last = line
doc = json.loads(last)
me = [p for p in doc.get("processes", []) if p.get("pid") == int(sys.argv[2])]
if not me:
    print("  self-watch: no entry for memslope's own PID in the last line")
    sys.exit(0)
p = me[0]
tr = p.get("trend") or {}
slope = tr.get("slope_bytes_per_s")
print("  self-watch, %s min on all processes: RSS %.2f MB (peak %.2f MB), verdict %s%s" % (
    sys.argv[3], p["rss_bytes"] / 1e6, (p.get("peak_rss_bytes") or 0) / 1e6, tr.get("verdict"),
    "" if slope is None else ", slope %.1f B/s" % slope))
EOF
	echo
fi
