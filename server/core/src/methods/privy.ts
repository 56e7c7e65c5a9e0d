import type { PrivySettings } from '@enforcer/contract';
import { type CryptoKey, errors, importSPKI, type JWTPayload, jwtVerify } from 'jose';
import type { Clock } from '../platform.js';
import type { TenantRecord } from '../tenants/ports.js';
import type { Authentication, SignInMethod } from './method.js';
import { type ProofResult, refuseProof } from './result.js';
import { methodSettings } from './settings.js';

/** Privy's access tokens say `iss: privy.io`. */
export const PRIVY_ISSUER = 'privy.io';

/** The header naming the tenant a Privy bearer token is for (its code), when the app id is not enough. */
export const TENANT_HEADER = 'x-enforcer-tenant';

/** The `amr` of a session started by a Privy bearer token. */
export const PRIVY_AMR: readonly string[] = ['privy'];

/** What a verified Privy access token says. */
export interface PrivyClaims {
  /** The Privy user's DID (`did:privy:...`). */
  did: string;
  /** The Privy session id ('' when absent). */
  sid: string;
  appId: string;
  iat: number;
  exp: number;
}

const refused = (reason: string, detail: string) => refuseProof('provider_token_invalid', reason, detail);

/**
 * Verifies Privy access tokens with a tenant's Privy settings: ES256 signature under the app's
 * verification key (PEM/SPKI), issuer `privy.io`, audience the app id, expiry (with the clock tolerance),
 * a Privy DID as subject. An expired token is `token_expired`; every other failure `provider_token_invalid`.
 * Imported keys are cached by PEM.
 */
export class PrivyTokenVerifier {
  readonly #keys = new Map<string, Promise<CryptoKey>>();
  readonly #clock: Clock;
  readonly #tolerance: number;

  constructor(options: { clock: Clock; clockToleranceSeconds: number }) {
    this.#clock = options.clock;
    this.#tolerance = options.clockToleranceSeconds;
  }

  async verify(token: string, settings: PrivySettings): Promise<ProofResult<PrivyClaims>> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.#key(settings.verification_key), {
        issuer: PRIVY_ISSUER,
        audience: settings.app_id,
        algorithms: ['ES256'],
        currentDate: this.#clock.now(),
        clockTolerance: this.#tolerance,
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) {
        return refuseProof('token_expired', 'expired', 'The Privy access token has expired');
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
      value: {
        did,
        sid: typeof payload.sid === 'string' ? payload.sid.slice(0, 256) : '',
        appId: settings.app_id,
        iat: payload.iat!,
        exp: payload.exp!,
      },
    };
  }

  #key(pem: string): Promise<CryptoKey> {
    let key = this.#keys.get(pem);
    if (!key) {
      if (this.#keys.size > 1000) this.#keys.clear();
      key = importSPKI(pem, 'ES256');
      key.catch(() => this.#keys.delete(pem));
      this.#keys.set(pem, key);
    }
    return key;
  }
}

/** What the `privy` method is built with. */
export interface PrivyMethodDeps {
  privy: Pick<PrivyTokenVerifier, 'verify'>;
}

/**
 * `privy`: a Privy access token of the tenant's Privy app. The identity is the Privy DID. The same token is
 * also accepted directly as a bearer on user routes (`privyBearerAccount`).
 */
export const privySignIn = (deps: PrivyMethodDeps): SignInMethod<'privy'> => ({
  id: 'privy',
  amr: ['privy'],
  authenticate: ({ tenant }, body) => provePrivy(deps, tenant, body.token),
});

/** Proves a Privy identity for `tenant` (sign-in and linking). */
export async function provePrivy(
  deps: PrivyMethodDeps,
  tenant: TenantRecord,
  token: string,
): Promise<Authentication> {
  const settings = methodSettings(tenant, 'privy');
  if (!settings.ok) return settings;
  const check = await deps.privy.verify(token, settings.value);
  return check.ok ? { ok: true, identity: { provider: 'privy', subject: check.value.did } } : check;
}
