// Shared steps of the auth end-to-end suites (files test/e2e/auth-*.test.ts).
import type { TokenResponse } from '@enforcer/contract';
import type { SeededTenantRecord, TestData } from '@enforcer/server/testing';
import { expect } from 'vitest';
import type { Api } from './harness.js';

let counter = 0;
/** A fresh email per call (tests share one database per file). */
export const uniqueEmail = (label = 'user') => `${label}-${Date.now().toString(36)}-${++counter}@example.com`;

/** A provisioned tenant (default policy, `verified` group), seeded in the server's database. */
export async function seedTenant(
  db: TestData,
  input: { name?: string; allowSignup?: boolean; authProviders?: string[] } = {},
): Promise<SeededTenantRecord> {
  return db.seedTenant({
    name: input.name ?? 'Acme Pay',
    allowSignup: input.allowSignup ?? true,
    authProviders: input.authProviders ?? ['email_otp'],
  });
}

/** `POST /auth/otp/request` (development/test server: the code is in the answer). */
export async function requestCode(api: Api, email: string, tenantCode?: string): Promise<string> {
  const response = await api('POST', '/auth/otp/request', {
    body: tenantCode ? { email, tenant_code: tenantCode } : { email },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(response.body.code).toMatch(/^\d{6}$/);
  return response.body.code;
}

/** Request a code and log in with it: the seed's quickstart, steps 1 and 2. */
export async function signIn(api: Api, email: string, tenantCode: string): Promise<TokenResponse> {
  const otp = await requestCode(api, email, tenantCode);
  const response = await api('POST', '/auth/login', {
    body: { provider: 'email_otp', email, otp, tenant_code: tenantCode },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

/** Asserts an RFC 9457 problem with this status and code. */
export function expectProblem(
  response: { status: number; headers: Headers; body: unknown },
  status: number,
  code: string,
) {
  expect({ status: response.status, code: (response.body as { code?: string } | undefined)?.code }).toEqual({
    status,
    code,
  });
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
}

export const setAccountActive = (db: TestData, accountId: string, active: boolean): Promise<void> =>
  db.setAccountActive(accountId, active);

/** A wrong code for `code` (same length, other digits). */
export const wrongCode = (code: string) => (code === '000000' ? '111111' : '000000');
