/**
 * Type tests: a before-callback handler may only return the decisions its command takes. The
 * snippets below are compiled with the TypeScript compiler API (root tsconfig, `paths` included);
 * each "rejects" snippet must produce a diagnostic, each "accepts" snippet none. Snippets live in
 * strings so the deliberately failing ones never reach `pnpm typecheck`.
 */
import * as path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '../../..');
const dir = path.join(root, 'packages/core/test/types');

const header = `import { allow, createReceiver, discard, friendResults, refuseOnly, reject } from '@im-callbacks/core';
const im = createReceiver({ sdkAppId: 1400000000 });
void allow; void discard; void friendResults; void refuseOnly; void reject;
`;

const accepts: Record<string, string> = {
  'invite: refuseOnly': `im.on('Group.CallbackBeforeInviteJoinGroup', () => refuseOnly(['a']));`,
  'invite: reject with a group code': `im.on('Group.CallbackBeforeInviteJoinGroup', () => reject(10100, 'full'));`,
  'group send: allow with replacements': `im.on('Group.CallbackBeforeSendMsg', () => allow({ MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: '*' } }], CloudCustomData: 'x' }));`,
  'group send: discard': `im.on('Group.CallbackBeforeSendMsg', () => discard());`,
  'c2c send: reject with code and info': `im.on('C2C.CallbackBeforeSendMsg', () => reject(120001, 'no'));`,
  'c2c send: discard or nothing, async': `im.on('C2C.CallbackBeforeSendMsg', async (e) => (e.payload.MsgBody.length > 3 ? discard() : undefined));`,
  'official account send: allow with CloudCustomData': `im.on('OfficialAccount.CallbackBeforeSendMsg', () => allow({ CloudCustomData: 'x' }));`,
  'create group: allow or reject': `im.on('Group.CallbackBeforeCreateGroup', (e) => (e.payload.CreateGroupNum === 5 ? reject() : allow()));`,
  'apply join: reject': `im.on('Group.CallbackBeforeApplyJoinGroup', () => reject({ code: 10150, info: 'closed' }));`,
  'create topic: allow': `im.on('Group.CallbackBeforeCreateTopic', () => allow());`,
  'create official account: reject': `im.on('OfficialAccount.CallbackBeforeCreateOfficialAccount', () => reject());`,
  'add subscriber: refuseOnly': `im.on('OfficialAccount.CallbackBeforeAddSubscriber', (e) => refuseOnly(e.payload.SubscribeAccountList.map((s) => s.Subscriber_Account)));`,
  'friend add: friendResults': `im.on('Sns.CallbackPrevFriendAdd', (e) => friendResults(e.payload.FriendItem.map((f) => ({ To_Account: f.To_Account, ResultCode: 38000 }))));`,
  'friend response: reject': `im.on('Sns.CallbackPrevFriendResponse', () => reject(38001));`,
  'after-callback: any return value is ignored': `im.on('C2C.CallbackAfterSendMsg', () => reject());`,
  'the event of a command': `im.on('Group.CallbackAfterSendMsg', (e) => e.payload.GroupId);
im.on('Group.CallbackAfterSendMsg', (e) => { const c: 'Group.CallbackAfterSendMsg' = e.command; const k: 'after' = e.kind; const n: number = e.sdkAppId; return [c, k, n, e.clientIp, e.optPlatform, e.requestTime]; });
im.on('Group.CallbackBeforeSendMsg', (e) => { const k: 'before' = e.kind; return k === 'before' ? undefined : undefined; });
im.onAny((e) => (e.kind === 'unknown' ? e.command.length : e.command));`,
  'payload types': `im.on('Group.CallbackAfterSendMsg', (e) => { const t: number | undefined = e.payload.EventTime; const s: number | undefined = e.payload.MsgSeq; const g: string = e.payload.GroupId; return [t, s, g]; });
im.on('Push.OfflinePush', (e) => { const t: number | undefined = e.payload.Events[0]?.EventTime; return t; });
im.on('Profile.CallbackPortraitSet', (e) => { const v: string | number | undefined = e.payload.ProfileItem[0]?.Value; return v; });
im.on('Group.CallbackAfterGroupAttrChanged', (e) => { const k: string | undefined = e.payload.GroupAttr?.[0]?.key; return k; });
im.on('Group.CallbackAfterCreateGroup', (e) => { const g: string = e.payload.GroupId; return g; });
im.on('ContentCallback.ResultNotify', (e) => { const n: number | undefined = e.payload.SdkAppId; return n; });`,
};

const rejects: Record<string, string> = {
  'create group: discard': `im.on('Group.CallbackBeforeCreateGroup', () => discard());`,
  'create group: allow with replacements': `im.on('Group.CallbackBeforeCreateGroup', () => allow({ CloudCustomData: 'x' }));`,
  'create group: refuseOnly': `im.on('Group.CallbackBeforeCreateGroup', () => refuseOnly(['a']));`,
  'apply join: friendResults': `im.on('Group.CallbackBeforeApplyJoinGroup', () => friendResults([]));`,
  'apply join: discard': `im.on('Group.CallbackBeforeApplyJoinGroup', () => discard());`,
  'invite: discard': `im.on('Group.CallbackBeforeInviteJoinGroup', () => discard());`,
  'invite: allow with replacements': `im.on('Group.CallbackBeforeInviteJoinGroup', () => allow({ MsgBody: [] }));`,
  'create topic: discard': `im.on('Group.CallbackBeforeCreateTopic', () => discard());`,
  'group send: refuseOnly': `im.on('Group.CallbackBeforeSendMsg', () => refuseOnly(['a']));`,
  'c2c send: friendResults': `im.on('C2C.CallbackBeforeSendMsg', () => friendResults([]));`,
  'official account send: refuseOnly': `im.on('OfficialAccount.CallbackBeforeSendMsg', () => refuseOnly(['a']));`,
  'create official account: discard': `im.on('OfficialAccount.CallbackBeforeCreateOfficialAccount', () => discard());`,
  'add subscriber: discard': `im.on('OfficialAccount.CallbackBeforeAddSubscriber', () => discard());`,
  'add subscriber: allow with replacements': `im.on('OfficialAccount.CallbackBeforeAddSubscriber', () => allow({ CloudCustomData: 'x' }));`,
  'friend add: refuseOnly': `im.on('Sns.CallbackPrevFriendAdd', () => refuseOnly(['a']));`,
  'friend response: discard': `im.on('Sns.CallbackPrevFriendResponse', () => discard());`,
  'a before-callback returning something that is no decision': `im.on('Group.CallbackBeforeCreateGroup', () => 'yes');`,
  'a command Tencent does not send (only in a third-party project)': `im.on('Group.CallbackAfterMemberKicked', () => undefined);`,
  'a misspelt command': `im.on('Group.CallbackAfterSendMessage', () => undefined);`,
  'a misspelt payload field': `im.on('Group.CallbackAfterSendMsg', (e) => e.payload.GroupID);`,
  'EventTime is not a string': `im.on('Group.CallbackAfterGroupFull', (e) => { const t: string | undefined = e.payload.EventTime; return t; });`,
};

function compile(snippets: Record<string, string>): Map<string, readonly ts.Diagnostic[]> {
  const configPath = path.join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, configPath);
  const files = new Map<string, string>();
  const names = new Map<string, string>();
  Object.entries(snippets).forEach(([name, code], index) => {
    const file = path.join(dir, `snippet-${index}.ts`);
    files.set(file, `${header}${code}\n`);
    names.set(file, name);
  });
  const host = ts.createCompilerHost(parsed.options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (file) => files.has(path.resolve(file)) || fileExists.call(host, file);
  host.readFile = (file) => files.get(path.resolve(file)) ?? readFile.call(host, file);
  host.getSourceFile = (file, language, onError, create) => {
    const text = files.get(path.resolve(file));
    if (text !== undefined) return ts.createSourceFile(file, text, language, true);
    return getSourceFile.call(host, file, language, onError, create);
  };
  const program = ts.createProgram([...files.keys()], { ...parsed.options, noEmit: true }, host);
  const result = new Map<string, readonly ts.Diagnostic[]>();
  for (const [file, name] of names) {
    const source = program.getSourceFile(file);
    if (source === undefined) throw new Error(`snippet ${name} was not compiled`);
    result.set(name, [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]);
  }
  return result;
}

function describeDiagnostics(diagnostics: readonly ts.Diagnostic[]): string {
  return diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0]).join('\n');
}

const diagnostics = compile({ ...accepts, ...rejects });

describe('handler decision types', () => {
  it.each(Object.keys(accepts))('accepts: %s', (name) => {
    expect(describeDiagnostics(diagnostics.get(name) ?? [])).toBe('');
  });

  it.each(Object.keys(rejects))('rejects: %s', (name) => {
    expect(diagnostics.get(name)?.length ?? 0).toBeGreaterThan(0);
  });
});
