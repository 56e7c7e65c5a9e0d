import { type PlatformScope, platformScopes } from '@enforcer/contract';
import { constantTimeEqual } from '../codes/otp.js';
import { AppError } from '../errors.js';
import { base64url, type Hashing, type RandomSource } from '../platform.js';

/**
 * Platform API keys: the deployment operator's credential, distinct from every tenant's keys. They are
 * not stored in the database: the deployment's configuration lists each key's name, the SHA-256 of the
 * key and its scopes, so a key is minted offline and revoked by removing its line.
 */

/** `enfp_` + 43 base64url characters (256 random bits); told from a tenant key (`enf_`) by its prefix. */
export const PLATFORM_KEY_PREFIX = 'enfp_';

export interface PlatformKeyEntry {
  /** The key's name in the configuration: the audit events' actor id. */
  name: string;
  /** SHA-256 of the key, lowercase hex. */
  hash: string;
  scopes: PlatformScope[];
}

/** Who calls a `/platform/*` route: a configured platform key. */
export interface PlatformCaller {
  kind: 'platform';
  keyName: string;
  scopes: PlatformScope[];
}

export const newPlatformKey = (random: RandomSource): string =>
  PLATFORM_KEY_PREFIX + base64url(random.bytes(32));

/** SHA-256 of a platform key as lowercase hex (the form the configuration holds). */
export async function hashPlatformKey(hashing: Hashing, key: string): Promise<string> {
  const binary = atob((await hashing.sha256(key)).replace(/-/g, '+').replace(/_/g, '/'));
  let hex = '';
  for (let i = 0; i < binary.length; i += 1) hex += binary.charCodeAt(i).toString(16).padStart(2, '0');
  return hex;
}

export const looksLikePlatformKey = (key: string): boolean =>
  key.startsWith(PLATFORM_KEY_PREFIX) && key.length <= 200;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Reads the configuration's list: one key a line (or `;`-separated), `<name> <sha256 hex> <scope>[,<scope>…]`;
 * blank lines and `#` comments are skipped. Answers the entries, or every problem found.
 */
export function parsePlatformKeys(text: string): { keys: PlatformKeyEntry[]; issues: string[] } {
  const keys: PlatformKeyEntry[] = [];
  const issues: string[] = [];
  const lines = text
    .split(/[\n;]/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  for (const [index, line] of lines.entries()) {
    const where = `entry ${index + 1}`;
    const [name, hash, scopeList, ...rest] = line.split(/\s+/);
    if (!name || !hash || !scopeList || rest.length > 0) {
      issues.push(`${where}: expected "<name> <sha256 hex of the key> <scope>[,<scope>...]"`);
      continue;
    }
    if (!NAME.test(name)) issues.push(`${where}: the name must be 1-64 letters, digits, "_", "." or "-"`);
    if (!HEX64.test(hash.toLowerCase())) {
      issues.push(
        `${where}: the second field must be the SHA-256 of the key in hex (64 characters), never the key itself`,
      );
    }
    const scopes = scopeList.split(',').filter((scope) => scope !== '');
    const unknown = scopes.filter((scope) => !(platformScopes as readonly string[]).includes(scope));
    if (scopes.length === 0 || unknown.length > 0) {
      issues.push(`${where}: scopes must be among ${platformScopes.join(', ')} (got "${scopeList}")`);
    }
    if (keys.some((key) => key.name === name)) issues.push(`${where}: the name "${name}" is used twice`);
    keys.push({ name, hash: hash.toLowerCase(), scopes: [...new Set(scopes)] as PlatformScope[] });
  }
  return { keys, issues };
}

export const invalidPlatformKey = (): AppError => new AppError('invalid_credentials', 'Invalid platform key');

/**
 * The configured key a presented one is, compared by hash in constant time against every entry (no early
 * exit, so the time does not say which entry came close), or `401 invalid_credentials`.
 */
export async function verifyPlatformKey(
  hashing: Hashing,
  keys: readonly PlatformKeyEntry[],
  presented: string,
): Promise<PlatformCaller> {
  if (!looksLikePlatformKey(presented)) throw invalidPlatformKey();
  const hash = await hashPlatformKey(hashing, presented);
  let found: PlatformKeyEntry | undefined;
  for (const key of keys) {
    if (constantTimeEqual(key.hash, hash) && !found) found = key;
  }
  if (!found) throw invalidPlatformKey();
  return { kind: 'platform', keyName: found.name, scopes: [...found.scopes] };
}

/** The route's scope (its metadata `permission`) must be one of the key's: `403 forbidden`. */
export function requirePlatformScope(caller: PlatformCaller, permission: string | undefined): void {
  if (!permission) return;
  if (!(caller.scopes as string[]).includes(permission)) {
    throw new AppError('forbidden', `This platform key lacks the scope "${permission}"`);
  }
}
