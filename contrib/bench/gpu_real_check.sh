#!/bin/sh
# gpu_real_check.sh: issue 17's real check on a machine with an NVIDIA GPU
# and python3 with torch, but none of memslope's build dependencies.
#
#   contrib/bench/gpu_real_check.sh bundle OUTDIR BUILDDIR
#       here: copy BUILDDIR/memslope, every shared library it needs (libc and
#       the dynamic loader too, so the target's glibc does not matter) and
#       this script into OUTDIR (a few MB).
#   OUTDIR/gpu_real_check.sh check [SECONDS]
#       there: run a torch job that allocates 256 MiB of CUDA memory a second
#       under memslope (launch mode, --log at 0.5 s, default 50 s) and say
#       whether its GPU memory was seen `growing` with a time to the card's
#       limit; the log, the post-mortem and a summary go to OUTDIR/out/.
#       JOB='...' replaces the torch job (a shell command line).
# NVIDIA's libnvidia-ml.so.1 is found in the target's usual places (the
# loader's cache and default directories) or through NVML_DIR.
set -u
here=$(cd "$(dirname "$0")" && pwd)

case ${1:-} in
bundle)
	out=$2 build=$3
	mkdir -p "$out/lib" || exit 1
	cp "$build/memslope" "$out/" && cp "$0" "$out/gpu_real_check.sh" || exit 1
	ldd "$build/memslope" | awk '$3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | while read -r lib; do
		cp -L "$lib" "$out/lib/" || exit 1
	done
	echo "bundle in $out: $(du -sh "$out" | cut -f1)"
	;;
check)
	secs=${2:-50}
	out=$here/out
	mkdir -p "$out" || exit 1
	loader=$(ls "$here"/lib/ld-linux*.so* 2>/dev/null | head -n 1)
	[ -n "$loader" ] || { echo "no dynamic loader in $here/lib (run 'bundle' first)"; exit 1; }
	# The bundled libraries first; NVIDIA's where the system keeps them.
	libpath=$here/lib:${NVML_DIR:-}:/usr/lib/x86_64-linux-gnu:/usr/lib64:/usr/lib:/usr/local/nvidia/lib64
	job=${JOB:-python3 -c "
import time, torch
keep = []
t0 = time.time()
while time.time() - t0 < $secs:
    keep.append(torch.empty(256 * 1024 * 1024, dtype=torch.uint8, device='cuda'))
    keep[-1].fill_(1)
    time.sleep(1)
"}
	"$loader" --library-path "$libpath" "$here/memslope" -d 0.5 --log "$out/log.ndjson" --json \
		-- sh -c "$job" >"$out/postmortem.json" 2>"$out/stderr.txt"
	rc=$?
	echo "memslope exit status $rc"
	python3 - "$out/log.ndjson" >"$out/summary.txt" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
print("lines", len(lines), "gpus", lines[-1].get("gpus"), "pid map", lines[-1].get("gpu_pid_map"))
best = None
for d in lines:
    for p in d["processes"]:
        t = p.get("gpu_trend")
        if t:
            print("t=%.1fs pid %d gpu %s limit %s verdict %s slope %s ttl %s %s" % (
                (d["time_ms"] - lines[0]["time_ms"]) / 1000, p["pid"], p["gpu_memory_bytes"],
                p["gpu_limit_bytes"], t["verdict"], t["slope_bytes_per_s"], t["ttl_s"], t["ttl_band_s"]))
            if t["verdict"] in ("growing", "leak") and t["ttl_s"] is not None:
                best = (p["pid"], t)
print("RESULT:", "growing with a time to the card's limit: pid %d, %s" % best if best else "NOT SEEN growing with a TTL")
sys.exit(0 if best else 1)
EOF
	ok=$?
	tail -n 3 "$out/summary.txt"
	cat "$out/stderr.txt"
	exit $ok
	;;
*)
	sed -n '2,18p' "$0"
	exit 2
	;;
esac
