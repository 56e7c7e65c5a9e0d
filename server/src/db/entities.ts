import type { EntitySchema } from '@mikro-orm/core';
import { Account, Person } from '../entities/accounts.js';
import { ApiKey } from '../entities/api-keys.js';
import { Application, RevokedClientToken, UsedClientAssertion } from '../entities/applications.js';
import { AuditEvent } from '../entities/audit.js';
import { AuthChallenge } from '../entities/auth-challenges.js';
import { Group, GroupMembership } from '../entities/groups.js';
import { IdempotencyKey } from '../entities/idempotency.js';
import { PersonIdentity } from '../entities/identities.js';
import { KycProviderEvent, KycSession, KycSetting, PersonVerification } from '../entities/kyc.js';
import { MagicLinkSetting, MagicLinkToken } from '../entities/magic-links.js';
import { MessageTemplate, MessagingSetting, OutboundMessage } from '../entities/messaging.js';
import { MfaChallenge, RecoveryCode, TotpCredential } from '../entities/mfa.js';
import { OAuthFlow, OAuthSetting } from '../entities/oauth.js';
import { OtpChallenge } from '../entities/otp-challenges.js';
import { PasskeyCredential } from '../entities/passkeys.js';
import { PasswordCredential } from '../entities/passwords.js';
import { DeletionRequest } from '../entities/privacy.js';
import { RevocationEvent } from '../entities/revocations.js';
import { RefreshToken, Session } from '../entities/sessions.js';
import { SigningKey } from '../entities/signing-keys.js';
import { Invite, Tenant } from '../entities/tenants.js';
import { AuthThrottle, RateLimitCounter, SendCounter } from '../entities/throttle.js';
import { UsageCounter } from '../entities/usage.js';
import { WebhookDelivery, WebhookEndpoint, WebhookEvent } from '../entities/webhooks.js';

/**
 * Every entity the ORM knows. A new entity goes here, then `pnpm --filter @enforcer/server migration:create`.
 * Typed as schemas: the inferred tuple of every entity's type grew past what tsc will write into a .d.ts.
 */
export const entities: EntitySchema[] = [
  Tenant,
  Invite,
  IdempotencyKey,
  Person,
  Account,
  Group,
  GroupMembership,
  OtpChallenge,
  Session,
  RefreshToken,
  ApiKey,
  Application,
  RevokedClientToken,
  UsedClientAssertion,
  SigningKey,
  AuditEvent,
  RevocationEvent,
  PersonIdentity,
  PasskeyCredential,
  AuthChallenge,
  PasswordCredential,
  TotpCredential,
  RecoveryCode,
  DeletionRequest,
  MfaChallenge,
  MagicLinkToken,
  MagicLinkSetting,
  OAuthSetting,
  OAuthFlow,
  AuthThrottle,
  SendCounter,
  RateLimitCounter,
  WebhookEndpoint,
  WebhookEvent,
  WebhookDelivery,
  KycSetting,
  KycSession,
  PersonVerification,
  KycProviderEvent,
  MessagingSetting,
  MessageTemplate,
  OutboundMessage,
  UsageCounter,
];
