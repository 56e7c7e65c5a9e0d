import type { WebhookEvent, WebhookEventData, WebhookEventType } from '@enforcer/contract';
import type { AuditFields } from '../audit/ports.js';

/**
 * Which audit events are also webhook events, and what their payload says. Audit is where every change
 * is already recorded in the transaction that makes it, so the outbox row is written there too (both
 * stores' `AuditLog.record` call `webhookEventsOfAudit`): one place decides, the server and the mock agree.
 */

type Mapped = { [T in WebhookEventType]: { type: T; data: WebhookEventData<T> } }[WebhookEventType];

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/** Status changes by audit action: the status the account is in afterwards. */
const statusAfter: Record<string, 'active' | 'locked' | 'banned' | 'deactivated'> = {
  'account.locked': 'locked',
  'account.unlocked': 'active',
  'account.lock.expired': 'active',
  'account.banned': 'banned',
  'account.unbanned': 'active',
  'account.deactivated': 'deactivated',
  'account.activated': 'active',
  'account.restored': 'active',
};
const accountStatuses = new Set(['active', 'locked', 'banned', 'deactivated', 'deleted']);
const statusOrNull = (value: unknown) =>
  typeof value === 'string' && accountStatuses.has(value)
    ? (value as 'active' | 'locked' | 'banned' | 'deactivated' | 'deleted')
    : null;

/** What an `account.updated` says changed, by audit action: the parts and their written keys. */
function accountUpdate(
  action: string,
  d: Record<string, unknown>,
): { changed: string[]; fields: Record<string, string[]> } | null {
  switch (action) {
    case 'account.metadata.updated': {
      const fields: Record<string, string[]> = {};
      if (Array.isArray(d.public_fields)) fields.public_metadata = strings(d.public_fields);
      if (Array.isArray(d.private_fields)) fields.private_metadata = strings(d.private_fields);
      return { changed: Object.keys(fields), fields };
    }
    case 'account.user_metadata.updated':
      return { changed: ['user_metadata'], fields: { user_metadata: strings(d.fields) } };
    case 'account.mfa.reset':
      return { changed: ['mfa'], fields: {} };
    default:
      return null;
  }
}

const target = (fields: AuditFields, type: string): string | null =>
  fields.targetType === type ? fields.targetId : null;
const actorAccount = (fields: AuditFields): string | null =>
  fields.actorType === 'account' ? fields.actorId : null;

const sessionOpened = (sessionId: unknown, accountId: string | null): Mapped[] => {
  const session = str(sessionId);
  return session
    ? [{ type: 'session.created', data: { session_id: session, account_id: accountId, provider: null } }]
    : [];
};

/**
 * The catalogue events an audit event stands for, in order: most stand for none, one for one, a few for
 * several (accepting an invite: the invite taken, an account made, a session opened).
 */
export function webhookEventsOfAuditFields(fields: AuditFields): Mapped[] {
  const d = fields.details;
  const account = target(fields, 'account');
  switch (fields.action) {
    case 'auth.invite.accepted': {
      const invite = target(fields, 'invite');
      const by = actorAccount(fields);
      if (!invite || !by) return [];
      return [
        { type: 'invite.accepted', data: { invite_id: invite, account_id: by } },
        { type: 'account.created', data: { account_id: by, via: 'invite', roles: strings([d.role]) } },
        ...sessionOpened(d.session_id, by),
      ];
    }
    case 'auth.tenant.joined':
      return account
        ? [
            { type: 'account.created', data: { account_id: account, via: 'join', roles: strings([d.role]) } },
            ...sessionOpened(d.session_id, account),
          ]
        : [];
    case 'auth.tenant.switched':
      return sessionOpened(target(fields, 'session'), actorAccount(fields));
    case 'account.provisioned': {
      const invite = target(fields, 'invite');
      return invite
        ? [{ type: 'invite.created', data: { invite_id: invite, role: strings(d.roles)[0] ?? null } }]
        : [];
    }
    default: {
      const one = webhookEventOfAuditFields(fields);
      return [...(one ? [one] : []), ...sessionsEnded(fields)];
    }
  }
}

/**
 * The sessions a change ended besides what it says itself (an admin ending an account's sessions, a
 * deactivation, lock, ban or deletion, a second-factor reset): one `session.ended` per id its audit event
 * lists (`session_ids`, `endedSessionsDetails`), after the change's own event.
 */
function sessionsEnded(fields: AuditFields): Mapped[] {
  const d = fields.details;
  if (fields.action === 'auth.session.ended' || fields.action === 'auth.logout') return [];
  const account = target(fields, 'account');
  // An admin ending one session (`DELETE /accounts/{id}/sessions/{session_id}`) names it alone.
  if (fields.action === 'account.sessions.ended' && d.scope === 'session') {
    const one = str(d.session_id);
    return one
      ? [{ type: 'session.ended', data: { session_id: one, account_id: account, reason: 'ended_by_admin' } }]
      : [];
  }
  const reason = str(d.session_end_reason);
  return strings(d.session_ids).map((session) => ({
    type: 'session.ended' as const,
    data: { session_id: session, account_id: account, reason },
  }));
}

/** The one catalogue event of an audit event that stands for at most one, or null. */
function webhookEventOfAuditFields(fields: AuditFields): Mapped | null {
  const d = fields.details;
  const account = target(fields, 'account');
  switch (fields.action) {
    case 'auth.account.created':
      return account
        ? {
            type: 'account.created',
            data: { account_id: account, via: str(d.via), roles: d.role ? [String(d.role)] : [] },
          }
        : null;
    case 'account.role.changed':
    case 'account.role.added':
    case 'account.role.removed':
      return account
        ? {
            type: 'role.assigned',
            data: {
              account_id: account,
              roles_before: strings(d.roles_before),
              roles_after: strings(d.roles_after),
            },
          }
        : null;
    case 'account.deleted':
      return account
        ? { type: 'account.deleted', data: { account_id: account, reason: str(d.reason) } }
        : null;
    case 'auth.login.succeeded': {
      const session = target(fields, 'session');
      return session
        ? {
            type: 'session.created',
            data: { session_id: session, account_id: actorAccount(fields), provider: str(d.provider) },
          }
        : null;
    }
    case 'auth.session.ended':
      return {
        type: 'session.ended',
        data: {
          session_id: target(fields, 'session') ?? str(d.session_id),
          account_id: actorAccount(fields),
          reason: str(d.reason) ?? 'ended',
        },
      };
    case 'auth.logout':
      return {
        type: 'session.ended',
        data: {
          session_id: target(fields, 'session') ?? str(d.session_id),
          account_id: actorAccount(fields),
          reason: 'logout',
        },
      };
    case 'auth.login.failed':
      return {
        type: 'auth.login.failed',
        data: { account_id: account, provider: str(d.provider), reason: str(d.reason) },
      };
    case 'auth.refresh_token.reused': {
      const session = target(fields, 'session');
      return session
        ? {
            type: 'auth.refresh_reuse_detected',
            data: { session_id: session, account_id: actorAccount(fields) },
          }
        : null;
    }
    case 'group.member.added':
    case 'group.member.removed': {
      const group = str(d.group_id);
      if (!account || !group) return null;
      const data = { group_id: group, group: str(d.group), account_id: account };
      return fields.action === 'group.member.added'
        ? { type: 'group.member_added', data }
        : { type: 'group.member_removed', data };
    }
    case 'policy.updated':
      return { type: 'policy.updated', data: { version: num(d.version), etag: str(d.to_etag) } };
    case 'api_key.created': {
      const key = target(fields, 'api_key');
      return key
        ? {
            type: 'api_key.created',
            data: { api_key_id: key, name: str(d.name) ?? '', role: str(d.role) },
          }
        : null;
    }
    case 'api_key.revoked': {
      const key = target(fields, 'api_key');
      return key ? { type: 'api_key.revoked', data: { api_key_id: key, name: str(d.name) } } : null;
    }
    case 'invite.created': {
      const invite = target(fields, 'invite');
      return invite ? { type: 'invite.created', data: { invite_id: invite, role: str(d.role) } } : null;
    }
    case 'person.deleted': {
      const person = target(fields, 'person');
      return person ? { type: 'person.deleted', data: { person_id: person } } : null;
    }
    case 'kyc.status_changed': {
      // The KYC module (kyc/decide.ts) records the account as target and the person, `from` and `to` in details.
      const person = target(fields, 'person') ?? str(d.person_id);
      const status = str(d.to) ?? str(d.status);
      return person && status
        ? {
            type: 'kyc.status_changed',
            data: {
              person_id: person,
              account_id: account ?? str(d.account_id),
              status,
              level: str(d.level) ?? (status === 'approved' ? 'verified' : 'none'),
            },
          }
        : null;
    }
    default:
      break;
  }
  const to = statusAfter[fields.action];
  if (to && account) {
    return {
      type: 'account.status_changed',
      data: { account_id: account, from: statusOrNull(d.from), to, reason: str(d.reason) },
    };
  }
  const update = accountUpdate(fields.action, d);
  if (update && account) return { type: 'account.updated', data: { account_id: account, ...update } };
  return null;
}

/** An outbox row: the event and the exact body every delivery of it sends (and signs). */
export interface WebhookEventRecord {
  id: string;
  tenantId: string;
  type: WebhookEventType;
  /** The JSON body, fixed when the event is written: every attempt sends the same bytes. */
  payload: string;
  createdAt: Date;
}

/** The event's body as delivered. */
export const webhookEventBody = <T extends WebhookEventType>(
  id: string,
  tenantId: string,
  type: T,
  data: WebhookEventData<T>,
  at: Date,
): WebhookEvent<T> =>
  ({ id, type, timestamp: at.toISOString(), tenant_id: tenantId, data }) as unknown as WebhookEvent<T>;

/**
 * The outbox rows an audit event brings (often none: tenant-less events and events outside the catalogue
 * bring none). `newId` makes each new event's id (the store's).
 */
export function webhookEventsOfAudit(newId: () => string, fields: AuditFields): WebhookEventRecord[] {
  const { tenantId } = fields;
  if (!tenantId) return [];
  return webhookEventsOfAuditFields(fields).map((mapped) => {
    const id = newId();
    const body = webhookEventBody(id, tenantId, mapped.type, mapped.data as never, fields.createdAt);
    return { id, tenantId, type: mapped.type, payload: JSON.stringify(body), createdAt: fields.createdAt };
  });
}
