/**
 * `MsgBody` elements (TIMMessage, protocol reference §5). A message is an array of
 * `{ MsgType, MsgContent }`. Known element types are validated and typed; an element whose
 * `MsgType` is unknown (Tencent adds new ones) passes through untouched, typed as
 * `UnknownMsgElement`. Use `isMsgElement(element, 'TIMTextElem')` to narrow.
 */
import * as v from 'valibot';
import { int, num, str, u32 } from './fields.js';

const opt = v.optional;

function element<const T extends string, const E extends v.ObjectEntries>(msgType: T, content: E) {
  return v.looseObject({ MsgType: v.literal(msgType), MsgContent: v.looseObject(content) });
}

export const textElement = element('TIMTextElem', { Text: str });
export const locationElement = element('TIMLocationElem', { Desc: opt(str), Latitude: num, Longitude: num });
export const faceElement = element('TIMFaceElem', { Index: int, Data: opt(str) });
export const customElement = element('TIMCustomElem', {
  Data: opt(str),
  Desc: opt(str),
  Ext: opt(str),
  Sound: opt(str),
});
/** SDK ≥ 4.x sends `Url` and `Download_Flag`; SDK 2.x/3.x only `UUID`, `Size`, `Second`. */
export const soundElement = element('TIMSoundElem', {
  Url: opt(str),
  UUID: opt(str),
  Size: opt(int),
  Second: opt(int),
  Download_Flag: opt(int),
});
export const imageInfo = v.looseObject({ Type: int, Size: opt(int), Width: opt(int), Height: opt(int), URL: opt(str) });
export const imageElement = element('TIMImageElem', {
  UUID: opt(str),
  ImageFormat: opt(int),
  ImageInfoArray: v.array(imageInfo),
});
export const fileElement = element('TIMFileElem', {
  Url: opt(str),
  UUID: opt(str),
  FileSize: opt(int),
  FileName: opt(str),
  Download_Flag: opt(int),
});
export const videoElement = element('TIMVideoFileElem', {
  VideoUrl: opt(str),
  VideoUUID: opt(str),
  VideoSize: opt(int),
  VideoSecond: opt(int),
  VideoFormat: opt(str),
  VideoDownloadFlag: opt(int),
  ThumbUrl: opt(str),
  ThumbUUID: opt(str),
  ThumbSize: opt(int),
  ThumbWidth: opt(int),
  ThumbHeight: opt(int),
  ThumbFormat: opt(str),
  ThumbDownloadFlag: opt(int),
});

/** One forwarded message inside a `TIMRelayElem` (combined/forwarded messages). Nested `MsgBody`. */
export interface RelayedMessage {
  From_Account?: string;
  GroupId?: string;
  MsgSeq?: number;
  MsgRandom?: number;
  MsgTimeStamp?: number;
  MsgBody: MsgElement[];
  CloudCustomData?: string;
  [key: string]: unknown;
}

const relayedMessage: v.GenericSchema<unknown, RelayedMessage> = v.looseObject({
  From_Account: opt(str),
  GroupId: opt(str),
  MsgSeq: opt(u32),
  MsgRandom: opt(u32),
  MsgTimeStamp: opt(int),
  MsgBody: v.lazy(() => msgBody),
  CloudCustomData: opt(str),
}) as v.GenericSchema<unknown, RelayedMessage>;

export const relayElement = element('TIMRelayElem', {
  Title: opt(str),
  MsgNum: opt(int),
  CompatibleText: opt(str),
  AbstractList: opt(v.array(str)),
  MsgList: opt(v.array(relayedMessage)),
});

const knownElements = {
  TIMTextElem: textElement,
  TIMLocationElem: locationElement,
  TIMFaceElem: faceElement,
  TIMCustomElem: customElement,
  TIMSoundElem: soundElement,
  TIMImageElem: imageElement,
  TIMFileElem: fileElement,
  TIMVideoFileElem: videoElement,
  TIMRelayElem: relayElement,
} as const;

export type KnownMsgType = keyof typeof knownElements;
export const knownMsgTypes = Object.keys(knownElements) as KnownMsgType[];

/** A known element, discriminated by `MsgType`. */
export type KnownMsgElement = { [T in KnownMsgType]: v.InferOutput<(typeof knownElements)[T]> }[KnownMsgType];

/** An element of a type this version does not know; kept as it came. */
export interface UnknownMsgElement {
  MsgType: string;
  MsgContent?: unknown;
  [key: string]: unknown;
}

export type MsgElement = KnownMsgElement | UnknownMsgElement;

const unknownElement = v.looseObject({ MsgType: str, MsgContent: opt(v.unknown()) });

function isKnownMsgType(type: unknown): type is KnownMsgType {
  return typeof type === 'string' && Object.hasOwn(knownElements, type);
}

/** One element: dispatched on `MsgType`, so a malformed known element reports the exact field. */
export const msgElement: v.GenericSchema<unknown, MsgElement> = v.lazy((input) => {
  const type = (input as { MsgType?: unknown } | null | undefined)?.MsgType;
  return isKnownMsgType(type) ? knownElements[type] : unknownElement;
}) as v.GenericSchema<unknown, MsgElement>;

export const msgBody = v.array(msgElement);

/** Narrows an element to the known element type of `type`. */
export function isMsgElement<T extends KnownMsgType>(
  element: MsgElement,
  type: T,
): element is Extract<KnownMsgElement, { MsgType: T }> {
  return element.MsgType === type;
}
