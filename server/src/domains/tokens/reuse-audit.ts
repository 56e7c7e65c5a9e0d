import type { ReuseEvent } from '@enforcer/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Clock } from '../../lib/clock.js';
import { recordAudit } from '../audit/record-audit.js';

/** `auth.refresh_token.reused`, written once the replay has revoked the family (no token in it). */
export const auditRefreshTokenReuse =
  (orm: MikroORM, clock: Clock) =>
  async (event: ReuseEvent): Promise<void> => {
    // In a transaction: the event's place in the tenant's audit chain is taken under a lock held to commit.
    await orm.em.fork().transactional(async (em) => {
      recordAudit(em, clock, {
        action: 'auth.refresh_token.reused',
        actor: { type: 'account', id: event.session.accountId },
        tenantId: event.session.tenantId,
        target: { type: 'session', id: event.session.id },
        ip: event.ip,
        userAgent: event.userAgent,
        details: {
          token_id: event.tokenId,
          used_at: event.usedAt.toISOString(),
          seconds_since_use: Math.floor((event.at.getTime() - event.usedAt.getTime()) / 1000),
        },
      });
    });
  };
