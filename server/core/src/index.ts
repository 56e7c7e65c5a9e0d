// @enforcer/core: Enforcer's rules, framework-free, over storage ports (see docs/architecture.md).
// The in-memory store is `@enforcer/core/memory`; the PostgreSQL one lives in the server.

export { accountDto, accountsHandlers, signInIdentifiers } from './accounts/handlers.js';
export { membershipsHandler } from './accounts/memberships.js';
export { mergeMetadata, metadataBytes } from './accounts/metadata.js';
export type {
  AccountFilter,
  AccountMetadata,
  AccountProfile,
  AccountRecord,
  AccountSessions,
  AccountStatusFields,
  AccountStore,
  StatusActor,
} from './accounts/ports.js';
export { admitAccount, listedStatuses, statusRefusal } from './accounts/status.js';
export {
  assertSessionLive,
  authenticatePlatformRoute,
  authenticateRoute,
  type Credential,
  type CredentialVerifiers,
  readCredential,
  requireRoutePermission,
  type SessionState,
} from './api/authenticate.js';
export { callerOf, type Handler, type HandlerContext, type Handlers } from './api/handlers.js';
export {
  type ApiKeysDeps,
  apiKeyRecord,
  apiKeysHandlers,
  authenticateApiKey,
  defaultApiKeyRole,
} from './api-keys/handlers.js';
export type { ApiKeyRecord, ApiKeyStore } from './api-keys/ports.js';
export {
  API_KEY_PREFIX,
  API_KEY_SHOWN_PREFIX_LENGTH,
  apiKeyAuthenticates,
  apiKeyUseWorthRecording,
  hashApiKey,
  invalidApiKey,
  looksLikeApiKey,
  newApiKey,
} from './api-keys/secret.js';
export {
  type ApplicationsDeps,
  applicationsHandlers,
  applicationView,
  assertScopesGrantable,
} from './applications/handlers.js';
export type {
  ApplicationRecord,
  ApplicationStore,
  RevokedClientToken,
  UsedClientAssertion,
} from './applications/ports.js';
export {
  assertJwksUri,
  type JwksFetcher,
  JwksUnavailable,
  jwksUriRefused,
  plainJwksFetcher,
  REMOTE_JWKS_COOLDOWN_SECONDS,
  REMOTE_JWKS_MAX_BYTES,
  REMOTE_JWKS_TIMEOUT_MS,
  REMOTE_JWKS_TTL_SECONDS,
  RemoteJwksCache,
} from './applications/remote-jwks.js';
export {
  applicationUseWorthRecording,
  CLIENT_ID_PREFIX,
  CLIENT_SECRET_PREFIX,
  clientSecretMatches,
  hashClientSecret,
  looksLikeClientId,
  looksLikeClientSecret,
  newClientId,
  newClientSecret,
} from './applications/secret.js';
export {
  type ChainBreak,
  type ChainHead,
  type ChainVerification,
  canonicalJson,
  chainEvent,
  chainHash,
  erasePersonalFields,
  newPersonalSalt,
  PERSONAL_DETAIL_KEYS,
  personalDigest,
  personalFieldsIntact,
  publicDetails,
  verifyAuditChain,
} from './audit/chain.js';
export {
  AUDIT_EXPORT_PAGE,
  AUDIT_PURGE_BATCH,
  type AuditDeps,
  auditEventView,
  auditExportLines,
  auditHandlers,
  purgeExpiredAuditEvents,
} from './audit/handlers.js';
export {
  type AuditActor,
  type AuditActorType,
  type AuditEventFilter,
  type AuditEventStore,
  type AuditFields,
  type AuditInput,
  type AuditLog,
  type AuditOutcome,
  type AuditRecord,
  auditActorTypes,
  auditFields,
  auditOutcomes,
  outcomeOfAction,
  scrubDetails,
} from './audit/ports.js';
export { sha256Hex } from './audit/sha256.js';
export { type AuthDeps, type AuthHandlers, authHandlers } from './auth/handlers.js';
export {
  acceptsSession,
  committed,
  type LoginDeps,
  login,
  type Outcome,
  type SecondFactorGate,
  type SecondFactorInput,
  type SignInMethods,
  tenantByCode,
} from './auth/login.js';
export {
  type OpenedSession,
  type OpenSessionInput,
  personView,
  type RefreshSecondFactorGate,
  SessionTokens,
  type SteppedUp,
  type StepUpInput,
} from './auth/open-session.js';
export {
  type CookieInstruction,
  checkCookieRequest,
  inRefreshCookieMode,
  REFRESH_COOKIE_HEADER,
  REFRESH_COOKIE_NAME,
  REFRESH_COOKIE_PATHS,
  type RefreshCookieDeps,
  refreshCookies,
  refreshTokenFromCookies,
  wantsRefreshCookie,
} from './auth/refresh-cookie.js';
export { type RegisterDeps, type RegistrationMethods, register } from './auth/register.js';
export { type CodeRequestDeps, requestCode } from './auth/request-code.js';
export {
  type EmailFirstProven,
  findOrCreatePerson,
  type Resolution,
  resolvePerson,
} from './auth/resolve-person.js';
export { authRouteHandlers } from './auth/routes.js';
export { acceptInvite, joinTenant, switchTenant, type TenantSessionDeps } from './auth/tenant-sessions.js';
export {
  type ApiKeyCaller,
  auditActorOf,
  type Caller,
  type ClientCaller,
  type ClientInfo,
  callerAccountId,
  subjectOfCaller,
  type UserCaller,
  userSubjectAttributes,
} from './caller.js';
export {
  CHALLENGE_BYTES,
  Challenges,
  challengeHash,
  type IssuedChallenge,
} from './challenges/challenges.js';
export type {
  ChallengeLookup,
  ChallengePurpose,
  ChallengeRecord,
  ChallengeStore,
} from './challenges/ports.js';
export {
  constantTimeEqual,
  type IssuedOtp,
  OTP_DIGITS,
  OTP_MAX_ATTEMPTS,
  OTP_TTL_SECONDS,
  type OtpCheck,
  type OtpIssue,
  type OtpRefusal,
  type OtpRefusalReason,
  OtpService,
  type OtpServiceOptions,
  otpRefusal,
  randomDigits,
} from './codes/otp.js';
export type {
  OtpChallengeRecord,
  OtpChallengeStore,
  OtpPurpose,
  OtpScope,
  OtpScopeTransaction,
} from './codes/ports.js';
export { type CodeChannel, codePurpose, type SendCodeInput, sendCode } from './codes/send-code.js';
export { assertSmsDestinationAllowed } from './codes/sms-destinations.js';
export { type DiscoveryDeps, discoveryHandlers, openIdConfiguration } from './discovery/handlers.js';
export { AppError, isAppError, refusalError } from './errors.js';
export { groupDto, groupsHandlers } from './groups/handlers.js';
export type { GroupRecord, GroupStore, MembershipRecord } from './groups/ports.js';
export { healthHandlers, type ReadinessChecks } from './health/handlers.js';
export type { IdempotencyStore, IdempotentAnswer } from './idempotency/ports.js';
export { type IdentityHandlerDeps, identityHandlers, proofRefusalError } from './identities/handlers.js';
export {
  identityDto,
  type LinkOutcome,
  linkIdentity,
  listSignInMethods,
  unlinkSignInMethod,
} from './identities/linking.js';
export { type ImpersonationDeps, impersonationHandlers } from './impersonation/handlers.js';
export { type AnsweredRequest, recordImpersonatedRequest } from './impersonation/request-audit.js';
// KYC module (#16)
export { DEFAULT_KYC_GROUP, decideKycSession, ensureKycGroup } from './kyc/decide.js';
export { decideKycSessionById, type KycDeps, kycHandlers } from './kyc/handlers.js';
export {
  PERSONA_SIGNATURE_HEADER,
  type PersonaEvent,
  personaHostedFlowUrl,
  personaOutcome,
  personaSignature,
  personaSignatureHeader,
  readPersonaEvent,
  type SignatureCheck,
  verifyPersonaSignature,
  WEBHOOK_TOLERANCE_SECONDS,
} from './kyc/persona.js';
export type {
  KycSessionRecord,
  KycSessionStatus,
  KycSettingsRecord,
  KycStore,
  PersonVerificationRecord,
} from './kyc/ports.js';
export {
  developmentProvider,
  type KycInbound,
  type KycProviderDriver,
  type KycStartInput,
  kycProviderDrivers,
  personaProvider,
} from './kyc/providers.js';
export { type MagicLinkHandlersDeps, magicLinkHandlers } from './magic-links/handlers.js';
export {
  consumeMagicLink,
  issueMagicLink,
  MAGIC_LINK_MAX_REQUESTS,
  MAGIC_LINK_TTL_SECONDS,
  MAGIC_LINK_WINDOW_SECONDS,
  type MagicLinkCheck,
  type MagicLinkDeps,
} from './magic-links/links.js';
export { magicLinkMessage } from './magic-links/messages.js';
export { magicLinkSignIn } from './magic-links/method.js';
export type { MagicLinkRecord, MagicLinkStore } from './magic-links/ports.js';
export {
  type ComposeInput,
  commonVariables,
  composeMail,
  type RenderedMail,
  renderMessage,
  resolveTemplate,
} from './messaging/compose.js';
export { builtInLocales, builtInTemplates, type TemplateSource } from './messaging/defaults.js';
export {
  deliverDueMessages,
  type MailSender,
  type MailTransport,
  type MessageDeliveryDeps,
  messageRetryDelayMs,
  type SmsTransport,
} from './messaging/deliver.js';
export { type MessagingDeps, messagingHandlers } from './messaging/handlers.js';
export {
  type MessageOutboxDeps,
  messagePayloadAad,
  queueMail,
  queueMessage,
  type RenderedSms,
  type SealedMessage,
  smsGatewayTokenAad,
  smtpPasswordAad,
  type TenantSmsSender,
  tenantSmsSender,
} from './messaging/outbox.js';
export type {
  MessageTemplateRecord,
  MessagingSettingsRecord,
  MessagingStore,
  OutboundMessageRecord,
} from './messaging/ports.js';
export {
  assertTemplateValid,
  escapeHtml,
  renderTemplate,
  templateProblems,
  variablesOf,
} from './messaging/templates.js';
export {
  GOOGLE_ISSUERS,
  type GoogleIdentity,
  GoogleIdTokenVerifier,
  type GoogleMethodDeps,
  googleSignIn,
  proveGoogle,
} from './methods/google.js';
export type {
  Authentication,
  EmailIdentity,
  KnownPerson,
  LinkedIdentity,
  LoginBodyOf,
  LoginProvider,
  ProvenIdentity,
  RegisterBodyOf,
  RegisterProvider,
  RegistrationMethod,
  SignInContext,
  SignInMethod,
} from './methods/method.js';
export { emailOtpSignIn, type OtpMethodDeps, phoneOtpSignIn } from './methods/otp.js';
export {
  PRIVY_AMR,
  PRIVY_ISSUER,
  type PrivyClaims,
  type PrivyMethodDeps,
  PrivyTokenVerifier,
  privySignIn,
  provePrivy,
  TENANT_HEADER,
} from './methods/privy.js';
export {
  type BearerSession,
  isPrivyToken,
  type PrivyBearerDeps,
  privyBearerClaims,
} from './methods/privy-bearer.js';
export { type ProofRefusal, type ProofResult, type ProvenSubject, refuseProof } from './methods/result.js';
export { assertAcceptsMethod, methodSettings, requireMethodSettings } from './methods/settings.js';
export {
  issueSiweNonce,
  proveSiwe,
  SIWE_NONCE_TTL_SECONDS,
  type SiweMethodDeps,
  type SiweProofInput,
  siweSignIn,
  verifySiweMessage,
} from './methods/siwe.js';
export {
  base32,
  base32With,
  checkTotp,
  TOTP_PERIOD_SECONDS,
  TOTP_SECRET_BYTES,
  TOTP_TOLERANCE_STEPS,
  type TotpCheck,
  totpCode,
} from './methods/totp.js';
export { type MfaHandlerDeps, mfaHandlers } from './mfa/handlers.js';
export type { MfaChallengeRecord, MfaStore, RecoveryCodeRecord, TotpFactorRecord } from './mfa/ports.js';
export { type SecretSealer, webCryptoSealer } from './mfa/sealer.js';
export {
  amrOfSecondFactor,
  type FactorCheck,
  invalidMfaCode,
  MFA_CHALLENGE_MAX_ATTEMPTS,
  MFA_CHALLENGE_TTL_SECONDS,
  MFA_METHODS,
  MFA_TOKEN_PREFIX,
  type MfaOutcome,
  normalizeRecoveryCode,
  otpauthUri,
  RECOVERY_CODE_COUNT,
  refreshSecondFactorGate,
  requireSecondFactor,
  type SecondFactorDeps,
  type SecondFactorMethod,
  type SecondFactorRequest,
  SecondFactors,
  secondFactorGate,
  sessionLacksRequiredFactor,
} from './mfa/second-factor.js';
export {
  authenticateApplication,
  type OAuthCaller,
  OAuthError,
  oauthErrorResponse,
  presentedClient,
} from './oauth/client-auth.js';
export { authenticateClientToken } from './oauth/client-token.js';
export { type OAuthDeps, oauthHandlers, oauthRevokeReason } from './oauth/handlers.js';
export {
  deleteDueTenants,
  type PlatformDeps,
  platformActor,
  platformHandlers,
  platformTenantView,
} from './operator/handlers.js';
export {
  type HousekeepingSettings,
  type HousekeepingStore,
  PURGE_BATCH,
  type PurgeCounts,
  type PurgeCutoffs,
  purgeCutoffs,
  runHousekeeping,
} from './operator/housekeeping.js';
export {
  hashPlatformKey,
  invalidPlatformKey,
  looksLikePlatformKey,
  newPlatformKey,
  PLATFORM_KEY_PREFIX,
  type PlatformCaller,
  type PlatformKeyEntry,
  parsePlatformKeys,
  requirePlatformScope,
  verifyPlatformKey,
} from './operator/keys.js';
export { assertTenantActive, tenantRefusal } from './operator/tenant-status.js';
export {
  type AuthorizeCallCount,
  AuthorizeCallCounter,
  monthPeriod,
  SIGN_IN_ACTION,
  type UsageFigures,
  type UsageStore,
} from './operator/usage.js';
export {
  byPosition,
  decodeCursor,
  encodeCursor,
  type PageRequest,
  type Position,
  pageInMemory,
  pageRequest,
  toPage,
  type VisibleRequest,
} from './pagination.js';
export { type PasskeyHandlers, passkeyHandlers } from './passkeys/handlers.js';
export { passkeySignIn } from './passkeys/method.js';
export type { PasskeyRecord, PasskeyStore } from './passkeys/ports.js';
export { type PasskeyDeps, toPasskeyCredential } from './passkeys/rules.js';
export { failureReason, simpleWebAuthnVerifier } from './passkeys/simplewebauthn.js';
export {
  type CredentialDescriptor,
  PASSKEY_CHALLENGE_TTL_SECONDS,
  type RelyingParty,
  relyingParty,
  SUPPORTED_ALGORITHMS,
  type VerifiedRegistration,
  type WebAuthnFailure,
  type WebAuthnVerifier,
} from './passkeys/webauthn.js';
export {
  changePasswordHandler,
  type PasswordHandlersDeps,
  passwordHandlers,
} from './passwords/handlers.js';
export {
  MOCK_PBKDF2_ITERATIONS,
  PBKDF2_ITERATIONS,
  pbkdf2PasswordHasher,
  verifyAgainstDummy,
} from './passwords/hashing.js';
export { passwordResetMessage } from './passwords/messages.js';
export { forgetUnprovenCredentials, forgetUnprovenPassword, passwordSignIn } from './passwords/method.js';
export { assertStrongPassword, type PasswordContext } from './passwords/policy.js';
export type { PasswordHasher, PasswordRecord, PasswordStore } from './passwords/ports.js';
export type { PasswordResetDeps } from './passwords/reset.js';
export {
  emptyProfile,
  type IdentityRecord,
  type IdentityStore,
  type PersonProfile,
  type PersonRecord,
  type PersonStore,
} from './persons/ports.js';
export {
  addSeconds,
  base64url,
  type Clock,
  type Hashing,
  type MailDelivery,
  type MailMessage,
  type RandomSource,
  systemClock,
  webCryptoHashing,
  webCryptoRandom,
} from './platform.js';
export { adminConstraintIssues } from './policy/admin-constraints.js';
export {
  assertNoEscalation,
  assertRoleWithinReach,
  callerCan,
  callerPermissions,
  escalations,
  manageAction,
  managerRoles,
  requireAllowed,
  requireAllowedFor,
  requireRole,
  rolePermissions,
} from './policy/grants.js';
export {
  callerPolicy,
  ifMatchHolds,
  permissionsHandler,
  policyHandlers,
  validatePolicyDocument,
} from './policy/handlers.js';
export type { AccountContext, AccountGrant, GrantReader, TenantPolicyStore } from './policy/ports.js';
export {
  type AdminResourceType,
  accountResource,
  adminResourceTypes,
  apiKeyResource,
  groupResource,
} from './policy/resources.js';
export { policyEtag, stableStringify, type TenantPolicy } from './policy/tenant-policy.js';
export { ERASURE_REASON, erasePerson, erasureKeys, keyIsTheirs } from './privacy/erasure.js';
export {
  DELETION_JOB_BATCH,
  DELETION_PROOF_MAX_AGE_MS,
  deletionRequestView,
  type PrivacyDeps,
  pendingDeletionOf,
  personalDataExport,
  privacyHandlers,
  processDeletion,
  processDueDeletions,
} from './privacy/handlers.js';
export {
  type DeletionRequestRecord,
  type DeletionRequestStatus,
  deletionRequestStatuses,
  type ErasureActor,
  type ErasureCounts,
  type PersonalTraces,
  type PersonalValues,
  type PrivacyStore,
} from './privacy/ports.js';
export { type Refusal, type Result, refuse, success } from './result.js';
export {
  compactSnapshot,
  decodeFeedCursor,
  encodeFeedCursor,
  type FeedCursor,
  snapshotXmin,
  startCursor,
  visibleInSnapshot,
} from './revocations/cursor.js';
export {
  feedRetentionSeconds,
  MAX_VERIFIER_CLOCK_TOLERANCE_SECONDS,
  type RevocationsDeps,
  revocationsHandlers,
} from './revocations/handlers.js';
export {
  type FeedAccountState,
  type FeedQuery,
  type RevocationEventKind,
  type RevocationEventRecord,
  type RevocationFeedStore,
  revocationEventKinds,
} from './revocations/ports.js';
export { roleCatalog, rolesHandlers } from './roles/handlers.js';
export { deviceLabel, unknownDevice } from './sessions/device.js';
export {
  accountSessionsHandlers,
  ownSessionsHandlers,
  type SessionHandlerDeps,
  sessionEndReasons,
  sessionView,
} from './sessions/handlers.js';
export type {
  FamilyTransaction,
  RefreshTokenRecord,
  SessionChanges,
  SessionOwner,
  SessionRecord,
  SessionStore,
} from './sessions/ports.js';
export {
  type IssuedRefreshToken,
  REFRESH_TOKEN_PREFIX,
  RefreshTokenService,
  type RefreshTokenServiceOptions,
  type ReuseEvent,
  type RevokingRefusal,
  type RotatedRefreshToken,
  type RotateOptions,
  type StartSessionInput,
} from './sessions/refresh-tokens.js';
export {
  completeOAuthCallback,
  OAUTH_CODE_TTL_SECONDS,
  OAUTH_FLOW_TTL_SECONDS,
  type OAuthFlowDeps,
  oauthSecretBinding,
  oauthSignIn,
  startOAuthFlow,
  verifierMatches,
} from './social-sign-in/flow.js';
export { type OAuthHandlerDeps, socialSignInHandlers } from './social-sign-in/handlers.js';
export {
  type OAuthFlowRecord,
  type OAuthProvenIdentity,
  type OAuthProviderRecord,
  type OAuthSettingsRecord,
  type OAuthStore,
  oauthFlowPurgeable,
} from './social-sign-in/ports.js';
export {
  type OAuthClientConfig,
  type OAuthProviderClient,
  type OAuthProviderClientOptions,
  type OidcClaims,
  oauth4webapiClient,
} from './social-sign-in/provider-client.js';
export type { Repositories, UnitOfWork } from './store.js';
export { applyAuthSettingsPatch, authSettingsOf } from './tenants/auth-settings.js';
export {
  generateInviteCode,
  generateTenantCode,
  hashInviteCode,
  INVITE_CODE_PREFIX,
  INVITE_TTL_SECONDS,
  normaliseTenantCode,
} from './tenants/codes.js';
export { type TenantsDeps, type TenantsHandlers, tenantsHandlers } from './tenants/handlers.js';
export {
  type InviteChanges,
  type InviteRecord,
  type InviteStatus,
  type InviteStore,
  inviteStatus,
  type NewInvite,
  type NewTenant,
  type TenantChanges,
  type TenantListRequest,
  type TenantMembers,
  type TenantRecord,
  type TenantStore,
} from './tenants/ports.js';
export { type ProvisionTenantInput, provisionTenant, tenantView } from './tenants/provision.js';
export { type SelfServeDeps, selfServeHandler } from './tenants/self-serve.js';
export {
  type SendCounterStore,
  type ThrottleCounter,
  type ThrottleKey,
  type ThrottleKind,
  type ThrottleStore,
  throttleKinds,
} from './throttle/ports.js';
export {
  type ClassLimits,
  RATE_LIMITS,
  type RateLimitClass,
  type RateLimitCounterStore,
  type RateLimitDecision,
  RateLimiter,
  type RateLimitState,
  type RateLimits,
  rateLimitClasses,
  rateLimitClassOf,
  rateLimitHeaders,
} from './throttle/rate-limits.js';
export * from './throttle/rules.js';
export {
  clientSendKey,
  countSend,
  SEND_LIMITS,
  type Send,
  type SendLimits,
} from './throttle/send-limits.js';
export {
  SignInThrottle,
  type ThrottleRepositories,
  type ThrottleSubject,
} from './throttle/sign-in-throttle.js';
export {
  ACCESS_TOKEN_TYP,
  AccessTokenService,
  type AccessTokenServiceOptions,
  type AccessTokenSubject,
  type IssuedAccessToken,
} from './tokens/access-tokens.js';
export {
  type ActiveSigningKey,
  buildJwks,
  isPublished,
  type JwksDocument,
  type PublishedKey,
  SIGNING_ALG,
  type SigningKeyStatus,
  type SigningKeys,
  signingKeyStatuses,
} from './tokens/signing-keys.js';
export {
  type WebhookEventRecord,
  webhookEventBody,
  webhookEventsOfAudit,
  webhookEventsOfAuditFields,
} from './webhooks/events.js';
export {
  type WebhooksDeps,
  webhookDeliveryView,
  webhookEndpointView,
  webhooksHandlers,
} from './webhooks/handlers.js';
export type {
  WebhookDeliveryRecord,
  WebhookDeliveryStatus,
  WebhookEndpointRecord,
  WebhookStore,
} from './webhooks/ports.js';
export {
  newWebhookSecret,
  openWebhookSecret,
  PREVIOUS_SECRET_SECONDS,
  sealWebhookSecret,
  signingSecrets,
  WEBHOOK_SECRET_PREFIX,
  webhookSecretBytes,
} from './webhooks/secret.js';
export {
  assertOutboundTarget,
  assertWebhookTarget,
  type WebhookTargetRules,
  webhookUrlRefused,
} from './webhooks/targets.js';
