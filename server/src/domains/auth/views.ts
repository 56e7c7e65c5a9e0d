import type { Account, Person, Tenant, TokenResponse } from '@enforcer/contract';
import { accountDto, tenantView } from '@enforcer/core';
import type { IAccount, IPerson } from '../../entities/accounts.js';
import { type ITenant, tenantRecordOf } from '../../entities/tenants.js';
import type { SessionTokens } from '../tokens/session-tokens.js';

/** Entities → the contract's JSON (snake_case, ISO timestamps). */

export const toPerson = (person: IPerson): Person => ({
  id: person.id,
  email: person.email ?? null,
  email_verified: person.emailVerifiedAt != null,
  created_at: person.createdAt.toISOString(),
});

export const toAccount = (account: IAccount, email: string | null, groups: string[]): Account =>
  accountDto({
    id: account.id,
    personId: account.person.id,
    tenantId: account.tenant.id,
    role: account.role,
    active: account.active,
    createdAt: account.createdAt,
    email,
    groups,
  });

/** The core's view of a tenant (`tenantView`), from the entity. */
export const toTenant = (tenant: ITenant): Tenant => tenantView(tenantRecordOf(tenant));

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
