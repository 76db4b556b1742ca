#!/usr/bin/env python3
# The logplay export runtime: each method does one logplay command with confluent-kafka and
# prints what happened as the JSON lines `logplay run` prints. The scenario is at the end.
import argparse
import functools
import json
import sys
import time

from confluent_kafka import (OFFSET_BEGINNING, OFFSET_END, Consumer, KafkaException,
                             Producer, TopicPartition)
from confluent_kafka.admin import (AdminClient, AlterConfigOpType, ConfigEntry,
                                   ConfigResource, NewPartitions, NewTopic)


def text(data):
    """Bytes as logplay prints them: text when UTF-8, else {"hex": ...}; None is null."""
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return {"hex": data.hex()}


def kafka_error(err):
    return {"code": err.name(), "message": err.str()}


class Refused(Exception):
    """A command logplay refuses before any client acts (a client it has no name for, or one
    closed): Kafka's error name and logplay's words."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def command(method):
    """One logplay command: a refusal becomes its error, and the scenario goes on."""
    @functools.wraps(method)
    def run(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Refused as e:
            if self.command is not None:
                self.command["error"] = {"code": e.code, "message": str(e)}
    return run


class Scenario:
    def __init__(self, bootstrap, max_tick_ms, poll_timeout_s):
        self.bootstrap = bootstrap
        self.max_tick_ms = max_tick_ms
        self.poll_timeout_s = poll_timeout_s
        self.admin = AdminClient({"bootstrap.servers": bootstrap})
        self.producers = {}
        self.consumers = {}
        self.closed_producers = set()
        self.closed_consumers = set()
        self.line = 0
        self.command = None
        self.outputs = []

    def emit(self, kind, **fields):
        self.outputs.append({"line": self.line, "type": kind, **fields})

    def at(self, line, command):
        """Starts a command: its line and canonical text, as `logplay run` prints them."""
        self.done()
        self.line = line
        self.command = {"line": line, "type": "command", "command": command}

    def done(self):
        """Prints the command (with its error, if it failed), then what it caused."""
        for o in ([self.command] if self.command else []) + self.outputs:
            print(json.dumps(o), flush=True)
        self.command, self.outputs = None, []

    def failed(self, e):
        err = e.args[0] if e.args and hasattr(e.args[0], "name") else None
        error = kafka_error(err) if err else {"code": type(e).__name__, "message": str(e)}
        if self.command is not None:
            self.command["error"] = error

    def warn(self, message):
        self.emit("warning", message=message)

    def _producer(self, name):
        if name in self.producers:
            return self.producers[name]
        if name in self.closed_producers:
            raise Refused("ILLEGAL_STATE", "Cannot perform operation after producer has been closed")
        raise Refused("INVALID_REQUEST", f"there is no producer named {name}")

    def _consumer(self, name):
        if name in self.consumers:
            return self.consumers[name]
        if name in self.closed_consumers:
            raise Refused("ILLEGAL_STATE", "This consumer has already been closed.")
        raise Refused("INVALID_REQUEST", f"there is no consumer named {name}")

    def serve(self):
        """Lets every producer hand over its delivery reports."""
        for p in self.producers.values():
            p["client"].poll(0)

    # ---- topics ----

    @command
    def create_topic(self, name, partitions, replication_factor, configs):
        topics = self.admin.list_topics(timeout=10).topics
        if name in topics and not topics[name].error:
            have = len(topics[name].partitions)
            if have != partitions:
                self.warn(f"topic {name} exists with {have} partitions, not {partitions}")
            return
        new = NewTopic(name, partitions, replication_factor or -1, config=configs)
        try:
            self.admin.create_topics([new])[name].result(timeout=30)
        except Exception as e:
            self.failed(e)

    @command
    def delete_topic(self, name):
        try:
            self.admin.delete_topics([name])[name].result(timeout=30)
        except Exception as e:
            self.failed(e)

    @command
    def add_partitions(self, name, total):
        try:
            self.admin.create_partitions([NewPartitions(name, total)])[name].result(timeout=30)
        except Exception as e:
            self.failed(e)

    @command
    def alter_topic(self, name, configs):
        entries = [ConfigEntry(k, v, incremental_operation=AlterConfigOpType.SET)
                   for k, v in configs.items()]
        resource = ConfigResource("TOPIC", name, incremental_configs=entries)
        try:
            for f in self.admin.incremental_alter_configs([resource]).values():
                f.result(timeout=30)
        except Exception as e:
            self.failed(e)

    @command
    def delete_records(self, topic, partition, before):
        try:
            for f in self.admin.delete_records([TopicPartition(topic, partition, before)]).values():
                f.result(timeout=30)
        except Exception as e:
            self.failed(e)

    # ---- producers ----

    @command
    def producer(self, name, configs):
        conf = {"bootstrap.servers": self.bootstrap, "client.id": name,
                "partitioner": "murmur2_random", **configs}
        try:
            client = Producer(conf)
        except (KafkaException, ValueError) as e:
            self.failed(e)
            return
        self.producers[name] = {"client": client, "next_id": 0, "bulk": None}
        self.closed_producers.discard(name)

    def _report(self, name, record_id):
        def on_delivery(err, msg):
            bulk = self.producers[name]["bulk"]
            if bulk is not None and bulk["first"] <= record_id <= bulk["last"]:
                bulk["failed" if err else "delivered"] += 1
                if err and bulk["error"] is None:
                    bulk["error"] = kafka_error(err)
                return
            self.emit("delivery", producer=name, id=record_id, topic=msg.topic(),
                      partition=msg.partition(),
                      offset=msg.offset() if not err else -1,
                      timestamp=msg.timestamp()[1] if not err else -1,
                      error=kafka_error(err) if err else None)
        return on_delivery

    def _send(self, name, topic, key, value, partition, timestamp=None, headers=()):
        p = self._producer(name)
        record_id = p["next_id"]
        args = {"key": key, "value": value, "on_delivery": self._report(name, record_id)}
        if partition is not None:
            args["partition"] = partition
        if timestamp is not None:
            args["timestamp"] = timestamp
        if headers:
            args["headers"] = list(headers)
        p["client"].produce(topic, **args)
        # Only a record the client took gets an id, as in logplay.
        p["next_id"] += 1
        self.emit("queued", producer=name, id=record_id)
        return record_id

    @command
    def produce(self, name, topic, key, value, partition=None, timestamp=None, headers=(),
                wait=False):
        """`send()`; with `wait`, also waits for the delivery report (logplay had it at once)."""
        try:
            self._send(name, topic, key, value, partition, timestamp, headers)
            client = self._producer(name)["client"]
            if wait:
                client.flush(self.poll_timeout_s)
            else:
                client.poll(0)
        except (KafkaException, BufferError) as e:
            self.failed(e)

    @command
    def generate(self, name, topic, records, partition=None):
        """logplay's `generate`: the records it rendered from the templates, and one summary."""
        p = self._producer(name)
        bulk = {"first": p["next_id"], "last": p["next_id"] + len(records) - 1,
                "delivered": 0, "failed": 0, "error": None}
        p["bulk"] = bulk
        for key, value in records:
            self._send(name, topic, key, value, partition)
            p["client"].poll(0)
        p["client"].flush(self.poll_timeout_s)
        self.emit("deliveries", producer=name, delivered=bulk["delivered"],
                  failed=bulk["failed"], error=bulk["error"])
        p["bulk"] = None

    @command
    def flush(self, name):
        self._producer(name)["client"].flush(self.poll_timeout_s)

    @command
    def txn(self, name, action):
        p = self._producer(name)["client"]
        try:
            if action == "init":
                p.init_transactions(self.poll_timeout_s)
            elif action == "begin":
                p.begin_transaction()
            elif action == "commit":
                p.commit_transaction(self.poll_timeout_s)
            else:
                p.abort_transaction(self.poll_timeout_s)
        except KafkaException as e:
            self.failed(e)

    @command
    def send_offsets(self, name, consumer):
        p = self._producer(name)["client"]
        c = self._consumer(consumer)["client"]
        try:
            positions = c.position(c.assignment())
            p.send_offsets_to_transaction(
                positions, c.consumer_group_metadata(), self.poll_timeout_s)
        except KafkaException as e:
            self.failed(e)

    # ---- consumers ----

    @command
    def consumer(self, name, configs, max_poll_records):
        conf = {"bootstrap.servers": self.bootstrap, "client.id": name,
                "on_commit": self._committed(name), **configs}
        try:
            client = Consumer(conf)
        except (KafkaException, ValueError) as e:
            self.failed(e)
            return
        self.consumers[name] = {"client": client, "max": max_poll_records}
        self.closed_consumers.discard(name)

    def _committed(self, name):
        def on_commit(err, partitions):
            if err:
                self.emit("commit_callback", consumer=name, error=kafka_error(err))
        return on_commit

    def _rebalance(self, name, callback):
        def cb(consumer, partitions):
            self.emit("rebalance", consumer=name, callback=callback,
                      partitions=[f"{tp.topic}:{tp.partition}" for tp in partitions])
        return cb

    @command
    def subscribe(self, name, topics):
        self._consumer(name)["client"].subscribe(
            topics, on_assign=self._rebalance(name, "assigned"),
            on_revoke=self._rebalance(name, "revoked"), on_lost=self._rebalance(name, "lost"))

    @command
    def unsubscribe(self, name):
        self._consumer(name)["client"].unsubscribe()

    @command
    def assign(self, name, partitions):
        self._consumer(name)["client"].assign([TopicPartition(t, p) for t, p in partitions])

    @command
    def poll(self, name, expect):
        """A logplay poll returned `expect` records. A real poll returns what has arrived, so
        this consumes until as many arrive (or the poll timeout passes), at most
        max.poll.records at a time."""
        c = self._consumer(name)
        deadline = time.monotonic() + self.poll_timeout_s
        got = 0
        # A poll that returned nothing still runs once: it serves the group's callbacks (a
        # join's assignment), and reports whatever did arrive.
        first = True
        while (got < expect or first) and time.monotonic() < deadline:
            first = False
            for m in c["client"].consume(max(1, min(c["max"], expect - got)), 0.2):
                if m.error():
                    self.emit("poll", consumer=name, error=kafka_error(m.error()))
                    continue
                got += 1
                ts_type, ts = m.timestamp()
                self.emit("record", consumer=name, topic=m.topic(), partition=m.partition(),
                          offset=m.offset(), key=text(m.key()), value=text(m.value()),
                          headers=[[k, text(v)] for k, v in (m.headers() or [])],
                          timestamp=ts, error=None,
                          timestamp_type="LogAppendTime" if ts_type == 2 else "CreateTime")
        if got < expect:
            self.warn(f"poll {name}: {got} of {expect} records arrived in {self.poll_timeout_s} s")

    @command
    def seek(self, name, topic, partition, to):
        c = self._consumer(name)["client"]
        try:
            if isinstance(to, str):
                offset = OFFSET_BEGINNING if to == "beginning" else OFFSET_END
            elif isinstance(to, dict):
                found = c.offsets_for_times([TopicPartition(topic, partition, to["timestamp"])],
                                            self.poll_timeout_s)
                offset = found[0].offset
            else:
                offset = to
            c.seek(TopicPartition(topic, partition, offset))
        except KafkaException as e:
            self.failed(e)

    @command
    def pause(self, name, partitions):
        self._consumer(name)["client"].pause([TopicPartition(t, p) for t, p in partitions])

    @command
    def resume(self, name, partitions):
        self._consumer(name)["client"].resume([TopicPartition(t, p) for t, p in partitions])

    @command
    def commit(self, name, offsets=None, asynchronous=False):
        c = self._consumer(name)["client"]
        args = {"asynchronous": asynchronous}
        if offsets:
            args["offsets"] = [TopicPartition(t, p, o) for t, p, o in offsets]
        try:
            done = c.commit(**args)
        except KafkaException as e:
            if e.args[0].name() != "_NO_OFFSET":
                self.failed(e)
            return
        for tp in done or []:
            if tp.offset >= 0 and not tp.error:
                self.emit("committed", consumer=name, topic=tp.topic, partition=tp.partition,
                          offset=tp.offset)

    @command
    def close(self, name):
        if name in self.producers:
            self.producers.pop(name)["client"].flush(self.poll_timeout_s)
            self.closed_producers.add(name)
        elif name in self.consumers:
            self.consumers.pop(name)["client"].close()
            self.closed_consumers.add(name)
        elif name in self.closed_producers:
            self._producer(name)
        elif name in self.closed_consumers:
            self._consumer(name)
        else:
            raise Refused("INVALID_REQUEST", f"there is no client named {name}")

    # ---- the clock ----

    @command
    def tick(self, ms):
        """logplay moves its simulated clock; a real cluster has its own, so this sleeps."""
        if ms > self.max_tick_ms:
            self.warn(f"tick {ms} ms: sleeping {self.max_tick_ms} ms (--max-tick-ms)")
        time.sleep(min(ms, self.max_tick_ms) / 1000)
        self.serve()

    def finish(self):
        """Leaves the groups cleanly; unsent records stay unsent, as in logplay."""
        for c in self.consumers.values():
            c["client"].close()
        self.done()


def main(scenario):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--max-tick-ms", type=int, default=60_000,
                        help="the longest a `tick` sleeps (default 60000)")
    parser.add_argument("--poll-timeout", type=float, default=10.0,
                        help="seconds a poll, flush or transaction call may wait (default 10)")
    args = parser.parse_args()
    lp = Scenario(args.bootstrap_servers, args.max_tick_ms, args.poll_timeout)
    scenario(lp)
    lp.finish()
