import type { AccessTokenClaims, ClientTokenClaims } from '@enforcer/contract';
import { VerifierError } from '../errors';

// The claims are defined once, in the contract; this module checks them offline.
export type { AccessTokenClaims, ClientTokenClaims };

export interface ClaimRules {
  issuer: string;
  audience: string;
  clockToleranceSec: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function requireString(claims: Record<string, unknown>, name: string): void {
  if (typeof claims[name] !== 'string' || claims[name] === '') {
    throw new VerifierError('malformed', `the "${name}" claim is missing or not a string`, { claim: name });
  }
}

/** The payload bytes whose signature was verified → claims, or the reason they are refused. */
export function decodePayload(payload: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(payload));
  } catch (cause) {
    throw new VerifierError('malformed', 'the payload is not UTF-8 JSON', { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VerifierError('malformed', 'the payload is not a JSON object');
  }
  return value as Record<string, unknown>;
}

/** An application's token (`kind: "client"`, #18) rather than an account's? Read before the claims are. */
export const isClientToken = (claims: Record<string, unknown>): boolean => claims.kind === 'client';

/**
 * Validates the claims of an application's token (client credentials, #18) whose signature has been
 * verified: the same issuer, audience and lifetime rules as an account's, then `sub` = `client_id`, the
 * tenant, `scope` (space-separated) and `jti`.
 */
export function readClientClaims(
  claims: Record<string, unknown>,
  rules: ClaimRules,
  nowMs: number,
): ClientTokenClaims {
  readLifetime(claims, rules, nowMs);
  for (const name of ['sub', 'client_id', 'tenant_id', 'jti']) requireString(claims, name);
  if (claims.sub !== claims.client_id) {
    throw new VerifierError('malformed', 'the "sub" of a client token is not its "client_id"', {
      claim: 'sub',
    });
  }
  if (typeof claims.scope !== 'string') {
    throw new VerifierError('malformed', 'the "scope" claim is not a string', { claim: 'scope' });
  }
  return claims as unknown as ClientTokenClaims;
}

/** Issuer, audience, `exp`, `nbf` and `iat`: the rules every token of ours obeys, whoever it is for. */
function readLifetime(claims: Record<string, unknown>, rules: ClaimRules, nowMs: number): void {
  if (claims.iss !== rules.issuer)
    throw new VerifierError('wrong_issuer', 'unexpected issuer', { claim: 'iss' });
  const aud = claims.aud;
  if (!(aud === rules.audience || (isStringArray(aud) && aud.includes(rules.audience)))) {
    throw new VerifierError('wrong_audience', 'unexpected audience', { claim: 'aud' });
  }
  const now = nowMs / 1000;
  const tolerance = rules.clockToleranceSec;
  if (!isTime(claims.exp))
    throw new VerifierError('malformed', 'the "exp" claim is missing', { claim: 'exp' });
  if (now - tolerance >= claims.exp)
    throw new VerifierError('expired', 'the token has expired', { claim: 'exp' });
  if (claims.mfa_at !== undefined && !Number.isSafeInteger(claims.mfa_at)) {
    throw new VerifierError('malformed', 'the "mfa_at" claim is not an integer', { claim: 'mfa_at' });
  }
  if (claims.nbf !== undefined) {
    if (!isTime(claims.nbf))
      throw new VerifierError('malformed', 'the "nbf" claim is not a number', { claim: 'nbf' });
    if (claims.nbf > now + tolerance) {
      throw new VerifierError('not_yet_valid', 'the token is not valid yet', { claim: 'nbf' });
    }
  }
  // `iat` must be there, but a future one is not refused: neither does the server (jose without
  // maxTokenAge), and `exp` already bounds the token's life.
  if (!isTime(claims.iat))
    throw new VerifierError('malformed', 'the "iat" claim is missing', { claim: 'iat' });
}

/**
 * Validates the claims of a token whose signature has been verified: issuer, audience, lifetime
 * (with the clock tolerance) and the shape of every claim the principal is built from.
 */
export function readClaims(
  claims: Record<string, unknown>,
  rules: ClaimRules,
  nowMs: number,
): AccessTokenClaims {
  readLifetime(claims, rules, nowMs);
  for (const name of ['sub', 'person_id', 'tenant_id', 'sid', 'jti']) requireString(claims, name);
  for (const name of ['roles', 'groups', 'amr']) {
    if (!isStringArray(claims[name])) {
      throw new VerifierError('malformed', `the "${name}" claim is not a list of strings`, { claim: name });
    }
  }
  // RFC 8693 `act` (impersonation, #14): an object naming the acting account, or absent.
  if (claims.act !== undefined) {
    const act = claims.act as Record<string, unknown> | null;
    if (
      typeof act !== 'object' ||
      act === null ||
      Array.isArray(act) ||
      typeof act.sub !== 'string' ||
      act.sub === ''
    ) {
      throw new VerifierError('malformed', 'the "act" claim is not an object with a "sub"', { claim: 'act' });
    }
  }
  if (!Number.isSafeInteger(claims.grant_version) || (claims.grant_version as number) < 0) {
    throw new VerifierError('malformed', 'the "grant_version" claim is not an integer', {
      claim: 'grant_version',
    });
  }
  return claims as unknown as AccessTokenClaims;
}
