import { MICROSOFT_LOGIN } from '@enforcer/contract';
import { refuseProof } from '../methods/result.js';

/** The issuer of Microsoft's multi-tenant endpoints, as their discovery documents publish it. */
export const MICROSOFT_ISSUER_TEMPLATE = `${MICROSOFT_LOGIN}/{tenantid}/v2.0`;

/** The directory of personal Microsoft accounts (outlook.com, xbox, ...). */
export const MICROSOFT_CONSUMERS_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';

const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The provider's settings: the sign-in audience (`common`, `organizations`, `consumers` or one tenant id). */
export interface MicrosoftSettings {
  tenant: string;
  /** When not empty, only tokens of these directories (`tid`) are accepted. */
  allowedTenantIds: string[];
}

/** The issuer an identity is qualified by: one tenant's issuer, or the template for the multi-tenant ones. */
export const microsoftIssuer = (tenant: string) =>
  MULTI_TENANT.has(tenant) ? MICROSOFT_ISSUER_TEMPLATE : `${MICROSOFT_LOGIN}/${tenant}/v2.0`;

/** Microsoft's endpoints under `login` (the real one, or a test's stand-in) for the sign-in audience. */
export const microsoftEndpoints = (login: string, tenant: string) => ({
  authorization_endpoint: `${login}/${tenant}/oauth2/v2.0/authorize`,
  token_endpoint: `${login}/${tenant}/oauth2/v2.0/token`,
  jwks_uri: `${login}/${tenant}/discovery/v2.0/keys`,
});

/**
 * The `iss` an ID token must carry. Microsoft's multi-tenant discovery documents publish the issuer as a
 * template, `https://login.microsoftonline.com/{tenantid}/v2.0`: the only right check is that `iss` equals
 * the template with the token's own `tid` put in (accepting any `iss` of the form, or comparing with the
 * template, are the known mistakes). A token without a `tid` that looks like a tenant id has no acceptable
 * issuer (null). A single-tenant provider's issuer is fixed.
 */
export function expectedMicrosoftIssuer(
  settings: MicrosoftSettings,
  claims: { tid?: unknown },
): string | null {
  if (!MULTI_TENANT.has(settings.tenant)) return microsoftIssuer(settings.tenant);
  if (typeof claims.tid !== 'string' || !TENANT_ID.test(claims.tid)) return null;
  return MICROSOFT_ISSUER_TEMPLATE.replace('{tenantid}', claims.tid);
}

/**
 * After the library validated the token against the expected issuer: the directory must be one the sign-in
 * audience covers (`organizations`: not personal accounts; `consumers`: only them) and, when the tenant
 * listed some, one of `allowedTenantIds`.
 */
export function checkMicrosoftDirectory(settings: MicrosoftSettings, tid: unknown) {
  const refused = (detail: string) => refuseProof('provider_token_invalid', 'tenant_not_allowed', detail);
  if (typeof tid !== 'string') return refused('The ID token names no Microsoft directory');
  const personal = tid === MICROSOFT_CONSUMERS_TENANT_ID;
  if (settings.tenant === 'organizations' && personal) {
    return refused('Personal Microsoft accounts cannot sign in here: use a work or school account');
  }
  if (settings.tenant === 'consumers' && !personal) {
    return refused('Only personal Microsoft accounts can sign in here');
  }
  if (settings.allowedTenantIds.length > 0 && !settings.allowedTenantIds.includes(tid)) {
    return refused("This Microsoft directory is not one this application's sign-in accepts");
  }
  return null;
}

/**
 * Microsoft's `email` claim is not verified (any directory admin can set any address on a user), so it is
 * used as verified only with `xms_edov` (the optional claim "email domain owner verified") true.
 */
export const microsoftEmailVerified = (claims: Record<string, unknown>) =>
  claims.xms_edov === true || claims.xms_edov === 'true' || claims.xms_edov === 1;
