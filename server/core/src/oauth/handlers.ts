import type { ClientTokenClaims, contract, OAuthIntrospection } from '@enforcer/contract';
import type { Handlers } from '../api/handlers.js';
import { authenticateApiKey } from '../api-keys/handlers.js';
import { plainJwksFetcher, RemoteJwksCache } from '../applications/remote-jwks.js';
import { applicationUseWorthRecording } from '../applications/secret.js';
import type { AuditActor } from '../audit/ports.js';
import { AppError } from '../errors.js';
import { type Clock, type Hashing, webCryptoHashing } from '../platform.js';
import { REFRESH_TOKEN_PREFIX } from '../sessions/refresh-tokens.js';
import type { Repositories, UnitOfWork } from '../store.js';
import { AccessTokenService } from '../tokens/access-tokens.js';
import { authenticateClientAssertion, warmAssertionKeys } from './client-assertion.js';
import {
  authenticateApplication,
  noStoreHeaders,
  type OAuthCaller,
  OAuthError,
  oauthErrorResponse,
  type PresentedClient,
  param,
  presentedClient,
} from './client-auth.js';

export interface OAuthDeps {
  uow: UnitOfWork;
  clock: Clock;
  /** Mints and verifies access tokens: applications' tokens are the same service's `issueClient`. */
  access: AccessTokenService;
  hashing?: Hashing;
  /**
   * The keys of applications' `jwks_uri`s (`private_key_jwt`), cached per process. The server's fetches
   * them SSRF-safely; without it, a cache over `plainJwksFetcher` (the mock's).
   */
  remoteJwks?: RemoteJwksCache;
}

/** Why a session ended when `POST /oauth/revoke` ended it (its `revoke_reason`). */
export const oauthRevokeReason = 'revoked_by_client';

const inactive: OAuthIntrospection = { active: false };

/**
 * An OAuth error answer. The route declares its 400 and 401 as OAuth errors (and they win at run time), but
 * ts-rest's types give the root router's common 400 (a problem) precedence, hence the cast.
 */
const oauthError = (error: OAuthError) => oauthErrorResponse(error) as never;

/** What an access token (or a refresh token) is, once verified: or null when it is none of ours or not live. */
type IdentifiedToken =
  | { kind: 'client'; claims: ClientTokenClaims }
  | { kind: 'account_access'; tenantId: string; sessionId: string; introspection: OAuthIntrospection }
  | { kind: 'refresh'; tenantId: string; sessionId: string; introspection: OAuthIntrospection };

const audOf = (aud: string | string[]): string | undefined => (Array.isArray(aud) ? aud[0] : aud);

/**
 * The OAuth 2.0 token services (#18): client credentials (RFC 6749 §4.4), introspection (RFC 7662) and
 * revocation (RFC 7009), written once for the server and the mock. Every refusal is an OAuth error body
 * (`OAuthError`), returned rather than thrown, so the HTTP layers send it as it is.
 */
export const oauthHandlers = (deps: OAuthDeps): Handlers<typeof contract.oauth> => {
  const { uow, clock, access } = deps;
  const hashing = deps.hashing ?? webCryptoHashing;
  const remoteJwks = deps.remoteJwks ?? new RemoteJwksCache({ fetch: plainJwksFetcher, clock });

  /** The application a secret or a client assertion authenticates (`invalid_client` otherwise). */
  const authenticatePresented = (
    repos: Repositories,
    presented: Extract<PresentedClient, { kind: 'application' | 'assertion' }>,
  ) =>
    presented.kind === 'application'
      ? authenticateApplication(repos, hashing, presented)
      : authenticateClientAssertion(repos, { clock, issuer: access.issuer, remoteJwks }, presented);

  const authenticateCaller = async (
    repos: Repositories,
    headers: Record<string, unknown>,
    body: Record<string, unknown>,
  ): Promise<OAuthCaller> => {
    const presented = presentedClient(headers, body, { apiKeys: true });
    if (presented.kind === 'none') {
      throw new OAuthError('invalid_client', 'Authenticate with an API key or an application (HTTP Basic)');
    }
    if (presented.kind === 'application' || presented.kind === 'assertion') {
      const application = await authenticatePresented(repos, presented);
      return { kind: 'application', tenantId: application.tenantId, application };
    }
    try {
      const apiKey = await authenticateApiKey(repos, { clock, hashing }, presented.key);
      return { kind: 'api_key', tenantId: apiKey.tenantId, apiKey };
    } catch (error) {
      if (error instanceof AppError && error.code === 'invalid_credentials') {
        throw new OAuthError('invalid_client', 'Client authentication failed');
      }
      throw error;
    }
  };

  /** Verifies an access token of either kind, or looks up a refresh token; null when none of ours is live. */
  const identify = async (
    repos: Repositories,
    token: string,
    hint: string | undefined,
  ): Promise<IdentifiedToken | null> => {
    const now = clock.now();
    const asRefresh = async (): Promise<IdentifiedToken | null> => {
      if (!token.startsWith(REFRESH_TOKEN_PREFIX) || token.length > 512) return null;
      const hash = await hashing.sha256(token);
      const found = await repos.sessions.withFamily(hash, async (family) => ({
        token: family.token,
        session: family.session,
      }));
      if (!found) return null;
      const { token: record, session } = found;
      const live =
        !record.usedAt &&
        record.expiresAt.getTime() > now.getTime() &&
        !session.revokedAt &&
        session.absoluteExpiresAt.getTime() > now.getTime();
      if (!live) return null;
      return {
        kind: 'refresh',
        tenantId: session.tenantId,
        sessionId: session.id,
        introspection: {
          active: true,
          token_type: 'refresh_token',
          token_kind: 'account',
          sub: session.accountId,
          tenant_id: session.tenantId,
          sid: session.id,
          iat: Math.floor(record.createdAt.getTime() / 1000),
          exp: Math.floor(Math.min(record.expiresAt.getTime(), session.absoluteExpiresAt.getTime()) / 1000),
        },
      };
    };
    const asAccess = async (): Promise<IdentifiedToken | null> => {
      if (token.split('.').length !== 3 || token.length > 8192) return null;
      try {
        if (AccessTokenService.looksLikeClientToken(token)) {
          const claims = await access.verifyClient(token);
          const app = await repos.applications.findByClientId(claims.client_id);
          // A deleted application's tokens, or one moved to another tenant's id, are no longer active.
          if (!app || app.tenantId !== claims.tenant_id) return null;
          if (await repos.applications.isTokenRevoked(claims.jti, now)) return null;
          return { kind: 'client', claims };
        }
        const claims = await access.verify(token);
        const session = await repos.sessions.findSession(claims.sid);
        if (
          !session ||
          session.revokedAt ||
          session.accountId !== claims.sub ||
          session.tenantId !== claims.tenant_id
        ) {
          return null;
        }
        return {
          kind: 'account_access',
          tenantId: claims.tenant_id,
          sessionId: claims.sid,
          introspection: {
            active: true,
            token_type: 'access_token',
            token_kind: 'account',
            sub: claims.sub,
            tenant_id: claims.tenant_id,
            iss: claims.iss,
            aud: audOf(claims.aud),
            exp: claims.exp,
            iat: claims.iat,
            jti: claims.jti,
            sid: claims.sid,
          },
        };
      } catch (error) {
        if (error instanceof AppError && (error.code === 'token_invalid' || error.code === 'token_expired')) {
          return null;
        }
        throw error;
      }
    };
    // The hint only orders the lookups (RFC 7662 §2.1): both kinds are tried.
    return hint === 'refresh_token'
      ? ((await asRefresh()) ?? (await asAccess()))
      : ((await asAccess()) ?? (await asRefresh()));
  };

  /** RFC 6749 §3.2 and RFC 7662/7009: parameters travel form-encoded; a JSON body is refused. */
  const formOf = (headers: unknown, body: unknown): Record<string, unknown> => {
    const type = (headers as Record<string, unknown>)['content-type'];
    if (typeof type !== 'string' || !/^application\/x-www-form-urlencoded\b/i.test(type.trim())) {
      throw new OAuthError('invalid_request', 'Send the parameters as application/x-www-form-urlencoded');
    }
    return body as Record<string, unknown>;
  };

  const readToken = (body: Record<string, unknown>) => {
    const token = param(body, 'token');
    if (!token) throw new OAuthError('invalid_request', '"token" is required');
    const hint = param(body, 'token_type_hint');
    return { token, hint };
  };

  const auditActor = (caller: OAuthCaller): AuditActor =>
    caller.kind === 'application'
      ? { type: 'application', id: caller.application.id }
      : { type: 'api_key', id: caller.apiKey.id };

  return {
    token: async ({ body, headers }, ctx) => {
      try {
        const form = formOf(headers, body);
        const grantType = param(form, 'grant_type');
        if (grantType === undefined) throw new OAuthError('invalid_request', '"grant_type" is required');
        if (grantType !== 'client_credentials') {
          throw new OAuthError('unsupported_grant_type', 'Only grant_type=client_credentials is served here');
        }
        const presented = presentedClient(headers as Record<string, unknown>, form, { apiKeys: false });
        if (presented.kind === 'none' || presented.kind === 'api_key') {
          throw new OAuthError(
            'invalid_client',
            'Authenticate with the client id and secret (HTTP Basic) or a client assertion',
          );
        }
        const requested = param(form, 'scope');
        if (presented.kind === 'assertion') await warmAssertionKeys(uow, remoteJwks, presented.assertion);
        const issued = await uow.transaction(async (repos) => {
          let app: Awaited<ReturnType<typeof authenticateApplication>>;
          try {
            app = await authenticatePresented(repos, presented);
          } catch (error) {
            if (!(error instanceof OAuthError)) throw error;
            // A known client id with a wrong secret or a refused assertion is worth an audit event in its tenant.
            const known =
              error.refused?.application ??
              (presented.kind === 'application'
                ? await repos.applications.findByClientId(presented.clientId)
                : null);
            if (known) {
              repos.audit.record({
                action: 'application.token.failed',
                outcome: 'failure',
                actor: { type: 'application', id: known.id },
                tenantId: known.tenantId,
                target: { type: 'application', id: known.id },
                ...ctx.client,
                details: {
                  client_id: known.clientId,
                  reason:
                    error.refused?.reason ??
                    (error.error === 'unauthorized_client' ? 'tenant_suspended' : 'invalid_secret'),
                },
              });
            }
            return { error };
          }
          const scopes =
            requested === undefined ? app.scopes : [...new Set(requested.split(' ').filter(Boolean))];
          if (requested !== undefined && scopes.length === 0) {
            return { error: new OAuthError('invalid_scope', '"scope" names no scope') };
          }
          const beyond = scopes.filter((s) => !app.scopes.includes(s));
          if (beyond.length > 0) {
            return {
              error: new OAuthError(
                'invalid_scope',
                `The application was not given ${beyond.map((s) => `"${s}"`).join(', ')}`,
              ),
            };
          }
          const minted = await access.issueClient({ clientId: app.clientId, tenantId: app.tenantId, scopes });
          const now = clock.now();
          if (applicationUseWorthRecording(app.lastUsedAt, now)) await repos.applications.touch(app.id, now);
          repos.audit.record({
            action: 'application.token.issued',
            actor: { type: 'application', id: app.id },
            tenantId: app.tenantId,
            target: { type: 'application', id: app.id },
            ...ctx.client,
            details: {
              client_id: app.clientId,
              scopes,
              jti: minted.jti,
              expires_in: minted.expiresIn,
              auth_method: presented.kind === 'assertion' ? 'private_key_jwt' : 'client_secret',
            },
          });
          return { minted, scopes };
        });
        if ('error' in issued) throw issued.error;
        return {
          status: 200,
          body: {
            access_token: issued.minted.token,
            token_type: 'Bearer',
            expires_in: issued.minted.expiresIn,
            scope: issued.scopes.join(' '),
          },
          headers: noStoreHeaders,
        };
      } catch (error) {
        if (error instanceof OAuthError) return oauthError(error);
        throw error;
      }
    },

    introspect: async ({ body, headers }) => {
      try {
        const form = formOf(headers, body);
        await warmAssertionKeys(uow, remoteJwks, form.client_assertion);
        const answer = await uow.transaction(async (repos) => {
          const caller = await authenticateCaller(repos, headers as Record<string, unknown>, form);
          const { token, hint } = readToken(form);
          const found = await identify(repos, token, hint);
          if (!found) return inactive;
          if (found.kind === 'client') {
            // Another tenant's token is not active for this caller: no tenant learns of another's tokens.
            if (found.claims.tenant_id !== caller.tenantId) return inactive;
            const c = found.claims;
            return {
              active: true,
              token_type: 'access_token',
              token_kind: 'client',
              scope: c.scope,
              client_id: c.client_id,
              sub: c.sub,
              tenant_id: c.tenant_id,
              iss: c.iss,
              aud: audOf(c.aud),
              exp: c.exp,
              iat: c.iat,
              jti: c.jti,
            } satisfies OAuthIntrospection;
          }
          return found.tenantId === caller.tenantId ? found.introspection : inactive;
        });
        return { status: 200, body: answer, headers: noStoreHeaders };
      } catch (error) {
        if (error instanceof OAuthError) return oauthError(error);
        throw error;
      }
    },

    revoke: async ({ body, headers }, ctx) => {
      try {
        const form = formOf(headers, body);
        await warmAssertionKeys(uow, remoteJwks, form.client_assertion);
        await uow.transaction(async (repos) => {
          const caller = await authenticateCaller(repos, headers as Record<string, unknown>, form);
          const { token, hint } = readToken(form);
          if (hint !== undefined && hint !== 'access_token' && hint !== 'refresh_token') {
            throw new OAuthError(
              'unsupported_token_type',
              'token_type_hint is access_token or refresh_token',
            );
          }
          const found = await identify(repos, token, hint);
          // Unknown, inactive and other tenants' tokens: nothing to do, and the same 200 (RFC 7009 §2.2).
          if (!found) return;
          if (found.kind === 'client') {
            const c = found.claims;
            if (c.tenant_id !== caller.tenantId) return;
            // An application revokes only its own tokens; an API key any of its tenant's.
            if (caller.kind === 'application' && caller.application.clientId !== c.client_id) return;
            const app = await repos.applications.findByClientId(c.client_id);
            await repos.applications.revokeToken({
              jti: c.jti,
              tenantId: c.tenant_id,
              applicationId: app!.id,
              expiresAt: new Date(c.exp * 1000),
            });
            repos.audit.record({
              action: 'application.token.revoked',
              actor: auditActor(caller),
              tenantId: caller.tenantId,
              target: { type: 'application', id: app!.id },
              ...ctx.client,
              details: { client_id: c.client_id, jti: c.jti },
            });
            return;
          }
          // An account's tokens: only an API key of the same tenant ends them (an application was never
          // issued them). Ending the session ends its refresh tokens and its access tokens, and reaches
          // offline verifiers through the revocation feed.
          if (found.tenantId !== caller.tenantId || caller.kind !== 'api_key') return;
          const ended = await repos.sessions.revokeSession(found.sessionId, oauthRevokeReason, clock.now());
          if (ended) {
            repos.audit.record({
              action: 'auth.session.ended',
              actor: auditActor(caller),
              tenantId: caller.tenantId,
              target: { type: 'session', id: found.sessionId },
              ...ctx.client,
              details: {
                scope: 'session',
                reason: oauthRevokeReason,
                presented: found.kind === 'refresh' ? 'refresh_token' : 'access_token',
              },
            });
          }
        });
        return { status: 200, body: {}, headers: noStoreHeaders };
      } catch (error) {
        if (error instanceof OAuthError) return oauthError(error);
        throw error;
      }
    },
  };
};
