import { ApiKey } from '../domains/api-keys/entities.js';
import { AuditEvent } from '../domains/audit/entities.js';
import { AuthChallenge } from '../domains/auth/challenges/entities.js';
import { OtpChallenge } from '../domains/auth/entities.js';
import { MagicLinkSetting, MagicLinkToken } from '../domains/auth/methods/magic-link/entities.js';
import { PasskeyCredential } from '../domains/auth/methods/passkey/entities.js';
import { PasswordCredential } from '../domains/auth/methods/password/entities.js';
import { MfaChallenge, RecoveryCode, TotpCredential } from '../domains/auth/mfa/entities.js';
import { AuthThrottle } from '../domains/auth/throttle/entities.js';
import { Group, GroupMembership } from '../domains/groups/entities.js';
import { PersonIdentity } from '../domains/identities/entities.js';
import { Account, Person } from '../domains/identity/entities.js';
import { SigningKey } from '../domains/keys/entities.js';
import { RevocationEvent } from '../domains/revocations/entities.js';
import { Invite, Tenant } from '../domains/tenants/entities.js';
import { RefreshToken, Session } from '../domains/tokens/entities.js';

/** Every entity the ORM knows. A new entity goes here, then `pnpm --filter @enforcer/server migration:create`. */
export const entities = [
  Tenant,
  Invite,
  Person,
  Account,
  Group,
  GroupMembership,
  OtpChallenge,
  Session,
  RefreshToken,
  ApiKey,
  SigningKey,
  AuditEvent,
  RevocationEvent,
  PersonIdentity,
  PasskeyCredential,
  AuthChallenge,
  PasswordCredential,
  TotpCredential,
  RecoveryCode,
  MfaChallenge,
  MagicLinkToken,
  MagicLinkSetting,
  AuthThrottle,
];
