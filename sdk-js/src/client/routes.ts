// Generated from @enforcer/contract by `pnpm --filter @enforcer/sdk-js generate:routes`: do not edit.
// Method, path and who may call each route; the types come from the contract itself.
import type { RouteTree } from './route-tree';

export const routes = {
  tenants: {
    selfServe: ['POST', '/api/v1/enforcer/tenants/self-serve', 'optional'],
    create: ['POST', '/api/v1/enforcer/tenants', 'user'],
    get: ['GET', '/api/v1/enforcer/tenants/:id', 'user'],
    update: ['PATCH', '/api/v1/enforcer/tenants/:id', 'user'],
    setAuthProviders: ['PUT', '/api/v1/enforcer/tenants/:id/auth-provider', 'user'],
    createInvite: ['POST', '/api/v1/enforcer/tenants/:id/invites', 'user'],
    resolve: ['GET', '/api/v1/enforcer/directory/tenants/resolve', 'none'],
  },
  auth: {
    register: ['POST', '/api/v1/enforcer/auth/register', 'none'],
    requestOtp: ['POST', '/api/v1/enforcer/auth/otp/request', 'none'],
    login: ['POST', '/api/v1/enforcer/auth/login', 'none'],
    refresh: ['POST', '/api/v1/enforcer/auth/refresh', 'none'],
    logout: ['POST', '/api/v1/enforcer/auth/logout', 'optional'],
    joinTenant: ['POST', '/api/v1/enforcer/auth/tenant/join', 'user'],
    switchTenant: ['POST', '/api/v1/enforcer/auth/tenant/switch', 'user'],
    tenants: ['GET', '/api/v1/enforcer/auth/tenants', 'user'],
    acceptInvite: ['POST', '/api/v1/enforcer/auth/invites/accept', 'user'],
    me: ['GET', '/api/v1/enforcer/auth/me', 'user'],
    permissions: ['GET', '/api/v1/enforcer/auth/permissions', 'user'],
    identities: ['GET', '/api/v1/enforcer/auth/identities', 'user'],
    linkPhone: ['POST', '/api/v1/enforcer/auth/identities/phone', 'user'],
    linkGoogle: ['POST', '/api/v1/enforcer/auth/identities/google', 'user'],
    linkSiwe: ['POST', '/api/v1/enforcer/auth/identities/siwe', 'user'],
    linkPrivy: ['POST', '/api/v1/enforcer/auth/identities/privy', 'user'],
    unlinkIdentity: ['DELETE', '/api/v1/enforcer/auth/identities/:id', 'user'],
    siweNonce: ['POST', '/api/v1/enforcer/auth/siwe/nonce', 'none'],
    passkeyRegisterBegin: ['POST', '/api/v1/enforcer/auth/passkey/register/begin', 'user'],
    passkeyRegisterFinish: ['POST', '/api/v1/enforcer/auth/passkey/register/finish', 'user'],
    passkeyLoginBegin: ['POST', '/api/v1/enforcer/auth/passkey/login/begin', 'none'],
    passkeyLoginFinish: ['POST', '/api/v1/enforcer/auth/passkey/login/finish', 'none'],
    passkeyCredentials: ['GET', '/api/v1/enforcer/auth/passkey/credentials', 'user'],
    deletePasskey: ['DELETE', '/api/v1/enforcer/auth/passkey/credentials/:id', 'user'],
  },
  password: {
    change: ['POST', '/api/v1/enforcer/auth/password/change', 'user'],
    requestReset: ['POST', '/api/v1/enforcer/auth/password/reset/request', 'none'],
    confirmReset: ['POST', '/api/v1/enforcer/auth/password/reset/confirm', 'none'],
  },
  mfa: {
    status: ['GET', '/api/v1/enforcer/auth/mfa', 'user'],
    enroll: ['POST', '/api/v1/enforcer/auth/mfa/totp/enroll', 'user'],
    confirm: ['POST', '/api/v1/enforcer/auth/mfa/totp/confirm', 'user'],
    disable: ['POST', '/api/v1/enforcer/auth/mfa/totp/disable', 'user'],
    regenerateRecoveryCodes: ['POST', '/api/v1/enforcer/auth/mfa/recovery-codes/regenerate', 'user'],
    verify: ['POST', '/api/v1/enforcer/auth/mfa/verify', 'none'],
    stepUp: ['POST', '/api/v1/enforcer/auth/mfa/step-up', 'user'],
  },
  magicLink: {
    request: ['POST', '/api/v1/enforcer/auth/magic-link/request', 'none'],
    getSettings: ['GET', '/api/v1/enforcer/tenants/:id/magic-link', 'user'],
    putSettings: ['PUT', '/api/v1/enforcer/tenants/:id/magic-link', 'user'],
  },
  groups: {
    list: ['GET', '/api/v1/enforcer/groups', 'user'],
    create: ['POST', '/api/v1/enforcer/groups', 'user'],
    addMember: ['POST', '/api/v1/enforcer/groups/:id/members', 'user'],
    removeMember: ['DELETE', '/api/v1/enforcer/groups/:id/members/:account_id', 'user'],
    listForAccount: ['GET', '/api/v1/enforcer/directory/accounts/:id/groups', 'user'],
  },
  roles: {
    list: ['GET', '/api/v1/enforcer/roles', 'user'],
  },
  accounts: {
    list: ['GET', '/api/v1/enforcer/accounts', 'user'],
    get: ['GET', '/api/v1/enforcer/accounts/:id', 'user'],
    setRole: ['PUT', '/api/v1/enforcer/accounts/:id/role', 'user'],
    setActive: ['PUT', '/api/v1/enforcer/accounts/:id/active', 'user'],
    unlock: ['POST', '/api/v1/enforcer/accounts/:id/unlock', 'user'],
  },
  apiKeys: {
    create: ['POST', '/api/v1/enforcer/api-keys', 'user'],
    list: ['GET', '/api/v1/enforcer/api-keys', 'user'],
    delete: ['DELETE', '/api/v1/enforcer/api-keys/:id', 'user'],
  },
  policy: {
    get: ['GET', '/api/v1/enforcer/policy', 'user'],
    put: ['PUT', '/api/v1/enforcer/policy', 'user'],
    authorize: ['POST', '/api/v1/enforcer/authorize', 'user'],
    filter: ['POST', '/api/v1/enforcer/authorize/filter', 'user'],
  },
  revocations: {
    feed: ['GET', '/api/v1/enforcer/revocations', 'none'],
  },
  discovery: {
    jwks: ['GET', '/api/v1/enforcer/.well-known/jwks.json', 'none'],
    openIdConfiguration: ['GET', '/api/v1/enforcer/.well-known/openid-configuration', 'none'],
  },
  health: {
    live: ['GET', '/api/v1/enforcer/healthz', 'none'],
    ready: ['GET', '/api/v1/enforcer/readyz', 'none'],
  },
} as const satisfies RouteTree;
