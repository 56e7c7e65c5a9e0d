import { APPLE_ISSUER } from '@enforcer/contract';
import { importPKCS8, SignJWT } from 'jose';

/** The tenant's Sign in with Apple key: the team and key ids (the private key is the sealed secret). */
export interface AppleSettings {
  teamId: string;
  keyId: string;
}

/** `name email`: Apple's only scopes (it returns an ID token without `openid`). */
export const APPLE_DEFAULT_SCOPES = ['name', 'email'];

/** Apple's endpoints under `origin` (the real one, or a test's stand-in). */
export const appleEndpoints = (origin: string) => ({
  authorization_endpoint: `${origin}/auth/authorize`,
  token_endpoint: `${origin}/auth/token`,
  jwks_uri: `${origin}/auth/keys`,
});

/** How long a client secret JWT is valid: one code exchange needs seconds (Apple accepts up to 6 months). */
export const APPLE_CLIENT_SECRET_TTL_SECONDS = 300;

/**
 * Apple's client secret: a JWT signed ES256 with the team's Sign in with Apple key (`kid` its key id),
 * issued by the team (`iss`), for Apple (`aud`), about the client (`sub`: the Services ID), short-lived.
 */
export async function appleClientSecret(input: {
  settings: AppleSettings;
  clientId: string;
  privateKeyPem: string;
  now: Date;
}): Promise<string> {
  const key = await importPKCS8(input.privateKeyPem.trim(), 'ES256');
  const iat = Math.floor(input.now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: input.settings.keyId })
    .setIssuer(input.settings.teamId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + APPLE_CLIENT_SECRET_TTL_SECONDS)
    .setAudience(APPLE_ISSUER)
    .setSubject(input.clientId)
    .sign(key);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The person's name from Apple's `user` form field, which Apple sends on the first authorization only
 * (`{"name":{"firstName":"…","lastName":"…"},"email":"…"}`). It is not signed: it is used as the display
 * name of a person this sign-in creates, nothing else (its `email` is never read: the ID token's is the
 * one Apple vouches for). Anything malformed is no name.
 */
export function appleName(user: string | undefined): string | undefined {
  if (!user) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(user);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || !isRecord(parsed.name)) return undefined;
  const part = (value: unknown) =>
    typeof value === 'string' ? value.replace(/[\p{Cc}\p{Cf}]/gu, '').trim() : '';
  const name = [part(parsed.name.firstName), part(parsed.name.lastName)].filter(Boolean).join(' ');
  return name ? name.slice(0, 100) : undefined;
}

/** Apple sends `email_verified` as a boolean or as the string "true". */
export const appleEmailVerified = (claims: Record<string, unknown>) =>
  claims.email_verified === true || claims.email_verified === 'true';
