import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import { Account, Person } from './accounts.js';
import { Tenant } from './tenants.js';

/** A tenant's KYC module settings (#16). Provider secrets sealed with AES-256-GCM, never in clear. */
export const KycSetting = defineEntity({
  name: 'KycSetting',
  tableName: 'kyc_setting',
  properties: {
    tenant: () => p.manyToOne(Tenant).primary().deleteRule('cascade'),
    enabled: p.boolean().default(false),
    provider: p.text(),
    groupName: p.text(),
    acceptOtherTenants: p.boolean().default(false),
    templateId: p.text().nullable(),
    environmentId: p.text().nullable(),
    webhookSecretSealed: p.text().nullable(),
    apiKeySealed: p.text().nullable(),
    updatedAt: p.datetime(),
  },
});
export type IKycSetting = InferEntity<typeof KycSetting>;

/** One verification of one account in one tenant (`carried`: accepted from another tenant's). */
export const KycSession = defineEntity({
  name: 'KycSession',
  tableName: 'kyc_session',
  properties: {
    id: p.uuid().primary(),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    account: () => p.manyToOne(Account).deleteRule('cascade'),
    person: () => p.manyToOne(Person).deleteRule('cascade'),
    provider: p.text(),
    status: p.text(),
    /** SHA-256 of the development page's token. */
    tokenHash: p.text().nullable().unique(),
    /** The session of another tenant a `carried` one rests on (no foreign key: history outlives it). */
    basisSessionId: p.uuid().nullable(),
    createdAt: p.datetime(),
    decidedAt: p.datetime().nullable(),
    /** The provider's time of the event that decided it (late, older deliveries do not undo it). */
    decisionEventAt: p.datetime().nullable(),
  },
  indexes: [{ properties: ['tenant', 'account', 'createdAt'] }, { properties: ['basisSessionId'] }],
});
export type IKycSession = InferEntity<typeof KycSession>;

/** The person's verification: the last provider decision, whichever tenant asked for it. */
export const PersonVerification = defineEntity({
  name: 'PersonVerification',
  tableName: 'person_verification',
  properties: {
    person: () => p.manyToOne(Person).primary().deleteRule('cascade'),
    status: p.text(),
    sessionId: p.uuid(),
    tenantId: p.uuid(),
    decidedAt: p.datetime(),
  },
});
export type IPersonVerification = InferEntity<typeof PersonVerification>;

/** Provider events a tenant processed (idempotency of webhook deliveries). */
export const KycProviderEvent = defineEntity({
  name: 'KycProviderEvent',
  tableName: 'kyc_provider_event',
  properties: {
    tenant: () => p.manyToOne(Tenant).primary().deleteRule('cascade'),
    provider: p.text().primary(),
    eventId: p.text().primary(),
    processedAt: p.datetime(),
  },
});
export type IKycProviderEvent = InferEntity<typeof KycProviderEvent>;
