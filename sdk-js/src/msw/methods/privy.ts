import type { PrivySettings } from '@enforcer/contract';
import { errors, importSPKI, type JWTPayload, jwtVerify } from 'jose';
import { MockError } from '../problem';
import type { MockStore, TenantRow } from '../store';
import { trySettingsFor } from './settings';
import type { Authentication } from './sign-in';

/** Privy's access tokens say `iss: privy.io`. */
export const PRIVY_ISSUER = 'privy.io';

const refused = (reason: string, detail: string): Extract<Authentication, { ok: false }> => ({
  ok: false,
  error: new MockError('provider_token_invalid', detail),
  reason,
});

/**
 * The server's `provePrivy` (server/src/domains/auth/strategies/privy/): ES256 under the tenant's
 * verification key, issuer `privy.io`, audience the app id, expiry with the clock tolerance, a Privy DID.
 */
export async function verifyPrivyToken(
  store: MockStore,
  tenant: TenantRow,
  token: string,
  toleranceSeconds: number,
): Promise<Authentication> {
  const configured = trySettingsFor(store, tenant, 'privy');
  if (!configured.ok) return configured;
  const check = await checkPrivyToken(store, token, configured.settings, toleranceSeconds);
  return check.ok ? { ok: true, identity: { provider: 'privy', subject: check.claims.did } } : check;
}

/** What a verified Privy access token says. */
export interface PrivyClaims {
  did: string;
  /** The Privy session id ('' when absent). */
  sid: string;
  appId: string;
  iat: number;
  exp: number;
}

/** The server's `PrivyTokenVerifier.verify` (verify-token.ts). */
export async function checkPrivyToken(
  store: MockStore,
  token: string,
  settings: PrivySettings,
  toleranceSeconds: number,
): Promise<{ ok: true; claims: PrivyClaims } | Extract<Authentication, { ok: false }>> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, await importSPKI(settings.verification_key, 'ES256'), {
      issuer: PRIVY_ISSUER,
      audience: settings.app_id,
      algorithms: ['ES256'],
      currentDate: new Date(store.now()),
      clockTolerance: toleranceSeconds,
      requiredClaims: ['sub', 'exp', 'iat'],
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      return {
        ok: false,
        error: new MockError('token_expired', 'The Privy access token has expired'),
        reason: 'expired',
      };
    }
    if (error instanceof errors.JWTClaimValidationFailed) {
      if (error.claim === 'iss') return refused('wrong_issuer', 'The token was not issued by Privy');
      if (error.claim === 'aud')
        return refused('wrong_audience', "The token is not for this tenant's Privy app");
      return refused(`bad_claim_${error.claim}`, `The token's ${error.claim} claim is not acceptable`);
    }
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return refused('bad_signature', "The token's signature does not verify with the tenant's Privy key");
    }
    return refused('malformed', 'The Privy access token is malformed');
  }
  const did = payload.sub!;
  if (!/^did:privy:[A-Za-z0-9_-]{1,128}$/.test(did))
    return refused('malformed', 'The token has no Privy DID');
  return {
    ok: true,
    claims: {
      did,
      sid: typeof payload.sid === 'string' ? payload.sid.slice(0, 256) : '',
      appId: settings.app_id,
      iat: payload.iat!,
      exp: payload.exp!,
    },
  };
}
