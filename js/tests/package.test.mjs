// The built package (js/pkg, from `wasm-pack build --profile web-release --target web js`), imported by
// plain JS as an application would: produce → consume → commit. Run with `node --test js/tests/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { initSync, Cluster, runScript } from '../pkg/logplay_js.js';

const wasm = readFileSync(fileURLToPath(new URL('../pkg/logplay_js_bg.wasm', import.meta.url)));
initSync({ module: wasm });

test('produce, consume in a group, commit, and the script replays', () => {
  const cluster = new Cluster({ seed: 7 });
  cluster.createTopic('orders', { partitions: 2 });
  const producer = cluster.producer({ 'linger.ms': 0 });
  const { ids, reports } = producer.send({ topic: 'orders', messages: [
    { key: 'alice', value: 'pizza' },
    { key: 'bob', value: new Uint8Array([0xff, 0x00]) },
  ] });
  assert.deepEqual(ids, [0, 1]);
  // linger.ms: 0 sends at once: the reports come back from send() itself.
  assert.deepEqual(reports.map((r) => [r.id, r.error]), [[0, null], [1, null]]);
  assert.deepEqual(producer.flush(), []);
  assert.deepEqual(producer.deliveries(), []);
  const consumer = cluster.consumer({ 'group.id': 'billing', 'auto.offset.reset': 'earliest', 'client.id': 'c1' });
  consumer.subscribe({ topics: ['orders'] });
  consumer.poll();           // joins the group
  cluster.tick(3000);        // group.initial.rebalance.delay.ms
  const records = consumer.poll();
  assert.deepEqual(records.map((r) => r.value).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ['pizza', { hex: 'ff00' }]);
  for (const r of records) {
    assert.deepEqual(Object.keys(r).sort(), ['consumer', 'error', 'headers', 'key', 'offset', 'partition', 'timestamp', 'timestamp_type', 'topic', 'type', 'value']);
  }
  const committed = consumer.commit();
  assert.equal(committed.reduce((n, c) => n + c.offset, 0), 2);
  assert.equal(cluster.describe('group', 'billing').state, 'Stable');
  const replayed = Cluster.fromScript(cluster.script());
  assert.equal(replayed.stateHash(), cluster.stateHash());
});

test('limits refuse what would pass them, with POLICY_VIOLATION', () => {
  const outputs = runScript('topic create t\nproducer p\ngenerate p t count=1000000', { limits: { bytes: 1 << 20 } });
  const refused = outputs.find((o) => o.error);
  assert.equal(refused.error.code, 'POLICY_VIOLATION');
  assert.match(refused.error.message, /limits\.bytes is 1\.0 MiB/);
  const cluster = new Cluster({ limits: { partitions: 4 } });
  cluster.createTopic('a', { partitions: 3 });
  assert.throws(() => cluster.createTopic('b', { partitions: 2 }), (e) => e.code === 'POLICY_VIOLATION');
  assert.equal(cluster.describe('cluster').usage.partitions, 3);
});

test('errors carry Kafka error names', () => {
  const cluster = new Cluster({});
  assert.throws(() => cluster.producer({ 'no.such.config': 1 }), (e) => e instanceof Error && e.code === 'INVALID_CONFIG');
  assert.throws(() => runScript('topic create t\nbogus'), (e) => e.code === 'INVALID_REQUEST' && e.line === 2);
});

test('brokers fail over: acks=all writes survive a leader stopping', () => {
  const cluster = new Cluster({ brokers: 3, racks: ['a', 'b', 'c'] });
  cluster.createTopic('orders', { partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': 2 } });
  const before = cluster.describe('topic', 'orders').partitions[0];
  assert.equal(before.replicas.length, 3);
  const producer = cluster.producer({ acks: 'all', 'linger.ms': 0 });
  producer.send({ topic: 'orders', messages: [{ key: 'k', value: 'kept' }] });
  const delivered = cluster.tick(500).filter((o) => o.type === 'delivery');
  assert.equal(delivered.length, 1);
  assert.equal(delivered[0].error, null);
  const outputs = cluster.stopBroker(before.leader);
  const election = outputs.find((o) => o.type === 'leader');
  assert.ok(election && election.leader !== before.leader && !election.unclean, JSON.stringify(outputs));
  const after = cluster.describe('topic', 'orders').partitions[0];
  assert.equal(after.high_watermark, 1);
  assert.deepEqual(after.isr.includes(before.leader), false);
  assert.throws(() => cluster.stopBroker(before.leader), (e) => e.code === 'INVALID_REQUEST');
  assert.throws(() => cluster.stopBroker(1.5), (e) => e.code === 'BROKER_NOT_AVAILABLE');
  assert.throws(() => new Cluster({ brokers: 33 }), (e) => e.code === 'INVALID_REQUEST');
  assert.throws(() => new Cluster({ racks: [1, 2] }), (e) => e.code === 'INVALID_CONFIG');
});

test('the schema registry, the JSON Schema serdes and Connect, through run() and describe()', () => {
  const cluster = new Cluster({ seed: 3 });
  cluster.createTopic('orders', { partitions: 2 });
  cluster.run('schema register orders-value {"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}');
  assert.equal(cluster.describe('subject', 'orders-value').versions[0].id, 1);
  const producer = cluster.producer({ 'value.serializer': 'KafkaJsonSchemaSerializer', 'linger.ms': 0 });
  producer.send({ topic: 'orders', messages: [{ key: 'a', value: '{"id":1}' }] });
  assert.throws(() => producer.send({ topic: 'orders', messages: [{ key: 'b', value: '{"id":"x"}' }] }),
    (e) => e.code === 'SERIALIZATION_EXCEPTION' && /expected type: integer, found: string/.test(e.message));
  const consumer = cluster.consumer({ 'group.id': 'g', 'auto.offset.reset': 'earliest', 'value.deserializer': 'KafkaJsonSchemaDeserializer' });
  consumer.assign([{ topic: 'orders', partition: 0 }, { topic: 'orders', partition: 1 }]);
  const [record] = consumer.poll();
  assert.equal(record.value, '{"id":1}');
  assert.equal(record.value_schema_id, 1);
  // A record written without validation is a poison pill for the validating consumer.
  const lax = cluster.producer({ 'value.serializer': 'KafkaJsonSchemaSerializer', 'json.fail.invalid.schema': false, 'linger.ms': 0 });
  lax.send({ topic: 'orders', messages: [{ key: 'a', value: '{"id":"x"}' }] });
  assert.throws(() => consumer.poll(), (e) => e.code === 'RECORD_DESERIALIZATION_EXCEPTION' && /seek past the record/.test(e.message));
  assert.ok(cluster.script().includes('poll'), 'the poll that threw is in the script');
  cluster.run('connector create gen connector.class=DatagenConnector kafka.topic=orders quickstart=pageviews rate=10 tasks.max=2\nplay 2s');
  const gen = cluster.describe('connector', 'gen');
  assert.equal(gen.records, 20);
  assert.deepEqual(gen.tasks.map((t) => t.position), [10, 10]);
});
