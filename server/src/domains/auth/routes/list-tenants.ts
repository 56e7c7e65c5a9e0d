import type { contract, Membership } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { AppError } from '../../../lib/errors.js';
import { Account } from '../../identity/entities.js';
import { authContext, requireUser } from '../context.js';

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

/** `GET /auth/tenants`: the person's memberships (active or not), oldest first; `current` marks the token's. */
export const listTenants: AppRouteImplementation<typeof contract.auth.tenants> = async ({
  query,
  request,
}) => {
  const user = requireUser(request);
  const { em } = authContext(request);
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
    status: 200,
    body: {
      data,
      pagination: {
        next_cursor: hasMore && last ? encodeCursor(last.createdAt, last.id) : null,
        has_more: hasMore,
      },
    },
  };
};
