import type { PrivySettings } from '@enforcer/contract';
import { type CryptoKey, decodeJwt, errors, importSPKI, type JWTPayload, jwtVerify } from 'jose';
import type { AccountRecord } from '../accounts/ports.js';
import type { Clock } from '../platform.js';
import { type Result, refuse } from '../result.js';
import type { Repositories } from '../store.js';
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

/** Is this bearer a Privy access token (`iss: privy.io`)? Decoded without verification: routing only. */
export function isPrivyToken(token: string): boolean {
  if (token.length > 8192 || token.split('.').length !== 3) return false;
  try {
    return decodeJwt(token).iss === PRIVY_ISSUER;
  } catch {
    return false;
  }
}

/** The Privy app id a bearer token names (its audience, unverified: to find the tenant). */
export function privyBearerAppId(token: string): Result<string> {
  const aud = decodeJwt(token).aud;
  const appId = Array.isArray(aud) ? aud[0] : aud;
  if (typeof appId !== 'string' || appId === '' || appId.length > 128)
    return refuse('provider_token_invalid', 'The token has no Privy app id');
  return { ok: true, value: appId };
}

/** The one tenant among those whose Privy app id is the token's (at most two looked up). */
export function onePrivyTenant<T>(matches: readonly T[]): Result<T> {
  if (matches.length === 0) return refuse('provider_token_invalid', 'No tenant uses this Privy app');
  if (matches.length > 1) {
    return refuse(
      'bad_request',
      `Several tenants use this Privy app: name the tenant with the ${TENANT_HEADER} header (its code)`,
    );
  }
  return { ok: true, value: matches[0]! };
}

/** The input of a Privy session's id: hash or HMAC it, then lay 16 bytes out with `uuidFromBytes`. */
export const privySessionText = (tenantId: string, did: string, sid: string): string =>
  ['privy-session/v1', tenantId, did, sid].join('\n');

/** A uuid (version 8 layout) from the first 16 bytes of a hash. */
export function uuidFromBytes(bytes: Uint8Array): string {
  const mac = Uint8Array.from(bytes.subarray(0, 16));
  mac[6] = (mac[6]! & 0x0f) | 0x80;
  mac[8] = (mac[8]! & 0x3f) | 0x80;
  const hex = [...mac].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The claims, shaped like Enforcer's (`iss: privy.io`), of a request authenticated by a Privy bearer. */
export function privyBearerAccessClaims(
  claims: PrivyClaims,
  session: { id: string; accountId: string; personId: string; tenantId: string },
) {
  return {
    iss: PRIVY_ISSUER,
    aud: claims.appId,
    sub: session.accountId,
    person_id: session.personId,
    tenant_id: session.tenantId,
    sid: session.id,
    roles: [] as string[],
    groups: [] as string[],
    amr: [...PRIVY_AMR],
    grant_version: 0,
    iat: claims.iat,
    exp: claims.exp,
    jti: claims.sid || session.id,
  };
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

/**
 * A Privy access token in place of a user JWT (`Authorization: Bearer <privy token>`), once its tenant is
 * known (named by `X-Enforcer-Tenant`, or the one tenant of the token's app id: `onePrivyTenant`): the
 * tenant must accept `privy` and have it configured, and the token must verify with its settings (an
 * expired one is `401 token_expired`).
 */
export async function checkPrivyBearer(
  deps: PrivyMethodDeps,
  tenant: Pick<TenantRecord, 'authProviders' | 'authSettings'>,
  token: string,
): Promise<Result<PrivyClaims>> {
  if (!tenant.authProviders.includes('privy')) {
    return refuse('provider_not_allowed', 'This tenant does not accept Privy sign-in');
  }
  const settings = methodSettings(tenant, 'privy');
  if (!settings.ok) return refuse('provider_not_configured', 'This tenant has not configured Privy');
  const check = await deps.privy.verify(token, settings.value);
  return check.ok ? check : refuse(check.code, check.detail);
}

/**
 * The account a Privy bearer acts as, when its Privy session has no session of ours yet: the DID must be
 * linked to a person (first sign in with `POST /auth/login` `provider: privy`, or link Privy) with an
 * account in the tenant (else `403 not_a_member`), and the account must be active.
 */
export async function privyBearerAccount(
  repos: Repositories,
  tenantId: string,
  did: string,
): Promise<Result<AccountRecord>> {
  const identity = await repos.identities.findBySubject('privy', did);
  const account = identity ? await repos.accounts.findOfPerson(identity.personId, tenantId) : null;
  if (!account) {
    return refuse(
      'not_a_member',
      'This Privy user has no account in this tenant: sign in with POST /auth/login (provider privy) first',
    );
  }
  if (!account.active) return refuse('account_inactive', 'This account has been deactivated');
  return { ok: true, value: account };
}
