// Principals for the admin API tests, seeded through @enforcer/server/testing (tenant, people, accounts;
// sessions started without a sign-in flow; API keys through POST /api-keys), so these suites do not
// depend on the login flows.
import { randomBytes } from 'node:crypto';
import type { SeededTenantRecord } from '@enforcer/server/testing';
import { expect } from 'vitest';
import type { ApiResponse, TestServer } from './harness.js';

export interface Member {
  accountId: string;
  personId: string;
  email: string;
  token: string;
}

export interface SeededTenant {
  tenant: SeededTenantRecord;
  owner: Member;
  admin: Member;
  member: Member;
  /** An API key minted by the owner with POST /api-keys (role `admin`). */
  apiKey: string;
  apiKeyId: string;
  /** Adds an account with this role and signs it in. */
  addAccount(role: string, email?: string): Promise<Member>;
}

export const uniqueEmail = (label = 'user') => `${label}-${randomBytes(5).toString('hex')}@example.com`;

/** A provisioned tenant (default policy, `verified` group) with an owner, an admin, a member and an API key. */
export async function seedTenant(server: TestServer, name = 'Acme Pay'): Promise<SeededTenant> {
  const tenant = await server.db.seedTenant({ name });
  const addAccount = async (role: string, email = uniqueEmail(role)): Promise<Member> => {
    const account = await server.db.seedAccount({ tenantId: tenant.id, role, email });
    const session = await server.signIn({ accountId: account.accountId, amr: ['otp'] });
    return { ...account, token: session.accessToken };
  };
  const owner = await addAccount('owner');
  const admin = await addAccount('admin');
  const member = await addAccount('member');
  const created = await server.api('POST', '/api-keys', { token: owner.token, body: { name: 'server-key' } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { tenant, owner, admin, member, apiKey: created.body.key, apiKeyId: created.body.id, addAccount };
}

/** Asserts an RFC 9457 problem with this status and code, and returns it. */
export function expectProblem(response: ApiResponse, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, code });
  return response.body as { code: string; detail?: string; errors?: { path: string; message: string }[] };
}

/** Asserts a 2xx and returns the body. */
// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely, then assert on them
export function expectOk<T = any>(response: ApiResponse<T>, status = 200): T {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response.body;
}

/** The problem's field errors (`errors[]`) name `path`. */
export function expectFieldError(problem: { errors?: { path: string }[] }, path: string) {
  expect(problem.errors?.map((e) => e.path)).toContain(path);
}
