/**
 * Field schemas shared by the whole catalogue. The leniency rules live here, once, and every
 * domain module follows them (packages/core/README.md repeats them for users):
 *
 * 1. Integers. Integer fields (`EventTime`, counters, flags, sequence numbers) accept a JSON number
 *    or a string of decimal digits (the official examples send `"EventTime": "1670574414123"`) and
 *    are always delivered as a number.
 * 2. Unsigned 32-bit values (`Random`, `MsgRandom`, `MsgSeq`) above 2^31 stay exact: JavaScript
 *    numbers are exact up to 2^53, and nothing here goes through a 32-bit conversion.
 * 3. `EventTime` is Unix **milliseconds**, except in `Push.*` items where it is **seconds** (the type
 *    docs of each schema say which).
 * 4. Unknown fields are kept (`looseObject` everywhere): Tencent adds fields over time and an unknown
 *    field is never a reason to refuse a callback. Unknown `MsgType` elements pass through untouched.
 * 5. Required only if an application cannot act without it. Real payloads differ from the doc
 *    examples (live-room group messages without `MsgSeq`/`MsgTime`/`Random`/`Operator_Account`,
 *    2019–2021 bodies without `EventTime`, undocumented extra fields), so a field is required only
 *    when it says who or what the event is about, or is an input a before-callback decision is
 *    computed from; everything else is optional (`EventTime`, `Type`, `Operator_Account`, names,
 *    counters, flags, sequence numbers other than a message's identity, `MsgSeq` of group
 *    after-send included). Required, per domain (nested items keep only the listed entries):
 *    - operations: `Command`;
 *    - state: `Info` { `To_Account`, `Action` } (the body says nothing else);
 *    - relation: the account concerned (`From_Account`), `ProfileItem` [{ `Tag`, `Value` }],
 *      `FriendItem` [{ `To_Account` }], `ResponseFriendItem` [{ `To_Account`, `ResponseAction` }],
 *      `PairList` [{ `From_Account`, `To_Account` }], `FollowList` [{ `To_Account` }], `To_Account`;
 *    - c2c: `From_Account`, `To_Account` (or `Report_Account`, `Peer_Account`), `MsgBody` of sends and
 *      edits, `MsgKey` where it is the only identity of the message acted on (recall, extension; an
 *      edit also carries `MsgSeq`/`MsgRandom`/`MsgTime`);
 *    - group: `GroupId` (or `groupID`, rule 7; none on BeforeCreateGroup, BeforeCreateTopic and the
 *      daily quota alarm), the accounts concerned (`From_Account` of messages, `Owner_Account`/
 *      `Requestor_Account`/`NewOwner_Account`, the topic creator `Operator_Account`), member lists (`DestinationMembers`,
 *      `NewMemberList`, `ExitMemberList`, `MemberList` of OnMemberStateChange with its `EventType`),
 *      `MsgBody` of sends and edits, `MsgSeq` where it names the message acted on (edit, extension,
 *      recall and read-receipt items), `TopicId`/`TopicIdList` of topic create/delete;
 *    - moderation and bots: `Scene`; the message fields of the bot callbacks as above;
 *    - official accounts: `Official_Account` (`Owner_Account` before creation), `SubscribeAccountList`
 *      [{ `Subscriber_Account` }], `MsgBody`, `WithdrawMsgList` [{ `MsgKey` }];
 *    - push: `Events` (every item field optional);
 *    - call: `CallId` (in `CallInfo`/`CallRecord` where nested), the accounts (`Caller_Account`,
 *      `CalleeList_Account`, `UserList` [{ `User_Account` }]).
 *    Values seen in real traffic need nothing special: `From_Account`/`Operator_Account` may be
 *    `@TLS#NOT_FOUND` (a REST send without sender), keys arrive in any order (sorted alphabetically in
 *    practice), and the undocumented fields whose values are known are typed as optional
 *    (`MsgPriority`, `InviteOption`, `FriendShip`). A required field absent, or any field of the wrong
 *    type, is a malformed callback: it is reported to `onError` with the raw payload, and the handler
 *    is not called. `test/catalogue-required.test.ts` holds the exact list per command.
 * 6. Advisory fields (`advisory(...)`): counters and flags that describe the event but that nothing
 *    depends on (`CreateGroupNum`, `UnreadMsgNum`, `ForceAddFlags`, `ForceFlag`, `OnlineOnlyFlag`,
 *    `QuotaUsed`/`Quota`, `ReadNum`/`UnreadNum`...). In the documented shape they are validated
 *    and normalised; in any other shape (real traffic has sent `CreatedGroupNum: {"Public": 5}`
 *    where the docs say `CreateGroupNum: 5`) the field is delivered as `undefined` rather than
 *    costing the app its callback; the value as sent stays on `event.raw`, and a differently named
 *    field stays on the payload under its own name (rule 4).
 * 7. Documented key-casing variants are accepted and normalised to one spelling: `GroupAttr` items
 *    `key`/`value` (documented lower-case) also accept `Key`/`Value`; `Group.CallbackAfterCreateGroup`
 *    `groupID` (the field table's spelling) is delivered as `GroupId` (`requiredOneOf` marks such a
 *    required field in the schema). Spellings that differ between commands are kept as each command
 *    documents them (`GroupID` in Push items, `MsgID` in ContentCallback, `MsgId` in message callbacks;
 *    the call start callback's `CallMediaType` and `MediaType` are both typed).
 * 8. Enumerated strings (`Action`, `ExitType`, `OptionType`, `ClientCmd`...) are typed with their
 *    documented values but accept any string: a new value is not a malformed callback. `ClientCmd`
 *    has two documented spellings per value (`friend_add`/`FriendAdd`), both typed.
 * 9. `ProfileItem[].Value` is a number or a string depending on the tag; it is delivered as sent
 *    (a nickname made of digits stays a string).
 */
import * as v from 'valibot';

const DIGITS = /^\d{1,16}$/;

/** An Integer field: a non-negative JSON integer, or a decimal string of one; delivered as a number. */
export const int = v.union(
  [
    v.pipe(v.number(), v.integer(), v.minValue(0)),
    v.pipe(v.string(), v.regex(DIGITS, 'Invalid integer: Expected decimal digits'), v.transform(Number)),
  ],
  'Invalid type: Expected an integer or a string of digits',
);

/** A signed Integer field (error codes, `UnreadMsgNum` -1 on failure). */
export const signedInt = v.union(
  [
    v.pipe(v.number(), v.integer()),
    v.pipe(v.string(), v.regex(/^-?\d{1,16}$/, 'Invalid integer: Expected decimal digits'), v.transform(Number)),
  ],
  'Invalid type: Expected an integer or a string of digits',
);

/** An unsigned 32-bit Integer (`Random`, `MsgRandom`, `MsgSeq`): 0 ≤ n ≤ 4294967295. */
export const u32 = v.pipe(int, v.maxValue(4294967295, 'Invalid value: Expected an unsigned 32-bit integer'));

/**
 * `EventTime`: Unix time in **milliseconds** (seconds for `Push.*`, see those schemas). Documented as
 * Integer, sent as a string in many official examples; always delivered as a number.
 */
export const eventTime = int;

/** A JSON number (floats allowed: coordinates) or a numeric string; delivered as a number. */
export const num = v.union(
  [v.number(), v.pipe(v.string(), v.decimal(), v.transform(Number))],
  'Invalid type: Expected a number',
);

export const str = v.string();

/**
 * Group types as the callbacks name them (REST names; `Live` is the live-room product's group type,
 * 454/125496). Other values are kept, typed as string.
 */
export type GroupType = 'Public' | 'Private' | 'ChatRoom' | 'AVChatRoom' | 'Community' | 'Live' | (string & {});
export const groupType = v.custom<GroupType>((input) => typeof input === 'string', 'Invalid type: Expected string');

/** `{ "Member_Account": "..." }` items of member lists. */
export const memberItem = v.looseObject({ Member_Account: str });
export const memberList = v.array(memberItem);

/** `UserDefinedDataList` items: `{ Key, Value }`. */
export const keyValueItem = v.looseObject({ Key: str, Value: str });

/** A string field typed with its documented values; any other string is accepted too (rule 8). */
export function oneOf<const T extends readonly string[]>(values: T) {
  void values;
  return v.custom<T[number] | (string & {})>((input) => typeof input === 'string', 'Invalid type: Expected string');
}

const dropped = v.pipe(
  v.unknown(),
  v.transform((): undefined => undefined),
);

/**
 * An advisory field (rule 6): optional; validated and normalised in its documented shape, delivered
 * as `undefined` in any other shape (the value as sent stays on `event.raw`).
 */
export function advisory<S extends v.GenericSchema>(schema: S) {
  return v.optional(v.union([schema, dropped]));
}

/**
 * Marks a required field that may arrive under another documented spelling (rule 7): put it in the
 * pipe of an object schema whose entries list every spelling as optional, before the `v.check` that
 * needs one of them. Each group names the delivered spelling first. Read with `v.getMetadata`
 * (the catalogue tests derive each command's required fields from the schemas and this metadata).
 */
export function requiredOneOf<TInput, const G extends readonly [string, ...string[]]>(
  ...groups: G[]
): v.MetadataAction<TInput, { readonly requiredOneOf: G[] }> {
  return v.metadata<TInput, { readonly requiredOneOf: G[] }>({ requiredOneOf: groups });
}

/** `{ From_Account, To_Account }` pairs of the Sns after-callbacks. */
export const pairItem = v.looseObject({ From_Account: str, To_Account: str });

/** A plain list of account ids. */
export const accountList = v.array(str);

/** Message-extension KV items (`ExtensionList`). `Value` is absent when a key is deleted. */
export const extensionItem = v.looseObject({ Key: str, Value: v.optional(str), Seq: v.optional(int) });

/**
 * `GroupAttr` items: documented with lower-case `key`/`value` (unlike `UserDefinedDataList`);
 * `Key`/`Value` are accepted too and delivered as `key`/`value` (rule 7).
 */
export const groupAttrItem = v.pipe(
  v.looseObject({ key: v.optional(str), value: v.optional(str), Key: v.optional(str), Value: v.optional(str) }),
  requiredOneOf(['key', 'Key']),
  v.check((item) => (item.key ?? item.Key) !== undefined, 'Invalid key: Expected key (or Key)'),
  v.transform(({ Key, Value, ...item }) => ({
    ...item,
    key: (item.key ?? Key) as string,
    value: item.value ?? Value ?? '',
  })),
);

/** `ProfileItem[].Value`: uint32 or string depending on the tag, delivered as sent (rule 9). */
export const profileValue = v.union([v.number(), v.string()], 'Invalid type: Expected number or string');
