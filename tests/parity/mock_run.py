#!/usr/bin/env python3
"""Runs an exported logplay program against librdkafka's mock cluster, in this process.

Usage: mock_run.py PROGRAM TOPICS_JSON

The mock cluster comes from a client configured with `test.mock.num.brokers=3`; the topics the
script creates are made first with their partition counts (the mock has no CreateTopics, so
the program finds them there), and the program runs with the mock's bootstrap servers.
"""
import ctypes
import glob
import json
import os
import runpy
import sys

import confluent_kafka


def mock_cluster(brokers):
    libs = os.path.join(os.path.dirname(confluent_kafka.__file__), os.pardir, "confluent_kafka.libs")
    found = glob.glob(os.path.join(libs, "librdkafka*"))
    lib = ctypes.CDLL(found[0] if found else "librdkafka.so.1")
    lib.rd_kafka_conf_new.restype = ctypes.c_void_p
    lib.rd_kafka_conf_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                                      ctypes.c_char_p, ctypes.c_size_t]
    lib.rd_kafka_new.restype = ctypes.c_void_p
    lib.rd_kafka_new.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.rd_kafka_handle_mock_cluster.restype = ctypes.c_void_p
    lib.rd_kafka_handle_mock_cluster.argtypes = [ctypes.c_void_p]
    lib.rd_kafka_mock_cluster_bootstraps.restype = ctypes.c_char_p
    lib.rd_kafka_mock_cluster_bootstraps.argtypes = [ctypes.c_void_p]
    lib.rd_kafka_mock_topic_create.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                               ctypes.c_int]
    conf = lib.rd_kafka_conf_new()
    err = ctypes.create_string_buffer(512)
    for key, value in ((b"test.mock.num.brokers", str(brokers).encode()), (b"log_level", b"0")):
        if lib.rd_kafka_conf_set(conf, key, value, err, len(err)) != 0:
            sys.exit(f"mock_run: {key.decode()}: {err.value.decode()}")
    rk = lib.rd_kafka_new(0, conf, err, len(err))  # RD_KAFKA_PRODUCER
    if not rk:
        sys.exit(f"mock_run: {err.value.decode()}")
    cluster = lib.rd_kafka_handle_mock_cluster(rk)
    return lib, rk, cluster, lib.rd_kafka_mock_cluster_bootstraps(cluster).decode()


def main():
    program, topics = sys.argv[1], json.loads(sys.argv[2])
    lib, _rk, cluster, bootstrap = mock_cluster(3)
    for name, partitions in topics.items():
        lib.rd_kafka_mock_topic_create(cluster, name.encode(), partitions, 3)
    sys.argv = [program, "--bootstrap-servers", bootstrap, "--poll-timeout", "15",
                "--max-tick-ms", "6000"]
    runpy.run_path(program, run_name="__main__")


if __name__ == "__main__":
    main()
