import type { AccountRecord } from '../accounts/ports.js';
import type { Repositories } from '../store.js';
import { clientSendKey } from '../throttle/send-limits.js';
import type { ErasureActor, ErasureCounts, PersonalValues } from './ports.js';

/** The session end reason of an erasure (the sessions list and the feed show it). */
export const ERASURE_REASON = 'person_erased';

/**
 * What identifies the person in rows keyed by a value rather than an id: throttle and send counters end in
 * `:<value>` (`account:<tenant>:<email>`, `account:<tenant>:phone:<phone>`, `send:email:<email>`), client
 * counters are `client:<ip>` and `send:<client key>`. Both stores delete the rows whose key matches.
 */
export function erasureKeys(values: PersonalValues): { suffixes: string[]; exact: string[] } {
  const ips = [...new Set(values.clients.map((c) => c.ip).filter((ip): ip is string => ip !== null))];
  return {
    suffixes: [
      ...new Set([...values.emails, ...values.phones, ...values.subjects, `person:${values.personId}`]),
    ].map((v) => `:${v}`),
    exact: ips.flatMap((ip) => [`client:${ip}`, `send:${clientSendKey(ip)}`]),
  };
}

/** Whether a counter's key is the person's (see `erasureKeys`). */
export const keyIsTheirs = (key: string, keys: ReturnType<typeof erasureKeys>): boolean =>
  keys.exact.includes(key) || keys.suffixes.some((suffix) => key.endsWith(suffix));

/** Every account of the person, in every tenant (read in pages). */
async function accountsOf(repos: Repositories, personId: string): Promise<AccountRecord[]> {
  const all: AccountRecord[] = [];
  for (;;) {
    const last = all.at(-1);
    const page = await repos.accounts.ofPerson(personId, {
      after: last ? { createdAt: last.createdAt, id: last.id } : undefined,
      limit: 200,
    });
    all.push(...page);
    if (page.length < 200) return all;
  }
}

/**
 * Erases a person (#15), inside the caller's unit of work, so it all commits or none of it does: every
 * session ends (the revocation feed hears of each, so verifiers refuse their tokens), every account is
 * `deleted` with its metadata emptied and its grant version bumped, then the store erases what the
 * personal-data registry declares in every table (rows deleted, columns nulled, audit events stripped of
 * their personal fields with the chain kept whole). Events about the erasure name pseudonymous ids only,
 * and carry no address or user agent (the request that asked for it came from the person's client).
 */
export async function erasePerson(
  repos: Repositories,
  input: { personId: string; by: ErasureActor; at: Date; requestId?: string | null; tenantId: string | null },
): Promise<{ accounts: number; sessionsEnded: number; counts: ErasureCounts }> {
  const { personId, by, at } = input;
  const accounts = await accountsOf(repos, personId);
  let sessionsEnded = await repos.accountSessions.endAllOfPerson(personId, ERASURE_REASON);
  for (const account of accounts) {
    // Sessions the person's accounts held as someone else (impersonation) end too.
    sessionsEnded += await repos.accountSessions.endActedBy(account.id, ERASURE_REASON);
  }
  const values = await repos.privacy.personalValues(personId);
  for (const account of accounts) {
    await repos.accounts.update(account.id, {
      status: {
        status: 'deleted',
        statusReason: null,
        statusChangedAt: at,
        statusChangedBy: by.type === 'system' || by.id === null ? null : { type: by.type, id: by.id },
        lockedUntil: null,
      },
      metadata: { publicMetadata: {}, privateMetadata: {}, userMetadata: {} },
    });
    await repos.accounts.bumpGrantVersion(account.id);
  }
  const counts = await repos.privacy.erase(values);
  const actor = { type: by.type, id: by.id };
  for (const account of accounts) {
    repos.audit.record({
      action: 'account.erased',
      actor,
      tenantId: account.tenantId,
      target: { type: 'account', id: account.id },
      requestId: input.requestId ?? null,
    });
  }
  repos.audit.record({
    action: 'privacy.person.erased',
    actor,
    tenantId: input.tenantId,
    target: { type: 'person', id: personId },
    requestId: input.requestId ?? null,
    details: { accounts: accounts.length, sessions_ended: sessionsEnded, rows: counts },
  });
  return { accounts: accounts.length, sessionsEnded, counts };
}
