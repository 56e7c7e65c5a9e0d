import { tenantLimitsOf } from '@enforcer/contract';
import type { CodeChannel } from '../codes/send-code.js';
import { AppError } from '../errors.js';
import type { Repositories } from '../store.js';
import type { TenantRecord } from '../tenants/ports.js';

/**
 * What one destination and one client may be sent, whatever the tenant. A person asks for a code or two;
 * mail bombing and SMS pumping ask for hundreds.
 */
export interface SendLimits {
  /** Codes to one email address or phone number, every tenant and purpose together, per clock hour. */
  perDestinationPerHour: number;
  /** Codes requested from one client address (IPv6: its /64) per clock hour. */
  perClientPerHour: number;
}

/** The defaults (`SEND_LIMIT_PER_DESTINATION`, `SEND_LIMIT_PER_CLIENT` change them on the server). */
export const SEND_LIMITS: SendLimits = Object.freeze({
  /** Codes to one email address or phone number, every tenant and purpose together, per clock hour. */
  perDestinationPerHour: 5,
  /** Codes requested from one client address (IPv6: its /64) per clock hour. */
  perClientPerHour: 30,
});

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** One send to count: where it goes, for which tenant (null: a code that only proves an address), from whom. */
export interface Send {
  channel: CodeChannel;
  /** A lower-cased email or an E.164 number. */
  address: string;
  tenant: TenantRecord | null;
  /** The client's address as seen (null when unknown: the mock without one). */
  ip: string | null;
}

/**
 * The key one client address counts under: an IPv4 address as is, an IPv6 address by its /64, since one
 * subscriber holds a whole /64 and can pick a new address in it for every request.
 */
export function clientSendKey(ip: string): string {
  if (!ip.includes(':')) return `ip:${ip}`;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return `ip:${mapped[1]}`;
  const [head = '', tail = ''] = ip.toLowerCase().split('::', 2);
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = ip.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `ip6:${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

interface Budget {
  key: string;
  limit: number;
  what: string;
}

/**
 * Counts one code about to be sent against every budget it spends, in the unit of work that issues it:
 * one destination (`SEND_LIMITS.perDestinationPerHour`), one client address (`perClientPerHour`), the
 * tenant's hour (`limits.max_code_sends_per_hour`) and, for SMS, the tenant's day (`limits.max_sms_per_day`).
 * Over any of them it throws `429 rate_limited` with `Retry-After` (the end of that window), and the unit of
 * work rolls back, so a refused request spends nothing. The answer does not depend on whether the address
 * belongs to anyone: it counts requests, not people.
 */
export async function countSend(
  repos: Repositories,
  at: Date,
  send: Send,
  sendLimits: SendLimits = SEND_LIMITS,
): Promise<void> {
  const limits = send.tenant ? tenantLimitsOf(send.tenant.limits) : undefined;
  const hourly: Budget[] = [
    {
      key: `send:${send.channel}:${send.address}`,
      limit: sendLimits.perDestinationPerHour,
      what: 'codes to this address',
    },
  ];
  if (send.ip) {
    hourly.push({
      key: `send:${clientSendKey(send.ip)}`,
      limit: sendLimits.perClientPerHour,
      what: 'codes requested from your network',
    });
  }
  if (send.tenant && limits) {
    hourly.push({
      key: `send:tenant:${send.tenant.id}`,
      limit: limits.max_code_sends_per_hour,
      what: "this app's codes",
    });
  }
  const daily: Budget[] =
    send.channel === 'sms' && send.tenant && limits
      ? [
          {
            key: `send:sms-day:${send.tenant.id}`,
            limit: limits.max_sms_per_day,
            what: "this app's text messages today",
          },
        ]
      : [];
  await spend(repos, at, HOUR_MS, hourly);
  if (daily.length > 0) await spend(repos, at, DAY_MS, daily);
}

async function spend(repos: Repositories, at: Date, windowMs: number, budgets: Budget[]): Promise<void> {
  const windowStart = Math.floor(at.getTime() / windowMs) * windowMs;
  const counts = await repos.sends.count(
    budgets.map((b) => b.key),
    new Date(windowStart),
  );
  const over = budgets.find((budget, i) => (counts[i] ?? 0) > budget.limit);
  if (!over) return;
  const retryAfter = Math.max(1, Math.ceil((windowStart + windowMs - at.getTime()) / 1000));
  throw new AppError('rate_limited', `Too many ${over.what}: try again in ${retryAfter} seconds`, {
    headers: { 'retry-after': String(retryAfter) },
  });
}
