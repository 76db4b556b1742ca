// End-to-end: serve the release build (dist/) on 127.0.0.1 and drive Debian's Chromium.
// Run with `node --test tests/e2e/`; scripts/test builds dist/ first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, ROOT } from './harness.mjs';
import { mkdirSync } from 'node:fs';

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

test('the playground loads, renders the app, and logs no console errors', async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(server.url);
  await page.getByTestId('app').waitFor();
  assert.match(await page.title(), /logplay/);
  await page.getByTestId('produce').click();
  await page.getByTestId('produce').click();
  await page.locator('[data-testid=log] li').nth(1).waitFor();
  assert.deepEqual(
    await page.locator('[data-testid=log] li').allTextContents(),
    ['0event-0', '1event-1'],
  );
  assert.match(await page.getByTestId('clock').textContent(), /t = 10ms/);
  mkdirSync(`${ROOT}/tests/e2e/out`, { recursive: true });
  await page.screenshot({ path: `${ROOT}/tests/e2e/out/smoke.png` });
  assert.deepEqual(problems, []);
});
