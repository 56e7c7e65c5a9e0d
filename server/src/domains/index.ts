import type { DomainRoutes } from '../http/contract-routes.js';
import { accountsRoutes } from './accounts/routes.js';
import { apiKeysRoutes } from './api-keys/routes.js';
import { applicationsRoutes } from './applications/routes.js';
import { auditRoutes } from './audit/routes.js';
import { magicLinkRoutes } from './auth/methods/magic-link/routes.js';
import { passwordRoutes } from './auth/methods/password/routes.js';
import { mfaRoutes } from './auth/mfa/routes.js';
import { authRoutes } from './auth/routes.js';
import { discoveryRoutes } from './discovery/routes.js';
import { groupsRoutes } from './groups/routes.js';
import { kycRoutes } from './kyc/routes.js';
import { messagingRoutes } from './messaging/routes.js';
import { oauthRoutes } from './oauth/routes.js';
import { platformRoutes } from './platform/routes.js';
import { policyRoutes } from './policy/routes.js';
import { privacyRoutes } from './privacy/routes.js';
import { revocationsRoutes } from './revocations/routes.js';
import { tenantsRoutes } from './tenants/routes.js';
import { webhooksRoutes } from './webhooks/routes.js';

/** Every domain's part of the contract, registered by app.ts under one authentication hook. */
export const domainRoutes: DomainRoutes[] = [
  authRoutes,
  passwordRoutes,
  mfaRoutes,
  magicLinkRoutes,
  tenantsRoutes,
  groupsRoutes,
  accountsRoutes,
  apiKeysRoutes,
  applicationsRoutes,
  oauthRoutes,
  policyRoutes,
  discoveryRoutes,
  revocationsRoutes,
  auditRoutes,
  privacyRoutes,
  webhooksRoutes,
  kycRoutes,
  messagingRoutes,
  platformRoutes,
];
