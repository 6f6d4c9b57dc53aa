/**
 * Field schemas shared by the whole catalogue. The leniency rules live here, once:
 *
 * - Integer fields (`EventTime`, counters, flags, sequence numbers) accept a JSON number or a
 *   string of decimal digits (the official examples send `"EventTime": "1670574414123"`) and are
 *   always delivered as a number. Unsigned 32-bit values (`Random`, `MsgRandom`, `MsgSeq`) above
 *   2^31 stay exact: JavaScript numbers are exact up to 2^53.
 * - Every object keeps the fields it does not know (`looseObject`): Tencent adds fields over time
 *   and an unknown field is never a reason to refuse a callback.
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

/** Group types as the callbacks name them (REST names). Other values are kept, typed as string. */
export type GroupType = 'Public' | 'Private' | 'ChatRoom' | 'AVChatRoom' | 'Community' | (string & {});
export const groupType = v.custom<GroupType>((input) => typeof input === 'string', 'Invalid type: Expected string');

/** `{ "Member_Account": "..." }` items of member lists. */
export const memberItem = v.looseObject({ Member_Account: str });
export const memberList = v.array(memberItem);

/** `UserDefinedDataList` items: `{ Key, Value }`. */
export const keyValueItem = v.looseObject({ Key: str, Value: str });
