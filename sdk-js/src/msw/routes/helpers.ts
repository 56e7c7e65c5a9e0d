import type { MockContext, Principal, UserPrincipal } from '../context';
import { tenantOfPrincipal } from '../dispatch';
import { MockError } from '../problem';

/** The caller (routes whose metadata requires one always have it). */
export function principalOf(ctx: MockContext): Principal {
  if (!ctx.principal) throw new MockError('unauthenticated', 'This call needs a credential');
  return ctx.principal;
}

export function userOf(ctx: MockContext): UserPrincipal {
  const principal = principalOf(ctx);
  if (principal.kind !== 'user')
    throw new MockError('credential_not_allowed', 'This call needs a signed-in user');
  return principal;
}

export const tenantIdOf = (ctx: MockContext): string => tenantOfPrincipal(principalOf(ctx));

export type { Principal };

/** Objects of another tenant are reported as missing. */
export function ownTenant(ctx: MockContext, id: string): string {
  const tenantId = tenantIdOf(ctx);
  if (id !== tenantId || !ctx.store.tenants.has(id)) throw new MockError('not_found', 'No such tenant');
  return tenantId;
}
