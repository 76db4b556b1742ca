#!/usr/bin/env python3
"""Produces what tests/bench/produce_1m.lp produces, on librdkafka's mock cluster.

10^6 records of 100 bytes with confluent-kafka, idempotent with acks=all, into a topic of
three partitions on a three-broker mock cluster, then flushes and checks every delivery.
scripts/bench times this whole process beside `logplay run` of the script.
"""
import os
import sys

import confluent_kafka

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir, "parity"))
from mock_run import mock_cluster  # noqa: E402

COUNT = 1_000_000


def main():
    lib, _rk, cluster, bootstrap = mock_cluster(3)
    lib.rd_kafka_mock_topic_create(cluster, b"bench", 3, 3)
    producer = confluent_kafka.Producer({
        "bootstrap.servers": bootstrap,
        "acks": "all",
        "enable.idempotence": True,
    })
    delivered = failed = 0

    def on_delivery(err, _msg):
        nonlocal delivered, failed
        if err is None:
            delivered += 1
        else:
            failed += 1

    value = b"v" * 100
    for _ in range(COUNT):
        while True:
            try:
                producer.produce("bench", value, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.01)
        producer.poll(0)
    producer.flush(60)
    if delivered != COUNT:
        sys.exit(f"mock_produce_1m: {delivered} delivered, {failed} failed of {COUNT}")
    print(f"mock: {delivered} records delivered")


if __name__ == "__main__":
    main()
