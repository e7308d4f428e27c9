"""Wall time of light CLI commands (`mmrag list`, `mmrag validate`): target under 0.5 s.

Run: .venv/bin/python benchmarks/cli_startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def wall_times(args: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    mmrag = shutil.which("mmrag") or str(Path(sys.executable).parent / "mmrag")
    for command in (["list"], ["validate", "error-screenshot-support"]):
        times = wall_times([mmrag, *command], runs)
        print(f"mmrag {' '.join(command):<36} median {statistics.median(times):.3f} s  "
              f"max {max(times):.3f} s  ({runs} runs)")


if __name__ == "__main__":
    main()
