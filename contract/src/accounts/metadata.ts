import { z } from 'zod';
import { storableText } from '../common/text';

/**
 * Limits of each metadata object of an account (`public_metadata`, `private_metadata`, `user_metadata`):
 * its JSON (UTF-8) at most `maxBytes` once a change is merged in (`400 metadata_too_large` otherwise), at
 * most `maxDepth` levels of objects and arrays counting the metadata object itself, keys of 1 to
 * `maxKeyLength` characters.
 */
export const metadataLimits = { maxBytes: 8192, maxDepth: 5, maxKeyLength: 128 } as const;

/** A metadata object as stored and shown: a JSON object. */
export type Metadata = Record<string, z.core.util.JSONType>;

/** Levels of objects and arrays in a JSON value (a scalar is 0), counted without recursion. */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item.value !== 'object' || item.value === null) continue;
    const depth = item.depth + 1;
    if (depth > deepest) deepest = depth;
    for (const child of Object.values(item.value)) stack.push({ value: child, depth });
  }
  return deepest;
}

const metadataKeySchema = z.string().min(1).max(metadataLimits.maxKeyLength).check(storableText);

const withinDepth = (payload: z.core.ParsePayload<Record<string, unknown>>): void => {
  if (jsonDepth(payload.value) > metadataLimits.maxDepth) {
    payload.issues.push({
      code: 'custom',
      message: `nests deeper than ${metadataLimits.maxDepth} levels of objects and arrays`,
      input: payload.value,
    });
  }
};

/** A metadata object: string keys, any JSON values. */
export const metadataSchema = z.record(metadataKeySchema, z.json()).check(withinDepth);

/**
 * A change to a metadata object, merged like Clerk's `updateUserMetadata`: each top-level key given
 * replaces the stored one (objects are not merged deeper), `null` removes the key, keys not given stay.
 */
export const metadataPatchSchema = metadataSchema;
