#!/bin/sh
# GPU memory (issue 17) headless, against the stand-in libnvidia-ml.so.1
# (tests/nvml_standin.c) loaded through LD_LIBRARY_PATH and scripted through
# MEMSLOPE_NVML_SCRIPT: without the library nothing changes; with it the
# cards and each process's GPU memory (summed over GPUs, listed per GPU,
# absent where NVML cannot say) are in the JSON, valid against the schema;
# a process growing 256 MiB/s is `growing` with a time to the card's limit,
# raises events, fails --check and runs alert hooks; processes appear and
# vanish; an old driver works; a failed launch near the card's limit is a
# likely CUDA OOM; the log's re-analysis reproduces it.
. "${srcdir:-.}/tests/lib.sh"

STANDIN=${NVML_STANDIN_DIR:-$PWD/tests/nvml}
[ -f "$STANDIN/libnvidia-ml.so.1" ] || skip "stand-in $STANDIN/libnvidia-ml.so.1 not built (run through make check)"
SCRIPT="$TMP/nvml.script"
export MEMSLOPE_NVML_SCRIPT="$SCRIPT"
GiB=1073741824
MiB=1048576

# script TEXT: replace the stand-in's script (rename: it sees a new file).
script() { printf '%s\n' "$1" >"$SCRIPT.tmp" && mv "$SCRIPT.tmp" "$SCRIPT"; }
# A process to attach GPU memory to (its PID is what NVML reports).
sleeper() { sleep 600 </dev/null >/dev/null 2>&1 & echo $! >>"$TMP/pids"; echo $!; }

P=$(sleeper)
Q=$(sleeper)
sh -c 'sleep 600 & wait' </dev/null >/dev/null 2>&1 &
SH=$!
echo "$SH" >>"$TMP/pids"
wait_for 5 sh -c "pgrep -P $SH >/dev/null" || fail "no child of $SH"
KID=$(pgrep -P "$SH")

# 1. No library: the same document as before, and nothing on stderr.
LD_LIBRARY_PATH="$TMP/empty" "$MEMSLOPE" -d 0.2 --count 2 --prom-file "$TMP/none.prom" -p "$P" 2>/dev/null ||
	fail "--prom-file without NVML failed"
! grep -q gpu "$TMP/none.prom" || fail "GPU gauges without NVML"
LD_LIBRARY_PATH="$TMP/empty" "$MEMSLOPE" --once --json -p "$P" >"$TMP/none.json" 2>"$TMP/none.err" ||
	fail "--once --json without NVML failed"
[ ! -s "$TMP/none.err" ] || fail "a message without NVML: $(cat "$TMP/none.err")"
[ "$(jget "$TMP/none.json" "'gpus' in d or any(k.startswith('gpu') for p in d['processes'] for k in p)")" = False ] ||
	fail "GPU fields without NVML"
ok "without libnvidia-ml.so.1: no GPU fields, no message"

# 2. Two cards; P on both, Q with memory NVML cannot say, the tree's child on
#    card 1, a PID memslope does not watch, and init failing.
script "gpu 0 85899345920 NVIDIA H200
gpu 1 25769803776 NVIDIA L4
reserved 0 536870912
proc 0 $P compute 4294967296
proc 1 $P graphics 1073741824
proc 0 $Q compute na
proc 1 $KID compute 2147483648
proc 0 4194000 compute 1048576"
LD_LIBRARY_PATH="$STANDIN" "$MEMSLOPE" --once --json -t -p "$P,$Q,$SH" >"$TMP/once.json" 2>"$TMP/once.err" ||
	fail "--once --json with the stand-in failed: $(cat "$TMP/once.err")"
validate "$TMP/once.json"
[ "$(jget "$TMP/once.json" "[(g['index'], g['name'], g['total_bytes']) for g in d['gpus']]")" = \
	"[(0, 'NVIDIA H200', 85899345920), (1, 'NVIDIA L4', 25769803776)]" ] || fail "gpus: $(jget "$TMP/once.json" "d['gpus']")"
# card 0: reserved 512 MiB + P's 4 GiB + the unwatched 1 MiB (Q's is unknown)
[ "$(jget "$TMP/once.json" "d['gpus'][0]['used_bytes']")" -eq $((GiB / 2 + 4 * GiB + MiB)) ] || fail "card 0 used_bytes"
[ "$(jget "$TMP/once.json" "d['gpu_pid_map']")" = host ] || fail "gpu_pid_map"
proc() { jget "$TMP/once.json" "[p for p in d['processes'] if p['pid']==$1][0]$2"; }
[ "$(proc "$P" "['gpu_memory_bytes']")" -eq $((5 * GiB)) ] || fail "P's GPU memory is not summed over its GPUs"
[ "$(proc "$P" "['gpu_memory_per_gpu']")" = "[{'index': 0, 'used_bytes': 4294967296}, {'index': 1, 'used_bytes': 1073741824}]" ] ||
	fail "P per GPU: $(proc "$P" "['gpu_memory_per_gpu']")"
# its limit: its own use plus each card's free memory
free0=$(jget "$TMP/once.json" "d['gpus'][0]['free_bytes']")
free1=$(jget "$TMP/once.json" "d['gpus'][1]['free_bytes']")
[ "$(proc "$P" "['gpu_limit_bytes']")" -eq $((5 * GiB + free0 + free1)) ] || fail "P's gpu_limit_bytes"
[ "$(proc "$P" "['gpu_trend']['verdict']")" = unknown ] || fail "a trend after one reading"
[ "$(proc "$Q" "['gpu_memory_bytes']")" = None ] || fail "memory NVML cannot give is not null"
[ "$(proc "$SH" ".get('gpu_memory_bytes', 'no key')")" = "no key" ] || fail "the shell never used a GPU but has GPU fields"
[ "$(jget "$TMP/once.json" "[t['gpu_memory_bytes'] for t in d['trees'] if t['root_pid']==$SH][0]")" -eq $((2 * GiB)) ] ||
	fail "the tree's GPU memory does not include its child's"
ok "cards, per process sums and per GPU lists, absent values, tree sums"

script "init_error 9
gpu 0 85899345920 X"
LD_LIBRARY_PATH="$STANDIN" "$MEMSLOPE" --once --json -p "$P" >"$TMP/init.json" 2>"$TMP/init.err" || fail "init error broke the run"
[ ! -s "$TMP/init.err" ] && [ "$(jget "$TMP/init.json" "'gpus' in d")" = False ] || fail "nvmlInit failing is not like no library"
ok "nvmlInit failing: no GPU fields, no message"

# 3. An old driver (no _v2/_v3 entry points).
script "gpu 0 17179869184 Tesla K80
proc 0 $P compute 1073741824
proc 0 $Q compute 2147483648"
LD_LIBRARY_PATH="$STANDIN-old" "$MEMSLOPE" --once --json -p "$P,$Q" >"$TMP/old.json" || fail "old driver run failed"
[ "$(jget "$TMP/old.json" "sorted(p['gpu_memory_bytes'] for p in d['processes'])")" = "[1073741824, 2147483648]" ] ||
	fail "old driver's values: $(jget "$TMP/old.json" "[p.get('gpu_memory_bytes') for p in d['processes']]")"
ok "old driver"

# 4. A live run: P grows 256 MiB/s on an 80 GiB card from 1 GiB; R appears
#    on card 1 at 4 s and vanishes at 12 s; card 1's list fails from 16 s
#    to 19 s. Headless log at 0.5 s, --check with --max-growth.
R=$(sleeper)
script "gpu 0 85899345920 NVIDIA H200
gpu 1 85899345920 NVIDIA H200
reserved 0 536870912
proc 0 $P compute 1073741824 rate=268435456
proc 1 $R compute 104857600 from=4 until=12"
(sleep 16; script "gpu 0 85899345920 NVIDIA H200
gpu 1 85899345920 NVIDIA H200
reserved 0 536870912
proc 0 $P compute 1073741824 rate=268435456
error 1 compute 999"; sleep 3; script "gpu 0 85899345920 NVIDIA H200
gpu 1 85899345920 NVIDIA H200
reserved 0 536870912
proc 0 $P compute 1073741824 rate=268435456") &
echo $! >>"$TMP/pids"
LD_LIBRARY_PATH="$STANDIN" "$MEMSLOPE" -d 0.5 --duration 40 --log "$TMP/run.ndjson" --prom-file "$TMP/run.prom" --check \
	--max-growth 100MB/min -p "$P,$R" 2>"$TMP/run.err"
rc=$?
validate "$TMP/run.ndjson" --ndjson
[ "$rc" -eq 3 ] || fail "--check exit status $rc, not 3 ($(cat "$TMP/run.err"))"
grep -q "GPU memory" "$TMP/run.err" || fail "--check reasons do not name the GPU series: $(cat "$TMP/run.err")"
last() { tail -n 1 "$TMP/run.ndjson" >"$TMP/last.json"; jget "$TMP/last.json" "[p for p in d['processes'] if p['pid']==$1][0]$2"; }
[ "$(last "$P" "['gpu_trend']['verdict']")" = growing ] || fail "P's GPU trend: $(last "$P" "['gpu_trend']")"
python3 - "$TMP/last.json" "$P" <<'EOF' || fail "P's GPU slope or time to the card's limit is wrong"
import json, sys
d = json.load(open(sys.argv[1])); p = [p for p in d['processes'] if p['pid'] == int(sys.argv[2])][0]
t = p['gpu_trend']; MiB = 1048576
slope_ok = abs(t['slope_bytes_per_s'] - 256 * MiB) < 0.1 * 256 * MiB
# what is left on the card at 256 MiB/s
want = (p['gpu_limit_bytes'] - p['gpu_memory_bytes']) / (256 * MiB)
ttl_ok = t['ttl_s'] is not None and abs(t['ttl_s'] - want) < 0.25 * want and t['ttl_band_s'] is not None
print("slope %.0f MiB/s, ttl %s s (left at 256 MiB/s: %.0f s)" % (t['slope_bytes_per_s'] / MiB, t['ttl_s'], want))
sys.exit(0 if slope_ok and ttl_ok else 1)
EOF
python3 - "$TMP/run.ndjson" "$R" "$P" <<'EOF' || fail "R's appearance and exit from the GPU, or the failed list, not seen"
import json, sys
r, p = int(sys.argv[2]), int(sys.argv[3])
seen_r, after_r, absent_p, back_p = [], [], False, False
for line in open(sys.argv[1]):
    d = json.loads(line)
    pr = {x['pid']: x for x in d['processes']}
    if r in pr and 'gpu_memory_bytes' in pr[r]:
        seen_r.append(pr[r]['gpu_memory_bytes'])
    if p in pr and 'gpu_memory_bytes' in pr[p]:
        if pr[p]['gpu_memory_bytes'] is None:
            absent_p = True
        elif absent_p:
            back_p = True
# R: absent before it appears, 100 MiB while there, 0 once gone
ok_r = 104857600 in seen_r and seen_r[-1] == 0 and seen_r.index(104857600) < len(seen_r) - 1
print("R's GPU memory over time (distinct):", sorted(set(x for x in seen_r if x is not None)), "P absent while card 1's list failed:", absent_p, "and back:", back_p)
sys.exit(0 if ok_r and absent_p and back_p else 1)
EOF
grep -q '[a-z]* -> growing[^"]*GPU memory' "$TMP/run.ndjson" || fail "no GPU verdict event in the log"
grep -q "^memslope_process_gpu_growing{pid=\"$P\",name=\"sleep\"} 1\$" "$TMP/run.prom" &&
	grep -q "^memslope_process_gpu_time_to_limit_seconds{pid=\"$P\"" "$TMP/run.prom" &&
	grep -q '^memslope_gpu_memory_total_bytes{gpu="1",name="NVIDIA H200"} 85899345920$' "$TMP/run.prom" ||
	fail "Prometheus GPU gauges: $(grep gpu "$TMP/run.prom")"
# The re-analysis of the log (replay as a sampler) gives the same log, GPU series included.
"$MEMSLOPE" --replay "$TMP/run.ndjson" --log - >"$TMP/re.ndjson" 2>"$TMP/re.err" </dev/null ||
	fail "--replay --log - failed: $(cat "$TMP/re.err")"
if ! cmp -s "$TMP/run.ndjson" "$TMP/re.ndjson"; then
	diff "$TMP/run.ndjson" "$TMP/re.ndjson" | head -c 1500
	fail "the re-analysed log differs from the live one"
fi
ok "growth at 256 MiB/s: growing, slope, TTL to the card, events, --check, Prometheus, re-analysis; a process appearing and vanishing; a failed list"

# 5. Launch mode: the job puts itself on card 0 near its limit and fails.
script "gpu 0 85899345920 NVIDIA H200"
LD_LIBRARY_PATH="$STANDIN" "$MEMSLOPE" -d 0.3 --json -- sh -c "
printf 'gpu 0 85899345920 NVIDIA H200\nproc 0 %s compute 84000000000\n' \$\$ >'$SCRIPT.tmp' && mv '$SCRIPT.tmp' '$SCRIPT'
sleep 3; exit 1" >"$TMP/pm.json" 2>"$TMP/pm.err"
rc=$?
[ "$rc" -eq 1 ] || fail "launch exit status $rc"
validate "$TMP/pm.json"
[ "$(jget "$TMP/pm.json" "(d['gpu_peak_bytes'], d['cuda_oom_likely'])")" = "(84000000000, True)" ] ||
	fail "post-mortem: $(jget "$TMP/pm.json" "(d.get('gpu_peak_bytes'), d.get('cuda_oom_likely'))")"
grep -q "likely CUDA out of memory: yes" "$TMP/pm.err" || fail "no CUDA OOM line on stderr: $(cat "$TMP/pm.err")"
# ...and the cause names the GPU limit it died near
[ "$(jget "$TMP/pm.json" "(d['cause'], d['cause_likely'], d['cause_limit']['kind'])")" = "('memory_error', True, 'gpu')" ] ||
	fail "post-mortem cause: $(jget "$TMP/pm.json" "(d['cause'], d['cause_limit'])")"
grep -q "cause: memory_error (likely: gpu .*CUDA out of memory)" "$TMP/pm.err" || fail "no GPU cause on stderr: $(cat "$TMP/pm.err")"
LD_LIBRARY_PATH="$STANDIN" "$MEMSLOPE" -d 0.3 --json -- sh -c "
printf 'gpu 0 85899345920 NVIDIA H200\nproc 0 %s compute 1000000000\n' \$\$ >'$SCRIPT.tmp' && mv '$SCRIPT.tmp' '$SCRIPT'
sleep 3; exit 1" >"$TMP/pm2.json" 2>/dev/null
[ "$(jget "$TMP/pm2.json" "(d['cuda_oom_likely'], d['cause'])")" = "(False, 'exit')" ] ||
	fail "a failure far from the card's limit called a CUDA OOM: $(jget "$TMP/pm2.json" "(d['cuda_oom_likely'], d['cause'])")"
ok "post-mortem: peak GPU memory and a likely CUDA OOM, the cause naming the gpu limit"

# 6. Alerts: a process filling a 16 GiB card at 256 MiB/s from 8 GiB is OOM-
#    imminent (and past --crit-pct) within about 25 s: the hook runs for its
#    GPU memory, with the GPU's figures. Its RSS is flat: the GPU is its
#    binding limit (kind gpu, source nvml:0), a limit_imminent event names
#    it, --check fails on it, and the log's re-analysis is the same.
script "gpu 0 17179869184 NVIDIA L4
proc 0 $P compute 8589934592 rate=268435456"
cat >"$TMP/hook.sh" <<HOOK
#!/bin/sh
env | grep '^MEMSLOPE_' | sort >"$TMP/hook.\$\$"
HOOK
chmod +x "$TMP/hook.sh"
LD_LIBRARY_PATH="$STANDIN" "$MEMSLOPE" -d 0.5 --duration 28 --log "$TMP/fill.ndjson" --check --on-alert "$TMP/hook.sh" \
	-p "$P" 2>"$TMP/fill.err"
rc=$?
grep -l '^MEMSLOPE_ENTITY=gpu$' "$TMP"/hook.* >"$TMP/hooks" 2>/dev/null || fail "no alert hook ran for the GPU memory"
h=$(head -n 1 "$TMP/hooks")
grep -Eq '^MEMSLOPE_EVENT=(oom_imminent|crit)$' "$h" && grep -q "^MEMSLOPE_PID=$P$" "$h" &&
	grep -Eq '^MEMSLOPE_GPU_BYTES=[0-9]+$' "$h" && grep -q '^MEMSLOPE_LIMIT_BYTES=17179869184$' "$h" ||
	fail "the GPU alert's environment: $(cat "$h")"
ok "alert hook for GPU memory: $(grep -E '^MEMSLOPE_(EVENT|GPU_BYTES|TTL_S)=' "$h" | tr '\n' ' ')"
[ "$rc" -eq 3 ] || fail "--check exit status $rc with the GPU limit imminent, not 3"
grep -q "limit_imminent gpu: process $P" "$TMP/fill.err" || fail "--check reasons lack the GPU limit: $(cat "$TMP/fill.err")"
validate "$TMP/fill.ndjson" --ndjson
python3 - "$TMP/fill.ndjson" "$P" <<'EOF' || fail "the GPU is not P's binding limit, or no limit_imminent gpu event"
import json, sys
pid, binding, lim, warn = int(sys.argv[2]), None, None, None
for line in open(sys.argv[1]):
    d = json.loads(line)
    for p in d['processes']:
        if p['pid'] == pid and p.get('gpu_memory_bytes'):
            binding = p['binding_limit']
            lim = [l for l in p['limits'] if l['kind'] == 'gpu']
    for e in d['events']:
        if e['kind'] == 'limit_imminent' and e.get('pid') == pid and e.get('limit') == 'gpu' and warn is None:
            warn = e['message']
print("binding %s, gpu limit %s, event: %s" % (binding, lim, warn))
l = lim[0] if lim else {}
sys.exit(0 if binding == 'gpu' and l.get('source') == 'nvml:0' and l.get('used_bytes', 0) > 8 * 2**30 and
         l.get('ttl_s') is not None and l.get('imminent') and warn else 1)
EOF
"$MEMSLOPE" --replay "$TMP/fill.ndjson" --log - >"$TMP/fill.re" 2>"$TMP/re.err" </dev/null ||
	fail "--replay --log - failed: $(cat "$TMP/re.err")"
cmp -s "$TMP/fill.ndjson" "$TMP/fill.re" ||
	fail "the re-analysed log with a GPU limit differs: $(diff "$TMP/fill.ndjson" "$TMP/fill.re" | head -c 1500)"
ok "a GPU filling at 256 MiB/s with flat RSS: binding limit gpu, limit_imminent gpu, --check fails, re-analysis identical"
