/**
 * A realistic sample body for every command in the catalogue, typed by the command's schema
 * input (so `EventTime` may be a number or a string, as the IM backend sends it). The compiler
 * requires one sample per command: adding a command to the catalogue without a sample fails the
 * build.
 */
import type { Catalogue, CommandName } from '@im-callbacks/core';
import type * as v from 'valibot';
import { jsonFromDocExample, seedAfterSendMsgZh, seedSendMsgExceptionZh } from './seeds.js';

export type SampleOf<C extends CommandName> = v.InferInput<Catalogue[C]['schema']>;
export type Samples = { readonly [C in CommandName]: SampleOf<C> };

export const samples: Samples = {
  'Group.CallbackBeforeSendMsg': {
    CallbackCommand: 'Group.CallbackBeforeSendMsg',
    GroupId: '@TGS#2J4SZEAEL',
    Type: 'Public',
    From_Account: 'jared',
    Operator_Account: 'admin',
    Random: 123456,
    OnlineOnlyFlag: 1,
    MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'red packet' } }],
    CloudCustomData: 'your cloud custom data',
    EventTime: '1670574414123',
  },
  // The seed pages' own examples, exactly as documented.
  'Group.CallbackAfterSendMsg': JSON.parse(jsonFromDocExample(seedAfterSendMsgZh)),
  'Group.CallbackSendMsgException': JSON.parse(jsonFromDocExample(seedSendMsgExceptionZh)),
};

/** The sample of `command`, deep-copied so a test can change it freely. */
export function sample<C extends CommandName>(command: C): SampleOf<C> {
  return structuredClone(samples[command]) as SampleOf<C>;
}
