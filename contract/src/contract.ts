import { accountsContract } from './accounts/contract';
import { apiKeysContract } from './api-keys/contract';
import { applicationsContract } from './applications/contract';
import { auditContract } from './audit/contract';
import { authContract } from './auth/contract';
import { magicLinkContract } from './auth/magic-link';
import { mfaContract } from './auth/mfa';
import { oauthSignInContract } from './auth/oauth';
import { passwordContract } from './auth/password';
import { policyContract } from './authorization/contract';
import { c, commonResponses } from './common/route';
import { discoveryContract } from './discovery/contract';
import { groupsContract } from './groups/contract';
import { healthContract } from './health/contract';
import { kycContract } from './kyc/contract';
import { messagingContract } from './messaging/contract';
import { oauthContract } from './oauth/contract';
import { platformContract } from './platform/contract';
import { privacyContract } from './privacy/contract';
import { revocationsContract } from './revocations/contract';
import { rolesContract } from './roles/contract';
import { tenantsContract } from './tenants/contract';
import { webhooksContract } from './webhooks/contract';

/** Every endpoint lives under this path. */
export const basePath = '/api/v1/enforcer';

/**
 * The whole API: the domain routers combined once, under the base path, with the errors
 * every route can answer declared once.
 */
export const contract = c.router(
  {
    tenants: tenantsContract,
    auth: authContract,
    password: passwordContract,
    mfa: mfaContract,
    magicLink: magicLinkContract,
    oauthSignIn: oauthSignInContract,
    groups: groupsContract,
    roles: rolesContract,
    accounts: accountsContract,
    apiKeys: apiKeysContract,
    applications: applicationsContract,
    oauth: oauthContract,
    policy: policyContract,
    revocations: revocationsContract,
    discovery: discoveryContract,
    health: healthContract,
    audit: auditContract,
    privacy: privacyContract,
    webhooks: webhooksContract,
    kyc: kycContract,
    messaging: messagingContract,
    platform: platformContract,
  },
  { pathPrefix: basePath, commonResponses },
);
export type Contract = typeof contract;

/**
 * The public, credential-free routes a deployment may also serve at the host root
 * (`/.well-known/jwks.json`, `/healthz`): the same domain routers without the prefix, so
 * the server registers the same handlers a second time (`s.router(rootContract.discovery, h)`).
 * The canonical place stays under the base path (where `issuer` points); the OpenAPI
 * document describes only that one.
 */
export const rootContract = c.router(
  { discovery: discoveryContract, health: healthContract },
  { commonResponses },
);
export type RootContract = typeof rootContract;
