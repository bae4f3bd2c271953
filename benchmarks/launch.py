"""Run one command and report its wall time and peak RSS as JSON on stdout.

Why a separate, small launcher: on Linux a child's ``ru_maxrss`` starts from
the peak of the process it was forked (or vforked) from, carried across exec.
Launched straight from the benchmark runner, which holds whole scenarios in
memory, every child would look at least as big as the runner. Forked from
this small process instead, the figure is the child's own.

Usage: launch.py STDOUT_FILE STDERR_FILE COMMAND [ARG...]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    out_path, err_path, *command = argv
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    report = {"seconds": seconds, "peak_rss_kb": usage.ru_maxrss, "code": code}
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
