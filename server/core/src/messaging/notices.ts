import type { PersonRecord } from '../persons/ports.js';
import { deviceLabel } from '../sessions/device.js';
import type { Repositories } from '../store.js';
import type { TenantRecord } from '../tenants/ports.js';
import { type MessageOutboxDeps, queueMail } from './outbox.js';

/** How many of an account's most recent distinct devices a sign-in is compared with. */
export const NEW_DEVICE_HISTORY = 50;

/**
 * Whether a sign-in of the account from `userAgent` comes from a new device: the account has signed in
 * before (it has sessions stored, live or ended), and none of them was from the same device, a device
 * being the coarse label of the `User-Agent` (`deviceLabel`: "Chrome on macOS", "Safari on iOS"). The
 * very first sign-in is never new (there is nothing to compare with), a browser update is not (the label
 * stays), another browser or system is. Compared with the last `NEW_DEVICE_HISTORY` devices.
 */
export async function isNewDevice(
  repos: Repositories,
  accountId: string,
  userAgent: string | null,
): Promise<boolean> {
  const seen = await repos.sessions.userAgentsOf(accountId, NEW_DEVICE_HISTORY);
  if (seen.length === 0) return false;
  const label = deviceLabel(userAgent);
  return !seen.some((agent) => deviceLabel(agent) === label);
}

/**
 * Before a session of the account is opened, in its unit of work: when it comes from a new device
 * (`isNewDevice`), the `new_device` notice is queued to the person's email (none without one), in the
 * person's locale, with the device's label, the client's address and the time. Queued with the session:
 * if the sign-in rolls back, no notice exists.
 */
export async function queueNewDeviceNotice(
  repos: Repositories,
  deps: MessageOutboxDeps,
  input: {
    accountId: string;
    person: PersonRecord;
    tenant: TenantRecord;
    client: { ip?: string | null; userAgent?: string | null };
  },
): Promise<boolean> {
  const userAgent = input.client.userAgent ?? null;
  if (!(await isNewDevice(repos, input.accountId, userAgent))) return false;
  const { person } = input;
  if (!person.email) return false;
  await queueMail(repos, deps, {
    tenant: input.tenant,
    kind: 'new_device',
    locale: person.profile.locale,
    to: person.email,
    variables: {
      device: deviceLabel(userAgent),
      ip_address: input.client.ip ?? 'unknown',
      signed_in_at: `${deps.clock.now().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    },
  });
  return true;
}

/**
 * When a person's deletion is scheduled (`POST /auth/me/deletion`), in its unit of work: the
 * `deletion_pending` notice to the person's email (none without one), in the person's locale, naming the
 * day the erasure is due. The tenant is the one the request was made in.
 */
export async function queueDeletionPendingNotice(
  repos: Repositories,
  deps: MessageOutboxDeps,
  input: { personId: string; tenantId: string; scheduledFor: Date },
): Promise<boolean> {
  const person = await repos.persons.find(input.personId);
  if (!person?.email) return false;
  const tenant = await repos.tenants.find(input.tenantId);
  await queueMail(repos, deps, {
    tenant,
    kind: 'deletion_pending',
    locale: person.profile.locale,
    to: person.email,
    variables: { due_date: input.scheduledFor.toISOString().slice(0, 10) },
  });
  return true;
}
