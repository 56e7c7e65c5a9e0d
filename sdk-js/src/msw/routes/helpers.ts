import type { Paginated } from '@enforcer/contract';
import type { MockContext, Principal, UserPrincipal } from '../context';
import { subjectOfPrincipal, tenantOfPrincipal } from '../dispatch';
import { MockError } from '../problem';
import type { AccountRow } from '../store';

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

/** Does the caller hold `action` (a resource-less check against the tenant's policy)? */
export function callerCan(ctx: MockContext, action: string): boolean {
  const principal = principalOf(ctx);
  return ctx.store
    .policyOf(tenantOfPrincipal(principal))
    .compiled.can(subjectOfPrincipal(ctx.store, principal), action);
}

export type { Principal };

/** Objects of another tenant are reported as missing. */
export function ownTenant(ctx: MockContext, id: string): string {
  const tenantId = tenantIdOf(ctx);
  if (id !== tenantId || !ctx.store.tenants.has(id)) throw new MockError('not_found', 'No such tenant');
  return tenantId;
}

export function accountInTenant(ctx: MockContext, id: string): AccountRow {
  const account = ctx.store.accounts.get(id);
  if (!account || account.tenantId !== tenantIdOf(ctx)) throw new MockError('not_found', 'No such account');
  return account;
}

/** Cursor pagination over an ordered list; cursors are opaque (the offset, encoded). */
export function paginate<T>(items: T[], query: { limit: number; cursor?: string | undefined }): Paginated<T> {
  let offset = 0;
  if (query.cursor) {
    const decoded = Number(atob(query.cursor.replace(/-/g, '+').replace(/_/g, '/')).replace(/^o:/, ''));
    if (!Number.isInteger(decoded) || decoded < 0) {
      throw new MockError('validation_failed', 'The cursor is not valid', {
        errors: [{ path: 'query.cursor', message: 'Invalid cursor' }],
      });
    }
    offset = decoded;
  }
  const data = items.slice(offset, offset + query.limit);
  const next = offset + query.limit;
  const hasMore = next < items.length;
  return {
    data,
    pagination: { next_cursor: hasMore ? btoa(`o:${next}`).replace(/=+$/, '') : null, has_more: hasMore },
  };
}

/** List order, as the server's pages: oldest first, then by id. */
export const byPage = (a: { createdAt: number; id: string }, b: { createdAt: number; id: string }) =>
  a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
