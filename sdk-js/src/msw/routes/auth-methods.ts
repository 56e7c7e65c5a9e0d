import type {
  contract,
  authMethodRoutes as contractRoutes,
  Identity,
  LinkedProvider,
} from '@enforcer/contract';
import type { PasskeyHandlers } from '@enforcer/core';
import type { MockContext, RouterImpl } from '../context';
import { uuid } from '../crypto';
import { verifyGoogleIdToken } from '../methods/google';
import { checkOtp } from '../methods/otp';
import { verifyPrivyToken } from '../methods/privy';
import { assertAcceptsMethod, settingsFor } from '../methods/settings';
import type { Authentication } from '../methods/sign-in';
import { issueSiweNonce, verifySiwe } from '../methods/siwe';
import { MockError } from '../problem';
import { type IdentityRow, iso, type MockStore, type PersonRow, type TenantRow } from '../store';
import { userOf } from './helpers';

/**
 * Linked identities (phone, Google, wallet, Privy) and the SIWE nonce, with the server's rules
 * (server/src/domains/auth/identities/). Passkeys are the core's (server/core/src/passkeys): their routes
 * are wired in create-enforcer-mock.ts, login finish in routes/auth.ts.
 */
const toIdentity = (row: IdentityRow): Identity => ({
  id: row.id,
  provider: row.provider,
  subject: row.subject,
  email: row.email,
  verified_at: iso(row.verifiedAt),
  created_at: iso(row.createdAt),
  last_used_at: row.lastUsedAt === null ? null : iso(row.lastUsedAt),
});

const passkeysOf = (store: MockStore, personId: string) =>
  [...store.passkeys.values()]
    .filter((row) => row.personId === personId)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));

const identitiesOf = (store: MockStore, personId: string) =>
  [...store.identities.values()]
    .filter((row) => row.personId === personId)
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));

/** How many ways the person can sign in: a verified email, each linked identity, each passkey. */
const countMethods = (store: MockStore, person: PersonRow) =>
  (person.email && person.emailVerified ? 1 : 0) +
  identitiesOf(store, person.id).length +
  passkeysOf(store, person.id).length;

/**
 * Every `POST /auth/identities/<method>`: the signed-in person proves another method with the
 * settings of their tenant (which must accept it); the identity is bound to them (`201`), already
 * theirs (`200`), or someone else's (`409 identity_already_linked`).
 */
async function linkWith(
  ctx: MockContext,
  provider: LinkedProvider,
  prove: (tenant: TenantRow) => Promise<Authentication>,
) {
  const { store } = ctx;
  const user = userOf(ctx);
  const tenant = store.tenants.get(user.account.tenantId)!;
  if (!tenant.authProviders.includes(provider)) {
    throw new MockError('provider_not_allowed', `This tenant does not accept ${provider} sign-in`);
  }
  const proof = await prove(tenant);
  if (!proof.ok) throw proof.error;
  const identity = proof.identity;
  if (!('provider' in identity) || identity.provider !== provider) {
    throw new Error(`the ${provider} proof did not prove a ${provider} identity`);
  }
  const person = store.persons.get(user.account.personId)!;
  const now = store.now();
  const existing = [...store.identities.values()].find(
    (row) => row.provider === identity.provider && row.subject === identity.subject,
  );
  if (existing) {
    if (existing.personId !== person.id) {
      throw new MockError(
        'identity_already_linked',
        `This ${identity.provider} identity belongs to another person: it cannot be linked to you`,
      );
    }
    existing.lastUsedAt = now;
    return { status: 200 as const, body: toIdentity(existing) };
  }
  const verifiedEmail = identity.email && identity.emailVerified ? identity.email : null;
  const row: IdentityRow = {
    id: uuid(),
    personId: person.id,
    provider: identity.provider,
    subject: identity.subject,
    email: verifiedEmail,
    verifiedAt: now,
    createdAt: now,
    lastUsedAt: now,
  };
  store.identities.set(row.id, row);
  if (!person.email && verifiedEmail && !store.personByEmail(verifiedEmail)) {
    person.email = verifiedEmail;
    person.emailVerified = true;
  }
  return { status: 201 as const, body: toIdentity(row) };
}

/** The core's passkey routes and login finish (the login flow's) are wired elsewhere. */
type MockMethodRoute = Exclude<keyof typeof contractRoutes, keyof PasskeyHandlers | 'passkeyLoginFinish'>;

export const authMethodRoutes: Pick<RouterImpl<typeof contract.auth>, MockMethodRoute> = {
  identities: (_request, ctx) => {
    const person = ctx.store.persons.get(userOf(ctx).account.personId)!;
    const data: Identity[] = [];
    if (person.email) {
      data.push({
        id: null,
        provider: 'email_otp',
        subject: person.email,
        email: person.email,
        verified_at: person.emailVerified ? iso(person.createdAt) : null,
        created_at: iso(person.createdAt),
        last_used_at: null,
      });
    }
    data.push(...identitiesOf(ctx.store, person.id).map(toIdentity));
    for (const passkey of passkeysOf(ctx.store, person.id)) {
      data.push({
        id: passkey.id,
        provider: 'passkey',
        subject: passkey.credentialId,
        email: null,
        verified_at: passkey.createdAt.toISOString(),
        created_at: passkey.createdAt.toISOString(),
        last_used_at: passkey.lastUsedAt === null ? null : passkey.lastUsedAt.toISOString(),
      });
    }
    return { status: 200, body: { data } };
  },
  linkPhone: ({ body }, ctx) =>
    linkWith(ctx, 'phone_otp', async () => {
      const check = await checkOtp(
        ctx.store,
        { purpose: 'verify_phone', email: body.phone, tenantId: null },
        body.otp,
      );
      return check.ok ? { ok: true, identity: { provider: 'phone_otp', subject: body.phone } } : check;
    }),
  linkGoogle: ({ body }, ctx) =>
    linkWith(ctx, 'google', (tenant) => verifyGoogleIdToken(ctx, tenant, body.token, body.nonce)),
  linkSiwe: ({ body }, ctx) =>
    linkWith(ctx, 'siwe', (tenant) =>
      verifySiwe(ctx.store, tenant, body, ctx.tokens.settings.clockTolerance),
    ),
  linkPrivy: ({ body }, ctx) =>
    linkWith(ctx, 'privy', (tenant) =>
      verifyPrivyToken(ctx.store, tenant, body.token, ctx.tokens.settings.clockTolerance),
    ),
  unlinkIdentity: ({ params }, ctx) => {
    const { store } = ctx;
    const person = store.persons.get(userOf(ctx).account.personId)!;
    const row = store.identities.get(params.id);
    if (!row || row.personId !== person.id) {
      throw new MockError('not_found', 'You have no sign-in method with this id');
    }
    if (countMethods(store, person) <= 1) {
      throw new MockError(
        'last_identity',
        'This is your only way to sign in: add another method before removing this one',
      );
    }
    store.identities.delete(row.id);
    return { status: 204, body: undefined };
  },
  siweNonce: ({ body }, { store }) => {
    const tenant = store.tenantByCode(body.tenant_code);
    if (!tenant) throw new MockError('not_found', 'No tenant with that code');
    assertAcceptsMethod(tenant, 'siwe');
    const settings = settingsFor(store, tenant, 'siwe');
    const issued = issueSiweNonce(store, tenant.id);
    return {
      status: 200,
      body: {
        nonce: issued.nonce,
        expires_at: iso(issued.expiresAt),
        domain: settings.domain,
        uri: settings.uri,
        chain_ids: settings.chain_ids,
      },
    };
  },
};
