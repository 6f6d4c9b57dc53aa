/**
 * `IM_INSPECTOR=1` (here the `inspector` option it sets): the example mounts the inspector at
 * /im/inspector; a signed callback shows up in its list; without the option nothing is mounted.
 */
import { sample, send } from '@im-callbacks/testing';
import { start } from '../src/app.mjs';

const SDKAPPID = 1400000000;
const TOKEN = 'example-inspector-token';
const AFTER = 'Group.CallbackAfterSendMsg';

test('with the inspector: the page at /im/inspector/ and the callback in its list', async () => {
  const app = await start({ sdkAppId: SDKAPPID, token: TOKEN, log: () => {}, inspector: true });
  try {
    expect(app.inspectorUrl).toBe(app.url.replace('/im/callback', '/im/inspector/'));
    await send(app.url, AFTER, sample(AFTER), { sdkAppId: SDKAPPID, token: TOKEN });
    await new Promise((resolve) => setImmediate(resolve));
    expect(await (await fetch(app.inspectorUrl as string)).text()).toContain('<title>im-callbacks inspector</title>');
    const list = await (await fetch(`${app.inspectorUrl}api/callbacks`)).json();
    expect(list).toEqual([expect.objectContaining({ command: AFTER, status: 200 })]);
  } finally {
    await app.close();
  }
});

test('without it: nothing at /im/inspector', async () => {
  const app = await start({ sdkAppId: SDKAPPID, token: TOKEN, log: () => {}, inspector: false });
  try {
    expect(app.inspectorUrl).toBeUndefined();
    expect((await fetch(app.url.replace('/im/callback', '/im/inspector/'))).status).toBe(404);
  } finally {
    await app.close();
  }
});
