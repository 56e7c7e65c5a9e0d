import type { OAuthIntent } from '@enforcer/contract';
import { constantTimeEqual } from '../codes/otp.js';
import { AppError } from '../errors.js';
import type { SignInMethod } from '../methods/method.js';
import { refuseProof } from '../methods/result.js';
import { assertAcceptsMethod } from '../methods/settings.js';
import type { SecretSealer } from '../mfa/sealer.js';
import { addSeconds, base64url, type Clock, type Hashing, type RandomSource } from '../platform.js';
import type { Repositories, UnitOfWork } from '../store.js';
import type { TenantRecord } from '../tenants/ports.js';
import { appleName } from './apple.js';
import type { OAuthFlowRecord, OAuthProvenIdentity, OAuthProviderRecord } from './ports.js';
import { newFlowSecrets, type OAuthClientConfig, type OAuthProviderClient } from './provider-client.js';

/** A transaction (from `authorize` to the callback) lives this long. */
export const OAUTH_FLOW_TTL_SECONDS = 600;
/** The exchange code in the redirect works this long, once. */
export const OAUTH_CODE_TTL_SECONDS = 120;

export interface OAuthFlowDeps {
  clock: Clock;
  random: RandomSource;
  hashing: Hashing;
  sealer: SecretSealer;
  client: OAuthProviderClient;
  /** The URL the provider returns to for `provider`: `<issuer>/auth/oauth/<provider>/callback`. */
  callbackUrl: (provider: string) => string;
}

/** What a client secret is sealed to: the tenant and the provider name (a value copied elsewhere does not open). */
export const oauthSecretBinding = (tenantId: string, name: string) =>
  `oauth-client-secret:${tenantId}:${name}`;

/** The tenant's provider configured under `name`, its secret opened for the call; `403 provider_not_configured`. */
export async function providerConfig(
  deps: Pick<OAuthFlowDeps, 'sealer'>,
  tenantId: string,
  provider: OAuthProviderRecord | undefined,
  name: string,
): Promise<{ record: OAuthProviderRecord; config: OAuthClientConfig }> {
  if (!provider) {
    throw new AppError(
      'provider_not_configured',
      `This tenant has no OAuth provider named ${name} (PUT /tenants/{id}/oauth)`,
    );
  }
  const clientSecret =
    provider.clientSecretSealed === null
      ? null
      : await deps.sealer.open(provider.clientSecretSealed, oauthSecretBinding(tenantId, provider.name));
  return {
    record: provider,
    config: {
      kind: provider.kind,
      issuer: provider.issuer,
      clientId: provider.clientId,
      clientSecret,
      tokenEndpointAuth: provider.tokenEndpointAuth,
      ...(provider.microsoft && { microsoft: provider.microsoft }),
      ...(provider.apple && { apple: provider.apple }),
    },
  };
}

/**
 * Starts a transaction: the tenant accepts `oauth`, `redirect_uri` is on its allow-list exactly (checked
 * before anything else, so nobody is ever redirected to a URL the tenant did not register), the provider is
 * configured; then state, nonce and PKCE verifier are drawn, the state's hash and the rest stored (single
 * use, 10 minutes), and the provider's authorization URL built.
 */
export async function startOAuthFlow(
  uow: UnitOfWork,
  deps: OAuthFlowDeps,
  input: {
    tenantCode: string;
    provider: string;
    redirectUri: string;
    intent: OAuthIntent;
    /** The signed-in person, for `link`. */
    personId: string | null;
    /** The app's S256 `code_challenge`: the exchange must present its verifier. */
    clientChallenge: string;
  },
): Promise<{ url: string; expiresAt: Date }> {
  return uow.transaction(async (repos) => {
    const tenant = await repos.tenants.findByCode(input.tenantCode);
    if (!tenant) throw new AppError('not_found', 'No tenant has this code');
    const settings = await repos.oauth.settings(tenant.id);
    if (!settings.redirectUrls.includes(input.redirectUri)) {
      throw new AppError(
        'redirect_uri_not_allowed',
        "redirect_uri is not one of the tenant's OAuth redirect URLs",
        {
          errors: [
            { path: 'redirect_uri', message: 'not registered with PUT /tenants/{id}/oauth (exact match)' },
          ],
        },
      );
    }
    assertAcceptsMethod(tenant, 'oauth');
    if (input.intent === 'link' && !input.personId) {
      throw new AppError('unauthenticated', 'Linking an identity needs the signed-in user token');
    }
    const named = settings.providers.find((p) => p.name === input.provider);
    const { record, config } = await providerConfig(deps, tenant.id, named, input.provider);
    const secrets = newFlowSecrets();
    const now = deps.clock.now();
    let url: string;
    try {
      url = await deps.client.authorizationUrl(config, {
        redirectUri: deps.callbackUrl(record.name),
        scopes: record.scopes,
        ...secrets,
      });
    } catch (error) {
      throw new AppError(
        'unavailable',
        "The provider's discovery document could not be read; try again shortly",
        {
          cause: error,
        },
      );
    }
    const flow: OAuthFlowRecord = {
      id: deps.random.uuid(),
      tenantId: tenant.id,
      provider: record.name,
      stateHash: await deps.hashing.sha256(secrets.state),
      codeVerifier: secrets.codeVerifier,
      nonce: secrets.nonce,
      clientChallenge: input.clientChallenge,
      redirectUri: input.redirectUri,
      intent: input.intent,
      personId: input.intent === 'link' ? input.personId : null,
      expiresAt: addSeconds(now, OAUTH_FLOW_TTL_SECONDS),
      stateSpentAt: null,
      codeHash: null,
      identity: null,
      codeExpiresAt: null,
      codeSpentAt: null,
      createdAt: now,
    };
    await repos.oauth.insertFlow(flow);
    return { url, expiresAt: flow.expiresAt };
  });
}

/** `redirectUri` with `params` added (its own query kept). */
const withParams = (redirectUri: string, params: Record<string, string>) => {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.href;
};

/**
 * The provider's return. The state is looked up by its hash and spent at once, in its own transaction,
 * whatever happens next (a replayed callback finds it spent). An unknown, spent or expired state, or one
 * of another provider, is `400 oauth_state_invalid`: there is no safe place to send the browser. Else the
 * code is exchanged and the ID token validated (`client.complete`); success gives a one-time exchange code
 * (32 random bytes, only its hash kept, 2 minutes) in the redirect to the transaction's URL; failure
 * redirects there with `error` (a contract error code) and is audited.
 */
export async function completeOAuthCallback(
  uow: UnitOfWork,
  deps: OAuthFlowDeps,
  input: {
    provider: string;
    query: Record<string, string | undefined>;
    client: { ip: string | null; userAgent: string | null };
  },
): Promise<{ location: string }> {
  const state = input.query.state;
  const invalid = () =>
    new AppError('oauth_state_invalid', 'This sign-in is unknown, already completed or expired: start again');
  if (!state) throw invalid();
  const now = deps.clock.now();
  const stateHash = await deps.hashing.sha256(state);
  const flow = await uow.transaction((repos) => repos.oauth.spendState(stateHash, now));
  if (!flow || flow.stateSpentAt || flow.expiresAt <= now || flow.provider !== input.provider)
    throw invalid();

  const fail = async (code: string, reason: string, detail: string) => {
    await uow.transaction(async (repos) => {
      repos.audit.record({
        action: 'auth.oauth.failed',
        actor: flow.personId ? { type: 'person', id: flow.personId } : { type: 'anonymous' },
        tenantId: flow.tenantId,
        target: { type: 'tenant', id: flow.tenantId },
        ...input.client,
        details: { provider: flow.provider, intent: flow.intent, reason },
      });
    });
    return { location: withParams(flow.redirectUri, { error: code, error_description: detail }) };
  };

  const { settings } = await uow.read(async (repos) => ({
    settings: await repos.oauth.settings(flow.tenantId),
  }));
  const named = settings.providers.find((p) => p.name === flow.provider);
  if (!named) return fail('provider_not_configured', 'not_configured', 'The provider was removed');
  const { record, config } = await providerConfig(deps, flow.tenantId, named, flow.provider);
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(input.query)) if (value !== undefined) params.set(key, value);
  const result = await deps.client.complete(config, {
    params,
    state,
    nonce: flow.nonce,
    codeVerifier: flow.codeVerifier,
    redirectUri: deps.callbackUrl(flow.provider),
  });
  if (!result.ok) return fail(result.code, result.reason, result.detail);
  const claims = result.value;
  if (!/^[\x21-\x7E]{1,255}$/.test(claims.sub)) {
    return fail('provider_token_invalid', 'malformed', 'The ID token has no usable subject');
  }
  const name = record.kind === 'apple' ? appleName(input.query.user) : undefined;
  const identity: OAuthProvenIdentity = {
    provider: record.kind === 'google' ? 'google' : 'oidc',
    subject: `${claims.issuer}|${claims.sub}`,
    ...(claims.email && { email: claims.email, emailVerified: claims.emailVerified }),
    ...(name && { name }),
  };
  const code = base64url(deps.random.bytes(32));
  await uow.transaction(async (repos) =>
    repos.oauth.issueCode(flow.id, {
      codeHash: await deps.hashing.sha256(code),
      identity,
      expiresAt: addSeconds(deps.clock.now(), OAUTH_CODE_TTL_SECONDS),
    }),
  );
  return { location: withParams(flow.redirectUri, { code }) };
}

const codeInvalid = (reason: string) =>
  refuseProof('oauth_code_invalid', reason, 'This sign-in code is invalid, expired or already used');

/**
 * Whether `codeVerifier` is the one whose S256 challenge (RFC 7636: base64url(SHA-256(verifier))) started
 * the flow, compared in constant time. A flow without a challenge (stored before the binding) never matches.
 */
export async function verifierMatches(
  deps: Pick<OAuthFlowDeps, 'hashing'>,
  flow: Pick<OAuthFlowRecord, 'clientChallenge'>,
  codeVerifier: string,
): Promise<boolean> {
  const challenge = await deps.hashing.sha256(codeVerifier);
  return flow.clientChallenge !== null && constantTimeEqual(challenge, flow.clientChallenge);
}

/**
 * Spends an exchange code of `tenant` for `intent`: the identity its callback proved, or a refusal
 * (`401 oauth_code_invalid`: unknown, another tenant's, used, expired, or of the other intent;
 * `401 oauth_code_verifier_invalid`: the verifier is not the one whose challenge started the flow). The
 * code is spent first, whatever the outcome: a code presented with a wrong verifier (someone who read it
 * from a URL) is gone, and the app that started the flow starts again.
 */
export async function spendExchangeCode(
  repos: Pick<Repositories, 'oauth'>,
  deps: Pick<OAuthFlowDeps, 'clock' | 'hashing'>,
  input: { code: string; codeVerifier: string },
  tenant: TenantRecord,
  intent: OAuthIntent,
) {
  const now = deps.clock.now();
  const flow = await repos.oauth.spendCode(await deps.hashing.sha256(input.code), now);
  if (!flow || flow.tenantId !== tenant.id || !flow.identity) return codeInvalid('invalid_code');
  if (flow.codeSpentAt) return codeInvalid('used_code');
  if (!flow.codeExpiresAt || flow.codeExpiresAt <= now) return codeInvalid('expired_code');
  if (flow.intent !== intent) return codeInvalid('wrong_intent');
  if (!(await verifierMatches(deps, flow, input.codeVerifier))) {
    return refuseProof(
      'oauth_code_verifier_invalid',
      'verifier_mismatch',
      'This sign-in code was issued to the app that started the flow, with another code_verifier: start again',
    );
  }
  return { ok: true as const, flow, identity: flow.identity };
}

/**
 * `oauth`: the exchange code of a completed authorization-code flow (`POST /auth/oauth/exchange`, or
 * `POST /auth/login` with the tenant code). The identity is the provider's issuer + subject, with the
 * email only as the provider vouched for it: the login flow's rules for linked identities apply (found by
 * subject, never by email alone; a verified email someone already has is `409 email_in_use`).
 */
export function oauthSignIn(deps: Pick<OAuthFlowDeps, 'clock' | 'hashing'>): SignInMethod<'oauth'> {
  return {
    id: 'oauth',
    amr: ['oauth'],
    async authenticate({ repos, tenant }, body) {
      const spent = await spendExchangeCode(
        repos,
        deps,
        { code: body.code, codeVerifier: body.code_verifier },
        tenant,
        'sign_in',
      );
      if (!spent.ok) return spent;
      const { identity } = spent;
      return {
        ok: true,
        identity: {
          provider: identity.provider,
          subject: identity.subject,
          ...(identity.email && { email: identity.email, emailVerified: identity.emailVerified === true }),
          ...(identity.name && { displayName: identity.name }),
        },
      };
    },
  };
}
