// Smoke test (d), CommonJS half: one program loads @im-callbacks/fastify through `require` here and
// through `import` in esm.mts (an app with CommonJS and ESM files). Both see one `app.imCallbacks`.
import plugin = require('@im-callbacks/fastify');
import fastify = require('fastify');

const app = fastify.fastify();
void app.register(plugin.imCallbacks, { sdkAppId: 1400000000, path: '/im/callback' });
app.imCallbacks.on('Group.CallbackAfterSendMsg', (event) => {
  const groupId: string = event.payload.GroupId;
  void groupId;
});

export = app;
