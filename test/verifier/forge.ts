// Building blocks for hostile tokens: re-encoded headers and payloads, signatures from the server's
// real key (to show a check holds even when the signature is good) or from an attacker's key.
import { createHmac } from 'node:crypto';
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Enforcer } from './support';

export const b64 = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');

export const parts = (token: string) => {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>,
    rawHeader: header,
    rawPayload: payload,
    signature,
  };
};

/** header.payload.signature with whatever JSON (or raw segment) is given. */
export const assemble = (header: unknown, payload: unknown, signature: string): string =>
  `${typeof header === 'string' ? header : b64(header)}.${typeof payload === 'string' ? payload : b64(payload)}.${signature}`;

/** Signs with the server's active signing key: a signature the verifier would accept. */
export async function signWithServerKey(
  enforcer: Enforcer,
  header: Record<string, unknown>,
  payload: Record<string, unknown> | Uint8Array,
): Promise<string> {
  const key = await enforcer.server.keys.getSigningKey();
  const bytes = payload instanceof Uint8Array ? payload : new TextEncoder().encode(JSON.stringify(payload));
  return new CompactSign(bytes)
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key.kid, ...header } as never)
    .sign(key.privateKey);
}

/** Signs any header at all with the server's key, by hand (jose refuses to produce some headers). */
export async function signRawWithServerKey(
  enforcer: Enforcer,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): Promise<string> {
  const key = await enforcer.server.keys.getSigningKey();
  const input = `${b64({ alg: 'ES256', typ: 'at+jwt', kid: key.kid, ...header })}.${b64(payload)}`;
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    key.privateKey,
    new TextEncoder().encode(input),
  );
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

export interface AttackerKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  kid: string;
  alg: string;
}

export async function attackerKey(alg = 'ES256'): Promise<AttackerKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { privateKey, publicJwk, kid: await calculateJwkThumbprint(publicJwk), alg };
}

export async function signWithKey(
  key: AttackerKey,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: key.alg, typ: 'at+jwt', kid: key.kid, ...header } as never)
    .sign(key.privateKey);
}

/** An HS256 token signed by hand (jose would refuse an asymmetric key as an HMAC secret). */
export function signHs256(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret: Buffer | string,
) {
  const input = `${b64({ alg: 'HS256', typ: 'at+jwt', ...header })}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
