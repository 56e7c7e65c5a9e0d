// The public surface of @enforcer/contract, named one by one. The policy engine has its own
// entry point, @enforcer/contract/policy.

export { accountsContract } from './accounts/contract';
// Account metadata (#14)
export {
  jsonDepth,
  type Metadata,
  metadataLimits,
  metadataPatchSchema,
  metadataSchema,
} from './accounts/metadata';
export {
  type ProvisionAccountBody,
  type Provisioning,
  provisionAccountBodySchema,
  provisioningSchema,
} from './accounts/provisioning';
// Accounts
export {
  type Account,
  type AccountStatus,
  accountSchema,
  accountStatuses,
  accountStatusSchema,
  type ListAccountsQuery,
  type LockAccountBody,
  listAccountsQuerySchema,
  lockAccountBodySchema,
  type ReasonBody,
  type ResetAccountMfaResponse,
  reasonBodySchema,
  resetAccountMfaResponseSchema,
  type SetAccountActiveBody,
  type SetAccountRoleBody,
  setAccountActiveBodySchema,
  setAccountRoleBodySchema,
  type UpdateAccountBody,
  type UpdateUserMetadataBody,
  updateAccountBodySchema,
  updateUserMetadataBodySchema,
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
export { applicationsContract } from './applications/contract';
// Applications (machine clients, #18)
export * from './applications/schemas';
export { auditContract } from './audit/contract';
// Audit
export {
  type AuditChainVerification,
  type AuditEvent,
  type AuditSettings,
  auditActorTypes,
  auditChainVerificationSchema,
  auditEventSchema,
  auditOutcomeSchema,
  auditOutcomes,
  auditSettingsSchema,
  defaultAuditRetentionDays,
  type ExportAuditEventsQuery,
  exportAuditEventsQuerySchema,
  type ListAuditEventsQuery,
  listAuditEventsQuerySchema,
  ndjsonContentType,
  type UpdateAuditSettingsBody,
  updateAuditSettingsBodySchema,
} from './audit/schemas';
export {
  type AccessTokenClaims,
  accessTokenClaimsSchema,
  type ClientTokenClaims,
  clientTokenClaimsSchema,
} from './auth/access-token-claims';
export { authContract } from './auth/contract';
export {
  type GoogleLoginBody,
  googleIdTokenSchema,
  googleLoginBodySchema,
  googleNonceSchema,
  type LinkGoogleBody,
  linkGoogleBodySchema,
} from './auth/google';
export {
  type Identity,
  type IdentityList,
  identityListSchema,
  identitySchema,
  type LinkedProvider,
  linkedProviderIds,
  linkedProviderSchema,
} from './auth/identities';
// Password, MFA, magic links, sign-in throttling
export {
  type MagicLinkLoginBody,
  type MagicLinkRequestBody,
  type MagicLinkRequestResponse,
  type MagicLinkSettings,
  magicLinkContract,
  magicLinkLoginBodySchema,
  magicLinkRedirectUrlSchema,
  magicLinkRequestBodySchema,
  magicLinkRequestResponseSchema,
  magicLinkSettingsSchema,
  magicLinkTokenSchema,
  type PutMagicLinkSettingsBody,
  putMagicLinkSettingsBodySchema,
} from './auth/magic-link';
// Sign-in methods beyond email codes, and linked identities
export { authMethodRoutes } from './auth/method-routes';
export {
  type MfaEnrollBody,
  type MfaEnrollConfirmBody,
  type MfaEnrolledSignIn,
  type MfaStatus,
  type MfaVerifyBody,
  mfaContract,
  mfaEnrollBodySchema,
  mfaEnrollConfirmBodySchema,
  mfaEnrolledSignInSchema,
  mfaStatusSchema,
  mfaTokenSchema,
  mfaVerifyBodySchema,
  type RecoveryCodes,
  recoveryCodeSchema,
  recoveryCodesSchema,
  type SecondFactor,
  type StepUpResponse,
  secondFactorSchema,
  stepUpResponseSchema,
  type TotpConfirmBody,
  type TotpDisableBody,
  type TotpEnrollment,
  totpConfirmBodySchema,
  totpDisableBodySchema,
  totpEnrollmentSchema,
} from './auth/mfa';
export {
  APPLE_ISSUER,
  GITHUB_ISSUER,
  GOOGLE_OIDC_ISSUER,
  MICROSOFT_LOGIN,
  type OAuthAuthorizeBody,
  type OAuthAuthorizeResponse,
  type OAuthExchangeBody,
  type OAuthIntent,
  type OAuthLinkResult,
  type OAuthProvider,
  type OAuthProviderInput,
  type OAuthProviderKind,
  type OAuthSettings,
  oauthAuthorizeBodySchema,
  oauthExchangeBodySchema,
  oauthIntentSchema,
  oauthProviderInputSchema,
  oauthProviderKindSchema,
  oauthProviderNameSchema,
  oauthSettingsSchema,
  oauthSignInContract,
  type PutOAuthSettingsBody,
  putOAuthSettingsBodySchema,
} from './auth/oauth';
export {
  type OAuthLoginBody,
  oauthCodeChallengeSchema,
  oauthCodeVerifierSchema,
  oauthExchangeCodeSchema,
  oauthLoginBodySchema,
} from './auth/oauth-login';
export {
  type AuthenticationResponse,
  authenticationOptionsSchema,
  authenticationResponseSchema,
  type PasskeyCredential,
  type PasskeyLoginBeginBody,
  type PasskeyLoginBeginResponse,
  type PasskeyLoginBody,
  type PasskeyLoginFinishBody,
  type PasskeyRegisterBeginBody,
  type PasskeyRegisterBeginResponse,
  type PasskeyRegisterFinishBody,
  passkeyCredentialSchema,
  passkeyLoginBeginBodySchema,
  passkeyLoginBeginResponseSchema,
  passkeyLoginBodySchema,
  passkeyLoginFinishBodySchema,
  passkeyRegisterBeginBodySchema,
  passkeyRegisterBeginResponseSchema,
  passkeyRegisterFinishBodySchema,
  type RegistrationResponse,
  registrationOptionsSchema,
  registrationResponseSchema,
} from './auth/passkey';
export {
  type ChangePasswordBody,
  type ChangePasswordResponse,
  changePasswordBodySchema,
  changePasswordResponseSchema,
  newPasswordSchema,
  type PasswordLoginBody,
  type PasswordResetConfirmBody,
  type PasswordResetConfirmResponse,
  type PasswordResetRequestBody,
  type PasswordResetRequestResponse,
  passwordContract,
  passwordLoginBodySchema,
  passwordPolicy,
  passwordResetConfirmBodySchema,
  passwordResetConfirmResponseSchema,
  passwordResetRequestBodySchema,
  passwordResetRequestResponseSchema,
  presentedPasswordSchema,
  type RegisterPasswordBody,
  registerPasswordBodySchema,
} from './auth/password';
export {
  type LinkPhoneBody,
  linkPhoneBodySchema,
  type OtpRequestPhoneBody,
  otpRequestPhoneBodySchema,
  type PhoneOtpLoginBody,
  phoneOtpLoginBodySchema,
  phoneSchema,
} from './auth/phone';
export {
  type LinkPrivyBody,
  linkPrivyBodySchema,
  type PrivyLoginBody,
  privyLoginBodySchema,
  privyTokenSchema,
} from './auth/privy';
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
  type PendingDeletion,
  type PermissionsResponse,
  type Person,
  pendingDeletionSchema,
  permissionsResponseSchema,
  personSchema,
  REFRESH_COOKIE_HEADER,
  REFRESH_COOKIE_NAME,
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
  type UpdateProfileBody,
  updateProfileBodySchema,
} from './auth/schemas';
export {
  type LinkSiweBody,
  linkSiweBodySchema,
  type SiweLoginBody,
  type SiweNonceBody,
  type SiweNonceResponse,
  siweLoginBodySchema,
  siweMessageSchema,
  siweNonceBodySchema,
  siweNonceResponseSchema,
  siweSignatureSchema,
} from './auth/siwe';
export { type UnlockAccountResponse, unlockAccountResponseSchema } from './auth/throttle';
export { VerifiedTokenCache, type VerifiedTokenEntry } from './auth/verified-tokens';
export { policyContract } from './authorization/contract';
// Policy and authorization
export {
  type AttributeValue,
  type AuthorizeBatchBody,
  type AuthorizeBatchResponse,
  type AuthorizeBody,
  type AuthorizeCheck,
  type AuthorizeResponse,
  attributesSchema,
  attributeValueSchema,
  authorizeBatchBodySchema,
  authorizeBatchResponseSchema,
  authorizeBodySchema,
  authorizeCheckSchema,
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
  MAX_BATCH_CHECKS,
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
  routeTakesBody,
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
export {
  checkRequestValue,
  jsonCharsetAccepted,
  maxRequestDepth,
  parseUrl,
  storableText,
  textSchema,
  unstorableReason,
} from './common/text';
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
// The codes without zod (the browser SDK imports them; a bundler keeps only the module they are in).
export { type ErrorCode, errorCodes, errorStatus } from './error-codes';
export {
  buildProblem,
  errorCodeSchema,
  type FieldError,
  fieldErrorSchema,
  fieldErrors,
  type Problem,
  problemContentType,
  problemSchema,
  problemTitle,
  problemType,
  type SchemaIssue,
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
  type UpdateGroupBody,
  updateGroupBodySchema,
} from './groups/schemas';
export { healthContract } from './health/contract';
// Health
export {
  type Liveness,
  livenessSchema,
  type Readiness,
  readinessSchema,
} from './health/schemas';
// Impersonation (#14)
export {
  type ActorClaim,
  actorClaimSchema,
  type ImpersonateBody,
  type ImpersonationResponse,
  impersonateBodySchema,
  impersonationResponseSchema,
  maxImpersonationTtlSeconds,
} from './impersonation/schemas';
// KYC module (#16)
export { kycContract } from './kyc/contract';
export {
  type KycProvider,
  type KycSession,
  type KycSettings,
  type KycStatus,
  type KycStatusResponse,
  kycProviders,
  kycSessionSchema,
  kycSettingsSchema,
  kycStatuses,
  kycStatusResponseSchema,
  type PutKycSettingsBody,
  putKycSettingsBodySchema,
} from './kyc/schemas';
// Messaging module (#16)
export { messagingContract } from './messaging/contract';
export {
  commonMessageVariables,
  type MessageChannel,
  type MessageKind,
  type MessagePreview,
  type MessagePreviewBody,
  type MessageTemplate,
  type MessagingSettings,
  messageKindChannel,
  messageKindSchema,
  messageKinds,
  messageKindVariables,
  messageLocaleSchema,
  messagePreviewBodySchema,
  messagePreviewSchema,
  messageTemplateSchema,
  messagingSettingsSchema,
  type PutMessageTemplateBody,
  type PutMessagingSettingsBody,
  putMessageTemplateBodySchema,
  putMessagingSettingsBodySchema,
} from './messaging/schemas';
export { oauthContract } from './oauth/contract';
// OAuth token services (#18)
export * from './oauth/schemas';
export {
  errorCatalog,
  generateOpenApiDocument,
  listRoutes,
  type OpenApiDocument,
  type OpenApiOptions,
  securitySchemes,
} from './openapi';
// Password strength rules (NIST SP 800-63B).
export * from './passwords';
export { platformContract } from './platform/contract';
export {
  type PlatformScope,
  type PlatformTenant,
  type PlatformTenantsQuery,
  type PlatformTenantUsage,
  type PlatformUsageQuery,
  platformScopeSchema,
  platformScopes,
  platformTenantListSchema,
  platformTenantSchema,
  platformTenantsQuerySchema,
  platformTenantUsageSchema,
  platformUsageQuerySchema,
  type TenantStatus,
  tenantStatuses,
  tenantStatusSchema,
  type UpdatePlatformTenant,
  updatePlatformTenantSchema,
} from './platform/schemas';
// Typed actions (also in @enforcer/contract/policy): here too so that the browser SDK's entry can import
// them without the policy entry, whose engine it loads lazily (a bundler would otherwise put the engine
// in a chunk the entry needs).
export {
  type Action,
  type ActionCatalogue,
  type ActionCatalogueIssues,
  type ActionsOf,
  actionCatalogueIssues,
  defineActions,
  type Register,
} from './policy/typed-actions';
// Privacy (#15)
export { privacyContract } from './privacy/contract';
export {
  type DeletionRequest,
  defaultDeletionGraceDays,
  deletionRequestSchema,
  deletionRequestStatusSchema,
  listDeletionRequestsQuerySchema,
  type OwnDeletion,
  ownDeletionSchema,
  type PersonalDataExport,
  type PrivacySettings,
  personalDataExportSchema,
  privacySettingsSchema,
  processDeletionResponseSchema,
  requestDeletionBodySchema,
  updatePrivacySettingsBodySchema,
} from './privacy/schemas';
export { revocationsContract } from './revocations/contract';
// Revocations (the feed offline verifiers poll)
export {
  type AccountGrant,
  type ApplicationGrant,
  accountGrantSchema,
  applicationGrantSchema,
  maxRevocationPage,
  type RevocationFeed,
  type RevocationsQuery,
  type RevokedClientTokenEntry,
  type RevokedSession,
  revocationFeedSchema,
  revocationsQuerySchema,
  revokedClientTokenSchema,
  revokedSessionSchema,
} from './revocations/schemas';
export { rolesContract } from './roles/contract';
// Roles
export {
  type CreateRoleBody,
  createRoleBodySchema,
  deleteRoleQuerySchema,
  type Role,
  roleParamsSchema,
  roleSchema,
  roleWriteHeaders,
  type UpdateRoleBody,
  updateRoleBodySchema,
} from './roles/schemas';
export { accountSessionRoutes, ownSessionRoutes } from './sessions/contract';
// Sessions (a user's and an admin's view)
export {
  type ActiveSession,
  accountSessionParamsSchema,
  activeSessionSchema,
  type EndedSessions,
  type EndOtherSessionsQuery,
  endedSessionsSchema,
  endOtherSessionsQuerySchema,
  type ListSessionsQuery,
  listSessionsQuerySchema,
} from './sessions/schemas';
// Enforcer's own rules about tenant policies (default policy, management actions, group merge).
export * from './tenant-policy';
export {
  type AuthSettings,
  type AuthSettingsPatch,
  authSettingsPatchSchema,
  authSettingsSchema,
  type GoogleSettings,
  googleSettingsSchema,
  type MfaSettings,
  mfaSettingsSchema,
  type PasskeySettings,
  type PhoneSettings,
  type PrivySettings,
  passkeySettingsSchema,
  phoneSettingsSchema,
  privySettingsSchema,
  type SiweSettings,
  siweSettingsSchema,
  webOriginSchema,
} from './tenants/auth-settings';
export { tenantsContract } from './tenants/contract';
export {
  type TenantLimitName,
  type TenantLimits,
  type TenantLimitsPatch,
  tenantLimitCeiling,
  tenantLimitDefaults,
  tenantLimitsOf,
  tenantLimitsPatchSchema,
  tenantLimitsSchema,
} from './tenants/limits';
// Tenants
export {
  allowedOriginsSchema,
  type CreateInviteBody,
  type CreateTenantBody,
  createInviteBodySchema,
  createTenantBodySchema,
  type Invite,
  type InviteView,
  inviteParamsSchema,
  inviteSchema,
  inviteStatuses,
  inviteViewSchema,
  type ListInvitesQuery,
  listInvitesQuerySchema,
  logoUrlSchema,
  MAX_ALLOWED_ORIGINS,
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
export * from './webhooks';
