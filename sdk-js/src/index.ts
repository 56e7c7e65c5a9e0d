// @enforcer/sdk-js: the browser SDK. The MSW mock for tests is @enforcer/sdk-js/msw.

export {
  type Action,
  type ActionCatalogue,
  type ActionCatalogueIssues,
  type ActionsOf,
  actionCatalogueIssues,
  defineActions,
  type Register,
} from '@enforcer/contract/browser';
export {
  buildRequest,
  type ClientFetcher,
  type ClientRequest,
  type ClientResponse,
  createClient,
  type EnforcerClient,
} from './client/create-client';
export {
  type AccessTokenCookieOptions,
  createEnforcer,
  type Enforcer,
  type EnforcerOptions,
  type MfaEnrolledSignInResult,
  type MfaEnrollmentRequiredResult,
  type MfaMethod,
  type MfaRequiredResult,
  type OAuthLinked,
  type SignedInResult,
  type SignInResult,
} from './create-enforcer';
export type { FlowContext } from './flows/context';
export type { PasskeyFlows } from './flows/passkeys';
export { type AccessTokenClaims, decodeClaims } from './session/claims';
export type {
  LoadingSnapshot,
  PermissionsState,
  SessionSnapshot,
  SignedInSnapshot,
  SignedOutSnapshot,
} from './session/snapshot';
export type { StoredSession } from './session/stored-session';
export type { Clock } from './shared/clock';
export {
  type ClientErrorCode,
  EnforcerError,
  type EnforcerErrorCode,
  errorFromResponse,
  isEnforcerError,
  unwrap,
} from './shared/errors';
export {
  localStorageAdapter,
  memoryStorage,
  type StorageAdapter,
  type StorageOption,
  sessionStorageAdapter,
} from './storage/storage';
export type { ChannelFactory, ChannelLike } from './sync/channel';
export type { LockManagerLike } from './sync/locks';
