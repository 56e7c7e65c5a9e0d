// The core's handler tests, over the memory database: one setup instead of one per test file. Not exported
// from the package's entries (index.ts, stores/memory/index.ts): the core's own tests import it by path.
import { type AuthProvider, defaultPolicy } from '@enforcer/contract';
import type { HandlerContext } from '../api/handlers.js';
import { SessionTokens } from '../auth/open-session.js';
import type { UserCaller } from '../caller.js';
import { OtpService } from '../codes/otp.js';
import { AppError } from '../errors.js';
import { refreshSecondFactorGate } from '../mfa/second-factor.js';
import { webCryptoRandom } from '../platform.js';
import { RefreshTokenService } from '../sessions/refresh-tokens.js';
import type { MemoryAccountRow } from '../stores/memory/accounts.js';
import { MemoryDatabase } from '../stores/memory/database.js';
import { seedAccount, seedTenant } from '../stores/memory/seed.js';
import { MemorySigningKeys } from '../stores/memory/signing-keys.js';
import type { MemoryTenantRow } from '../stores/memory/tenants.js';
import { AccessTokenService } from '../tokens/access-tokens.js';

/** The code of the tenant `seedTenant` adds. */
export const TENANT_CODE = 'TEST-CODE-0001';

/** Where the fixture's requests come from. */
export const testClient = { ip: '203.0.113.7', userAgent: 'test' };

/**
 * A memory database whose clock starts at 2030-01-01 and moves only by `advance`, with the core's one-time
 * codes and sessions on it.
 */
export function memoryFixture() {
  let ms = Date.UTC(2030, 0, 1);
  const clock = { now: () => new Date(ms) };
  const advance = (seconds: number) => {
    ms += seconds * 1000;
  };
  const db = new MemoryDatabase({ now: clock.now });
  const otp = new OtpService({
    store: db.codes,
    clock,
    random: webCryptoRandom,
    codeKey: new Uint8Array(32),
  });
  const refresh = new RefreshTokenService({
    store: db.sessions,
    clock,
    random: webCryptoRandom,
    successorKey: new Uint8Array(32),
    idleTtlSeconds: 3600,
    absoluteTtlSeconds: 86_400,
    graceSeconds: 10,
  });
  const access = new AccessTokenService({
    keys: new MemorySigningKeys({ clock }),
    clock,
    random: webCryptoRandom,
    issuer: 'https://enforcer.test',
    audience: 'enforcer',
    ttlSeconds: 900,
    clockToleranceSeconds: 10,
  });
  const sessions = new SessionTokens({
    access,
    refresh,
    uow: db,
    secondFactor: refreshSecondFactorGate({ clock, random: webCryptoRandom }),
  });

  /** A tenant (code `TENANT_CODE`) accepting these methods, with the default policy (tokens read it). */
  const seedTenant = (settings: { authProviders: AuthProvider[]; allowSignup?: boolean }): string => {
    const tenantId = crypto.randomUUID();
    db.tables.tenants.set(tenantId, {
      id: tenantId,
      code: TENANT_CODE,
      name: 'Test',
      logoUrl: null,
      theme: {},
      authProviders: settings.authProviders,
      allowSignup: settings.allowSignup ?? true,
      authSettings: {},
      createdAt: 0,
      policy: defaultPolicy(),
      policyUpdatedAt: 0,
      policyVersion: 1,
    });
    return tenantId;
  };

  return { clock, advance, db, otp, sessions, seedTenant };
}

/** `'accepted'`, or the code of the `AppError` the promise rejected with. */
export const refusal = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'accepted',
    (error: unknown) => (error instanceof AppError ? error.code : String(error)),
  );

/**
 * A new tenant in `db` (named as `tenant` says), its owner's account (`p@example.com`), and a request
 * context signed in as that owner (no client address): what the handlers' tests call the routes with.
 */
export function ownerOfNewTenant(
  db: MemoryDatabase,
  tenant: Parameters<typeof seedTenant>[2] = { name: 'Acme' },
): { tenant: MemoryTenantRow; account: MemoryAccountRow; caller: UserCaller; ctx: HandlerContext } {
  const created = seedTenant(db, webCryptoRandom, tenant);
  const account = seedAccount(db, { tenantId: created.id, email: 'p@example.com', role: 'owner' });
  const caller: UserCaller = {
    kind: 'user',
    tenantId: created.id,
    accountId: account.id,
    personId: account.personId,
    sessionId: webCryptoRandom.uuid(),
    roles: ['owner'],
    groups: [],
    attributes: {},
  };
  return { tenant: created, account, caller, ctx: { caller, client: { ip: null, userAgent: null } } };
}

/** The `AppError` `promise` rejects with; throws when it resolves or rejects with anything else. */
export async function appErrorOf(promise: Promise<unknown>): Promise<AppError> {
  const outcome = await promise.then(
    (value: unknown) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if ('error' in outcome && outcome.error instanceof AppError) return outcome.error;
  throw new Error(`expected an AppError, got ${'error' in outcome ? String(outcome.error) : 'an answer'}`);
}
