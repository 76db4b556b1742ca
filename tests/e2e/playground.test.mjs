// End-to-end: the release build in headless Chromium, driven as a person would.
// Run with `node --test tests/e2e/`; scripts/test builds dist/ first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { startServer, launchBrowser, ROOT } from './harness.mjs';
import { javaPartition } from './murmur2.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** A page in a fresh context that records console errors and uncaught exceptions. */
async function openPage(url, viewport = { width: 1440, height: 1000 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(url);
  await page.getByTestId('app').waitFor();
  return { context, page, problems };
}

/** What must be identical after replaying a link: logs, groups, consumers, clock, script. */
async function observableState(page) {
  return page.evaluate(() => {
    const text = (sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent);
    return {
      clock: text('[data-testid=clock]'),
      logs: text('[data-testid^=log-]'),
      partitions: text('.partition .offsets'),
      groups: text('[data-testid=groups]'),
      consumers: text('[data-testid=consumers] table, [data-testid^=polled-]'),
      script: document.querySelector('[data-testid=script]').value,
    };
  });
}

test('create, produce by key, consume in a group, step, share, reopen, and a damaged link', async () => {
  const { page, problems } = await openPage(server.url);
  assert.match(await page.title(), /logplay/);

  // 1. Create a topic.
  await page.getByTestId('topic-name').fill('orders');
  await page.getByTestId('topic-partitions').fill('3');
  await page.getByTestId('create-topic').click();
  await page.getByTestId('topic-orders').waitFor();

  // 2. Produce keyed events; they must land where Kafka's Java client puts them.
  const keys = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
  for (const key of keys) {
    await page.getByTestId('produce-key').fill(key);
    await page.getByTestId('produce-value').fill(`order of ${key}`);
    assert.match(await page.getByTestId('key-reason').textContent(), new RegExp(`% 3 = ${javaPartition(key, 3)} `));
    await page.getByTestId('produce').click();
  }
  await page.getByTestId('step').click();
  for (const key of keys) {
    const p = javaPartition(key, 3);
    assert.match(await page.getByTestId(`log-orders-${p}`).textContent(), new RegExp(`order of ${key}`), `${key} → ${p}`);
  }

  // 3. Two consumers in one group split the partitions.
  for (const name of ['a', 'b']) {
    await page.getByTestId('consumer-name').fill(name);
    await page.getByTestId('consumer-group').fill('billing');
    await page.getByTestId('consumer-strategy').selectOption('range');
    await page.getByTestId('consumer-target').fill('orders');
    await page.getByTestId('add-consumer').click();
    await page.getByTestId(`consumer-${name}`).waitFor();
  }
  // 4. Step the clock past group.initial.rebalance.delay.ms (3 s).
  for (let i = 0; i < 32; i++) await page.getByTestId('step').click();
  assert.equal(await page.getByTestId('clock').textContent(), 't = 3.3s');
  assert.equal(await page.getByTestId('group-state-billing').textContent(), 'Stable');
  assert.match(await page.getByTestId('member-a').textContent(), /orders-0 orders-1$/);
  assert.match(await page.getByTestId('member-b').textContent(), /orders-2$/);
  assert.equal(await page.getByTestId('lag-a').textContent(), 'lag 0');

  // Play for a moment, then pause: the clock runs on its own.
  await page.getByTestId('speed').selectOption({ label: '×10' });
  await page.getByTestId('play').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=clock]').textContent !== 't = 3.3s');
  await page.getByTestId('play').click();

  // 5. Copy the link and open it in a new browser context: the same state.
  await page.getByTestId('copy-link').click();
  const url = await page.getByTestId('share-url').inputValue();
  assert.match(url, /#s=1\./);
  const before = await observableState(page);
  mkdirSync(`${ROOT}/tests/e2e/out`, { recursive: true });
  await page.screenshot({ path: `${ROOT}/tests/e2e/out/playground.png`, fullPage: false });
  const reopened = await openPage(url);
  await reopened.page.getByTestId('group-state-billing').waitFor();
  assert.deepEqual(await observableState(reopened.page), before);
  assert.deepEqual(reopened.problems, []);

  // 6. A damaged link in a fresh browser: a clear message and an empty playground, never a
  // blank page.
  const damaged = await openPage(url.slice(0, -6) + '~~');
  assert.match(await damaged.page.getByTestId('notice').textContent(), /damaged/);
  assert.equal(await damaged.page.getByTestId('topics').count(), 0);
  assert.equal(await damaged.page.getByTestId('clock').textContent(), 't = 0.0s');
  assert.deepEqual(damaged.problems, []);

  assert.deepEqual(problems, []);
});

test('reload restores the playground from localStorage; New clears it', async () => {
  const { page, problems } = await openPage(server.url);
  await page.getByTestId('recipes').selectOption('group-rebalance');
  await page.getByTestId('group-ledger').waitFor();
  const before = await observableState(page);
  await page.reload();
  await page.getByTestId('group-ledger').waitFor();
  assert.deepEqual(await observableState(page), before);
  await page.getByTestId('new').click();
  await page.reload();
  await page.getByTestId('app').waitFor();
  assert.equal(await page.getByTestId('topics').count(), 0);
  assert.deepEqual(problems, []);
});

test('saved work survives a damaged link, a link opens beside it, and a reload after a link keeps what came next', async () => {
  const { context, page, problems } = await openPage(server.url);
  await page.getByTestId('recipes').selectOption('group-rebalance');
  await page.getByTestId('group-ledger').waitFor();
  const own = await observableState(page);
  /** Another tab of the same browser (the same localStorage), as a person opens a link. */
  const tab = async (url) => {
    const t = await context.newPage();
    t.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    t.on('pageerror', (e) => problems.push(String(e)));
    await t.goto(url);
    await t.getByTestId('app').waitFor();
    return t;
  };

  // A damaged link: a plain notice, and the saved work as it was.
  const damaged = await tab(`${server.url}#s=1.garbage~~`);
  await damaged.getByTestId('group-ledger').waitFor();
  assert.match(await damaged.getByTestId('notice').textContent(), /was not opened: the link is damaged.*as you left it/);
  assert.deepEqual(await observableState(damaged), own);
  assert.doesNotMatch(damaged.url(), /#s=/);
  await damaged.reload();
  await damaged.getByTestId('group-ledger').waitFor();
  assert.equal(await damaged.getByTestId('notice').count(), 0, 'a reload does not show the notice again');
  assert.deepEqual(await observableState(damaged), own);
  await damaged.close();

  // A link from elsewhere opens as its own scenario; the user's playground is kept.
  const other = await openPage(server.url);
  await other.page.getByTestId('topic-name').fill('shared');
  await other.page.getByTestId('create-topic').click();
  await other.page.getByTestId('topic-shared').waitFor();
  await other.page.getByTestId('copy-link').click();
  const link = await other.page.getByTestId('share-url').inputValue();
  assert.doesNotMatch(other.page.url(), /#s=/, 'copying a link leaves the address bar plain');
  const opened = await tab(link);
  await opened.getByTestId('topic-shared').waitFor();
  assert.match(await opened.getByTestId('notice').textContent(), /Your own playground was kept/);
  await opened.getByTestId('restore-kept').waitFor();
  mkdirSync(`${ROOT}/tests/e2e/out`, { recursive: true });
  for (const [name, viewport] of [['1440', { width: 1440, height: 900 }], ['360', { width: 360, height: 740 }]]) {
    for (const scheme of ['light', 'dark']) {
      await opened.setViewportSize(viewport);
      await opened.emulateMedia({ colorScheme: scheme });
      await opened.screenshot({ path: `${ROOT}/tests/e2e/out/kept-${name}-${scheme}.png` });
    }
  }
  await opened.setViewportSize({ width: 1440, height: 1000 });

  // What the user does after opening the link survives a reload: the link is not re-applied.
  await opened.getByTestId('topic-name').fill('after');
  await opened.getByTestId('create-topic').click();
  await opened.getByTestId('topic-after').waitFor();
  assert.doesNotMatch(opened.url(), /#s=/);
  await opened.reload();
  await opened.getByTestId('topic-after').waitFor();
  await opened.getByTestId('topic-shared').waitFor();

  // One click brings the user's own playground back, and keeps the shared one in turn.
  await opened.getByTestId('restore-kept').click();
  await opened.getByTestId('group-ledger').waitFor();
  assert.deepEqual(await observableState(opened), own);
  assert.equal(await opened.getByTestId('topic-after').count(), 0);
  await opened.getByTestId('restore-kept').waitFor();

  await context.close();
  await other.context.close();
  assert.deepEqual(problems, []);
  assert.deepEqual(other.problems, []);
});

test('the unclean-election recipe shows the loss, and a click on a broker moves leadership', async () => {
  const { page, problems } = await openPage(server.url);
  await page.getByTestId('recipes').selectOption('unclean-election');
  await page.getByTestId('topic-events').waitFor();
  // The recipe's consumer re-read from the start after the loss: 3 records, not 5.
  assert.match(await page.getByTestId('replication-events-0').textContent(), /leader 1 · epoch 1 · ISR 2,1 of 2,1/);
  assert.match(await page.getByTestId('log-events-0').textContent(), /after-the-election/);
  assert.doesNotMatch(await page.getByTestId('log-events-0').textContent(), /acked-by-the-leader-alone/);
  // Stop the leader by clicking its column: broker 2 (in sync) takes over.
  await page.getByTestId('broker-stop-1').click();
  await page.getByTestId('under-replicated').waitFor();
  assert.equal(await page.getByTestId('broker-state-1').textContent(), 'stopped');
  assert.match(await page.getByTestId('replication-events-0').textContent(), /leader 2 · epoch 2/);
  assert.match(await page.getByTestId('replica-events-0-2').textContent(), /^★/);
  await page.getByTestId('broker-stop-2').click();
  await page.getByTestId('offline').waitFor();
  assert.match(await page.getByTestId('replication-events-0').textContent(), /^offline/);
  assert.deepEqual(problems, []);
});

test('the Connect recipe runs its pipeline in the release build, and a worker crash replays', async () => {
  const { page, problems } = await openPage(server.url);
  await page.getByTestId('recipes').selectOption('connect-pipeline');
  await page.getByTestId('connector-gen').waitFor();
  assert.match(await page.getByTestId('subject-orders-value').textContent(), /version 1 · id 1/);
  assert.match(await page.getByTestId('connector-state-paste').textContent(), /RUNNING/);
  assert.match(await page.getByTestId('task-paste-0').textContent(), /FAILED.*row 4: 2 fields, the header has 3/);
  assert.match(await page.getByTestId('view-users-table').textContent(), /2 rows.*\{"id":1,"name":"A/);
  // A worker crash: the source's tasks restart at their committed offsets.
  assert.doesNotMatch(await page.getByTestId('task-gen-0').textContent(), /position (\d+) · committed offset \1$/);
  await page.getByTestId('connector-crash-gen').click();
  const restarted = await page.getByTestId('task-gen-0').textContent();
  const [, position, committed] = restarted.match(/position (\d+) · committed offset (\d+)/);
  assert.equal(position, committed, restarted);
  for (let i = 0; i < 10; i += 1) await page.getByTestId('step').click();
  assert.match(await page.getByTestId('throughput-gen').textContent(), / 20 records\/s/);
  assert.deepEqual(problems, []);
});

test('the schema-evolution recipe lists each refused difference with its path, at both widths and in both themes', async () => {
  const { page, problems } = await openPage(server.url);
  await page.getByTestId('recipes').selectOption('schema-evolution');
  await page.getByTestId('subject-orders-value').waitFor();
  const result = page.getByTestId('compatibility-result');
  assert.match(await result.textContent(), /^orders-value under BACKWARD: not compatible with version 1/);
  assert.match(await page.getByTestId('difference').first().textContent(),
    /^REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL at #\/properties\/emailThe new schema has an unopen content model/);
  // The open model refuses even an optional field; LENIENT lets it in.
  await page.getByTestId('schema-subject').fill('payments-value');
  await page.getByTestId('schema-text').fill('{"type":"object","properties":{"id":{"type":"integer"},"note":{"type":"string"}},"required":["id"]}');
  await page.getByTestId('schema-check').click();
  assert.match(await page.getByTestId('difference').first().textContent(), /^OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL at #\/properties\/note/);
  mkdirSync(`${ROOT}/tests/e2e/out`, { recursive: true });
  for (const [name, viewport] of [['1440', { width: 1440, height: 900 }], ['360', { width: 360, height: 740 }]]) {
    for (const scheme of ['light', 'dark']) {
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme: scheme });
      await page.getByTestId('registry').screenshot({ path: `${ROOT}/tests/e2e/out/registry-${name}-${scheme}.png` });
    }
  }
  await page.getByTestId('compatibility-policy').selectOption('LENIENT');
  await page.getByTestId('schema-check').click();
  assert.equal(await result.textContent(), 'payments-value under BACKWARD: compatible');
  assert.match(await page.getByTestId('script').inputValue(), /\nschema compatibility BACKWARD compatibilityPolicy=LENIENT\nschema check payments-value /);
  assert.deepEqual(problems, []);
});

test('a phone-sized screen lays out in one column without sideways scrolling', async () => {
  const { page, problems } = await openPage(server.url, { width: 360, height: 740 });
  await page.getByTestId('recipes').selectOption('keys-and-ordering');
  await page.getByTestId('topic-orders').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  assert.deepEqual(problems, []);
});

test('a million records stay usable: the DOM is bounded by virtualization', async () => {
  const { page, problems } = await openPage(server.url);
  for (const line of ['topic create big partitions=1', 'producer p linger.ms=0', 'generate p big count=1000000 value=event-{i}', 'play 100ms']) {
    await page.getByTestId('command').fill(line);
    await page.getByTestId('command').press('Enter');
  }
  await page.getByTestId('partition-big-0').getByText('LEO 1000000').waitFor({ timeout: 60_000 });
  const nodes = await page.evaluate(() => document.querySelectorAll('*').length);
  assert.ok(nodes <= 1400, `${nodes} DOM nodes`);
  assert.match(await page.getByTestId('log-big-0').textContent(), /999999/);
  assert.deepEqual(problems, []);
});

const dictionary = readFileSync(`${ROOT}/core/src/script/link_dictionary.txt`);
/** The share link of a script, made as the playground makes one: raw deflate primed with
 * the link dictionary, in base64url after `1.`. */
const linkOf = (script) => `${server.url}#s=1.${deflateRawSync(Buffer.from(script), { dictionary }).toString('base64url')}`;

/** Moves the mouse every 50 ms for up to `ms`, while the replay runs, and returns the
 * slowest latency of an input made during the replay: from the event's creation to the
 * page's handler. */
async function inputLatency(page, ms) {
  await page.evaluate(() => {
    window.latencies = [];
    window.addEventListener('pointermove', (e) => {
      if (document.querySelector('[data-testid=replaying]')) window.latencies.push(performance.now() - e.timeStamp);
    });
  });
  for (let t = 0; t < ms && await page.getByTestId('replaying').count() > 0; t += 50) {
    await page.mouse.move(100 + (t % 400), 100 + (t % 300));
    await page.waitForTimeout(50);
  }
  return page.evaluate(() => ({ worst: Math.max(0, ...window.latencies), count: window.latencies.length }));
}

/** After a link: the playground takes a new topic. */
async function createTopic(page, name) {
  await page.getByTestId('topic-name').fill(name);
  await page.getByTestId('create-topic').click();
  await page.getByTestId(`topic-${name}`).waitFor();
}

test('a heavy link replays in slices: the page answers input, shows progress, and Cancel cuts the script there', async () => {
  const heavy = 'topic create t partitions=3\nproducer p\n' + 'generate p t count=10000000 key=k{i%9}\n'.repeat(3) + 'topic create never\n';
  const { page, problems } = await openPage(linkOf(heavy));
  await page.getByTestId('replaying').waitFor();
  const latency = await inputLatency(page, 1500);
  assert.ok(latency.count >= 10, `${latency.count} inputs handled`);
  assert.ok(latency.worst < 100, `input waited ${latency.worst.toFixed(0)} ms`);
  const progress = page.getByTestId('replay-progress');
  const records = async () => Number((await progress.textContent()).match(/([\d,]+) records so far/)[1].replaceAll(',', ''));
  assert.match(await progress.textContent(), /^Command \d of 6 · [\d,]+ records so far/);
  const first = await records();
  await page.waitForTimeout(500);
  assert.ok(await records() > first, 'the records so far grow');
  mkdirSync(`${ROOT}/tests/e2e/out`, { recursive: true });
  for (const [name, viewport] of [['1440', { width: 1440, height: 900 }], ['360', { width: 360, height: 740 }]]) {
    for (const scheme of ['light', 'dark']) {
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: `${ROOT}/tests/e2e/out/replaying-${name}-${scheme}.png` });
    }
  }
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.emulateMedia({ colorScheme: 'light' });
  // The progress re-renders the button as it runs: dispatch the click rather than wait for it to hold still.
  await page.getByTestId('cancel-replay').dispatchEvent('click');
  await page.getByTestId('replaying').waitFor({ state: 'detached' });
  assert.match(await page.getByTestId('notice').textContent(), /cancelled: line \d ran partway/);
  const script = await page.getByTestId('script').inputValue();
  assert.match(script, /generate p t count=\d+ key=k\{i%9\}\n$/);
  assert.doesNotMatch(script, /never/);
  await createTopic(page, 'after');
  assert.deepEqual(problems, []);
});

test('hostile links are refused with their limit, the page stays responsive, and the playground stays usable', async () => {
  const huge = 'x'.repeat(1000);
  const hostile = [
    // 2×10⁹ records asked for: the budget refuses every generate past it.
    ['records', 'topic create t\nproducer p\n' + `generate p t count=10000000 value=${huge}\n`.repeat(200), /limits\.bytes is 256\.0 MiB/],
    // The largest layout, then a month of broker work in one step.
    ['layout', 'brokers 32\n' + Array.from({ length: 100 }, (_, i) => `topic create t${i} partitions=1000 replication.factor=3\n`).join('') + 'tick 30d\n', /limits\.partitions is 20000/],
  ];
  for (const [name, script, refusal] of hostile) {
    const { context, page, problems } = await openPage(linkOf(script));
    const latency = await inputLatency(page, 1000);
    assert.ok(latency.worst < 100, `${name}: input waited ${latency.worst.toFixed(0)} ms`);
    await page.getByTestId('replaying').waitFor({ state: 'detached', timeout: 120_000 });
    const notice = await page.getByTestId('notice').textContent();
    assert.match(notice, /Refused, line \d+: POLICY_VIOLATION/, name);
    assert.match(notice, refusal, name);
    // At the partition limit, a topic is deleted first to make room.
    if (name === 'layout') await page.getByTestId('delete-topic-t0').click();
    await createTopic(page, 'after');
    await context.close();
    assert.deepEqual(problems, [], name);
  }
});
