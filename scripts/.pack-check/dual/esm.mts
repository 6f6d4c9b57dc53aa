// Smoke test (d), ESM half: see cjs.cts.
import { imCallbacks } from '@im-callbacks/fastify';
import Fastify from 'fastify';

const app = Fastify();
await app.register(imCallbacks, { sdkAppId: 1400000000, path: '/im/callback' });
app.imCallbacks.on('Group.CallbackAfterSendMsg', (event) => {
  const groupId: string = event.payload.GroupId;
  void groupId;
});
