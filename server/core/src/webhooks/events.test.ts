import { webhookEventSchema, webhookEventTypes, webhookFilterMatches } from '@enforcer/contract';
import { describe, expect, it } from 'vitest';
import { type AuditInput, auditFields } from '../audit/ports.js';
import { webhookEventsOfAudit } from './events.js';

const tenantId = '6f1b9a2c-3d4e-4f50-8a61-7b8c9d0e1f23';
const account = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const other = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const at = new Date('2026-12-06T18:00:00.000Z');
let n = 0;
const newId = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

const eventsOf = (input: Omit<AuditInput, 'tenantId'> & { tenantId?: string | null }) =>
  webhookEventsOfAudit(newId, auditFields({ tenantId, ...input }, at)).map((row) => {
    // Every payload is an event of the catalogue, as a receiver parses it.
    const body = webhookEventSchema.parse(JSON.parse(row.payload));
    expect(body).toMatchObject({
      id: row.id,
      type: row.type,
      tenant_id: tenantId,
      timestamp: at.toISOString(),
    });
    return { type: body.type, data: body.data };
  });

const system = { type: 'system' } as const;
const byAccount = (id: string) => ({ type: 'account', id }) as const;

describe('webhook events of audit events', () => {
  it('adds one session.ended per session an admin change ended, after the change itself', () => {
    const s1 = '11111111-1111-4111-8111-111111111111';
    const s2 = '22222222-2222-4222-8222-222222222222';
    expect(
      eventsOf({
        action: 'account.deactivated',
        actor: byAccount(other),
        target: { type: 'account', id: account },
        details: {
          from: 'active',
          sessions_ended: 2,
          session_ids: [s1, s2],
          session_end_reason: 'account_deactivated',
        },
      }),
    ).toEqual([
      {
        type: 'account.status_changed',
        data: { account_id: account, from: 'active', to: 'deactivated', reason: null },
      },
      { type: 'session.ended', data: { session_id: s1, account_id: account, reason: 'account_deactivated' } },
      { type: 'session.ended', data: { session_id: s2, account_id: account, reason: 'account_deactivated' } },
    ]);
    expect(
      eventsOf({
        action: 'account.sessions.ended',
        actor: byAccount(other),
        target: { type: 'account', id: account },
        details: { scope: 'all', sessions_ended: 1, session_ids: [s1], session_end_reason: 'ended_by_admin' },
      }),
    ).toEqual([
      { type: 'session.ended', data: { session_id: s1, account_id: account, reason: 'ended_by_admin' } },
    ]);
    expect(
      eventsOf({
        action: 'account.sessions.ended',
        actor: byAccount(other),
        target: { type: 'account', id: account },
        details: { scope: 'session', session_id: s2 },
      }),
    ).toEqual([
      { type: 'session.ended', data: { session_id: s2, account_id: account, reason: 'ended_by_admin' } },
    ]);
    // Nothing ended (an activation, or a deactivation of an account without sessions): no session.ended.
    expect(
      eventsOf({
        action: 'account.locked',
        actor: byAccount(other),
        target: { type: 'account', id: account },
        details: { from: 'active', sessions_ended: 0, session_ids: [], session_end_reason: 'account_locked' },
      }).map((e) => e.type),
    ).toEqual(['account.status_changed']);
  });

  it('maps the audit events that are catalogue events, with ids and what changed', () => {
    expect(
      eventsOf({
        action: 'account.banned',
        actor: byAccount(other),
        target: { type: 'account', id: account },
        details: { from: 'active', reason: 'fraud', sessions_ended: 2 },
      }),
    ).toEqual([
      {
        type: 'account.status_changed',
        data: { account_id: account, from: 'active', to: 'banned', reason: 'fraud' },
      },
    ]);
    expect(
      eventsOf({
        action: 'account.role.added',
        actor: byAccount(other),
        target: { type: 'account', id: account },
        details: { role: 'admin', roles_before: ['member'], roles_after: ['member', 'admin'] },
      }),
    ).toEqual([
      {
        type: 'role.assigned',
        data: { account_id: account, roles_before: ['member'], roles_after: ['member', 'admin'] },
      },
    ]);
    expect(
      eventsOf({
        action: 'account.metadata.updated',
        actor: byAccount(other),
        target: { type: 'account', id: account },
        details: { public_fields: ['kyc_level'] },
      }),
    ).toEqual([
      {
        type: 'account.updated',
        data: {
          account_id: account,
          changed: ['public_metadata'],
          fields: { public_metadata: ['kyc_level'] },
        },
      },
    ]);
    expect(
      eventsOf({
        action: 'auth.invite.accepted',
        actor: byAccount(account),
        target: { type: 'invite', id: other },
        details: { role: 'member', invited_by: null, session_id: other },
      }).map((e) => e.type),
    ).toEqual(['invite.accepted', 'account.created', 'session.created']);
    expect(
      eventsOf({
        action: 'auth.refresh_token.reused',
        actor: byAccount(account),
        target: { type: 'session', id: other },
        details: { token_id: 'x' },
      }),
    ).toEqual([{ type: 'auth.refresh_reuse_detected', data: { session_id: other, account_id: account } }]);
  });

  it("maps the KYC module's decisions (kyc/decide.ts records them) to kyc.status_changed", () => {
    const person = '2b3c4d5e-6f70-4a81-9b2c-3d4e5f607182';
    const decided = (to: string) =>
      eventsOf({
        action: 'kyc.status_changed',
        actor: system,
        target: { type: 'account', id: account },
        details: {
          session_id: other,
          person_id: person,
          provider: 'persona',
          from: 'pending',
          to,
          group: 'verified',
        },
      });
    expect(decided('approved')).toEqual([
      {
        type: 'kyc.status_changed',
        data: { person_id: person, account_id: account, status: 'approved', level: 'verified' },
      },
    ]);
    expect(decided('rejected')).toEqual([
      {
        type: 'kyc.status_changed',
        data: { person_id: person, account_id: account, status: 'rejected', level: 'none' },
      },
    ]);
  });

  it('never carries a secret, even when the audit details held one', () => {
    const rows = webhookEventsOfAudit(
      newId,
      auditFields(
        {
          action: 'api_key.created',
          actor: system,
          tenantId,
          target: { type: 'api_key', id: account },
          details: { name: 'ci', role: 'admin', key: 'enf_secret', token: 'tok', prefix: 'enf_abc' },
        },
        at,
      ),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.payload).not.toMatch(/enf_secret|tok"|enf_abc/);
  });

  it('brings nothing for events outside the catalogue or outside a tenant', () => {
    expect(eventsOf({ action: 'accounts.read', actor: system })).toEqual([]);
    expect(eventsOf({ action: 'audit.settings.updated', actor: system })).toEqual([]);
    expect(
      webhookEventsOfAudit(
        newId,
        auditFields({ action: 'auth.login.failed', actor: system, tenantId: null, details: {} }, at),
      ),
    ).toEqual([]);
  });

  it('filters: exact types, prefix wildcards on a dot boundary, and *', () => {
    expect(webhookFilterMatches(['account.*'], 'account.created')).toBe(true);
    expect(webhookFilterMatches(['auth.login.*'], 'auth.login.failed')).toBe(true);
    expect(webhookFilterMatches(['auth.*'], 'auth.refresh_reuse_detected')).toBe(true);
    expect(webhookFilterMatches(['account.*'], 'api_key.created')).toBe(false);
    expect(webhookFilterMatches(['group.member_added'], 'group.member_removed')).toBe(false);
    expect(webhookFilterMatches(['*'], 'webhook.test')).toBe(true);
    expect(webhookEventTypes).toEqual(
      expect.arrayContaining([
        'account.created',
        'account.updated',
        'account.status_changed',
        'account.deleted',
        'person.deleted',
        'session.created',
        'session.ended',
        'auth.login.failed',
        'auth.refresh_reuse_detected',
        'group.member_added',
        'group.member_removed',
        'role.assigned',
        'policy.updated',
        'api_key.created',
        'api_key.revoked',
        'kyc.status_changed',
        'invite.created',
        'invite.accepted',
      ]),
    );
  });
});
