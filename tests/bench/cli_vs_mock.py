#!/usr/bin/env python3
"""Times the whole `logplay run` process on tests/bench/produce_1m.lp against the same
workload on librdkafka's mock cluster (tests/bench/mock_produce_1m.py), median of five runs
each, and prints both and their ratio.

Usage: cli_vs_mock.py LOGPLAY_BINARY PYTHON
"""
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = 5


def median_seconds(argv):
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    logplay, python = sys.argv[1], sys.argv[2]
    cli = median_seconds([logplay, "run", os.path.join(HERE, "produce_1m.lp"), "--only", "command"])
    mock = median_seconds([python, os.path.join(HERE, "mock_produce_1m.py")])
    print(f"10^6 idempotent acks=all 100-byte records, whole process, median of {RUNS}:")
    print(f"  logplay run (release): {cli:.3f} s")
    print(f"  confluent-kafka on librdkafka's mock cluster: {mock:.3f} s")
    print(f"  logplay takes {mock / cli:.1f}x less time")


if __name__ == "__main__":
    main()
