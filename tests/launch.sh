#!/bin/sh
# Launch mode and the CI gate, on real python3 workloads: exit statuses pass
# through, the post-mortem is printed (and valid JSON with --json), --check
# fails with exit 3 and its reason, a 1 MB/s leak is `growing` within 60 s
# while a sawtooth beside it is not called a leak.
. "${srcdir:-.}/tests/lib.sh"
W="${srcdir:-.}/tests/workloads/workload.py"

"$MEMSLOPE" --log /dev/null -- sh -c 'exit 7' 2>"$TMP/pm.err"
rc=$?
[ $rc -eq 7 ] || fail "exit status 7 came back as $rc"
grep -q "exit status 7" "$TMP/pm.err" || fail "post-mortem does not say 'exit status 7': $(cat "$TMP/pm.err")"
grep -q "memslope: cause: exit$" "$TMP/pm.err" || fail "post-mortem cause of 'exit 7' is not exit: $(cat "$TMP/pm.err")"
"$MEMSLOPE" --log /dev/null -- sh -c 'kill -TERM $$' 2>"$TMP/pm.err"
rc=$?
[ $rc -eq 143 ] || fail "death by SIGTERM came back as $rc, expected 143"
grep -q "killed by SIGTERM" "$TMP/pm.err" || fail "post-mortem does not name SIGTERM"
grep -q "memslope: cause: signal$" "$TMP/pm.err" || fail "post-mortem cause of SIGTERM is not signal"
ok "exit statuses"

"$MEMSLOPE" --json --interval 200ms -- python3 "$W" bounded --duration 3 >"$TMP/pm.json" 2>"$TMP/pm.err" ||
	fail "launch --json failed: $(cat "$TMP/pm.err")"
validate "$TMP/pm.json"
[ "$(jget "$TMP/pm.json" "d['type']")" = postmortem ] || fail "not a postmortem document"
[ "$(jget "$TMP/pm.json" "d['peak_rss_bytes'] > 30*2**20")" = True ] || fail "peak RSS below the 30 MB base"
for field in "ran" "peak RSS" "final verdict" "memory.high" "OOM kill"; do
	grep -q "$field" "$TMP/pm.err" || fail "post-mortem lacks '$field'"
done
ok "post-mortem"

"$MEMSLOPE" --check --max-usage 0.01 --interval 200ms -- python3 "$W" bounded --duration 2 \
	>/dev/null 2>"$TMP/chk.err"
rc=$?
[ $rc -eq 3 ] || fail "--check with a breached --max-usage exited $rc, expected 3"
grep -q "check failed: usage above --max-usage" "$TMP/chk.err" || fail "--check reason missing: $(cat "$TMP/chk.err")"
"$MEMSLOPE" --check --max-usage 90 --interval 200ms -- python3 "$W" noisy --duration 2 >/dev/null 2>"$TMP/chk.err"
rc=$?
[ $rc -eq 0 ] || fail "--check of a quiet job exited $rc: $(cat "$TMP/chk.err")"
grep -q "check passed" "$TMP/chk.err" || fail "--check did not say it passed"
ok "--check"

# 70 s: a 1 MB/s leak must be `growing` within 60 s; a sawtooth run at the
# same time must never be called a leak.
"$MEMSLOPE" --log "$TMP/saw.ndjson" --interval 1s -- python3 "$W" sawtooth --duration 70 >/dev/null 2>&1 &
SAW=$!
"$MEMSLOPE" --log "$TMP/lin.ndjson" --interval 1s -- python3 "$W" linear --rate 1 --duration 70 >/dev/null 2>&1 ||
	fail "linear run failed"
wait $SAW
python3 - "$TMP/lin.ndjson" <<'PY' || fail "1 MB/s leak not growing within 60 s"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
t0 = lines[0]["time_ms"]
for d in lines:
    for p in d["processes"]:
        if p["trend"]["verdict"] in ("growing", "leak"):
            dt = (d["time_ms"] - t0) / 1000
            print("growing after %.0f s, slope %.2f MB/s" % (dt, p["trend"]["slope_bytes_per_s"] / 2**20))
            sys.exit(0 if dt <= 60 else 1)
sys.exit(1)
PY
python3 - "$TMP/saw.ndjson" <<'PY' || fail "the sawtooth was called a leak"
import json, sys
for l in open(sys.argv[1]):
    for p in json.loads(l)["processes"]:
        if p["trend"]["verdict"] == "leak":
            sys.exit(1)
PY
validate "$TMP/lin.ndjson" --ndjson
ok "launch mode"
