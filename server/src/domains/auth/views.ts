import {
  type Account,
  type AuthProvider,
  authProviderIds,
  type Person,
  type Tenant,
  type TokenResponse,
} from '@enforcer/contract';
import type { IAccount, IPerson } from '../identity/entities.js';
import type { ITenant } from '../tenants/entities.js';
import type { SessionTokens } from '../tokens/session-tokens.js';
import { authSettingsOf } from './methods/settings.js';

/** Entities → the contract's JSON (snake_case, ISO timestamps). */

export const toPerson = (person: IPerson): Person => ({
  id: person.id,
  email: person.email ?? null,
  email_verified: person.emailVerifiedAt != null,
  created_at: person.createdAt.toISOString(),
});

export const toAccount = (account: IAccount, email: string | null, groups: string[]): Account => ({
  id: account.id,
  person_id: account.person.id,
  tenant_id: account.tenant.id,
  email,
  role: account.role,
  active: account.active,
  groups,
  created_at: account.createdAt.toISOString(),
});

const knownProvider = (id: string): id is AuthProvider => (authProviderIds as readonly string[]).includes(id);

export const toTenant = (tenant: ITenant): Tenant => ({
  id: tenant.id,
  code: tenant.code,
  name: tenant.name,
  logo_url: tenant.logoUrl ?? null,
  theme: Object.fromEntries(
    Object.entries(tenant.theme ?? {}).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  ),
  auth_providers: tenant.authProviders.filter(knownProvider),
  allow_signup: tenant.allowSignup,
  auth_settings: authSettingsOf(tenant),
  created_at: tenant.createdAt.toISOString(),
});

/** What every sign-in answers: the token pair plus the account, person and tenant it is for. */
export const toTokenResponse = (tokens: SessionTokens, person: IPerson, tenant: ITenant): TokenResponse => ({
  token: tokens.accessToken,
  refresh_token: tokens.refreshToken,
  expires_at: tokens.expiresAt.toISOString(),
  token_type: 'Bearer',
  account: toAccount(tokens.grant.account, person.email ?? null, tokens.grant.groups),
  person: toPerson(person),
  tenant: toTenant(tenant),
});
