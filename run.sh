#!/usr/bin/env bash
# Build memslope (installing missing build dependencies with apt-get) and
# start it; arguments go to memslope, e.g. ./run.sh -p 1234 or ./run.sh -- python3 job.py
set -eu
cd "$(dirname "$0")"
DEPS="build-essential autoconf automake pkg-config libproc2-dev libjansson-dev libncurses-dev"
missing=""
for p in $DEPS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "run.sh: installing:$missing" >&2
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	$SUDO apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >&2
fi
if [ ! -x build/memslope ] || [ -n "$(find src configure.ac Makefile.am -newer build/memslope 2>/dev/null | head -n 1)" ]; then
	[ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi >&2
	mkdir -p build
	(cd build && { [ -f Makefile ] || ../configure -q >&2; } && make -j"$(nproc)" -s memslope >&2)
fi
exec build/memslope "$@"
