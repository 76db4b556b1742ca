#!/usr/bin/env python3
"""Prints the native throughput rows of `cargo bench --bench core` as ratios to the
baselines measured in the same run (criterion's medians in target/criterion), since ratios
hold across machines where absolute figures do not."""
import json
import os
import re

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir)


def median_ms(group, name):
    folder = re.sub(r"[^A-Za-z0-9 .,+\-]", "_", name)
    path = os.path.join(ROOT, "target", "criterion", group, folder, "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"] / 1e6


def main():
    memcpy = median_ms("log", "baseline: memcpy 1e6 x 100B")
    vec_log = median_ms("log", "baseline: Vec<u8> log 1e6 x 100B")
    print(f"baselines: memcpy {memcpy:.1f} ms, Vec<u8> log {vec_log:.1f} ms")
    rows = [
        ("log: append + read 1e6 x 100B", "log", "append+read 1e6 x 100B, one partition"),
        ("producer: 1e6 keyed x 100B, 12 partitions", "producer", "produce 1e6 keyed x 100B, 12 partitions"),
        ("scripts: replay a link generating 1e6 x 100B", "scripts", "replay a link generating 1e6 x 100B records"),
    ]
    for label, group, name in rows:
        ms = median_ms(group, name)
        print(f"{label}: {ms:.1f} ms = {ms / memcpy:.2f}x memcpy, {ms / vec_log:.2f}x the Vec<u8> log")


if __name__ == "__main__":
    main()
