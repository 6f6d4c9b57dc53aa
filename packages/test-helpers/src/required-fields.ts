/**
 * Test helper: what a catalogue schema requires, read from the valibot schema itself (leniency
 * rule 5). `requiredKeys` lists an object schema's non-optional entries, plus the delivered
 * spelling of each `requiredOneOf` group (rule 7); `requiredOnly` strips a body down to the entries
 * its schema requires, recursively (nested objects and array items keep only their required
 * entries; `MsgBody` elements are resolved through the `lazy` dispatch on `MsgType`).
 */
import type * as v from 'valibot';

interface SchemaNode {
  readonly type: string;
  readonly entries?: Readonly<Record<string, SchemaNode>>;
  readonly item?: SchemaNode;
  readonly wrapped?: SchemaNode;
  readonly getter?: (input: unknown) => SchemaNode;
  readonly pipe?: readonly { readonly type: string; readonly kind?: string; readonly metadata?: unknown }[];
}

const OPTIONAL = new Set(['optional', 'exact_optional', 'nullish', 'undefinedable']);
const OBJECTS = new Set(['object', 'loose_object', 'strict_object', 'object_with_rest']);

function node(schema: v.GenericSchema | SchemaNode): SchemaNode {
  return schema as unknown as SchemaNode;
}

/** The `requiredOneOf` groups of a schema's pipe metadata (see `requiredOneOf` in fields.ts). */
function requiredOneOfGroups(schema: SchemaNode): (readonly string[])[] {
  const groups: (readonly string[])[] = [];
  for (const item of schema.pipe ?? []) {
    if (item.kind !== 'metadata' || typeof item.metadata !== 'object' || item.metadata === null) continue;
    const declared = (item.metadata as { requiredOneOf?: unknown }).requiredOneOf;
    if (Array.isArray(declared)) groups.push(...(declared as (readonly string[])[]));
  }
  return groups;
}

function objectEntries(schema: SchemaNode): Readonly<Record<string, SchemaNode>> {
  if (!OBJECTS.has(schema.type) || schema.entries === undefined) {
    throw new Error(`not an object schema: ${schema.type}`);
  }
  return schema.entries;
}

/** The top-level fields an object schema requires (sorted). */
export function requiredKeys(schema: v.GenericSchema | SchemaNode): string[] {
  const root = node(schema);
  const entries = objectEntries(root);
  const keys = Object.entries(entries)
    .filter(([, entry]) => !OPTIONAL.has(entry.type))
    .map(([key]) => key);
  for (const group of requiredOneOfGroups(root)) {
    const [delivered] = group;
    if (delivered !== undefined && !keys.includes(delivered)) keys.push(delivered);
  }
  return keys.sort();
}

function unwrap(schema: SchemaNode): SchemaNode {
  return OPTIONAL.has(schema.type) && schema.wrapped !== undefined ? unwrap(schema.wrapped) : schema;
}

/** `value` with only the entries `schema` requires, at every depth. Throws if one is missing. */
export function requiredOnly(schema: v.GenericSchema | SchemaNode, value: unknown, path = '$'): unknown {
  const current = unwrap(node(schema));
  if (current.type === 'lazy' && current.getter !== undefined) {
    return requiredOnly(current.getter(value), value, path);
  }
  if (OBJECTS.has(current.type)) {
    if (typeof value !== 'object' || value === null) throw new Error(`${path}: expected an object`);
    const entries = objectEntries(current);
    const body: Record<string, unknown> = {};
    for (const key of requiredKeys(current)) {
      if (!(key in value)) throw new Error(`${path}.${key}: required but absent from the sample`);
      const entry = entries[key];
      if (entry === undefined) throw new Error(`${path}.${key}: no schema entry`);
      body[key] = requiredOnly(entry, (value as Record<string, unknown>)[key], `${path}.${key}`);
    }
    return body;
  }
  if (current.type === 'array' && current.item !== undefined) {
    if (!Array.isArray(value)) throw new Error(`${path}: expected an array`);
    const item = current.item;
    return value.map((element, index) => requiredOnly(item, element, `${path}[${index}]`));
  }
  // Strings, numbers, unions of them, custom (enumerated) strings: kept as they are.
  return value;
}

/** Every path (`['Info', 'To_Account']`, `['MsgBody', 0, 'MsgType']`...) of a required entry in `body`. */
export function requiredPaths(body: unknown, prefix: readonly (string | number)[] = []): (string | number)[][] {
  const paths: (string | number)[][] = [];
  if (Array.isArray(body)) {
    body.forEach((element, index) => {
      paths.push(...requiredPaths(element, [...prefix, index]));
    });
  } else if (typeof body === 'object' && body !== null) {
    for (const [key, value] of Object.entries(body)) {
      paths.push([...prefix, key], ...requiredPaths(value, [...prefix, key]));
    }
  }
  return paths;
}

/** A deep copy of `body` without the entry at `path`. */
export function without(body: unknown, path: readonly (string | number)[]): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete parent[last];
  return copy;
}
