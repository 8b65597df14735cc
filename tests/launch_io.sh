#!/bin/sh
# launch_io: a launched command owns its input and output (issue 14).
#  - TUI: a chatty job (5 lines a second for 20 s, stdout and stderr, with
#    colour codes) never reaches the screen uncontrolled; `o` shows its last
#    lines; the file named in the status line has all of it; the post-mortem
#    is on screen when it ends, until q; memslope exits with its status.
#  - headless: its bytes pass through a pipe unchanged, stdin too; --json's
#    post-mortem alone is on stdout (the job's stdout goes to stderr);
#    -o FILE gets the post-mortem; --log - keeps the job out of the log.
#  - --check from a script without a terminal; the exit-status rule when the
#    command itself exits 3; -o into a missing directory refused before
#    anything runs.
. "${srcdir:-.}/tests/lib.sh"
case $MEMSLOPE in /*) ;; *) MEMSLOPE=$(pwd)/$MEMSLOPE ;; esac
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed (the README's test set-up installs it)"

# ---- headless -----------------------------------------------------------
cat >"$TMP/bytes.py" <<'EOF'
import sys
for i in range(5000):
    print("line", i)
sys.stdout.flush()
sys.stdout.buffer.write(bytes(range(256)))
EOF
want=$(python3 "$TMP/bytes.py" | cksum)
got=$("$MEMSLOPE" -- python3 "$TMP/bytes.py" 2>"$TMP/err" </dev/null | cksum)
[ "$got" = "$want" ] || fail "the command's bytes changed in a pipe: $got vs $want"
grep -q "exit status 0" "$TMP/err" || fail "no post-mortem on stderr: $(cat "$TMP/err")"
got=$(printf 'from-stdin\n' | "$MEMSLOPE" -- python3 -c 'import sys; print(sys.stdin.read().strip())' 2>/dev/null)
[ "$got" = from-stdin ] || fail "the command did not get memslope's stdin: '$got'"
ok "headless: stdin and stdout are the command's, byte for byte"

"$MEMSLOPE" --json -- python3 -c 'print("JOB" + "LINE")' >"$TMP/pm.json" 2>"$TMP/err" </dev/null ||
	fail "--json launch failed: $(cat "$TMP/err")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["type"] == "postmortem"' "$TMP/pm.json" ||
	fail "--json stdout is not the post-mortem alone: $(cat "$TMP/pm.json")"
grep -q JOBLINE "$TMP/err" || fail "the job's stdout did not go to stderr under --json"
validate "$TMP/pm.json"
ok "--json: the post-mortem alone on stdout (| jq works)"

"$MEMSLOPE" --json -o "$TMP/out.json" -- python3 -c 'print("JOB" + "LINE")' >"$TMP/stdout" 2>"$TMP/err" </dev/null ||
	fail "-o launch failed: $(cat "$TMP/err")"
[ "$(cat "$TMP/stdout")" = JOBLINE ] || fail "with -o the job's stdout is not its own: $(cat "$TMP/stdout")"
validate "$TMP/out.json"
grep -q "written to $TMP/out.json" "$TMP/err" || fail "stderr does not say where the post-mortem went"
[ "$(stat -c %a "$TMP/out.json")" = 600 ] || fail "post-mortem file mode $(stat -c %a "$TMP/out.json"), not 600"
"$MEMSLOPE" -o "$TMP/out.txt" -- true 2>/dev/null </dev/null || fail "-o text post-mortem failed"
grep -q "exit status 0" "$TMP/out.txt" || fail "text post-mortem lacks the exit status"
ok "-o FILE: the post-mortem (JSON with --json, text otherwise), 0600"

"$MEMSLOPE" --log - --interval 200ms -- python3 -c 'import time; print("JOB" + "LINE", flush=True); time.sleep(1)' \
	>"$TMP/log" 2>"$TMP/err" </dev/null || fail "--log - launch failed"
grep -q JOBLINE "$TMP/log" && fail "the job's line landed in the --log - stream"
grep -q JOBLINE "$TMP/err" || fail "the job's line was lost under --log -"
validate "$TMP/log" --ndjson
ok "--log -: the log alone on stdout"

"$MEMSLOPE" -o "$TMP/no/such/dir/pm.json" -- touch "$TMP/ran" >/dev/null 2>"$TMP/err" </dev/null
rc=$?
[ $rc -ne 0 ] || fail "-o into a missing directory was accepted"
[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "not a one-line error: $(cat "$TMP/err")"
[ ! -e "$TMP/ran" ] || fail "the command ran although -o was refused"
ok "-o into a missing directory: one line, nothing run"

"$MEMSLOPE" --interval 200ms -- sh -c 'exec python3 -c "import time; time.sleep(1.5)"' </dev/null >/dev/null 2>"$TMP/err" ||
	fail "exec'd job failed: $(cat "$TMP/err")"
grep -q "memslope: python3 (pid [0-9]*, launched as sh) ran" "$TMP/err" ||
	fail "the post-mortem does not call the exec'd python3 by its name: $(head -n 1 "$TMP/err")"
ok "the post-mortem names the command as it ended (python3, launched as sh)"

# ---- --check from a script ------------------------------------------------
sleep 30 &
P=$!
CHILDREN="$CHILDREN $P"
"$MEMSLOPE" --check --duration 1 -p $P </dev/null >"$TMP/out" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "--check --duration -p without a terminal: exit $rc: $(cat "$TMP/out")"
grep -q "check passed" "$TMP/out" || fail "--check without a terminal said nothing"
"$MEMSLOPE" --check -- sh -c 'exit 3' </dev/null >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -eq 3 ] || fail "a command's own exit 3 came back as $rc"
grep -q "exit status 3 is sh's own" "$TMP/err" || fail "stderr does not say the 3 is the command's: $(cat "$TMP/err")"
"$MEMSLOPE" --check --check-exit 42 --max-usage 0.001 -- python3 -c 'import time; time.sleep(1.5)' \
	</dev/null >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -eq 42 ] || fail "a failed --check with --check-exit 42 exited $rc"
grep -q "exit status 42: --check failed (python3 itself: exit status 0)" "$TMP/err" ||
	fail "stderr does not say the check failed: $(cat "$TMP/err")"
ok "--check: from a script; the exit rule said"

# ---- the TUI --------------------------------------------------------------
command -v tmux >/dev/null 2>&1 || skip "tmux is not installed (the README's test set-up installs it)"
SOCK=memslope-launchio-$$
T() { tmux -L "$SOCK" -f /dev/null "$@"; }
trap 'tmux_reap "$SOCK"; cleanup' EXIT
screen() { T capture-pane -p -t t 2>/dev/null; }
tfail() { echo "--- screen ---"; screen; fail "$*"; }
cat >"$TMP/chatty.py" <<'EOF'
import sys, time
for i in range(100):
    print("progress %d \x1b[31mred\x1b[0m" % i, flush=True)
    if i % 10 == 0:
        print("warning %d" % i, file=sys.stderr, flush=True)
    time.sleep(0.2)
print("finished")
EOF
T new-session -d -s t -x 80 -y 24 \
	"env LANG=C.UTF-8 '$MEMSLOPE' --snapshot-dir '$TMP' -- python3 '$TMP/chatty.py'; echo MEMSLOPE-EXIT=\$?; sleep 600"
wait_for 10 sh -c "tmux -L $SOCK capture-pane -p -t t | grep -q 'is saved in full to'" ||
	tfail "no status line naming the output file"
path=$(screen | grep -o "$TMP/memslope-output-python3-[A-Za-z0-9]*\.txt" | head -n 1)
# 20 s of output while the pane is closed: never on the screen, the frame
# (header on top, key bar at the bottom) intact each time it is read.
i=0
while [ $i -lt 12 ]; do
	s=$(screen)
	echo "$s" | grep -Eq 'progress|warning|red' && tfail "the job's output reached the screen"
	echo "$s" | tail -n 1 | grep -q 'q quit' || tfail "the key bar was overwritten"
	echo "$s" | head -n 1 | grep -q '^PID [0-9]' || tfail "the header was overwritten"
	i=$((i + 1))
	sleep 0.5
done
T send-keys -t t o
wait_for 5 sh -c "tmux -L $SOCK capture-pane -p -t t | grep -q '^progress [0-9]* red'" || tfail "o did not show the output"
screen | grep -q 'output of python3' || tfail "the pane has no title"
screen | grep -q "$(printf '\033')" && tfail "an escape sequence reached the pane"
wait_for 40 sh -c "tmux -L $SOCK capture-pane -p -t t | grep -q 'ended: post-mortem'" ||
	tfail "no post-mortem on screen when the job ended"
screen | grep -q 'exit status 0' || tfail "the on-screen post-mortem lacks the exit status"
screen | grep -q 'finished' || tfail "the pane lacks the job's last line"
sleep 1
screen | grep -q 'MEMSLOPE-EXIT' && tfail "memslope left before q"
T send-keys -t t q
wait_for 10 sh -c "tmux -L $SOCK capture-pane -p -t t | grep -q 'MEMSLOPE-EXIT=0'" || tfail "memslope did not exit 0 on q"
file=$(ls "$TMP"/memslope-output-python3-*.txt 2>/dev/null | head -n 1)
[ -n "$file" ] || fail "no output file in the snapshot directory"
[ "$path" = "$file" ] || fail "the status line named '$path', not $file"
[ "$(grep -c '^progress' "$file")" -eq 100 ] || fail "the output file lacks lines: $(grep -c '^progress' "$file") of 100"
grep -q '^warning 90' "$file" || fail "the output file lacks the job's stderr"
[ "$(stat -c %a "$file")" = 600 ] || fail "output file mode $(stat -c %a "$file"), not 600"
ok "TUI: 20 s of chatty output never on the screen; o shows it; all of it in $file; post-mortem until q"
