/**
 * Pipeline stage "validate": owns finding the command in the catalogue and checking the parsed body
 * against its valibot schema. A command mismatch is a malformed request (thrown, 400); a body that
 * fails its schema is returned as a `PayloadValidationError` for the receiver to report and answer
 * 200, since the callback was authenticated and Tencent would not send it again.
 */
import * as v from 'valibot';
import type { CommandSpec } from '../catalogue/define.js';
import { commandSpec } from '../catalogue/index.js';
import { MAX_FRIEND_ITEMS } from '../catalogue/relation.js';
import { type ErrorContext, MalformedRequestError, PayloadValidationError } from '../errors.js';
import { compile, PASS } from './fast-check.js';

export type Validation =
  /** `spec` undefined: a command this version does not know (the payload is the body as parsed). */
  | { readonly ok: true; readonly spec: CommandSpec | undefined; readonly payload: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly spec: CommandSpec | undefined; readonly error: PayloadValidationError };

function firstIssuePath(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0];
  return (issue && v.getDotPath(issue)) ?? '(body)';
}

/** Validates the body of `command`; `context.payload` is the body as parsed. */
export function validate(command: string, json: unknown, context: ErrorContext): Validation {
  const spec = commandSpec(command);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, spec, error: new PayloadValidationError('body must be a JSON object', '(body)', [], context) };
  }
  const bodyCommand = (json as Record<string, unknown>).CallbackCommand;
  if (bodyCommand !== undefined && bodyCommand !== command) {
    throw new MalformedRequestError('COMMAND_MISMATCH', 'body CallbackCommand differs from the query', context);
  }
  if (spec === undefined) return { ok: true, spec, payload: json as Record<string, unknown> };
  // A friend list over the cap is refused before any of its items is checked (the schema would
  // check every one first: a 40,000-friend request cost 50-85 ms of CPU to answer, 26-32 with this).
  const friends = spec.friendItems === undefined ? undefined : (json as Record<string, unknown>)[spec.friendItems];
  if (Array.isArray(friends) && friends.length > MAX_FRIEND_ITEMS) {
    const path = spec.friendItems as string;
    const message = `payload invalid at ${path}: more than ${MAX_FRIEND_ITEMS} items (${friends.length})`;
    return { ok: false, spec, error: new PayloadValidationError(message, path, [], context) };
  }
  // Most bodies are already in their delivered form: checked in place, the parsed body is the payload.
  if (compile(spec.schema)(json) === PASS) return { ok: true, spec, payload: json as Record<string, unknown> };
  const result = v.safeParse(spec.schema, json);
  if (result.success) return { ok: true, spec, payload: result.output as Record<string, unknown> };
  const path = firstIssuePath(result.issues);
  const message = `payload invalid at ${path}: ${result.issues[0]?.message ?? 'invalid'}`;
  return { ok: false, spec, error: new PayloadValidationError(message, path, result.issues, context) };
}
