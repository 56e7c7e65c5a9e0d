import type { OAuthIntent, OAuthProviderKind } from '@enforcer/contract';
import type { AppleSettings } from './apple.js';
import type { MicrosoftSettings } from './microsoft.js';

/** One provider of a tenant, as stored: the client secret sealed (AES-256-GCM), never in the clear. */
export interface OAuthProviderRecord {
  name: string;
  kind: OAuthProviderKind;
  issuer: string;
  clientId: string;
  /**
   * `SecretSealer.seal(secret, oauthSecretBinding(tenant, name))`; null for a public client. Apple: the
   * private key's PEM, sealed the same way.
   */
  clientSecretSealed: string | null;
  scopes: string[];
  tokenEndpointAuth: 'client_secret_basic' | 'client_secret_post' | 'none';
  /** `microsoft`: the sign-in audience (`common`, `organizations`, `consumers`, a tenant id) and allowed directories. */
  microsoft?: MicrosoftSettings;
  /** `apple`: the team and key ids of the Sign in with Apple key. */
  apple?: AppleSettings;
}

/** A tenant's providers and the exact URLs the flow may return to. */
export interface OAuthSettingsRecord {
  providers: OAuthProviderRecord[];
  redirectUrls: string[];
}

/** The identity a provider proved at the callback, kept until the exchange code is spent. */
export interface OAuthProvenIdentity {
  /** `google` (the preset: the same identities as Google ID-token sign-in) or `oidc`. */
  provider: 'google' | 'oidc';
  /** `issuer|sub`. */
  subject: string;
  email?: string;
  emailVerified?: boolean;
  /** Apple: the name of its `user` form field (first sign-in only; not signed): a new person's display name. */
  name?: string;
}

/**
 * One authorization-code transaction: started by `authorize` (its state hashed, the PKCE verifier and the
 * nonce kept for the callback), spent by the callback whatever the outcome; on success it carries the
 * proven identity and the hash of the one-time exchange code, spent once by the exchange.
 */
export interface OAuthFlowRecord {
  id: string;
  tenantId: string;
  provider: string;
  stateHash: string;
  codeVerifier: string;
  nonce: string;
  /**
   * The app's S256 challenge (`code_challenge` at the start): the exchange code works only with the verifier
   * it is the hash of, so a code read from the redirect URL is useless to anyone but the app that started
   * the flow. Null only for flows stored before the binding existed (their codes are refused).
   */
  clientChallenge: string | null;
  redirectUri: string;
  intent: OAuthIntent;
  /** The person who asked to link (intent `link`); null for a sign-in. */
  personId: string | null;
  expiresAt: Date;
  stateSpentAt: Date | null;
  codeHash: string | null;
  identity: OAuthProvenIdentity | null;
  codeExpiresAt: Date | null;
  codeSpentAt: Date | null;
  createdAt: Date;
}

/** The port to OAuth settings and transactions, in the unit of work's transaction. */
export interface OAuthStore {
  /** The tenant's settings (no providers and no URLs until an admin sets them). */
  settings(tenantId: string): Promise<OAuthSettingsRecord>;
  /** Replaces the tenant's settings; answers those before. */
  setSettings(tenantId: string, settings: OAuthSettingsRecord, at: Date): Promise<OAuthSettingsRecord>;
  /** A `stateHash` already stored throws. */
  insertFlow(flow: OAuthFlowRecord): Promise<void>;
  /**
   * Spends the state of the flow with this hash (if not spent yet) and answers the flow as it was before
   * (null when none has it). Of two concurrent spends exactly one sees it unspent.
   */
  spendState(stateHash: string, at: Date): Promise<OAuthFlowRecord | null>;
  /** Gives the flow its proven identity and exchange code. */
  issueCode(
    flowId: string,
    code: { codeHash: string; identity: OAuthProvenIdentity; expiresAt: Date },
  ): Promise<void>;
  /** The flow whose exchange code has this hash, without spending it (null when none). */
  findByCode(codeHash: string): Promise<OAuthFlowRecord | null>;
  /** Spends the exchange code (if not spent yet); answers the flow as it was before. Exactly one spend wins. */
  spendCode(codeHash: string, at: Date): Promise<OAuthFlowRecord | null>;
}

/**
 * What housekeeping deletes of the flows (`HousekeepingStore.purge`): a flow whose transaction expired before
 * `expiredBefore` and whose exchange code, if it got one, too. Its state and code are then refused as
 * unknown, which is how a spent or expired one is refused anyway.
 */
export const oauthFlowPurgeable = (flow: OAuthFlowRecord, expiredBefore: Date): boolean =>
  flow.expiresAt.getTime() < expiredBefore.getTime() &&
  (flow.codeExpiresAt === null || flow.codeExpiresAt.getTime() < expiredBefore.getTime());
