import { jwtBearerClientAssertionType, type OAuthErrorCode } from '@enforcer/contract';
import type { ApiKeyRecord } from '../api-keys/ports.js';
import { API_KEY_PREFIX } from '../api-keys/secret.js';
import type { ApplicationRecord } from '../applications/ports.js';
import {
  clientSecretMatches,
  hashClientSecret,
  looksLikeClientId,
  looksLikeClientSecret,
} from '../applications/secret.js';
import { tenantRefusal } from '../operator/tenant-status.js';
import type { Hashing } from '../platform.js';
import type { Repositories } from '../store.js';

/**
 * An OAuth error (RFC 6749 §5.2): answered as `{ error, error_description }` with its status, never as a
 * problem. `invalid_client` is a 401 with `WWW-Authenticate: Basic` (§5.2: the client may retry with Basic).
 */
export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  readonly status: 400 | 401;
  /**
   * A refused client authentication of a known application: which one and why (`invalid_secret`,
   * `assertion_expired`, ...), for the audit event only; the answer says no more than `invalid_client`.
   */
  readonly refused: { application: ApplicationRecord; reason: string } | undefined;

  constructor(
    error: OAuthErrorCode,
    description: string,
    refused?: { application: ApplicationRecord; reason: string },
  ) {
    super(description);
    this.error = error;
    this.status = error === 'invalid_client' ? 401 : 400;
    this.refused = refused;
  }
}

type OAuthErrorResponse<S extends 400 | 401> = {
  status: S;
  body: { error: OAuthErrorCode; error_description: string };
  headers: Record<string, string>;
};

export function oauthErrorResponse(error: OAuthError): OAuthErrorResponse<400> | OAuthErrorResponse<401> {
  const body = { error: error.error, error_description: error.message };
  const headers = { 'cache-control': 'no-store', pragma: 'no-cache' };
  return error.status === 401
    ? {
        status: 401,
        body,
        headers: { ...headers, 'www-authenticate': 'Basic realm="enforcer", charset="UTF-8"' },
      }
    : { status: 400, body, headers };
}

/** Headers of a successful token-endpoint answer (RFC 6749 §5.1). */
export const noStoreHeaders = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

/** A form parameter as one string, or undefined; a parameter sent twice is `invalid_request` (§3.2). */
export function param(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new OAuthError('invalid_request', `"${name}" must be sent once`);
  return value;
}

const headerText = (headers: Record<string, unknown>, name: string): string | undefined => {
  const value = headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/** `application/x-www-form-urlencoded` decoding of one Basic credential half (RFC 6749 §2.3.1). */
function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new OAuthError('invalid_client', 'The Basic credentials are not valid');
  }
}

/**
 * The client credentials a request presents: HTTP Basic, `client_id` and `client_secret` in the form, or a
 * client assertion (`private_key_jwt`, with the `client_id` it may name).
 */
export type PresentedClient =
  | { kind: 'application'; clientId: string; secret: string }
  | { kind: 'assertion'; clientId: string | undefined; assertion: string }
  | { kind: 'api_key'; key: string }
  | { kind: 'none' };

/**
 * Which credential a request presents. An API key (as `X-API-Key` or `Authorization: Bearer enf_...`) is
 * only read when `apiKeys` is set (introspection, revocation). Two methods at once are `invalid_request`
 * (RFC 6749 §2.3: a client must not use more than one).
 */
export function presentedClient(
  headers: Record<string, unknown>,
  body: Record<string, unknown>,
  options: { apiKeys: boolean },
): PresentedClient {
  const found: PresentedClient[] = [];
  const authorization = headerText(headers, 'authorization');
  if (authorization) {
    const basic = /^Basic[ ]+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
    const bearer = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (basic) {
      let decoded: string;
      try {
        decoded = atob(basic[1]!);
      } catch {
        throw new OAuthError('invalid_client', 'The Basic credentials are not valid');
      }
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new OAuthError('invalid_client', 'The Basic credentials are not valid');
      found.push({
        kind: 'application',
        clientId: formDecode(decoded.slice(0, colon)),
        secret: formDecode(decoded.slice(colon + 1)),
      });
    } else if (bearer && options.apiKeys && bearer[1]!.startsWith(API_KEY_PREFIX)) {
      found.push({ kind: 'api_key', key: bearer[1]! });
    } else {
      throw new OAuthError(
        'invalid_client',
        options.apiKeys
          ? 'Authenticate with HTTP Basic (client id and secret) or an API key'
          : 'Authenticate with HTTP Basic (client id and secret)',
      );
    }
  }
  const apiKey = options.apiKeys ? headerText(headers, 'x-api-key') : undefined;
  if (apiKey) found.push({ kind: 'api_key', key: apiKey.trim() });
  const clientId = param(body, 'client_id');
  const clientSecret = param(body, 'client_secret');
  const assertionType = param(body, 'client_assertion_type');
  const assertion = param(body, 'client_assertion');
  if (assertionType !== undefined || assertion !== undefined) {
    if (assertionType === undefined || assertion === undefined) {
      throw new OAuthError('invalid_request', '"client_assertion" and "client_assertion_type" go together');
    }
    if (assertionType !== jwtBearerClientAssertionType) {
      throw new OAuthError(
        'invalid_client',
        `"client_assertion_type" must be ${jwtBearerClientAssertionType}`,
      );
    }
    found.push({ kind: 'assertion', clientId, assertion });
  }
  if (clientSecret !== undefined) {
    if (clientId === undefined) throw new OAuthError('invalid_request', '"client_secret" needs "client_id"');
    found.push({ kind: 'application', clientId, secret: clientSecret });
  } else if (clientId !== undefined && !found.some((f) => f.kind !== 'api_key')) {
    // A client id alone is a public client: there are none here.
    throw new OAuthError('invalid_client', 'Client authentication failed');
  }
  if (found.length > 1) {
    throw new OAuthError('invalid_request', 'Use one client authentication method, not several');
  }
  return found[0] ?? { kind: 'none' };
}

/**
 * The application a client id and secret name, or `invalid_client` (unknown id, wrong secret, deleted
 * application alike: one answer, so a caller learns nothing about which). The secret is compared by hash,
 * in constant time.
 */
export async function authenticateApplication(
  repos: Repositories,
  hashing: Hashing,
  presented: { clientId: string; secret: string },
): Promise<ApplicationRecord> {
  const refused = () => new OAuthError('invalid_client', 'Client authentication failed');
  if (!looksLikeClientId(presented.clientId) || !looksLikeClientSecret(presented.secret)) throw refused();
  const hash = await hashClientSecret(hashing, presented.secret);
  const app = await repos.applications.findByClientId(presented.clientId);
  if (!app) throw refused();
  if (app.secretHash === null) {
    // An application with keys has no secret: it authenticates with a client assertion only.
    throw new OAuthError('invalid_client', 'Client authentication failed', {
      application: app,
      reason: 'secret_of_keyed_application',
    });
  }
  if (!clientSecretMatches(app.secretHash, hash)) {
    throw new OAuthError('invalid_client', 'Client authentication failed', {
      application: app,
      reason: 'invalid_secret',
    });
  }
  // A suspended tenant's applications get no token and no introspection, as its API keys get nothing (#15).
  if (tenantRefusal(await repos.tenants.find(app.tenantId))) {
    throw new OAuthError('unauthorized_client', "The application's tenant is suspended");
  }
  return app;
}

/** Who calls introspection or revocation: an application or an API key, both of one tenant. */
export type OAuthCaller =
  | { kind: 'application'; tenantId: string; application: ApplicationRecord }
  | { kind: 'api_key'; tenantId: string; apiKey: ApiKeyRecord };
