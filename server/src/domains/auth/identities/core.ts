import {
  Challenges,
  googleSignIn,
  privySignIn,
  proofRefusalError,
  type SignInMethod,
  siweSignIn,
} from '@enforcer/core';
import { tenantRecordOf } from '../../../entities/tenants.js';
import type {
  Authentication,
  LoginBodyOf,
  MethodServices,
  SignInMethod as RegistryMethod,
} from '../methods/method.js';

/** The core's `google`, `siwe` and `privy` sign-in methods over the server's verifiers. */
export function coreMethods(services: MethodServices) {
  const challenges = new Challenges({ clock: services.clock, random: services.random });
  return {
    google: googleSignIn({ google: services.google, challenges }),
    siwe: siweSignIn({ challenges, clock: services.clock, toleranceSeconds: services.toleranceSeconds }),
    privy: privySignIn({ privy: services.privy }),
  };
}

/**
 * Transitional: a core sign-in method as an entry of the server's method registry (the login flow is not
 * the core's yet): it runs in the login's transaction, a refusal becomes the registry's failure.
 */
export function registryEntry<P extends 'google' | 'siwe' | 'privy'>(
  id: P,
  amr: string[],
  method: (services: MethodServices) => SignInMethod<P>,
): RegistryMethod & { readonly id: P } {
  return {
    id,
    amr,
    async authenticate(ctx, body): Promise<Authentication> {
      const result = await method(ctx.services).authenticate(
        {
          repos: ctx.services.uow.within(ctx.em),
          tenant: tenantRecordOf(ctx.tenant),
          client: { ip: ctx.client.ip ?? null, userAgent: ctx.client.userAgent ?? null },
        },
        body as LoginBodyOf<P>,
      );
      return result.ok ? result : { ok: false, error: proofRefusalError(result), reason: result.reason };
    },
  };
}
