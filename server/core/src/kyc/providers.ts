import type { KycProvider } from '@enforcer/contract';
import {
  PERSONA_SIGNATURE_HEADER,
  type PersonaEvent,
  personaHostedFlowUrl,
  personaOutcome,
  readPersonaEvent,
  type SignatureCheck,
  verifyPersonaSignature,
} from './persona.js';
import type { KycSettingsRecord } from './ports.js';

/** What opening a verification needs from a provider: where the person goes. */
export interface KycStartInput {
  sessionId: string;
  settings: KycSettingsRecord;
  /** The development page's token (only the development provider gets one). */
  pageToken: string | null;
  /** The API's base URL (`…/api/v1/enforcer`). */
  apiBaseUrl: string;
  redirectUrl?: string | undefined;
}

/** A provider's signed inbound events. */
export interface KycInbound {
  /** Checks the delivery's signature over its exact bytes, with the tenant's secret. */
  verify(input: {
    headers: Record<string, string | undefined>;
    rawBody: Uint8Array;
    secret: string;
    now: Date;
  }): Promise<SignatureCheck>;
  /** The event's id, name and the session reference, read from the (not yet trusted) body. */
  read(body: unknown): PersonaEvent | null;
  /** The decision an event carries, or null when it decides nothing. */
  outcome(name: string): 'approved' | 'rejected' | 'expired' | null;
}

/** One KYC provider: the rules for its settings, its hosted page, and (for real ones) its webhooks. */
export interface KycProviderDriver {
  name: KycProvider;
  /** The settings it cannot work without, as `body.<field>` problems (empty when complete). */
  missing(settings: KycSettingsRecord): string[];
  /** The page the person opens. */
  startUrl(input: KycStartInput): string;
  inbound: KycInbound | null;
}

/**
 * The development provider: a page Enforcer serves itself (`GET /kyc/dev/{token}`) with approve and reject
 * buttons, for demos and tests. Only for tenants that chose it, and never in production.
 */
export const developmentProvider: KycProviderDriver = {
  name: 'development',
  missing: () => [],
  startUrl: ({ apiBaseUrl, pageToken }) => `${apiBaseUrl}/kyc/dev/${pageToken}`,
  inbound: null,
};

/** Persona (withpersona.com): the hosted flow, and its `Persona-Signature`-signed webhooks. */
export const personaProvider: KycProviderDriver = {
  name: 'persona',
  missing: (settings) => [
    ...(settings.templateId ? [] : ['template_id']),
    ...(settings.webhookSecretSealed ? [] : ['webhook_secret']),
  ],
  startUrl: ({ settings, sessionId, redirectUrl }) =>
    personaHostedFlowUrl({
      templateId: settings.templateId ?? '',
      environmentId: settings.environmentId,
      referenceId: sessionId,
      redirectUrl,
    }),
  inbound: {
    verify: ({ headers, rawBody, secret, now }) =>
      verifyPersonaSignature({ header: headers[PERSONA_SIGNATURE_HEADER], rawBody, secret, now }),
    read: readPersonaEvent,
    outcome: personaOutcome,
  },
};

export const kycProviderDrivers: Record<KycProvider, KycProviderDriver> = {
  development: developmentProvider,
  persona: personaProvider,
};
