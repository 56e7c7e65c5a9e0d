import {
  type contract,
  type DeletionRequest,
  defaultDeletionGraceDays,
  type PersonalDataExport,
} from '@enforcer/contract';
import type { AccountRecord } from '../accounts/ports.js';
import { callerOf, type HandlerContext, type Handlers } from '../api/handlers.js';
import { auditEventView } from '../audit/handlers.js';
import type { AuditRecord } from '../audit/ports.js';
import { auditActorOf, refuseImpersonation, type UserCaller } from '../caller.js';
import { AppError } from '../errors.js';
import { queueDeletionPendingNotice } from '../messaging/notices.js';
import type { MessageOutboxDeps } from '../messaging/outbox.js';
import { pageRequest, toPage } from '../pagination.js';
import type { Clock } from '../platform.js';
import type { SessionRecord } from '../sessions/ports.js';
import type { Repositories, UnitOfWork } from '../store.js';
import { inviteStatus } from '../tenants/ports.js';
import { erasePerson } from './erasure.js';
import type { DeletionRequestRecord, ErasureActor } from './ports.js';

export interface PrivacyDeps {
  uow: UnitOfWork;
  clock: Clock;
  /**
   * The mail outbox (the server's): a scheduled deletion is noticed to the person (`deletion_pending`),
   * queued with the request. Without it (the mock), no notice.
   */
  outbox?: MessageOutboxDeps;
}

/** How fresh the proof behind `POST /auth/me/deletion` must be: a step-up, or a sign-in for a person without a second factor. */
export const DELETION_PROOF_MAX_AGE_MS = 10 * 60 * 1000;
const DAY_MS = 86_400_000;

export const deletionRequestView = (r: DeletionRequestRecord): DeletionRequest => ({
  id: r.id,
  status: r.status,
  tenant_id: r.tenantId,
  account_id: r.accountId,
  requested_at: r.createdAt.toISOString(),
  scheduled_for: r.scheduledFor.toISOString(),
  cancelled_at: r.cancelledAt?.toISOString() ?? null,
  completed_at: r.completedAt?.toISOString() ?? null,
  processed_by: r.processedBy,
});

const userOf = (ctx: HandlerContext, what: string): UserCaller => {
  const caller = callerOf(ctx);
  if (caller.kind !== 'user') throw new AppError('unauthenticated', 'This call needs a signed-in user');
  refuseImpersonation(caller, what);
  return caller;
};

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

const sessionView = (s: SessionRecord) => ({
  id: s.id,
  tenant_id: s.tenantId,
  account_id: s.accountId,
  amr: [...s.amr],
  ip: s.ip,
  user_agent: s.userAgent,
  created_at: s.createdAt.toISOString(),
  last_used_at: s.lastUsedAt.toISOString(),
});

/** Every row of a paged read (`read(after)` answers a page of at most `size`, oldest or newest first). */
async function all<R extends { createdAt: Date; id: string }>(
  read: (page: { after: { createdAt: Date; id: string } | undefined; limit: number }) => Promise<R[]>,
  size = 500,
): Promise<R[]> {
  const rows: R[] = [];
  for (;;) {
    const last = rows.at(-1);
    const page = await read({ after: last && { createdAt: last.createdAt, id: last.id }, limit: size });
    rows.push(...page);
    if (page.length < size) return rows;
  }
}

/** The export document (`GET /auth/me/export`): what the stores hold about the person, secrets left out. */
export async function personalDataExport(
  repos: Repositories,
  personId: string,
  now: Date,
): Promise<PersonalDataExport> {
  const person = await repos.persons.find(personId);
  if (!person) throw new AppError('not_found', 'No such person');
  const accounts: AccountRecord[] = await all((page) => repos.accounts.ofPerson(personId, page), 200);
  const profiles = new Map((await repos.accounts.profiles(accounts.map((a) => a.id))).map((p) => [p.id, p]));
  const tenants = new Map<string, { id: string; code: string; name: string }>();
  for (const account of accounts) {
    const tenant = await repos.tenants.find(account.tenantId);
    if (tenant) tenants.set(tenant.id, { id: tenant.id, code: tenant.code, name: tenant.name });
  }
  const identities = await repos.identities.ofPerson(personId);
  const passkeys = await repos.passkeys.ofPerson(personId);
  const values = await repos.privacy.personalValues(personId);
  const traces = await repos.privacy.traces(values);
  const live = (session: SessionRecord) =>
    session.revokedAt === null && session.absoluteExpiresAt.getTime() > now.getTime();
  const sessions = traces.sessions.filter(live);
  const ended = traces.sessions
    .filter((session) => !live(session))
    .map((session) => ({
      session,
      endedAt: session.revokedAt ?? session.absoluteExpiresAt,
      reason: session.revokedAt ? (session.revokeReason ?? 'revoked') : 'expired',
    }))
    .sort((a, b) => b.endedAt.getTime() - a.endedAt.getTime() || (a.session.id < b.session.id ? 1 : -1));
  for (const invite of traces.invites) {
    if (tenants.has(invite.tenantId)) continue;
    const tenant = await repos.tenants.find(invite.tenantId);
    if (tenant) tenants.set(tenant.id, { id: tenant.id, code: tenant.code, name: tenant.name });
  }
  const usable = (row: { consumedAt: Date | null; expiresAt: Date }) =>
    row.consumedAt === null && row.expiresAt.getTime() > now.getTime();
  const about = [{ type: 'person', id: personId }, ...accounts.map((a) => ({ type: 'account', id: a.id }))];
  const events = new Map<string, AuditRecord>();
  for (const tenantId of new Set(accounts.map((a) => a.tenantId))) {
    const found = await all((page) => repos.auditEvents.listNewestFirst({ tenantId, about }, page));
    for (const event of found) events.set(event.id, event);
  }
  const pending = await repos.privacy.pendingOf(personId);
  return {
    format: 'enforcer.personal-data-export.v1',
    exported_at: now.toISOString(),
    person: {
      id: person.id,
      email: person.email,
      email_verified: person.emailVerifiedAt !== null,
      created_at: person.createdAt.toISOString(),
      profile: {
        display_name: person.profile.displayName,
        avatar_url: person.profile.avatarUrl,
        locale: person.profile.locale,
        time_zone: person.profile.timeZone,
      },
    },
    accounts: accounts.map((a) => ({
      id: a.id,
      tenant: tenants.get(a.tenantId) ?? { id: a.tenantId, code: '', name: '' },
      roles: [...a.roles],
      groups: profiles.get(a.id)?.groups ?? [],
      status: a.status,
      created_at: a.createdAt.toISOString(),
      public_metadata: a.metadata.publicMetadata,
      user_metadata: a.metadata.userMetadata,
    })),
    contacts: {
      emails: person.email ? [person.email] : [],
      phones: identities.filter((i) => i.provider === 'phone_otp').map((i) => i.subject),
    },
    identities: identities.map((i) => ({
      id: i.id,
      provider: i.provider,
      subject: i.subject,
      email: i.email,
      verified_at: i.verifiedAt.toISOString(),
      created_at: i.createdAt.toISOString(),
      last_used_at: iso(i.lastUsedAt),
    })),
    passkeys: passkeys.map((p) => ({
      id: p.id,
      name: p.name,
      rp_id: p.rpId,
      aaguid: p.aaguid,
      device_type: p.deviceType,
      backed_up: p.backedUp,
      transports: [...p.transports],
      created_at: p.createdAt.toISOString(),
      last_used_at: iso(p.lastUsedAt),
    })),
    credentials: {
      password: (await repos.passwords.find(personId)) !== null,
      totp: (await repos.mfa.findTotp(personId))?.enabledAt != null,
    },
    sessions: sessions.map(sessionView),
    ended_sessions: ended.map(({ session, endedAt, reason }) => ({
      ...sessionView(session),
      ended_at: endedAt.toISOString(),
      end_reason: reason,
    })),
    invites: traces.invites.map((i) => ({
      id: i.id,
      tenant: tenants.get(i.tenantId) ?? { id: i.tenantId, code: '', name: '' },
      email: i.email,
      phone: i.phone,
      roles: [...i.roles],
      groups: [...i.groups],
      status: inviteStatus(i, now),
      created_at: i.createdAt.toISOString(),
      expires_at: i.expiresAt.toISOString(),
      accepted_at: iso(i.acceptedAt),
      accepted_account_id:
        i.acceptedBy !== null && values.accountIds.includes(i.acceptedBy) ? i.acceptedBy : null,
    })),
    pending_codes: traces.codes.filter(usable).map((c) => ({
      id: c.id,
      purpose: c.purpose,
      tenant_id: c.tenantId,
      sent_to: c.address,
      created_at: c.createdAt.toISOString(),
      expires_at: c.expiresAt.toISOString(),
    })),
    pending_magic_links: traces.magicLinks.filter(usable).map((l) => ({
      id: l.id,
      tenant_id: l.tenantId,
      email: l.email,
      created_at: l.createdAt.toISOString(),
      expires_at: l.expiresAt.toISOString(),
    })),
    audit_events: [...events.values()]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .map(auditEventView),
    deletion_request: pending ? deletionRequestView(pending) : null,
  };
}

/** The person's pending deletion, as `GET /auth/me` and a sign-in show it (null when none). */
export async function pendingDeletionOf(
  repos: Repositories,
  personId: string,
): Promise<{ id: string; scheduled_for: string } | null> {
  const pending = await repos.privacy.pendingOf(personId);
  return pending ? { id: pending.id, scheduled_for: pending.scheduledFor.toISOString() } : null;
}

/**
 * Carries a pending request out, in the caller's unit of work: the person is erased (`erasePerson`), the
 * request completed. The request row names pseudonymous ids only, so it stays as the record of the erasure.
 */
export async function processDeletion(
  repos: Repositories,
  request: DeletionRequestRecord,
  by: ErasureActor,
  at: Date,
  requestId: string | null = null,
) {
  const erased = await erasePerson(repos, {
    personId: request.personId,
    by,
    at,
    tenantId: request.tenantId,
    requestId,
  });
  await repos.privacy.update(request.id, { status: 'completed', completedAt: at, processedBy: by });
  return { request: { ...request, status: 'completed' as const, completedAt: at, processedBy: by }, erased };
}

/** Requests erased per run of the job, each in its own unit of work. */
export const DELETION_JOB_BATCH = 50;

/**
 * The job (server: `domains/privacy/deletion-job.ts`, every few minutes): erases the persons whose grace
 * period ended. Each request in its own unit of work, re-read under its lock (a cancel or an admin's
 * process that got there first wins); a failure of one is left pending for the next run. Answers how many
 * were erased.
 */
export async function processDueDeletions(deps: PrivacyDeps, limit = DELETION_JOB_BATCH): Promise<number> {
  const now = deps.clock.now();
  const due = await deps.uow.read((repos) => repos.privacy.due(now, limit));
  let done = 0;
  for (const candidate of due) {
    const erased = await deps.uow.transaction(async (repos) => {
      const request = await repos.privacy.find(candidate.tenantId, candidate.id, { lock: true });
      if (request?.status !== 'pending' || request.scheduledFor.getTime() > now.getTime()) return false;
      await processDeletion(repos, request, { type: 'system', id: null }, deps.clock.now());
      return true;
    });
    if (erased) done++;
  }
  return done;
}

/** Whether the caller's session proves the person recently enough to ask for erasure. */
async function assertFreshProof(repos: Repositories, caller: UserCaller, now: Date): Promise<void> {
  const session = await repos.sessions.findSession(caller.sessionId);
  const fresh = (at: Date | null | undefined) =>
    !!at && now.getTime() - at.getTime() <= DELETION_PROOF_MAX_AGE_MS;
  if (session && fresh(session.mfaAt)) return;
  const totp = await repos.mfa.findTotp(caller.personId);
  const hasSecondFactor = totp?.enabledAt != null;
  if (session && !hasSecondFactor && fresh(session.createdAt)) return;
  throw new AppError(
    'step_up_required',
    hasSecondFactor
      ? 'Prove your second factor again first (POST /auth/mfa/step-up), then ask within 10 minutes'
      : 'Sign in again first, then ask within 10 minutes',
  );
}

/** The privacy routes: a person's export and deletion requests, the tenant admin's requests and settings. */
export const privacyHandlers = (deps: PrivacyDeps): Handlers<typeof contract.privacy> => {
  const { uow, clock } = deps;
  return {
    export: async (_request, ctx) => {
      const caller = userOf(ctx, "export the person's data");
      const body = await uow.read((repos) => personalDataExport(repos, caller.personId, clock.now()));
      return { status: 200, body };
    },

    requestDeletion: async (_request, ctx) => {
      const caller = userOf(ctx, 'ask for the person to be erased');
      const answer = await uow.transaction(async (repos) => {
        // Serialises requests of one person (the store's unique index is the guard behind it).
        await repos.persons.lock(`privacy:${caller.personId}`);
        const existing = await repos.privacy.pendingOf(caller.personId);
        if (existing) return { status: 200 as const, body: deletionRequestView(existing) };
        const now = clock.now();
        await assertFreshProof(repos, caller, now);
        const days = (await repos.privacy.graceDays(caller.tenantId)) ?? defaultDeletionGraceDays;
        const created = await repos.privacy.create({
          tenantId: caller.tenantId,
          accountId: caller.accountId,
          personId: caller.personId,
          status: 'pending',
          createdAt: now,
          scheduledFor: new Date(now.getTime() + days * DAY_MS),
          cancelledAt: null,
          completedAt: null,
          processedBy: null,
        });
        repos.audit.record({
          action: 'privacy.deletion.requested',
          actor: auditActorOf(caller),
          tenantId: caller.tenantId,
          target: { type: 'person', id: caller.personId },
          ...ctx.client,
          details: { deletion_request_id: created.id, scheduled_for: created.scheduledFor.toISOString() },
        });
        if (deps.outbox) {
          await queueDeletionPendingNotice(repos, deps.outbox, {
            personId: caller.personId,
            tenantId: caller.tenantId,
            scheduledFor: created.scheduledFor,
          });
        }
        return { status: 201 as const, body: deletionRequestView(created) };
      });
      if (answer.status === 201) deps.outbox?.onQueued?.();
      return answer;
    },

    deletion: async (_request, ctx) => {
      const caller = userOf(ctx, "read the person's deletion request");
      const pending = await uow.read((repos) => repos.privacy.pendingOf(caller.personId));
      return { status: 200, body: { deletion_request: pending ? deletionRequestView(pending) : null } };
    },

    cancelDeletion: async (_request, ctx) => {
      const caller = userOf(ctx, "cancel the person's deletion request");
      const body = await uow.transaction(async (repos) => {
        await repos.persons.lock(`privacy:${caller.personId}`);
        const pending = await repos.privacy.pendingOf(caller.personId);
        if (!pending) throw new AppError('not_found', 'No deletion request is pending');
        const locked = await repos.privacy.find(pending.tenantId, pending.id, { lock: true });
        if (locked?.status !== 'pending') throw new AppError('not_found', 'No deletion request is pending');
        const now = clock.now();
        await repos.privacy.update(pending.id, { status: 'cancelled', cancelledAt: now });
        repos.audit.record({
          action: 'privacy.deletion.cancelled',
          actor: auditActorOf(caller),
          tenantId: caller.tenantId,
          target: { type: 'person', id: caller.personId },
          ...ctx.client,
          details: { deletion_request_id: pending.id },
        });
        return deletionRequestView({ ...pending, status: 'cancelled', cancelledAt: now });
      });
      return { status: 200, body };
    },

    listRequests: async ({ query }, ctx) => {
      const caller = callerOf(ctx);
      const rows = await uow.read((repos) =>
        repos.privacy.list(caller.tenantId, { ...pageRequest(query), status: query.status }),
      );
      return { status: 200, body: toPage(rows, query.limit, deletionRequestView) };
    },

    processRequest: async ({ params }, ctx) => {
      const caller = callerOf(ctx);
      // Applications' tokens reach only the decision routes (#18); never this one.
      if (caller.kind === 'client')
        throw new AppError('forbidden', 'An application cannot process deletion requests');
      const by: ErasureActor =
        caller.kind === 'user'
          ? { type: 'account', id: caller.accountId }
          : { type: 'api_key', id: caller.apiKeyId };
      const body = await uow.transaction(async (repos) => {
        const request = await repos.privacy.find(caller.tenantId, params.id, { lock: true });
        if (!request) throw new AppError('not_found', 'No such deletion request');
        if (request.status !== 'pending') {
          throw new AppError('status_conflict', `This deletion request is ${request.status}`);
        }
        const done = await processDeletion(repos, request, by, clock.now(), ctx.client.requestId ?? null);
        return {
          deletion_request: deletionRequestView(done.request),
          erased: {
            accounts: done.erased.accounts,
            sessions_ended: done.erased.sessionsEnded,
            rows: done.erased.counts,
          },
        };
      });
      return { status: 200, body };
    },

    settings: async (_request, ctx) => {
      const caller = callerOf(ctx);
      const days = await uow.read((repos) => repos.privacy.graceDays(caller.tenantId));
      return { status: 200, body: { deletion_grace_days: days ?? defaultDeletionGraceDays } };
    },

    updateSettings: async ({ body }, ctx) => {
      const caller = callerOf(ctx);
      const days = await uow.transaction(async (repos) => {
        const before = await repos.privacy.graceDays(caller.tenantId);
        await repos.privacy.setGraceDays(caller.tenantId, body.deletion_grace_days);
        repos.audit.record({
          action: 'privacy.settings.updated',
          actor: auditActorOf(caller),
          tenantId: caller.tenantId,
          target: { type: 'tenant', id: caller.tenantId },
          ...ctx.client,
          details: {
            deletion_grace_days: {
              from: before ?? defaultDeletionGraceDays,
              to: body.deletion_grace_days ?? defaultDeletionGraceDays,
            },
          },
        });
        return body.deletion_grace_days;
      });
      return { status: 200, body: { deletion_grace_days: days ?? defaultDeletionGraceDays } };
    },
  };
};
