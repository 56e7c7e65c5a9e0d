import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import { Tenant } from './tenants.js';

/**
 * A tenant's OAuth / OpenID Connect providers (client secrets sealed with AES-256-GCM under a sub-key of
 * the master key, bound to tenant and provider name) and the exact URLs the flow may return to.
 */
export const OAuthSetting = defineEntity({
  name: 'OAuthSetting',
  tableName: 'oauth_setting',
  properties: {
    tenant: () => p.manyToOne(Tenant).primary().deleteRule('cascade'),
    /** `OAuthProviderRecord[]` (the core's port): name, kind, issuer, client id, sealed secret, scopes. */
    providers: p.json<Record<string, unknown>[]>().default('[]'),
    redirectUrls: p.array().default([]),
    updatedAt: p.datetime(),
  },
});
export type IOAuthSetting = InferEntity<typeof OAuthSetting>;

/**
 * One authorization-code transaction: the state's SHA-256 (the state itself only travels through the
 * browser), PKCE verifier and nonce for the callback; single use, 10 minutes. A successful callback adds the
 * proven identity and the SHA-256 of the one-time exchange code (2 minutes, single use, bound to the app's
 * `code_challenge`). Housekeeping deletes a flow a day after it and its code expired.
 */
export const OAuthFlow = defineEntity({
  name: 'OAuthFlow',
  tableName: 'oauth_flow',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    provider: p.text(),
    stateHash: p.text().unique(),
    codeVerifier: p.text(),
    nonce: p.text(),
    /** The app's S256 `code_challenge`: the exchange presents its verifier (null: a flow from before the binding). */
    clientChallenge: p.text().nullable(),
    redirectUri: p.text(),
    intent: p.text().check(`intent in ('sign_in', 'link')`),
    personId: p.uuid().nullable(),
    expiresAt: p.datetime(),
    stateSpentAt: p.datetime().nullable(),
    codeHash: p.text().nullable().unique(),
    identity: p.json<Record<string, unknown>>().nullable(),
    codeExpiresAt: p.datetime().nullable(),
    codeSpentAt: p.datetime().nullable(),
    createdAt: p.datetime(),
  },
  indexes: [{ properties: ['expiresAt'] }],
});
export type IOAuthFlow = InferEntity<typeof OAuthFlow>;
