import { passwordSignIn, refusalError } from '@enforcer/core';
import { tenantRecordOf } from '../../../../entities/tenants.js';
import { coreClient, type RegistrationMethod, type SignInMethod } from '../method.js';
import { argon2Hasher } from './hashing.js';

const core = passwordSignIn({ hasher: argon2Hasher });

/**
 * `password`: the core's method (server/core/src/passwords/method.ts) over this transaction. An adapter
 * until the login flow is the core's.
 */
export const passwordMethod = {
  id: 'password',
  amr: core.amr,
  async authenticate(ctx, body) {
    const repos = ctx.services.uow.within(ctx.em);
    const result = await core.authenticate(
      { repos, tenant: tenantRecordOf(ctx.tenant), client: coreClient(ctx.client) },
      body,
    );
    if (result.ok) return result;
    return { ok: false, error: refusalError(result), reason: result.reason, email: body.email };
  },
  register: (ctx, body) =>
    core.register({ repos: ctx.services.uow.within(ctx.em), client: coreClient(ctx.client) }, body),
} satisfies SignInMethod<'password'> & RegistrationMethod<'password'>;
