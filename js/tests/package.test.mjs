// The built package (js/pkg, from `wasm-pack build --release --target web js`), imported by
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
  const ids = producer.send({ topic: 'orders', messages: [
    { key: 'alice', value: 'pizza' },
    { key: 'bob', value: new Uint8Array([0xff, 0x00]) },
  ] });
  assert.equal(ids.length, 2);
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

test('errors carry Kafka error names', () => {
  const cluster = new Cluster({});
  assert.throws(() => cluster.producer({ 'no.such.config': 1 }), (e) => e instanceof Error && e.code === 'INVALID_CONFIG');
  assert.throws(() => runScript('topic create t\nbogus'), (e) => e.code === 'INVALID_REQUEST' && e.line === 2);
});
