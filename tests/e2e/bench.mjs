// The playground's browser benchmark: download size, first paint, the DOM with a million
// records, and the time one clock step takes to apply and render while 1,000 records are
// produced and consumed. Run by scripts/bench after `trunk build --release`; prints figures.
import { readdirSync, readFileSync } from 'node:fs';
import { deflateRawSync, gzipSync } from 'node:zlib';
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
// Play at ×100 with a datagen source of 10⁶ records/s: each frame stops at its work bound.
const heavy = await run(['topic create clicks partitions=3', 'producer p linger.ms=0', 'datagen start d p clicks rate=1000000 key=user-{i%100}']);
await heavy.getByTestId('speed').selectOption({ label: '×100' });
const frames = await heavy.evaluate(async () => {
  const longest = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) longest.push(e.duration); }).observe({ type: 'longtask' });
  document.querySelector('[data-testid=play]').click();
  await new Promise((r) => setTimeout(r, 3000));
  document.querySelector('[data-testid=play]').click();
  return { longest: Math.max(0, ...longest), long: longest.length, clock: document.querySelector('[data-testid=clock]').textContent };
});
// The long-task observer reports only tasks over 50 ms.
const longest = frames.long ? `${frames.long} tasks over 50 ms, the longest ${frames.longest.toFixed(0)} ms` : 'no task over 50 ms';
console.log(`play ×100 with 10^6 records/s of datagen for 3 s: ${longest}; clock reached ${frames.clock}`);

// A link of 10⁶ records replayed in slices (with progress, yielding every 8 ms) against the
// same script typed at the console, which applies it in one go.
const million = ['topic create big partitions=1', 'producer p linger.ms=0', 'generate p big count=1000000 value=event-{i}'];
const dictionary = readFileSync(join(ROOT, 'core/src/script/link_dictionary.txt'));
const link = `${server.url}#s=1.${deflateRawSync(Buffer.from(million.join('\n') + '\n'), { dictionary }).toString('base64url')}`;
const cold = [];
const sliced = [];
const whole = [];
for (let i = 0; i < 5; i++) {
  const p = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
  // When the progress panel appears and when it goes: the replay's span.
  await p.addInitScript(() => {
    new MutationObserver(() => {
      const shown = !!document.querySelector('[data-testid=replaying]');
      if (shown && !window.replayStart) window.replayStart = performance.now();
      if (!shown && window.replayStart && !window.replayEnd) window.replayEnd = performance.now();
    }).observe(document, { childList: true, subtree: true });
  });
  await p.goto(link);
  await p.getByTestId('partition-big-0').getByText('LEO 1000000').waitFor({ timeout: 120_000 });
  cold.push(await p.evaluate(() => window.replayEnd - window.replayStart));
  // The same script run from the script editor of a page that has run a while (its wasm
  // compiled by the optimizing tier), as the console's run below.
  await p.getByTestId('script').fill(million.join('\n') + '\n');
  sliced.push(await p.evaluate(async () => {
    window.replayStart = 0;
    window.replayEnd = 0;
    const t0 = performance.now();
    document.querySelector('[data-testid=run-script]').click();
    while (!window.replayEnd) await new Promise((r) => setTimeout(r, 5));
    return window.replayEnd - t0;
  }));
  // The same page, emptied, then the script typed at the console: one go.
  await p.getByTestId('new').click();
  for (const line of million.slice(0, 2)) {
    await p.getByTestId('command').fill(line);
    await p.getByTestId('command').press('Enter');
  }
  await p.getByTestId('topic-big').waitFor();
  whole.push(await p.evaluate(async (line) => {
    const input = document.querySelector('[data-testid=command]');
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    setter.call(input, line);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    const t0 = performance.now();
    input.form.requestSubmit();
    while (!document.querySelector('[data-testid=partition-big-0]')?.textContent.includes('LEO 1000000')) {
      await new Promise((r) => setTimeout(r, 5));
    }
    return performance.now() - t0;
  }, million[2]));
  await p.context().close();
}
console.log(`10^6 records replayed in 8 ms slices: median ${median(sliced).toFixed(0)} ms (${list(sliced)}); the same at the console in one go: median ${median(whole).toFixed(0)} ms (${list(whole)}); ratio ${(median(sliced) / median(whole)).toFixed(2)}`);
console.log(`  the same as a link opening a fresh page (its wasm not yet optimized): median ${median(cold).toFixed(0)} ms (${list(cold)})`);

await browser.close();
server.close();
