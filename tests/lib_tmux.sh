# lib_tmux.sh: ending a test's private tmux server (or one of its sessions)
# without leaving what ran in its panes (sourced, not run: by lib.sh, and by
# the tmux tests that do not use lib.sh).
#
# Killing a tmux server or session only hangs up its panes. A plain memslope
# quits on that, but a sanitizer-built one can then sit in LeakSanitizer's
# exit-time check, spinning, for hours after the test. So each pane's process
# tree is ended by PID, while its terminal still exists; never by name, which
# would hit the memslope of a test running beside this one (make -j).

# tmux_tree PID...: those of the PIDs still running and all their
# descendants, one a line.
tmux_tree() {
	[ $# -gt 0 ] || return 0
	ps -A -o pid= -o ppid= 2>/dev/null | awk -v roots="$*" '
		BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
		{ parent[$1] = $2 }
		END {
			do {
				grew = 0
				for (p in parent)
					if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; grew = 1 }
			} while (grew)
			for (p in keep) if (p in parent) print p
		}'
}

# tmux_alive PID...: those of the PIDs that still run (not zombies).
tmux_alive() {
	[ $# -gt 0 ] || return 0
	ps -o pid= -o stat= -p "$(echo "$@" | tr ' ' ',')" 2>/dev/null | awk '$2 !~ /^Z/ {print $1}'
}

# tmux_end PID...: SIGTERM the PIDs and their descendants, wait up to 2 s
# for them and what they start meanwhile (the sanitizer's leak-check child),
# SIGKILL what is left.
tmux_end() {
	local pids left i=0
	pids=$(tmux_tree "$@")
	[ -n "$pids" ] || return 0
	kill -TERM $pids 2>/dev/null
	while [ $i -lt 20 ]; do
		pids=$(tmux_tree $pids)
		left=$(tmux_alive $pids)
		[ -n "$left" ] || return 0
		sleep 0.1
		i=$((i + 1))
	done
	pids=$(tmux_tree $pids)
	left=$(tmux_alive $pids)
	[ -z "$left" ] || echo "tmux_end: SIGKILL for what did not end on SIGTERM within 2 s: $(echo $left)" >&2
	kill -KILL $left 2>/dev/null
}

# tmux_reap SOCKET [SESSION]: end the processes in the panes of SESSION (of
# every session when none), then kill that session (or the server). Inside
# each pane first (memslope, what it launched), with the pane's shell still
# holding the terminal, then the pane's shell and whatever it started since.
tmux_reap() {
	local roots
	if [ -n "${2:-}" ]; then
		# "=NAME:": that session exactly; a bare NAME also matches a window
		# whose name starts with it ("tmux" while a new pane starts) elsewhere.
		roots=$(tmux -L "$1" -f /dev/null list-panes -s -t "=$2:" -F '#{pane_pid}' 2>/dev/null)
	else
		roots=$(tmux -L "$1" -f /dev/null list-panes -a -F '#{pane_pid}' 2>/dev/null)
	fi
	if [ -n "$roots" ]; then
		tmux_end $(tmux_tree $roots | grep -vxF "$roots")
		tmux_end $roots
	fi
	if [ -n "${2:-}" ]; then
		tmux -L "$1" -f /dev/null kill-session -t "=$2" >/dev/null 2>&1
	else
		tmux -L "$1" -f /dev/null kill-server >/dev/null 2>&1
	fi
	return 0
}
