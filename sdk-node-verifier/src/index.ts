// The public surface of @enforcer/node-verifier, named one by one. Middleware has its own entry
// points: @enforcer/node-verifier/fastify and @enforcer/node-verifier/express.

// The policy engine the decisions use, re-exported for convenience (the same module as
// @enforcer/contract/policy, so plans and documents are interchangeable with the server's).
export {
  type Action,
  type ActionCatalogue,
  type ActionCatalogueIssues,
  type ActionsOf,
  actionCatalogueIssues,
  type CompiledPolicy,
  compile,
  defineActions,
  type Explanation,
  type MikroOrmFields,
  type MikroOrmFilter,
  type Plan,
  PlanConversionError,
  type PolicyDocument,
  PolicyValidationError,
  type Reason,
  type RecordPredicate,
  type Register,
  type Resource,
  type SqlColumns,
  type SqlFragment,
  type Subject,
  toMikroOrm,
  toPredicate,
  toSql,
} from '@enforcer/contract/policy';
export {
  type Check,
  createVerifier,
  type Decision,
  type Verifier,
  type VerifierStatus,
} from './create-verifier';
export { isVerifierError, VerifierError, type VerifierErrorCode, verifierErrorCodes } from './errors';
export type { KeySourceStatus } from './keys/key-source';
export {
  type EnforcerEndpoint,
  type JsonWebKeyLike,
  type JsonWebKeySet,
  type JwksCacheOptions,
  type RemotePolicyOptions,
  type RevocationFeedOptions,
  type SupportedAlgorithm,
  supportedAlgorithms,
  type VerifierOptions,
} from './options';
export type { PolicySourceStatus } from './policy/policy-source';
export type { AnyPrincipal, ClientPrincipal, Principal } from './principal';
export {
  ACCESS_TOKEN_COOKIE,
  accessTokenFromRequest,
  principalFromRequest,
  type RequestLike,
  type RequestTokenOptions,
  type ServerSession,
  sessionFromRequest,
} from './request-session';
export type { AccessTokenClaims, ClientTokenClaims } from './token/read-claims';
export {
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookEvent,
  type WebhookEventData,
  type WebhookEventType,
  type WebhookRequest,
  WebhookVerificationError,
  type WebhookVerificationErrorCode,
  webhookEventTypes,
  webhookVerificationErrorCodes,
} from './webhooks';
