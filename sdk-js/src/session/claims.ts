/**
 * The claims of an Enforcer access token (one definition, in the contract). The browser never verifies the
 * signature (the server does, on every call); it reads the claims to know who is signed in, until when,
 * and in which session.
 */
import type { AccessTokenClaims } from '@enforcer/contract';

export type { AccessTokenClaims };

/** Reads the payload of a JWT without verifying it; undefined when it is not one. */
export function decodeClaims(token: string): AccessTokenClaims | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as AccessTokenClaims;
    return typeof claims.sub === 'string' && typeof claims.exp === 'number' ? claims : undefined;
  } catch {
    return undefined;
  }
}
