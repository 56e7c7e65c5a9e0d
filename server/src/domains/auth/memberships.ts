import type { Membership, MeResponse } from '@enforcer/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { UserPrincipal } from '../../http/principal.js';
import { AppError } from '../../lib/errors.js';
import { Account, Person } from '../identity/entities.js';
import { Tenant } from '../tenants/entities.js';
import { Session } from '../tokens/entities.js';
import { toAccount, toPerson, toTenant } from './views.js';

/** The caller's account as it is now (not the token's copy), its person, tenant and session. */
export async function describeCaller(em: EntityManager, user: UserPrincipal): Promise<MeResponse> {
  const person = await em.findOneOrFail(Person, user.personId);
  const tenant = await em.findOneOrFail(Tenant, user.tenantId);
  const session = await em.findOneOrFail(Session, user.sessionId);
  const account = await em.findOneOrFail(Account, user.accountId);
  const { grant } = user;
  return {
    account: toAccount(account, person.email ?? null, grant.groups),
    person: toPerson(person),
    tenant: toTenant(tenant),
    roles: grant.roles,
    groups: grant.groups,
    session: { id: session.id, amr: session.amr, expires_at: session.absoluteExpiresAt.toISOString() },
  };
}

/** Opaque cursor: the (created_at, id) of the last membership of the previous page. */
const encodeCursor = (createdAt: Date, id: string) =>
  Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const createdAt = new Date(String(at));
    if (typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id) && !Number.isNaN(createdAt.getTime())) {
      return { createdAt, id };
    }
  } catch {
    // fall through
  }
  throw new AppError('validation_failed', 'The cursor is not valid', {
    errors: [{ path: 'query.cursor', message: 'pass back pagination.next_cursor unchanged' }],
  });
}

/** The person's memberships (active or not), oldest first; `current` marks the token's tenant. */
export async function listMemberships(
  em: EntityManager,
  user: UserPrincipal,
  query: { cursor?: string | undefined; limit: number },
): Promise<{
  data: Membership[];
  pagination: { next_cursor: string | null; has_more: boolean };
}> {
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  const accounts = await em.find(
    Account,
    after
      ? {
          person: user.personId,
          $or: [
            { createdAt: { $gt: after.createdAt } },
            { createdAt: after.createdAt, id: { $gt: after.id } },
          ],
        }
      : { person: user.personId },
    { populate: ['tenant'], orderBy: { createdAt: 'asc', id: 'asc' }, limit: query.limit + 1 },
  );
  const page = accounts.slice(0, query.limit);
  const last = page.at(-1);
  const hasMore = accounts.length > query.limit;
  const data: Membership[] = page.map((account) => ({
    tenant: {
      id: account.tenant.id,
      code: account.tenant.code,
      name: account.tenant.name,
      logo_url: account.tenant.logoUrl ?? null,
    },
    account_id: account.id,
    role: account.role,
    active: account.active,
    current: account.tenant.id === user.tenantId,
  }));
  return {
    data,
    pagination: {
      next_cursor: hasMore && last ? encodeCursor(last.createdAt, last.id) : null,
      has_more: hasMore,
    },
  };
}
