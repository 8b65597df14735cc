#!/usr/bin/env python3
"""Start N idle processes for the memslope benchmark and keep them until told.

usage: idle.py N PIDFILE

Forks N children; each asks the kernel to kill it when this parent dies
(PR_SET_PDEATHSIG) and execs `sleep infinity` (about 1 MB RSS). Their PIDs
are written to PIDFILE, one a line, then "ready" is printed. The parent
waits; on SIGTERM/SIGINT/SIGHUP it kills its children by PID and exits."""
import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def main():
    n = int(sys.argv[1])
    pidfile = sys.argv[2]
    libc = ctypes.CDLL(None, use_errno=True)
    sleep = "/bin/sleep" if os.path.exists("/bin/sleep") else "/usr/bin/sleep"
    children = []

    def stop(_sig=None, _frm=None):
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        os._exit(0)

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, stop)
    parent = os.getpid()
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != parent:
                os._exit(0)
            try:
                os.execv(sleep, ["sleep", "infinity"])
            finally:
                os._exit(127)
        children.append(pid)
    with open(pidfile + ".tmp", "w") as f:
        f.write("".join("%d\n" % p for p in children))
    os.rename(pidfile + ".tmp", pidfile)
    print("ready", flush=True)
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
