import type { PutOAuthSettingsBody } from '@enforcer/contract';
import { APPLE_ISSUER, GITHUB_ISSUER, GOOGLE_OIDC_ISSUER } from '@enforcer/contract';
import { importPKCS8 } from 'jose';
import type { AuditActor } from '../audit/ports.js';
import type { ClientInfo } from '../caller.js';
import { AppError } from '../errors.js';
import type { Repositories } from '../store.js';
import { APPLE_DEFAULT_SCOPES } from './apple.js';
import { type OAuthFlowDeps, oauthSecretBinding } from './flow.js';
import { GITHUB_DEFAULT_SCOPES } from './github.js';
import { microsoftIssuer } from './microsoft.js';
import type { OAuthProviderRecord, OAuthSettingsRecord } from './ports.js';

/**
 * Replaces a tenant's social sign-in providers and redirect URLs in the caller's unit of work, audited
 * (`tenant.oauth.updated`) without any secret: `PUT /tenants/{id}/oauth`, and `PUT
 * /tenants/{id}/auth-provider` with `oauth` (the same change, with the accepted methods).
 */
export async function replaceOAuthSettings(
  repos: Repositories,
  deps: Pick<OAuthFlowDeps, 'sealer' | 'clock'>,
  input: { tenantId: string; body: PutOAuthSettingsBody; actor: AuditActor; client: Partial<ClientInfo> },
): Promise<OAuthSettingsRecord> {
  const { tenantId, body } = input;
  const before = await repos.oauth.settings(tenantId);
  const settings: OAuthSettingsRecord = {
    providers: await providerRecords(deps, tenantId, body, before),
    redirectUrls: [...body.redirect_urls],
  };
  await repos.oauth.setSettings(tenantId, settings, deps.clock.now());
  const secretsChanged = body.providers
    .filter((p) => p.client_secret !== undefined || p.apple_private_key !== undefined)
    .map((p) => p.name);
  repos.audit.record({
    action: 'tenant.oauth.updated',
    actor: input.actor,
    tenantId,
    target: { type: 'tenant', id: tenantId },
    ...input.client,
    details: {
      providers: { from: before.providers.map((p) => p.name), to: settings.providers.map((p) => p.name) },
      redirect_urls: { from: before.redirectUrls, to: settings.redirectUrls },
      client_secrets_set: secretsChanged,
    },
  });
  return settings;
}

const DEFAULT_SCOPES = ['openid', 'email', 'profile'];

/** The issuer a kind's identities are qualified by: the preset's, or the `oidc` provider's own. */
const issuerOf = (input: PutOAuthSettingsBody['providers'][number]): string => {
  if (input.kind === 'google') return GOOGLE_OIDC_ISSUER;
  if (input.kind === 'github') return GITHUB_ISSUER;
  if (input.kind === 'apple') return APPLE_ISSUER;
  if (input.kind === 'microsoft') return microsoftIssuer(input.microsoft_tenant ?? 'common');
  return input.issuer!;
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
