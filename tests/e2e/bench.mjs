// The playground's browser benchmark: download size, first paint, the DOM with a million
// records, and the time one clock step takes to apply and render while 1,000 records are
// produced and consumed. Run by scripts/bench after `trunk build --release`; prints figures.
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { startServer, launchBrowser, ROOT } from './harness.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dist = join(ROOT, 'dist');
let download = 0;
for (const f of readdirSync(dist).filter((f) => /\.(wasm|js|css)$/.test(f))) {
  const gz = gzipSync(readFileSync(join(dist, f)), { level: 9 }).length;
  download += gz;
  console.log(`download: ${f} ${(gz / 1024).toFixed(1)} KB gzipped`);
}
console.log(`download: total ${(download / 1024).toFixed(1)} KB gzipped (wasm + js + css)`);

const server = await startServer();
const browser = await launchBrowser();
const run = async (commands) => {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
  await page.goto(server.url);
  await page.getByTestId('app').waitFor();
  for (const line of commands) {
    await page.getByTestId('command').fill(line);
    await page.getByTestId('command').press('Enter');
  }
  return page;
};

const paints = [];
const ready = [];
for (let i = 0; i < 9; i++) {
  const page = await (await browser.newContext()).newPage();
  // The moment the app's own markup is in the DOM.
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.querySelector('[data-testid=app]')) {
        window.appReady = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(server.url);
  await page.getByTestId('app').waitFor();
  await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
  paints.push(await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0].startTime));
  ready.push(await page.evaluate(() => window.appReady));
  await page.context().close();
}
const list = (xs) => xs.map((p) => p.toFixed(0)).join(', ');
console.log(`first contentful paint: median ${median(paints).toFixed(0)} ms (${list(paints)})`);
console.log(`app rendered (wasm loaded and run): median ${median(ready).toFixed(0)} ms (${list(ready)})`);

const big = await run(['topic create big partitions=1', 'producer p linger.ms=0', 'generate p big count=1000000 value=event-{i}', 'play 100ms']);
await big.getByTestId('partition-big-0').getByText('LEO 1000000').waitFor({ timeout: 120_000 });
console.log(`DOM with 10^6 records in a topic: ${await big.evaluate(() => document.querySelectorAll('*').length)} elements`);

// 10,000 records/s and a 100 ms step: each step produces and consumes 1,000 records.
const page = await run([
  'topic create clicks partitions=4', 'producer p linger.ms=0',
  'datagen start d p clicks rate=10000 key=user-{i%100} value={"n":{i}}',
  'consumer c group.id=g auto.offset.reset=earliest max.poll.records=2000', 'subscribe c clicks', 'play 3500ms',
]);
const steps = await page.evaluate(async () => {
  const step = document.querySelector('[data-testid=step]');
  // A message-channel task runs after Yew's render (a microtask) with no timer clamping.
  const nextTask = () => new Promise((r) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => r();
    channel.port2.postMessage(0);
  });
  const clock = document.querySelector('[data-testid=clock]');
  const times = [];
  for (let i = 0; i < 40; i++) {
    const before = clock.textContent;
    const t0 = performance.now();
    step.click();
    await nextTask();
    times.push(performance.now() - t0);
    // The measurement must include the render: the clock on screen has moved.
    if (clock.textContent === before) throw new Error('the step had not rendered');
  }
  return times;
});
const polled = await page.getByTestId('assignment-c').textContent();
console.log(`step (1,000 records produced and consumed, applied and rendered): median ${median(steps).toFixed(1)} ms, max ${Math.max(...steps).toFixed(1)} ms over ${steps.length} steps`);
console.log(`  consumer c's partitions after the steps: ${polled.replace(/\s+/g, ' ')}`);
await browser.close();
server.close();
