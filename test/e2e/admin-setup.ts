// Principals for the admin API tests, created directly (tenant, people, accounts in the database;
// tokens from the session service; API keys through POST /api-keys), so these suites do not depend
// on the login flows.
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { Account, Person } from '../../server/src/domains/identity/entities.js';
import type { ITenant } from '../../server/src/domains/tenants/entities.js';
import { provisionTenant } from '../../server/src/domains/tenants/provision.js';
import type { ApiResponse, TestServer } from './harness.js';

export interface Member {
  accountId: string;
  personId: string;
  email: string;
  token: string;
}

export interface SeededTenant {
  tenant: ITenant;
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
  const em = server.orm.em.fork();
  const tenant = await provisionTenant(em, server.app.services.random, { name });
  const addAccount = async (role: string, email = uniqueEmail(role)): Promise<Member> => {
    const fork = server.orm.em.fork();
    const person = fork.create(Person, { email, emailVerifiedAt: new Date() });
    const account = fork.create(Account, { person, tenant: tenant.id, role });
    await fork.flush();
    const session = await server.app.services.sessions.signIn({ accountId: account.id, amr: ['otp'] });
    return { accountId: account.id, personId: person.id, email, token: session.accessToken };
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
