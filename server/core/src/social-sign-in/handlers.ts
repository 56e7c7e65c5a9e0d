import type { contract, OAuthSettings, PutOAuthSettingsBody } from '@enforcer/contract';
import { APPLE_ISSUER, GITHUB_ISSUER, GOOGLE_OIDC_ISSUER } from '@enforcer/contract';
import { importPKCS8 } from 'jose';
import { callerOf, type HandlerContext, type Handlers } from '../api/handlers.js';
import { type LoginDeps, login } from '../auth/login.js';
import { auditActorOf, refuseImpersonation } from '../caller.js';
import { AppError } from '../errors.js';
import { proofRefusalError } from '../identities/handlers.js';
import { identityDto, linkIdentity } from '../identities/linking.js';
import type { UnitOfWork } from '../store.js';
import { APPLE_DEFAULT_SCOPES } from './apple.js';
import {
  completeOAuthCallback,
  type OAuthFlowDeps,
  oauthSecretBinding,
  spendExchangeCode,
  startOAuthFlow,
} from './flow.js';
import { GITHUB_DEFAULT_SCOPES } from './github.js';
import { microsoftIssuer } from './microsoft.js';
import type { OAuthProviderRecord, OAuthSettingsRecord } from './ports.js';

const DEFAULT_SCOPES = ['openid', 'email', 'profile'];

/** The issuer a kind's identities are qualified by: the preset's, or the `oidc` provider's own. */
const issuerOf = (input: PutOAuthSettingsBody['providers'][number]): string => {
  if (input.kind === 'google') return GOOGLE_OIDC_ISSUER;
  if (input.kind === 'github') return GITHUB_ISSUER;
  if (input.kind === 'apple') return APPLE_ISSUER;
  if (input.kind === 'microsoft') return microsoftIssuer(input.microsoft_tenant ?? 'common');
  return input.issuer!;
};

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

/** The body's providers as stored: secrets sealed to tenant and name; a left-out secret keeps the stored one. */
async function providerRecords(
  deps: Pick<OAuthFlowDeps, 'sealer'>,
  tenantId: string,
  body: PutOAuthSettingsBody,
  before: OAuthSettingsRecord,
): Promise<OAuthProviderRecord[]> {
  const records: OAuthProviderRecord[] = [];
  for (const input of body.providers) {
    const previous = before.providers.find((p) => p.name === input.name);
    let sealed: string | null;
    if (input.kind === 'apple') {
      records.push(await appleRecord(deps, tenantId, input, previous));
      continue;
    }
    // A stored secret is kept only for the same provider: never sent to another issuer, and an Apple key
    // never becomes another provider's client secret.
    const sameProvider = previous?.kind === input.kind && previous.issuer === issuerOf(input);
    if (input.client_secret === undefined) sealed = sameProvider ? previous.clientSecretSealed : null;
    else if (input.client_secret === null) sealed = null;
    else sealed = await deps.sealer.seal(input.client_secret, oauthSecretBinding(tenantId, input.name));
    // GitHub documents the client's credentials in the token request's body.
    const auth =
      input.token_endpoint_auth ??
      (sealed === null ? 'none' : input.kind === 'github' ? 'client_secret_post' : 'client_secret_basic');
    if (auth !== 'none' && sealed === null) {
      throw new AppError('validation_failed', `Provider ${input.name} needs a client_secret for ${auth}`, {
        errors: [
          { path: 'body.providers.client_secret', message: `required with token_endpoint_auth ${auth}` },
        ],
      });
    }
    records.push({
      name: input.name,
      kind: input.kind,
      issuer: issuerOf(input),
      clientId: input.client_id,
      clientSecretSealed: auth === 'none' ? null : sealed,
      scopes: input.scopes ?? (input.kind === 'github' ? GITHUB_DEFAULT_SCOPES : DEFAULT_SCOPES),
      tokenEndpointAuth: auth,
      ...(input.kind === 'microsoft' && {
        microsoft: {
          tenant: input.microsoft_tenant ?? 'common',
          allowedTenantIds: [...new Set(input.allowed_tenant_ids ?? [])],
        },
      }),
    });
  }
  return records;
}

/**
 * An Apple provider as stored: its private key (checked to be an ES256 key) sealed as a client secret is;
 * left out, the key stored for an Apple provider of this name and key id is kept, and there must be one.
 */
async function appleRecord(
  deps: Pick<OAuthFlowDeps, 'sealer'>,
  tenantId: string,
  input: PutOAuthSettingsBody['providers'][number],
  previous: OAuthProviderRecord | undefined,
): Promise<OAuthProviderRecord> {
  const invalid = (message: string) =>
    new AppError('validation_failed', `Provider ${input.name}: ${message}`, {
      errors: [{ path: 'body.providers.apple_private_key', message }],
    });
  let sealed: string | null =
    previous?.kind === 'apple' && previous.apple?.keyId === input.apple_key_id
      ? previous.clientSecretSealed
      : null;
  if (input.apple_private_key !== undefined) {
    try {
      await importPKCS8(input.apple_private_key.trim(), 'ES256');
    } catch {
      throw invalid('not an ES256 (P-256) private key: send the .p8 file Apple gave');
    }
    sealed = await deps.sealer.seal(input.apple_private_key.trim(), oauthSecretBinding(tenantId, input.name));
  }
  if (sealed === null) throw invalid('required (the Sign in with Apple key, .p8)');
  return {
    name: input.name,
    kind: 'apple',
    issuer: APPLE_ISSUER,
    clientId: input.client_id,
    clientSecretSealed: sealed,
    scopes: input.scopes ?? APPLE_DEFAULT_SCOPES,
    tokenEndpointAuth: 'client_secret_post',
    apple: { teamId: input.apple_team_id!, keyId: input.apple_key_id! },
  };
}

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
    const after = await uow.transaction(async (repos) => {
      const before = await repos.oauth.settings(params.id);
      const settings: OAuthSettingsRecord = {
        providers: await providerRecords(deps, params.id, body, before),
        redirectUrls: [...body.redirect_urls],
      };
      await repos.oauth.setSettings(params.id, settings, deps.clock.now());
      const secretsChanged = body.providers
        .filter((p) => p.client_secret !== undefined || p.apple_private_key !== undefined)
        .map((p) => p.name);
      repos.audit.record({
        action: 'tenant.oauth.updated',
        actor: auditActorOf(caller),
        tenantId: params.id,
        target: { type: 'tenant', id: params.id },
        ...ctx.client,
        details: {
          providers: { from: before.providers.map((p) => p.name), to: settings.providers.map((p) => p.name) },
          redirect_urls: { from: before.redirectUrls, to: settings.redirectUrls },
          client_secrets_set: secretsChanged,
        },
      });
      return settings;
    });
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
