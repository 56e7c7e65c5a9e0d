import type { contract } from '@enforcer/contract';
import type { RouterImpl } from '../context';
import { MockError } from '../problem';
import { tenantIdOf } from './helpers';

const encodeCursor = (seq: number) => btoa(`r:${seq}`).replace(/=+$/, '');
function decodeCursor(cursor: string): number {
  const seq = Number(atob(cursor).replace(/^r:/, ''));
  if (!Number.isInteger(seq) || seq < 0) {
    throw new MockError('validation_failed', 'The cursor is not valid', {
      errors: [{ path: 'query.cursor', message: 'Invalid cursor' }],
    });
  }
  return seq;
}

export const revocationsRoutes: RouterImpl<typeof contract.revocations> = {
  feed: ({ query }, ctx) => {
    const { store, tokens } = ctx;
    const tenantId = tenantIdOf(ctx);
    const retention = tokens.settings.accessTtl + tokens.settings.clockTolerance;
    const now = store.now();
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const pending = store.changes.filter(
      (c) => c.tenantId === tenantId && (after === undefined ? c.at > now - retention * 1000 : c.seq > after),
    );
    const page = pending.slice(0, query.limit);
    const last = page.at(-1)?.seq ?? after ?? store.changes.at(-1)?.seq ?? 0;
    const accountIds = [...new Set(page.filter((c) => c.kind === 'account').map((c) => c.accountId))];
    return {
      status: 200,
      body: {
        tenant_id: tenantId,
        sessions: page.flatMap((c) =>
          c.kind === 'session'
            ? [{ session_id: c.sessionId, account_id: c.accountId, revoked_at: new Date(c.at).toISOString() }]
            : [],
        ),
        accounts: accountIds.map((id) => {
          const account = store.accounts.get(id);
          const changedAt = Math.max(
            ...page.filter((c) => c.accountId === id && c.kind === 'account').map((c) => c.at),
          );
          return {
            account_id: id,
            active: account?.active ?? false,
            deleted: !account,
            roles: account ? [account.role] : [],
            groups: account ? store.groupNames(id) : [],
            grant_version: account?.grantVersion ?? 0,
            changed_at: new Date(changedAt).toISOString(),
          };
        }),
        next_cursor: encodeCursor(last),
        has_more: pending.length > page.length,
        retention_seconds: retention,
      },
    };
  },
};
