import { defaultMemberRole, type RegisterBody } from '@enforcer/contract';
import type { ClientInfo } from '../caller.js';
import { AppError } from '../errors.js';
import type { RegisterProvider, RegistrationMethod } from '../methods/method.js';
import type { LoginDeps } from './login.js';
import { tenantByCode } from './login.js';
import { findOrCreatePerson } from './resolve-person.js';

/** The methods with a `POST /auth/register` variant, by provider. */
export type RegistrationMethods = { readonly [P in RegisterProvider]?: RegistrationMethod<P> };

export interface RegisterDeps extends LoginDeps {
  registrations: RegistrationMethods;
}

/**
 * Registration (`POST /auth/register`): names a person (unverified until their first login) and, with a
 * tenant code, creates their account there when the tenant allows sign-up. Answers the same whether or
 * not the person or the account already existed, so it cannot be used to learn who is registered.
 */
export async function register(deps: RegisterDeps, body: RegisterBody, client: ClientInfo): Promise<void> {
  const tenant = body.tenant_code
    ? await deps.uow.read((repos) => tenantByCode(repos, body.tenant_code!))
    : null;
  if (tenant) {
    if (!tenant.authProviders.includes(body.provider) || !deps.methods[body.provider]) {
      throw new AppError('provider_not_allowed', `This tenant does not accept ${body.provider} sign-in`);
    }
    if (!tenant.allowSignup) throw new AppError('signup_disabled', 'This tenant is invite-only');
  }
  const method = deps.registrations[body.provider] as RegistrationMethod | undefined;
  if (!method) {
    throw new AppError('provider_not_allowed', `${body.provider} registration is not available`);
  }
  await deps.uow.transaction(async (repos) => {
    const identity = await method.register({ repos, client }, body as never);
    await repos.persons.lock(identity.email);
    const { person } = await findOrCreatePerson(repos, deps.clock, identity, deps.onEmailFirstProven);
    if (!tenant || (await repos.accounts.findOfPerson(person.id, tenant.id))) return;
    // A pending provisioning for this email waits for the email to be proven: the first login makes the
    // account with its roles and groups (the JIT join), not a plain member one now.
    const to = { emails: person.email ? [person.email] : [], phones: [] };
    if (await repos.invites.pendingProvisioning(tenant.id, to, deps.clock.now())) return;
    const account = await repos.accounts.create({
      personId: person.id,
      tenantId: tenant.id,
      role: defaultMemberRole,
    });
    repos.audit.record({
      action: 'auth.account.created',
      actor: { type: 'anonymous' },
      tenantId: tenant.id,
      target: { type: 'account', id: account.id },
      ...client,
      details: { via: 'register', provider: body.provider, role: account.role },
    });
  });
}
