import type { contract } from '@enforcer/contract';
import { assertStrongPassword, countsAsGuess } from '@enforcer/core';
import type { RouterImpl } from '../context';
import { checkOtp, sendOtp } from '../methods/otp';
import { passwordHasher, personOfEmail } from '../methods/sign-in';
import { MockError } from '../problem';
import type { MockStore, TenantRow } from '../store';

/**
 * Password reset, with the server's rules and answers (server/src/domains/auth/methods/password/).
 * Passwords are kept by the core's store (`repos.passwords`); password change, magic links and MFA are
 * the core's handlers.
 */

function tenantByCode(store: MockStore, code: string): TenantRow {
  const tenant = store.tenantByCode(code);
  if (!tenant) throw new MockError('not_found', 'No tenant has this code');
  return tenant;
}

const requirePasswords = (tenant: TenantRow) => {
  if (!tenant.authProviders.includes('password')) {
    throw new MockError('provider_not_allowed', 'This tenant does not accept passwords');
  }
};

const endSessions = (store: MockStore, personId: string, reason: string, keep?: string): number => {
  let ended = 0;
  for (const session of store.sessions.values()) {
    if (session.personId === personId && session.revokedAt === null && session.id !== keep) {
      store.revokeSession(session, reason);
      ended += 1;
    }
  }
  return ended;
};

/** Sets the person's password through the core's store. */
async function setPassword(store: MockStore, personId: string, password: string): Promise<void> {
  const hash = await passwordHasher.hash(password);
  await store.db.transaction((repos) => repos.passwords.set(personId, hash, new Date(store.now())));
}

/** Reset by mailed code (change is the core's handler: server/core/src/passwords/handlers.ts). */
export const passwordRoutes = (options: {
  devMode: boolean;
}): Omit<RouterImpl<typeof contract.password>, 'change'> => ({
  requestReset: async ({ body }, { store }) => {
    const tenant = tenantByCode(store, body.tenant_code);
    requirePasswords(tenant);
    const sent = await sendOtp(store, {
      channel: 'email',
      address: body.email,
      tenantId: tenant.id,
      purpose: 'password_reset',
      accepted: true,
      devMode: options.devMode,
    });
    return { status: 200, body: sent };
  },

  confirmReset: async ({ body }, { store }) => {
    const tenant = tenantByCode(store, body.tenant_code);
    requirePasswords(tenant);
    assertStrongPassword(body.new_password, 'body.new_password', {
      email: body.email,
      tenantName: tenant.name,
    });
    const { throttle } = store;
    const subject = { tenantId: tenant.id, identifier: body.email, client: {} };
    const gate = await throttle.gate(subject);
    if (gate) throw gate;
    const check = await checkOtp(
      store,
      { purpose: 'password_reset', email: body.email, tenantId: tenant.id },
      body.code,
    );
    if (!check.ok) {
      const limited = countsAsGuess(check.reason)
        ? await throttle.recordFailure(subject, check.reason)
        : undefined;
      throw limited ?? check.error;
    }
    const known = store.personByEmail(body.email);
    const live = known
      ? [...store.sessions.values()].filter((s) => s.personId === known.id && s.revokedAt === null).length
      : 0;
    const person = await personOfEmail(store, body.email, true);
    await setPassword(store, person.id, body.new_password);
    await throttle.recordSuccess(subject);
    endSessions(store, person.id, 'password_reset');
    return { status: 200, body: { reset: true, sessions_revoked: live } };
  },
});
