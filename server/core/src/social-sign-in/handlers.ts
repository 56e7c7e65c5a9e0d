import type { contract, OAuthSettings } from '@enforcer/contract';
import { callerOf, type HandlerContext, type Handlers } from '../api/handlers.js';
import { type LoginDeps, login } from '../auth/login.js';
import { auditActorOf, refuseImpersonation } from '../caller.js';
import { AppError } from '../errors.js';
import { proofRefusalError } from '../identities/handlers.js';
import { identityDto, linkIdentity } from '../identities/linking.js';
import type { UnitOfWork } from '../store.js';
import { completeOAuthCallback, type OAuthFlowDeps, spendExchangeCode, startOAuthFlow } from './flow.js';
import type { OAuthSettingsRecord } from './ports.js';
import { replaceOAuthSettings } from './settings.js';

export interface OAuthHandlerDeps extends OAuthFlowDeps {
  /** The login flow the sign-in exchange runs (the same as `POST /auth/login`'s). */
  login: LoginDeps;
}

const settingsDto = (settings: OAuthSettingsRecord): OAuthSettings => ({
  providers: settings.providers.map((p) => ({
    name: p.name,
    kind: p.kind,
    issuer: p.issuer,
    client_id: p.clientId,
    client_secret_set: p.clientSecretSealed !== null,
    scopes: p.scopes,
    token_endpoint_auth: p.tokenEndpointAuth,
    ...(p.apple && { apple_team_id: p.apple.teamId, apple_key_id: p.apple.keyId }),
    ...(p.microsoft && {
      microsoft_tenant: p.microsoft.tenant,
      allowed_tenant_ids: p.microsoft.allowedTenantIds,
    }),
  })),
  redirect_urls: settings.redirectUrls,
});

/** `{id}` is always the caller's own tenant; any other id is a 404, like an unknown one. */
const ownTenant = (callerTenant: string, id: string) => {
  if (callerTenant !== id) throw new AppError('not_found', 'No such tenant');
};

/** The caller as a signed-in person, when a user token came with a public route. */
function personOf(ctx: HandlerContext): string | null {
  if (ctx.caller?.kind !== 'user') return null;
  return ctx.caller.personId;
}

/**
 * `contract.oauthSignIn`: the tenant's OAuth settings (admin), and the authorization code flow (public): start,
 * the provider's callback, and the exchange of the one-time code for a session or a linked identity.
 */
export const socialSignInHandlers = (
  uow: UnitOfWork,
  deps: OAuthHandlerDeps,
): Handlers<typeof contract.oauthSignIn> => ({
  getSettings: async ({ params }, ctx) => {
    ownTenant(callerOf(ctx).tenantId, params.id);
    const settings = await uow.read((repos) => repos.oauth.settings(params.id));
    return { status: 200, body: settingsDto(settings) };
  },

  /** `PUT /tenants/{id}/oauth`: replaces providers and redirect URLs; audited without any secret. */
  putSettings: async ({ params, body }, ctx) => {
    const caller = callerOf(ctx);
    ownTenant(caller.tenantId, params.id);
    const after = await uow.transaction((repos) =>
      replaceOAuthSettings(repos, deps, {
        tenantId: params.id,
        body,
        actor: auditActorOf(caller),
        client: ctx.client,
      }),
    );
    return { status: 200, body: settingsDto(after) };
  },

  authorize: async ({ params, query }) => {
    const { url } = await startOAuthFlow(uow, deps, {
      tenantCode: query.tenant,
      provider: params.provider,
      redirectUri: query.redirect_uri,
      intent: 'sign_in',
      personId: null,
      clientChallenge: query.code_challenge,
    });
    return { status: 302, body: undefined, headers: { location: url, 'cache-control': 'no-store' } };
  },

  authorizeUrl: async ({ params, body }, ctx) => {
    const intent = body.intent ?? 'sign_in';
    if (intent === 'link') refuseImpersonation(ctx.caller, 'link a sign-in method to the person');
    const { url, expiresAt } = await startOAuthFlow(uow, deps, {
      tenantCode: body.tenant_code,
      provider: params.provider,
      redirectUri: body.redirect_uri,
      intent,
      personId: personOf(ctx),
      clientChallenge: body.code_challenge,
    });
    return { status: 200, body: { authorization_url: url, expires_at: expiresAt.toISOString() } };
  },

  callback: async ({ params, query }, ctx) => {
    const { location } = await completeOAuthCallback(uow, deps, {
      provider: params.provider,
      query: query as Record<string, string | undefined>,
      client: ctx.client,
    });
    return { status: 302, body: undefined, headers: { location, 'cache-control': 'no-store' } };
  },

  /** `response_mode=form_post` (Apple): the same callback, its parameters in a form body. */
  callbackForm: async ({ params, body }, ctx) => {
    const { location } = await completeOAuthCallback(uow, deps, {
      provider: params.provider,
      query: body as Record<string, string | undefined>,
      client: ctx.client,
    });
    return { status: 302, body: undefined, headers: { location, 'cache-control': 'no-store' } };
  },

  /**
   * `POST /auth/oauth/exchange`: a sign-in code runs the login flow (provider `oauth`: sign-up rules,
   * account status, MFA, session, audit); a link code binds the identity to the person who started the link,
   * who must be the caller (`403 forbidden` otherwise), with the linking rules (`409 identity_already_linked`).
   */
  exchange: async ({ body }, ctx) => {
    const hash = await deps.hashing.sha256(body.code);
    const found = await uow.read(async (repos) => {
      const flow = await repos.oauth.findByCode(hash);
      return flow ? { flow, tenant: await repos.tenants.find(flow.tenantId) } : null;
    });
    if (!found?.tenant) {
      throw new AppError('oauth_code_invalid', 'This sign-in code is invalid, expired or already used');
    }
    const { flow, tenant } = found;
    if (flow.intent === 'sign_in') {
      const response = await login(
        deps.login,
        { provider: 'oauth', code: body.code, code_verifier: body.code_verifier, tenant_code: tenant.code },
        ctx.client,
      );
      return { status: 200, body: response };
    }
    const personId = personOf(ctx);
    if (ctx.caller) refuseImpersonation(ctx.caller, 'link a sign-in method to the person');
    if (!personId)
      throw new AppError('unauthenticated', 'Linking needs the user token of the person who started it');
    if (personId !== flow.personId) throw new AppError('forbidden', 'This link was started by someone else');
    const outcome = await uow.transaction(async (repos) => {
      const audit = (
        action: string,
        target: { type: string; id: string },
        details: Record<string, unknown>,
      ) =>
        repos.audit.record({
          action,
          actor: auditActorOf(ctx.caller!),
          tenantId: tenant.id,
          target,
          ...ctx.client,
          details: { provider: flow.provider, via: 'oauth', ...details },
        });
      const spent = await spendExchangeCode(
        repos,
        deps,
        { code: body.code, codeVerifier: body.code_verifier },
        tenant,
        'link',
      );
      if (!spent.ok) {
        audit('auth.identity.link_refused', { type: 'person', id: personId }, { reason: spent.reason });
        return spent;
      }
      const person = await repos.persons.find(personId);
      if (!person) throw new AppError('unauthenticated', 'This session has ended');
      const linked = await linkIdentity(repos, deps.clock.now(), person, spent.identity);
      if (!linked.ok) {
        audit('auth.identity.link_refused', { type: 'person', id: person.id }, { reason: linked.reason });
        return linked;
      }
      if (linked.created) {
        audit(
          'auth.identity.linked',
          { type: 'person_identity', id: linked.identity.id },
          { person_id: person.id },
        );
      }
      return linked;
    });
    if (!outcome.ok) throw proofRefusalError(outcome);
    return {
      status: 201,
      body: { intent: 'link' as const, identity: identityDto(outcome.identity), created: outcome.created },
    };
  },
});
