import { type AuditFields, type ChainHead, chainEvent } from '@enforcer/core';
import { ChangeSetType, type EventSubscriber, type FlushEventArgs } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { IAuditEvent } from '../entities/audit.js';

/** The first key of the advisory locks that serialise a tenant's audit chain (the second: the tenant's hash). */
const AUDIT_CHAIN_LOCK = 0x61756469; // "audi"

/**
 * Chains the audit events a transaction flushes (core audit/chain.ts). Per tenant, in a fixed order: take
 * the tenant's advisory lock (held until the transaction ends), read the chain's head, chain the new events
 * after it. Concurrent transactions writing one tenant's events therefore chain one after the other; the
 * lock is taken at flush, which the unit of work does just before committing, so it is held for the
 * INSERT and the COMMIT only. Other tenants' events never wait on it.
 *
 * Why a lock rather than a per-tenant sequence: a sequence numbers events but cannot give an event the
 * hash of the one before it, which is written by a transaction that may not have committed yet.
 */
export class AuditChainSubscriber implements EventSubscriber {
  /**
   * The tenants whose chain lock a transaction holds, by transaction: a unit of work that flushes twice
   * holds the lock from the first flush on, so the second only reads the head again (always read, never
   * remembered: a savepoint rolled back in between may have taken events back).
   */
  readonly #locked = new WeakMap<object, Set<string | null>>();

  async onFlush({ em, uow }: FlushEventArgs): Promise<void> {
    const created = uow
      .getChangeSets()
      .filter((cs) => cs.type === ChangeSetType.CREATE && cs.meta.className === 'AuditEvent')
      .map((cs) => cs.entity as IAuditEvent);
    if (created.length === 0) return;
    // The lock must live in the transaction that inserts: a flush outside one would insert in an
    // implicit transaction of its own, after the lock was gone.
    if (!em.isInTransaction()) {
      throw new Error('audit events are written inside a transaction (em.transactional)');
    }
    const byTenant = new Map<string | null, IAuditEvent[]>();
    for (const event of created) {
      const tenantId = event.tenantId ?? null;
      byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), event]);
    }
    // Within a flush, locks in one order (tenant-less first, then by id): two transactions writing the same
    // tenants never wait on each other in a circle (a unit of work writes one tenant's events, in practice).
    const tenants = [...byTenant.keys()].sort((a, b) => (a ?? '').localeCompare(b ?? ''));
    const tx = em.getTransactionContext() as object;
    let locked = this.#locked.get(tx);
    if (!locked) {
      locked = new Set();
      this.#locked.set(tx, locked);
    }
    for (const tenantId of tenants) {
      if (!locked.has(tenantId)) {
        await lockChain(em as EntityManager, tenantId);
        locked.add(tenantId);
      }
      let head = await chainHead(em as EntityManager, tenantId);
      for (const event of byTenant.get(tenantId)!) {
        const sealed = chainEvent(event.id, fieldsOf(event), head);
        event.seq = sealed.seq;
        event.prevHash = sealed.prevHash;
        event.hash = sealed.hash;
        event.personalSalt = sealed.personalSalt;
        event.personalDigest = sealed.personalDigest;
        uow.recomputeSingleChangeSet(event);
        head = { seq: sealed.seq, hash: sealed.hash };
      }
    }
  }
}

/** The tenant's chain lock, held until the transaction ends (taking it again is a no-op). */
async function lockChain(em: EntityManager, tenantId: string | null): Promise<void> {
  await em
    .getConnection()
    .execute(
      'select pg_advisory_xact_lock(?, hashtext(?))',
      [AUDIT_CHAIN_LOCK, tenantId ?? ''],
      'all',
      em.getTransactionContext(),
    );
}

/** The tenant's last event, read under its lock. */
async function chainHead(em: EntityManager, tenantId: string | null): Promise<ChainHead | null> {
  const connection = em.getConnection();
  const tx = em.getTransactionContext();
  const rows = await connection.execute<{ seq: string; hash: string }[]>(
    tenantId === null
      ? 'select "seq", "hash" from "audit_event" where "tenant_id" is null order by "seq" desc limit 1'
      : 'select "seq", "hash" from "audit_event" where "tenant_id" = ? order by "seq" desc limit 1',
    tenantId === null ? [] : [tenantId],
    'all',
    tx,
  );
  const row = rows[0];
  return row ? { seq: Number(row.seq), hash: row.hash } : null;
}

const fieldsOf = (event: IAuditEvent): AuditFields => ({
  action: event.action,
  outcome: event.outcome,
  actorType: event.actorType,
  actorId: event.actorId ?? null,
  tenantId: event.tenantId ?? null,
  targetType: event.targetType ?? null,
  targetId: event.targetId ?? null,
  ip: event.ip ?? null,
  userAgent: event.userAgent ?? null,
  requestId: event.requestId ?? null,
  details: event.details,
  createdAt: event.createdAt,
});
