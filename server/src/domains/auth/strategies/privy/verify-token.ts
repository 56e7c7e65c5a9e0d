import type { PrivySettings } from '@enforcer/contract';
import { type CryptoKey, errors, importSPKI, jwtVerify } from 'jose';
import type { Clock } from '../../../../lib/clock.js';
import { AppError } from '../../../../lib/errors.js';

/** Privy's access tokens say `iss: privy.io`. */
export const PRIVY_ISSUER = 'privy.io';

export interface PrivyClaims {
  /** The Privy user's DID (`did:privy:...`). */
  did: string;
  /** The Privy session id. */
  sid: string;
  appId: string;
  iat: number;
  exp: number;
}

export type PrivyCheck = { ok: true; claims: PrivyClaims } | { ok: false; error: AppError; reason: string };

const refused = (reason: string, detail: string): PrivyCheck => ({
  ok: false,
  error: new AppError('provider_token_invalid', detail),
  reason,
});

/**
 * Verifies Privy access tokens with a tenant's Privy settings: ES256 signature under the app's
 * verification key (PEM/SPKI), issuer `privy.io`, audience the app id, expiry (with the clock tolerance).
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

  async verify(token: string, settings: PrivySettings): Promise<PrivyCheck> {
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
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
        return {
          ok: false,
          error: new AppError('token_expired', 'The Privy access token has expired'),
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
