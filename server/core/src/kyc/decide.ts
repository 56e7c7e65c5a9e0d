import type { ClientInfo } from '../caller.js';
import type { Repositories } from '../store.js';
import type { KycSessionRecord, KycSessionStatus } from './ports.js';

export const DEFAULT_KYC_GROUP = 'verified';

/**
 * The tenant's KYC group, created (without permissions: the policy says what it unlocks) when the tenant
 * named one that does not exist yet. A new group is part of the effective policy: its version moves.
 */
export async function ensureKycGroup(repos: Repositories, tenantId: string, name: string) {
  const existing = await repos.groups.findByName(tenantId, name);
  if (existing) return existing;
  const group = await repos.groups.insert({
    tenantId,
    name,
    description: 'Joined when identity verification (KYC) is approved',
    permissions: [],
    builtIn: false,
  });
  await repos.policies.bumpVersion(tenantId);
  return group;
}

/** Adds or removes the account's membership of the tenant's KYC group; bumps its grant version on a change. */
async function setMembership(
  repos: Repositories,
  session: KycSessionRecord,
  groupName: string,
  member: boolean,
) {
  // Locked: membership changes of one account are serialised, so its grant version counts each.
  const account = await repos.accounts.find(session.tenantId, session.accountId, { lock: true });
  if (!account) return false;
  const group = member
    ? await ensureKycGroup(repos, session.tenantId, groupName)
    : await repos.groups.findByName(session.tenantId, groupName);
  if (!group) return false;
  const existing = await repos.groups.membership(group.id, account.id);
  if (member === (existing !== null)) return false;
  if (member) await repos.groups.addMember(group, account.id);
  else await repos.groups.removeMember(group.id, account.id);
  // Tokens minted before carry the old version; the revocation feed tells verifiers.
  await repos.accounts.bumpGrantVersion(account.id);
  return true;
}

/**
 * A provider's decision on a session, in the caller's unit of work: the session's status, the account's
 * membership of the tenant's group (joined on approval, left on rejection or expiry, grant version bumped
 * either way), the person's verification (a provider decision, not a carried one), and a
 * `kyc.status_changed` audit event with ids and statuses only. When the decision ends the person's
 * verification, every session carried from it into other tenants ends the same way.
 */
export async function decideKycSession(
  repos: Repositories,
  session: KycSessionRecord,
  to: Exclude<KycSessionStatus, 'pending'>,
  context: { now: Date; client: ClientInfo; source: string; eventAt?: Date | null },
): Promise<KycSessionRecord> {
  if (session.status === to) return session;
  const settings = await repos.kyc.settings(session.tenantId);
  const groupName = settings?.group ?? DEFAULT_KYC_GROUP;
  const eventAt = context.eventAt ?? null;
  await repos.kyc.setSessionStatus(session.id, to, context.now, eventAt);
  const membershipChanged = await setMembership(repos, session, groupName, to === 'approved');
  if (session.provider !== 'carried') {
    const current = await repos.kyc.verification(session.personId);
    // An approval always becomes the person's verification; an ending only ends the one it decided.
    if (to === 'approved' || current?.sessionId === session.id) {
      await repos.kyc.saveVerification({
        personId: session.personId,
        status: to,
        sessionId: session.id,
        tenantId: session.tenantId,
        decidedAt: context.now,
      });
    }
    if (to !== 'approved' && current?.sessionId === session.id) {
      for (const carried of await repos.kyc.carriedFrom(session.id)) {
        await decideKycSession(repos, carried, to, { ...context, source: 'carried', eventAt: null });
      }
    }
  }
  repos.audit.record({
    action: 'kyc.status_changed',
    actor: { type: 'system' },
    tenantId: session.tenantId,
    target: { type: 'account', id: session.accountId },
    ...context.client,
    details: {
      session_id: session.id,
      person_id: session.personId,
      provider: session.provider,
      from: session.status,
      to,
      group: groupName,
      membership_changed: membershipChanged,
      source: context.source,
    },
  });
  return { ...session, status: to, decidedAt: context.now, decisionEventAt: eventAt };
}
