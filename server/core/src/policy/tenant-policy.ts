import type { CompiledPolicy, PolicyDocument } from '@enforcer/contract/policy';
import { base64url } from '../platform.js';

/**
 * A tenant's policy as the engine sees it. The stored document (or the default one) is merged with the
 * tenant's groups: a group created with `POST /groups` exists in the policy with the permissions stored on
 * it, added to whatever the document grants it. That merged document is what every decision uses, on the
 * server, in the mock and in clients (`GET /auth/permissions` hands it out), so all compile the same thing.
 */
export interface TenantPolicy {
  tenantId: string;
  /** Changes whenever the stored document or a group's permissions change. */
  version: number;
  /** The document as stored (`GET /policy`); the default one until a tenant writes its own. */
  stored: PolicyDocument;
  /** The stored document with the tenant's groups merged in: what is compiled. */
  effective: PolicyDocument;
  /** A strong ETag of the effective document. */
  etag: string;
  compiled: CompiledPolicy;
}

/** JSON with sorted keys, so equal documents always hash alike. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The strong ETag of a policy document: SHA-256 of its stable JSON, base64url, 32 characters. */
export async function policyEtag(document: PolicyDocument): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(stableStringify(document)));
  return `"${base64url(new Uint8Array(digest)).slice(0, 32)}"`;
}
