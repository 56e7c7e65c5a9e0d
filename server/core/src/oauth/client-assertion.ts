import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  type JWK,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { clientAssertionAlgorithms } from '../applications/jwks.js';
import type { ApplicationRecord } from '../applications/ports.js';
import { JwksUnavailable, type RemoteJwksCache } from '../applications/remote-jwks.js';
import { looksLikeClientId } from '../applications/secret.js';
import { tenantRefusal } from '../operator/tenant-status.js';
import type { Clock } from '../platform.js';
import type { Repositories, UnitOfWork } from '../store.js';
import { OAuthError } from './client-auth.js';

/** How far ahead an assertion's `exp` may be: assertions are made for one request, not kept (RFC 7523 §3). */
export const MAX_CLIENT_ASSERTION_LIFETIME_SECONDS = 300;
/** Clock skew allowed between the application and Enforcer when checking `exp`, `nbf` and `iat`. */
export const CLIENT_ASSERTION_CLOCK_TOLERANCE_SECONDS = 30;

/** Why a known application's assertion was refused (audit details), from jose's error codes. */
function reasonOf(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'assertion_expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `assertion_claim_${error.claim}`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'assertion_algorithm';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'assertion_signature';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'assertion_unknown_key';
  return 'assertion_invalid';
}

/**
 * The application a client assertion (`private_key_jwt`: RFC 7523 §2.2 and §3, OIDC Core §9) authenticates,
 * or `invalid_client`. The JWT must be signed with an asymmetric algorithm by one of the application's
 * registered keys; `iss` and `sub` are its client id (and so is `client_id` when sent); `aud` is the token
 * endpoint's URL or the issuer; `exp` is at most five minutes ahead; `jti` is used once (its replay, while
 * the assertion is still valid, is refused). The keys are the registered ones, or those published at the
 * application's `jwks_uri` (`remoteJwks`: cached; an unknown `kid` refetches them once, rate limited, so a
 * key the application has just rolled over to is picked up). Every refusal gives the caller the same answer; the reason is
 * in `OAuthError.refused`, for the audit event.
 */
export async function authenticateClientAssertion(
  repos: Repositories,
  deps: { clock: Clock; issuer: string; remoteJwks: RemoteJwksCache },
  presented: { clientId: string | undefined; assertion: string },
): Promise<ApplicationRecord> {
  const failed = () => new OAuthError('invalid_client', 'Client authentication failed');
  if (presented.assertion.length > 8192 || presented.assertion.split('.').length !== 3) throw failed();
  let claimedIssuer: unknown;
  try {
    claimedIssuer = decodeJwt(presented.assertion).iss;
  } catch {
    throw failed();
  }
  if (typeof claimedIssuer !== 'string' || !looksLikeClientId(claimedIssuer)) throw failed();
  if (presented.clientId !== undefined && presented.clientId !== claimedIssuer) throw failed();
  const app = await repos.applications.findByClientId(claimedIssuer);
  if (!app) throw failed();
  const refused = (reason: string) =>
    new OAuthError('invalid_client', 'Client authentication failed', { application: app, reason });
  if (app.authMethod !== 'private_key_jwt' || !(app.jwks || app.jwksUri)) {
    throw refused('assertion_of_secret_application');
  }

  const now = deps.clock.now();
  const verifyWith = async (keys: readonly object[]) =>
    (
      await jwtVerify(presented.assertion, createLocalJWKSet({ keys: keys as JWK[] }), {
        algorithms: [...clientAssertionAlgorithms],
        issuer: app.clientId,
        subject: app.clientId,
        audience: [`${deps.issuer}/oauth/token`, deps.issuer],
        requiredClaims: ['exp', 'jti'],
        currentDate: now,
        clockTolerance: CLIENT_ASSERTION_CLOCK_TOLERANCE_SECONDS,
      })
    ).payload;
  let payload: Awaited<ReturnType<typeof verifyWith>>;
  const jwksUri = app.jwksUri;
  try {
    let keys: readonly object[];
    try {
      keys = jwksUri ? await deps.remoteJwks.keys(jwksUri) : app.jwks!;
    } catch (error) {
      if (error instanceof JwksUnavailable) throw refused('jwks_uri_unavailable');
      throw error;
    }
    try {
      payload = await verifyWith(keys);
    } catch (error) {
      if (!(jwksUri && error instanceof joseErrors.JWKSNoMatchingKey)) throw error;
      // A kid the cached keys lack: the application may have rolled its keys over. Fetched again once
      // (unless fetched within the cooldown: then the kid is unknown until it passes).
      const fresh = await deps.remoteJwks.refreshed(jwksUri);
      if (!fresh) throw error;
      payload = await verifyWith(fresh);
    }
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    throw refused(reasonOf(error));
  }
  const exp = payload.exp!;
  const jti = payload.jti!;
  const latest = now.getTime() / 1000 + MAX_CLIENT_ASSERTION_LIFETIME_SECONDS;
  if (exp > latest + CLIENT_ASSERTION_CLOCK_TOLERANCE_SECONDS) throw refused('assertion_lifetime');
  if (typeof jti !== 'string' || jti === '' || jti.length > 256) throw refused('assertion_claim_jti');
  const fresh = await repos.applications.useClientAssertion(
    {
      applicationId: app.id,
      jti,
      expiresAt: new Date((exp + CLIENT_ASSERTION_CLOCK_TOLERANCE_SECONDS) * 1000),
    },
    now,
  );
  if (!fresh) throw refused('assertion_replayed');
  // A suspended tenant's applications get no token and no introspection, as with a secret (#15).
  if (tenantRefusal(await repos.tenants.find(app.tenantId))) {
    throw new OAuthError('unauthorized_client', "The application's tenant is suspended");
  }
  return app;
}

/**
 * Fetches what an assertion's application publishes at its `jwks_uri` (when it has one) before the
 * request's transaction, so that no database transaction waits on the network: the check inside then finds
 * the keys cached (and an unknown `kid` already refetched, or refused by the cooldown). Anything malformed is
 * left for the check to refuse.
 */
export async function warmAssertionKeys(
  uow: UnitOfWork,
  remoteJwks: RemoteJwksCache,
  assertion: unknown,
): Promise<void> {
  if (typeof assertion !== 'string' || assertion.length > 8192) return;
  let issuer: unknown;
  let kid: unknown;
  try {
    issuer = decodeJwt(assertion).iss;
    kid = decodeProtectedHeader(assertion).kid;
  } catch {
    return;
  }
  if (typeof issuer !== 'string' || !looksLikeClientId(issuer)) return;
  const app = await uow.read((repos) => repos.applications.findByClientId(issuer));
  if (!app?.jwksUri || app.authMethod !== 'private_key_jwt') return;
  const keys = await remoteJwks.keys(app.jwksUri).catch(() => null);
  if (keys && typeof kid === 'string' && !keys.some((key) => key.kid === kid)) {
    await remoteJwks.refreshed(app.jwksUri);
  }
}
