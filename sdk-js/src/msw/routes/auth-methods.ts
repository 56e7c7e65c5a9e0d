import type { contract, authMethodRoutes as contractRoutes } from '@enforcer/contract';
import type { MockContext, RouterImpl } from '../context';
import {
  authenticationOptions,
  passkeysOf,
  registerPasskey,
  registrationOptions,
  toPasskeyCredential,
  verifyPasskeyAssertion,
} from '../methods/passkey';
import { assertAcceptsMethod, settingsFor } from '../methods/settings';
import { loginFlow } from '../methods/sign-in';
import { MockError } from '../problem';
import type { MockStore, PersonRow } from '../store';
import { userOf } from './helpers';

/** Identity routes the core answers (server/core/src/identities/handlers.ts), registered by createEnforcerMock. */
export type IdentityRoute =
  | 'identities'
  | 'linkPhone'
  | 'linkGoogle'
  | 'linkSiwe'
  | 'linkPrivy'
  | 'unlinkIdentity'
  | 'siweNonce';

/** How many ways the person can sign in: a verified email, each linked identity, each passkey. */
const countMethods = (store: MockStore, person: PersonRow) =>
  (person.email && person.emailVerified ? 1 : 0) +
  [...store.identities.values()].filter((row) => row.personId === person.id).length +
  passkeysOf(store, person.id).length;

/** The signed-in person's tenant and its passkey settings (`403 provider_not_allowed` / `not_configured`). */
const passkeyTenant = (ctx: MockContext) => {
  const user = userOf(ctx);
  const tenant = ctx.store.tenants.get(user.account.tenantId)!;
  assertAcceptsMethod(tenant, 'passkey');
  return { user, tenant, settings: settingsFor(ctx.store, tenant, 'passkey') };
};

/** Passkeys, with the server's rules (server/src/domains/auth/methods/passkey/). */
export const authMethodRoutes: Pick<
  RouterImpl<typeof contract.auth>,
  Exclude<keyof typeof contractRoutes, IdentityRoute>
> = {
  passkeyRegisterBegin: async ({ body }, ctx) => {
    const { user, tenant, settings } = passkeyTenant(ctx);
    return {
      status: 200,
      body: await registrationOptions(ctx.store, tenant, settings, user.account.personId, body.name),
    };
  },
  passkeyRegisterFinish: async ({ body }, ctx) => {
    const { user, tenant, settings } = passkeyTenant(ctx);
    const row = await registerPasskey(ctx.store, tenant, settings, user.account.personId, body);
    return { status: 201, body: toPasskeyCredential(row) };
  },
  passkeyLoginBegin: async ({ body }, { store }) => {
    const tenant = store.tenantByCode(body.tenant_code);
    if (!tenant) throw new MockError('not_found', 'No tenant with that code');
    assertAcceptsMethod(tenant, 'passkey');
    const settings = settingsFor(store, tenant, 'passkey');
    return { status: 200, body: await authenticationOptions(store, tenant, settings, body.email) };
  },
  passkeyLoginFinish: async ({ body }, ctx) => {
    const tenant = ctx.store.tenantByCode(body.tenant_code);
    if (!tenant) throw new MockError('not_found', 'No tenant with that code');
    assertAcceptsMethod(tenant, 'passkey');
    const login = { provider: 'passkey' as const, ...body };
    return {
      status: 200,
      body: await loginFlow(ctx, tenant, login, () => verifyPasskeyAssertion(ctx.store, tenant, login)),
    };
  },
  passkeyCredentials: (_request, ctx) => ({
    status: 200,
    body: { data: passkeysOf(ctx.store, userOf(ctx).account.personId).map(toPasskeyCredential) },
  }),
  deletePasskey: ({ params }, ctx) => {
    const { store } = ctx;
    const person = store.persons.get(userOf(ctx).account.personId)!;
    const row = store.passkeys.get(params.id);
    if (!row || row.personId !== person.id)
      throw new MockError('not_found', 'You have no passkey with this id');
    if (countMethods(store, person) <= 1) {
      throw new MockError(
        'last_identity',
        'This is your only way to sign in: add another method before removing this one',
      );
    }
    store.passkeys.delete(row.id);
    return { status: 204, body: undefined };
  },
};
