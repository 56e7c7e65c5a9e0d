import { constantTimeEqual } from '../codes/otp.js';

/**
 * Persona's inbound webhooks (docs.withpersona.com, "Webhook Best Practices"): the `Persona-Signature`
 * header is `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under the webhook secret>`. While a
 * secret rotates the header holds two such sets separated by a space; either may match. The raw bytes are
 * what is signed, so the body is never re-serialised before checking.
 */

export const PERSONA_SIGNATURE_HEADER = 'persona-signature';
/** How far a signature's `t` may be from now, either way (replays of an old delivery are refused). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

const encoder = new TextEncoder();

function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** Hex HMAC-SHA256 of `<t>.<raw body>` under `secret` (the secret's UTF-8 bytes are the key, as Persona's). */
export async function personaSignature(
  secret: string,
  timestamp: string,
  rawBody: Uint8Array,
): Promise<string> {
  const key = await globalThis.crypto.subtle.importKey(
    'raw',
    encoder.encode(secret) as BufferSource,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const prefix = encoder.encode(`${timestamp}.`);
  const message = new Uint8Array(prefix.length + rawBody.length);
  message.set(prefix, 0);
  message.set(rawBody, prefix.length);
  return toHex(new Uint8Array(await globalThis.crypto.subtle.sign('HMAC', key, message as BufferSource)));
}

/** The header a sender puts on `rawBody` at `timestamp` (for tests and the mock's provider stand-in). */
export async function personaSignatureHeader(
  secret: string,
  timestamp: number,
  rawBody: Uint8Array,
): Promise<string> {
  return `t=${timestamp},v1=${await personaSignature(secret, String(timestamp), rawBody)}`;
}

interface SignatureSet {
  t: string;
  v1: string[];
}

function parseHeader(header: string): SignatureSet[] {
  const sets: SignatureSet[] = [];
  for (const part of header.trim().split(/\s+/)) {
    const set: SignatureSet = { t: '', v1: [] };
    for (const pair of part.split(',')) {
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (name === 't') set.t = value;
      else if (name === 'v1') set.v1.push(value.toLowerCase());
    }
    if (set.t && set.v1.length > 0) sets.push(set);
  }
  return sets;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

/**
 * Checks a `Persona-Signature` header against the raw body: a set whose `t` is a whole number of seconds
 * within `toleranceSeconds` of now, and one of whose `v1` values equals the expected MAC (compared in
 * constant time). Every set is checked in full, so the time taken does not say which one failed.
 */
export async function verifyPersonaSignature(input: {
  header: string | undefined;
  rawBody: Uint8Array;
  secret: string;
  now: Date;
  toleranceSeconds?: number;
}): Promise<SignatureCheck> {
  const sets = input.header ? parseHeader(input.header) : [];
  if (sets.length === 0) return { ok: false, reason: 'missing' };
  const tolerance = input.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor(input.now.getTime() / 1000);
  let matched = false;
  let fresh = false;
  for (const set of sets) {
    if (!/^\d{1,12}$/.test(set.t)) continue;
    const expected = await personaSignature(input.secret, set.t, input.rawBody);
    let setMatched = false;
    for (const candidate of set.v1) if (constantTimeEqual(candidate, expected)) setMatched = true;
    if (!setMatched) continue;
    matched = true;
    if (Math.abs(nowSeconds - Number(set.t)) <= tolerance) fresh = true;
  }
  if (!matched) return { ok: false, reason: 'mismatch' };
  return fresh ? { ok: true } : { ok: false, reason: 'stale' };
}

/** What Enforcer reads from a Persona event (JSON:API): the event, and the inquiry it is about. */
export interface PersonaEvent {
  /** The event's id (`evt_…`): what makes deliveries idempotent. */
  eventId: string;
  /** `inquiry.approved`, `inquiry.declined`, … */
  name: string;
  /** The inquiry's `reference-id`: the Enforcer session id set when the hosted flow was opened. */
  referenceId: string | null;
  /** When the provider created the event (`attributes.created-at`), if it is a valid date. */
  occurredAt: Date | null;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The event's id, name and the inquiry's reference, or null when the body is not a Persona event. */
export function readPersonaEvent(body: unknown): PersonaEvent | null {
  if (!isObject(body) || !isObject(body.data)) return null;
  const { id, attributes } = body.data;
  if (typeof id !== 'string' || !isObject(attributes) || typeof attributes.name !== 'string') return null;
  const payload = isObject(attributes.payload) ? attributes.payload : null;
  const inquiry = payload && isObject(payload.data) ? payload.data : null;
  const inquiryAttributes = inquiry && isObject(inquiry.attributes) ? inquiry.attributes : null;
  const reference = inquiryAttributes?.['reference-id'];
  const created = typeof attributes['created-at'] === 'string' ? new Date(attributes['created-at']) : null;
  return {
    eventId: id,
    name: attributes.name,
    referenceId: typeof reference === 'string' ? reference : null,
    occurredAt: created && !Number.isNaN(created.getTime()) ? created : null,
  };
}

/** The Enforcer outcome of a Persona event, or null for events that decide nothing (created, started…). */
export function personaOutcome(name: string): 'approved' | 'rejected' | 'expired' | null {
  switch (name) {
    case 'inquiry.approved':
      return 'approved';
    case 'inquiry.declined':
    case 'inquiry.failed':
      return 'rejected';
    case 'inquiry.expired':
      return 'expired';
    default:
      return null;
  }
}

/** Persona's hosted flow for one inquiry: the template, the environment, our session as `reference-id`. */
export function personaHostedFlowUrl(input: {
  templateId: string;
  environmentId: string | null;
  referenceId: string;
  redirectUrl?: string | undefined;
}): string {
  const url = new URL('https://withpersona.com/verify');
  url.searchParams.set('inquiry-template-id', input.templateId);
  if (input.environmentId) url.searchParams.set('environment-id', input.environmentId);
  url.searchParams.set('reference-id', input.referenceId);
  if (input.redirectUrl) url.searchParams.set('redirect-uri', input.redirectUrl);
  return url.toString();
}
