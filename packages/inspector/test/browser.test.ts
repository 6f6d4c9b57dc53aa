/**
 * The inspector page in a real browser (Debian's `chromium`, driven by playwright-core; no browser
 * download) against a real Express app with the inspector mounted at /im/inspector: callbacks sent
 * with the testing kit appear live, the detail shows the body, chat text that is HTML renders as
 * text and runs nothing, replay adds a row, and the token is enforced. Skipped, saying so, only
 * when chromium is absent outside CI; with CI=true a missing chromium fails.
 * IM_INSPECTOR_SCREENSHOT=<path> also saves a screenshot of the page there (docs/inspector.png).
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '@im-callbacks/core';
import { imCallbacks, reject } from '@im-callbacks/express';
import { createInspector, type Inspector } from '@im-callbacks/inspector';
import { sample, send } from '@im-callbacks/testing';
import express from 'express';
import { type Browser, chromium, type Page } from 'playwright-core';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (path): path is string => path !== undefined && path !== '' && existsSync(path),
);
const CI = process.env.CI === 'true';
const APP = 1400000000;
const TOKEN = 'browser-callback-token';
const AFTER = 'Group.CallbackAfterSendMsg';
const BEFORE = 'Group.CallbackBeforeSendMsg';
const XSS = '<img src=x onerror=alert(1)>';

if (CHROMIUM === undefined && !CI) {
  console.warn(
    'browser tests skipped: chromium is not installed (apt-get install -y chromium, or set CHROMIUM_PATH); in CI (CI=true) they fail instead',
  );
}
const suite = CHROMIUM === undefined && !CI ? describe.skip : describe;

interface App {
  url: string;
  inspector: Inspector;
  close(): Promise<void>;
}

/** A real Express app: the callback route and the inspector, as the README mounts them. */
async function startApp(token?: string): Promise<App> {
  const im = imCallbacks(APP, { token: TOKEN, logger: silentLogger });
  let fixed = false;
  im.on(BEFORE, (event) => {
    const text = JSON.stringify(event.payload.MsgBody);
    return text.includes('FREE MONEY') ? reject(10100, 'spam') : undefined;
  });
  im.on(AFTER, (event) => {
    if (event.payload.GroupId === '@TGS#broken' && !fixed) {
      fixed = true; // the first run fails; "the fix is deployed" before the replay
      throw new Error('handler bug');
    }
  });
  const inspector = createInspector({ receiver: im, ...(token === undefined ? {} : { token }) });
  const app = express();
  app.use('/im/inspector', inspector.node);
  app.post('/im/callback', im);
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    inspector,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await inspector.close();
    },
  };
}

function message(Text: string, GroupId = '@TGS#2J4SZEAEL') {
  return { ...sample(AFTER), GroupId, MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text } }] };
}

suite('the inspector page in Chromium', () => {
  let browser: Browser;
  let app: App;
  let page: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (CHROMIUM === undefined) throw new Error('CI=true and chromium is not installed: .ci/run installs it');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    app = await startApp();
    page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      dialog.dismiss().catch(() => undefined);
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (entry) => {
      if (entry.type() === 'error') pageErrors.push(entry.text());
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await browser?.close();
  });

  const rows = () => page.locator('#rows tr');
  /** Clicks the nth row and waits for its detail (not the previous one's). */
  const open = async (nth: number) => {
    const id = await rows().nth(nth).getAttribute('data-id');
    await rows().nth(nth).click();
    await page.locator(`#detail[data-id="${id}"]`).waitFor();
  };
  const post = (command: string, payload: unknown) =>
    send(`${app.url}/im/callback`, command, payload, { sdkAppId: APP, token: TOKEN });

  test('callbacks sent with the testing kit appear live', async () => {
    await page.goto(`${app.url}/im/inspector`);
    expect(new URL(page.url()).pathname).toBe('/im/inspector/');
    await page.locator('#live.on').waitFor();
    await expect(rows().count()).resolves.toBe(0);
    await post(AFTER, message('see you at 8'));
    await post(BEFORE, {
      ...sample(BEFORE),
      MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'FREE MONEY' } }],
    });
    await page.locator('#rows tr').nth(1).waitFor();
    await expect(rows().count()).resolves.toBe(2);
    // Newest first: the rejected before-callback, then the after-callback.
    await expect(rows().nth(0).textContent()).resolves.toContain(BEFORE);
    await expect(rows().nth(0).textContent()).resolves.toContain('reject');
    await expect(rows().nth(1).textContent()).resolves.toContain(AFTER);
    await expect(page.locator('#count').textContent()).resolves.toBe('2 of 2 callbacks');
  });

  test('the detail view shows the query (Sign redacted), the pretty-printed body and the answer', async () => {
    await open(1);
    const body = await page.locator('#detail-body').textContent();
    expect(body).toContain('"Text": "see you at 8"'); // pretty-printed
    expect(body).toContain('\n  "GroupId": "@TGS#2J4SZEAEL"');
    await expect(page.locator('#detail-query').textContent()).resolves.toContain('[redacted]');
    await expect(page.locator('#detail-answer').textContent()).resolves.toContain('"ActionStatus": "OK"');
  });

  test('a message whose text is HTML renders as text and runs nothing', async () => {
    await post(AFTER, message(XSS));
    // A command that is HTML, too (an unknown command is acknowledged and recorded as sent).
    await post(XSS, { CallbackCommand: XSS, Note: XSS });
    await page.locator('#rows tr').nth(3).waitFor();
    await expect(rows().nth(0).textContent()).resolves.toContain(XSS);
    await open(1);
    await expect(page.locator('#detail-body').textContent()).resolves.toContain(`"Text": "${XSS}"`);
    await open(0);
    await expect(page.locator('#detail .title b').textContent()).resolves.toBe(XSS);
    await page.waitForTimeout(300); // an image error would fire by now
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  test('filters by command, status and error', async () => {
    await page.selectOption('#filter-command', BEFORE);
    await expect(rows().count()).resolves.toBe(1);
    await page.selectOption('#filter-command', '');
    await page.selectOption('#filter-status', '2');
    await expect(rows().count()).resolves.toBe(4);
    await page.selectOption('#filter-status', '');
  });

  test('a failed run shows its error, and replay (after the fix) produces a new row', async () => {
    const failed = await post(AFTER, message('this one hits the bug', '@TGS#broken'));
    expect(failed.status).toBe(500);
    await page.locator('#rows tr').nth(4).waitFor();
    await expect(rows().nth(0).textContent()).resolves.toContain('HANDLER_FAILED');
    await page.selectOption('#filter-error', 'any');
    await expect(rows().count()).resolves.toBe(1);
    await page.selectOption('#filter-error', '');
    await open(0);
    await expect(page.locator('#detail-error').textContent()).resolves.toContain('handler bug');
    await page.locator('#replay').click();
    await page.locator('#rows tr').nth(5).waitFor();
    const replayed = await rows().nth(0).textContent();
    expect(replayed).toContain('replay of #5');
    expect(replayed).toContain('200');
    await expect(page.locator('#toast').textContent()).resolves.toContain('Replayed: 200');
  });

  test('save as a test fixture downloads JSON ready for invoke()', async () => {
    await open(1);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#save-fixture').click()]);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const fixture = JSON.parse(Buffer.concat(chunks).toString());
    expect(fixture).toMatchObject({ command: AFTER, payload: { GroupId: '@TGS#broken' }, recorded: { status: 500 } });
  });

  test('nothing on the page failed, and it is small', async () => {
    if (process.env.IM_INSPECTOR_SCREENSHOT) {
      await open(3);
      await page.evaluate(() => document.getElementById('toast')?.classList.remove('on'));
      await page.waitForTimeout(300);
      await page.screenshot({ path: process.env.IM_INSPECTOR_SCREENSHOT });
    }
    expect(pageErrors).toEqual([]);
    const size = await page.evaluate(() => document.documentElement.outerHTML.length);
    expect(size).toBeLessThan(50 * 1024 + 20_000); // the page plus the rendered rows
  });

  test('the token is enforced: 401 without it, the page with a one-time ?token=, the cookie after', async () => {
    const guarded = await startApp('inspector-token-123');
    try {
      const context = await browser.newContext();
      const tab = await context.newPage();
      const refused = await tab.goto(`${guarded.url}/im/inspector/`);
      expect(refused?.status()).toBe(401);
      const wrong = await tab.goto(`${guarded.url}/im/inspector/?token=wrong-token-0`);
      expect(wrong?.status()).toBe(401);
      await tab.goto(`${guarded.url}/im/inspector/?token=inspector-token-123`);
      expect(tab.url()).toBe(`${guarded.url}/im/inspector/`); // the token left the address bar
      await tab.locator('#live.on').waitFor();
      await send(`${guarded.url}/im/callback`, AFTER, message('behind a token'), { sdkAppId: APP, token: TOKEN });
      await tab.locator('#rows tr').first().waitFor();
      const cookies = await context.cookies();
      expect(cookies).toEqual([expect.objectContaining({ name: 'im_inspector', httpOnly: true, sameSite: 'Strict' })]);
      expect(await tab.evaluate(() => document.cookie)).toBe(''); // HttpOnly: not readable by script
      const fresh = await browser.newContext();
      const api = await fresh.request.get(`${guarded.url}/im/inspector/api/callbacks`);
      expect(api.status()).toBe(401);
      await context.close();
      await fresh.close();
    } finally {
      await guarded.close();
    }
  });
});
