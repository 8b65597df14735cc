#!/bin/bash
# gpu_cost.sh: what the GPU support costs, A/B interleaved, in user-space
# instructions (valgrind's callgrind Ir: immune to the CPU contention of a
# shared machine, unlike CPU time).
#   A  OLD  memslope without GPU support
#   B  NEW  with GPU support, libnvidia-ml.so.1 absent
#   C  NEW  with the stand-in NVML of `make check` (one card, one of the
#           watched processes on it, growing)
# 1000 idle processes watched with -p (a fixed set: processes coming and
# going elsewhere on the machine do not change the work), headless log to
# /dev/null; per tick = (Ir of 25 ticks - Ir of 5 ticks) / 20. Then the
# start-up (--once --json -p PID) three times each.
# usage: contrib/bench/gpu_cost.sh OLD-memslope NEW-memslope BUILDDIR/tests/nvml [ROUNDS]
set -u
A=$1 B=$2 STANDIN=$3 ROUNDS=${4:-2}
command -v valgrind >/dev/null || { echo "valgrind is needed"; exit 77; }
D=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$D"' EXIT
for i in $(seq 1000); do sleep 3600 & pids+=($!); done
list=$(IFS=,; echo "${pids[*]}")
printf 'gpu 0 85899345920 NVIDIA H200\nproc 0 %s compute 1073741824 rate=1048576\n' "${pids[0]}" >"$D/script"
ir() {
	env LD_LIBRARY_PATH="$1" MEMSLOPE_NVML_SCRIPT="$D/script" valgrind --tool=callgrind \
		--callgrind-out-file=/dev/null "${@:2}" >/dev/null 2>"$D/err"
	grep -o 'Collected : [0-9]*' "$D/err" | awk '{print $3}'
}
variant() { case $1 in A) echo "$A $D/none" ;; B) echo "$B $D/none" ;; C) echo "$B $STANDIN" ;; esac; }
for r in $(seq "$ROUNDS"); do
	for v in A B C; do
		read -r bin lib <<<"$(variant $v)"
		i5=$(ir "$lib" "$bin" -p "$list" -d 1 --count 5 --log /dev/null)
		i25=$(ir "$lib" "$bin" -p "$list" -d 1 --count 25 --log /dev/null)
		echo "$v per_tick_Ir=$(((i25 - i5) / 20))"
	done
done
for r in 1 2 3; do
	for v in A B C; do
		read -r bin lib <<<"$(variant $v)"
		echo "$v startup_Ir=$(ir "$lib" "$bin" --once --json -p "${pids[0]}")"
	done
done
