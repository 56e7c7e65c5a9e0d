// The public surface of @enforcer/contract, named one by one. The policy engine has its own
// entry point, @enforcer/contract/policy.

export { accountsContract } from './accounts/contract';
// Accounts
export {
  type Account,
  accountSchema,
  type ListAccountsQuery,
  listAccountsQuerySchema,
  type SetAccountActiveBody,
  type SetAccountRoleBody,
  setAccountActiveBodySchema,
  setAccountRoleBodySchema,
} from './accounts/schemas';
export { apiKeysContract } from './api-keys/contract';
// API keys
export {
  type ApiKey,
  apiKeySchema,
  type CreateApiKeyBody,
  type CreatedApiKey,
  createApiKeyBodySchema,
  createdApiKeySchema,
} from './api-keys/schemas';
export { authContract } from './auth/contract';
// Auth
export {
  type AcceptInviteBody,
  acceptInviteBodySchema,
  type EmailOtpLoginBody,
  emailOtpLoginBodySchema,
  type JoinTenantBody,
  joinTenantBodySchema,
  type LoginBody,
  type LogoutBody,
  loginBodySchema,
  logoutBodySchema,
  type Membership,
  type MeResponse,
  membershipSchema,
  meResponseSchema,
  type OtpRequestBody,
  type OtpRequestResponse,
  otpRequestBodySchema,
  otpRequestEmailBodySchema,
  otpRequestResponseSchema,
  type PermissionsResponse,
  type Person,
  permissionsResponseSchema,
  personSchema,
  type RefreshBody,
  type RegisterBody,
  type RegisterResponse,
  refreshBodySchema,
  registerBodySchema,
  registerEmailOtpBodySchema,
  registerResponseSchema,
  type Session,
  type SwitchTenantBody,
  sessionSchema,
  switchTenantBodySchema,
  type TokenResponse,
  tokenResponseSchema,
} from './auth/schemas';
export { policyContract } from './authorization/contract';
// Policy and authorization
export {
  type AttributeValue,
  type AuthorizeBody,
  type AuthorizeResponse,
  attributesSchema,
  attributeValueSchema,
  authorizeBodySchema,
  authorizeResponseSchema,
  type DecisionReason,
  type DecisionReasonKind,
  decisionReasonKindSchema,
  decisionReasonKinds,
  decisionReasonSchema,
  type FilterBody,
  type FilterResponse,
  filterBodySchema,
  filterResponseSchema,
  type PolicyResponse,
  type PolicySubject,
  policyResponseSchema,
  policySubjectSchema,
  putPolicyHeaders,
  type ResourceRef,
  resourceRefSchema,
} from './authorization/schemas';
// Route metadata and problem responses
export {
  type AuthRequirement,
  authRequirementSchema,
  authRequirements,
  commonResponses,
  getRouteMetadata,
  type ProblemResponse,
  problemResponse,
  problems,
  type RouteMetadata,
  routeMeta,
  routeMetadataSchema,
} from './common/route';
// Shared building blocks
export {
  type AuthProvider,
  accessTokenSchema,
  authProviderIds,
  authProviderSchema,
  boundedRecord,
  defaultPageSize,
  descriptionSchema,
  emailSchema,
  identifierSchema,
  idParamsSchema,
  idSchema,
  listOf,
  maxPageSize,
  nameSchema,
  otpCodeSchema,
  type Paginated,
  type Pagination,
  type PaginationQuery,
  paginated,
  paginationQuerySchema,
  paginationSchema,
  refreshTokenSchema,
  tenantCodeSchema,
  timestampInputSchema,
  timestampSchema,
} from './common/schemas';
export { basePath, type Contract, contract, type RootContract, rootContract } from './contract';
export { discoveryContract } from './discovery/contract';
// Discovery
export {
  type Jwk,
  type Jwks,
  jwkSchema,
  jwksSchema,
  type OpenIdConfiguration,
  openIdConfigurationSchema,
} from './discovery/schemas';
export {
  type ErrorCode,
  errorCodeSchema,
  errorCodes,
  errorStatus,
  type FieldError,
  fieldErrorSchema,
  type Problem,
  problemContentType,
  problemSchema,
  problemType,
} from './errors';
export { groupsContract } from './groups/contract';
// Groups
export {
  type AddGroupMemberBody,
  addGroupMemberBodySchema,
  type CreateGroupBody,
  createGroupBodySchema,
  type Group,
  type GroupMembership,
  groupMemberParamsSchema,
  groupMembershipSchema,
  groupSchema,
} from './groups/schemas';
export { healthContract } from './health/contract';
// Health
export {
  type Liveness,
  livenessSchema,
  type Readiness,
  readinessSchema,
} from './health/schemas';
export {
  errorCatalog,
  generateOpenApiDocument,
  listRoutes,
  type OpenApiDocument,
  type OpenApiOptions,
  securitySchemes,
} from './openapi';
export { revocationsContract } from './revocations/contract';
// Revocations (the feed offline verifiers poll)
export {
  type AccountGrant,
  accountGrantSchema,
  maxRevocationPage,
  type RevocationFeed,
  type RevocationsQuery,
  type RevokedSession,
  revocationFeedSchema,
  revocationsQuerySchema,
  revokedSessionSchema,
} from './revocations/schemas';
export { rolesContract } from './roles/contract';
// Roles
export {
  type Role,
  roleSchema,
} from './roles/schemas';
// Enforcer's own rules about tenant policies (default policy, management actions, group merge).
export * from './tenant-policy';
export { tenantsContract } from './tenants/contract';
// Tenants
export {
  type CreateInviteBody,
  type CreateTenantBody,
  createInviteBodySchema,
  createTenantBodySchema,
  type Invite,
  inviteSchema,
  logoUrlSchema,
  type PublicTenant,
  publicTenantSchema,
  type ResolveTenantQuery,
  requestedProviders,
  resolveTenantQuerySchema,
  type SelfServeTenantBody,
  type SetAuthProvidersBody,
  selfServeTenantBodySchema,
  setAuthProvidersBodySchema,
  type Tenant,
  type TenantSummary,
  type Theme,
  tenantSchema,
  tenantSummarySchema,
  themeSchema,
  themeValueSchema,
  type UpdateTenantBody,
  updateTenantBodySchema,
} from './tenants/schemas';
