import type { AttributeType, PolicyDocument } from '../policy/schema';
import { parseIsoTimestamp } from '../policy/values';

/**
 * What the policy engine learns about a session's second factor, from the access token's
 * `mfa_at` claim (epoch seconds of the sign-in with MFA or of the last step-up). The server
 * and offline verifiers both call this, so they decide alike:
 *
 * - `subject.attributes.mfa_at` (timestamp): when;
 * - `subject.attributes.mfa_age_seconds` (number): how long ago, at the time of the decision.
 *
 * Both are absent (null to the engine) for a session that never completed a second factor.
 * A policy that wants a recent one declares `"subject_attributes": { "mfa_age_seconds": "number" }`
 * and denies, e.g., `{ "not": { "lte": ["subject.attributes.mfa_age_seconds", 300] } }`:
 * null compares false, so "never" is denied too.
 */
export function mfaSubjectAttributes(
  claims: { mfa_at?: number | undefined },
  nowMs: number,
): Record<string, string | number> {
  if (claims.mfa_at === undefined) return {};
  return {
    mfa_at: new Date(claims.mfa_at * 1000).toISOString(),
    mfa_age_seconds: Math.max(0, Math.floor(nowMs / 1000) - claims.mfa_at),
  };
}

/** A subject attribute's value as tokens carry it (`attrs`) and decisions read it. */
export type SubjectAttributeValue = string | number | boolean | string[];

/** A subject attribute the policy fills from a key of the account's `public_metadata`. */
export interface MetadataAttributeSource {
  name: string;
  type: AttributeType;
  key: string;
}

const sourcePrefix = 'public_metadata.';

/** The document's subject attributes that come from public metadata (`{ type, from }` declarations). */
export function metadataAttributeSources(document: PolicyDocument): MetadataAttributeSource[] {
  const sources: MetadataAttributeSource[] = [];
  for (const [name, declaration] of Object.entries(document.subject_attributes ?? {})) {
    if (typeof declaration === 'string' || declaration.from === undefined) continue;
    sources.push({ name, type: declaration.type, key: declaration.from.slice(sourcePrefix.length) });
  }
  return sources;
}

/**
 * `raw` when its JSON type is `type`, else undefined: a mistyped value is left out, never coerced (`"3"`
 * is no number, an array holding a number is no `string[]`, a timestamp is an ISO 8601 string with a zone
 * that the engine reads). Strings longer than 1024 characters and lists of more than 100 are left out too.
 */
function typedValue(type: AttributeType, raw: unknown): SubjectAttributeValue | undefined {
  switch (type) {
    case 'string':
      return isAttributeString(raw) ? raw : undefined;
    case 'number':
      return typeof raw === 'number' && Number.isFinite(raw) ? raw : undefined;
    case 'boolean':
      return typeof raw === 'boolean' ? raw : undefined;
    case 'timestamp':
      return typeof raw === 'string' && parseIsoTimestamp(raw) !== null ? raw : undefined;
    case 'string[]':
      return Array.isArray(raw) && raw.length <= maxListLength && raw.every(isAttributeString)
        ? [...raw]
        : undefined;
  }
}

/** What a subject attribute may hold at most (as `policySubjectSchema` of `/auth/permissions` says). */
const maxStringLength = 1024;
const maxListLength = 100;
const isAttributeString = (raw: unknown): raw is string =>
  typeof raw === 'string' && raw.length <= maxStringLength;

/**
 * The subject attributes an account's public metadata gives under `document`: each declared source whose
 * key is there with a value of the declared type. Undeclared keys never reach a decision. The server
 * fills `subject.attributes` and the access token's `attrs` claim with this.
 */
export function metadataSubjectAttributes(
  document: PolicyDocument,
  publicMetadata: Readonly<Record<string, unknown>>,
): Record<string, SubjectAttributeValue> {
  const attributes: Record<string, SubjectAttributeValue> = {};
  for (const source of metadataAttributeSources(document)) {
    if (!Object.hasOwn(publicMetadata, source.key)) continue;
    const value = typedValue(source.type, publicMetadata[source.key]);
    if (value !== undefined) attributes[source.name] = value;
  }
  return attributes;
}

/**
 * A token's `attrs` claim as `document` declares it, for offline deciders (the Node verifier, the browser):
 * only attributes the document sources from public metadata, each with a value of the declared type. A
 * token minted under another policy brings nothing the current one does not declare.
 */
export function tokenSubjectAttributes(
  document: PolicyDocument,
  attrs: Readonly<Record<string, unknown>> | undefined,
): Record<string, SubjectAttributeValue> {
  const attributes: Record<string, SubjectAttributeValue> = {};
  if (!attrs) return attributes;
  for (const source of metadataAttributeSources(document)) {
    if (!Object.hasOwn(attrs, source.name)) continue;
    const value = typedValue(source.type, attrs[source.name]);
    if (value !== undefined) attributes[source.name] = value;
  }
  return attributes;
}
