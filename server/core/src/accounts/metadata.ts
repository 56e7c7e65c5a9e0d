import { type Account, type Metadata, metadataLimits } from '@enforcer/contract';
import { AppError } from '../errors.js';
import type { AccountMetadata } from './ports.js';

/**
 * A change merged into a stored metadata object, as Clerk's `updateUserMetadata` merges: each top-level
 * key given replaces the stored one whole, `null` removes it, keys not given stay. A new object.
 */
export function mergeMetadata(stored: Metadata, patch: Metadata): Metadata {
  const merged: Metadata = { ...stored };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    // defineProperty: a key named `__proto__` is data like any other, never the object's prototype.
    else Object.defineProperty(merged, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return merged;
}

/** The UTF-8 size of a metadata object's JSON: what the 8 kB limit counts. */
export const metadataBytes = (metadata: Metadata): number =>
  new TextEncoder().encode(JSON.stringify(metadata)).length;

/** `400 metadata_too_large` when a merged object passes the limit; `field` names it (`public_metadata`). */
export function assertMetadataFits(field: string, metadata: Metadata): void {
  const bytes = metadataBytes(metadata);
  if (bytes > metadataLimits.maxBytes) {
    throw new AppError(
      'metadata_too_large',
      `${field} would be ${bytes} bytes of JSON; at most ${metadataLimits.maxBytes} are kept`,
      { errors: [{ path: `body.${field}`, message: `at most ${metadataLimits.maxBytes} bytes of JSON` }] },
    );
  }
}

/** Which metadata objects an account answer shows (see `accountSchema`). */
export type MetadataView =
  /** None: token answers. */
  | 'none'
  /** `public_metadata` and `user_metadata`: the account's own user, and readers who may not update it. */
  | 'readable'
  /** All three: a caller who may `accounts.update` the account. */
  | 'all';

/** The metadata fields of an account answer for `view`. */
export function metadataFields(
  metadata: AccountMetadata,
  view: MetadataView,
): Pick<Account, 'public_metadata' | 'private_metadata' | 'user_metadata'> {
  if (view === 'none') return {};
  return {
    public_metadata: { ...metadata.publicMetadata },
    user_metadata: { ...metadata.userMetadata },
    ...(view === 'all' ? { private_metadata: { ...metadata.privateMetadata } } : {}),
  };
}
