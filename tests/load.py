"""Loaded test mode and timeouts that scale with the machine the tests run on.

`WIRESTREAM_TEST_LOAD=N` (`make test-loaded` sets 2) starts N busy-loop processes of the
suite's own making for the whole session, so every test runs while the cores are taken,
as on a shared CI runner. Each loop stops by itself after `WIRESTREAM_TEST_LOAD_SECONDS`
(default 2 hours) and the session stops them when it ends, whatever happened.

`load_factor()` measures, once per session, how much wall time a fixed amount of this
process's CPU work takes: about 1 on an idle machine, 1.5 with two busy loops on two
cores, more on a machine shared with other work. Test timeouts are multiplied by it,
so they scale with what was measured rather than with a quiet machine's timing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from functools import lru_cache

LOAD_PROCESSES = int(os.environ.get("WIRESTREAM_TEST_LOAD", "0"))
LOAD_SECONDS = float(os.environ.get("WIRESTREAM_TEST_LOAD_SECONDS", "7200"))
CALIBRATION_CPU_SECONDS = 0.3
MAX_FACTOR = 8.0

# A loop that burns one core until its deadline, then exits on its own.
BUSY_LOOP = (
    "import time, sys\nend = time.monotonic() + float(sys.argv[1])\nwhile time.monotonic() < end:\n    pass\n"
)


class BusyLoops:
    """`count` processes each spinning on a core, for at most `seconds`."""

    def __init__(self, count: int, seconds: float) -> None:
        self.processes = [
            subprocess.Popen([sys.executable, "-c", BUSY_LOOP, str(seconds)], stdin=subprocess.DEVNULL)
            for _ in range(count)
        ]

    def running(self) -> int:
        return sum(1 for p in self.processes if p.poll() is None)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@lru_cache(maxsize=1)
def load_factor() -> float:
    """Wall seconds per CPU second of a fixed busy computation here, now (1 to MAX_FACTOR)."""
    wall, cpu = time.monotonic(), time.process_time()
    total = 0
    while time.process_time() - cpu < CALIBRATION_CPU_SECONDS:
        total += sum(range(1000))
    factor = (time.monotonic() - wall) / (time.process_time() - cpu)
    return min(MAX_FACTOR, max(1.0, factor))


def scaled(seconds: float) -> float:
    """A timeout measured on a quiet machine, stretched by this machine's measured load."""
    return seconds * load_factor()
