// Platform API keys for the operator's end-to-end suites (test/e2e/platform-*.test.ts): minted here, given
// to the server as ENFORCER_PLATFORM_API_KEYS lines (name, SHA-256 of the key, scopes), as an operator would.
import { createHash, randomBytes } from 'node:crypto';

export interface PlatformKey {
  name: string;
  key: string;
  /** The configuration line for this key. */
  line: string;
}

export function mintPlatformKey(name: string, scopes: string[]): PlatformKey {
  const key = `enfp_${randomBytes(32).toString('base64url')}`;
  const hash = createHash('sha256').update(key).digest('hex');
  return { name, key, line: `${name} ${hash} ${scopes.join(',')}` };
}

/** An operator with every scope, one who may only read, and the environment that configures both. */
export function platformKeys() {
  const operator = mintPlatformKey('ops', [
    'platform.tenants.read',
    'platform.tenants.update',
    'platform.tenants.delete',
  ]);
  const reader = mintPlatformKey('billing', ['platform.tenants.read']);
  return { operator, reader, env: { ENFORCER_PLATFORM_API_KEYS: `${operator.line}\n${reader.line}` } };
}
