import { OtpService } from '@enforcer/core';
import type { FastifyBaseLogger } from 'fastify';
import { deriveKey } from '../../lib/crypto.js';
import type { Services } from '../../services.js';
import { PostgresOtpChallengeStore } from '../../stores/postgres/codes.js';
import { createMailDelivery } from './mail/create-mail-delivery.js';
import type { MailDelivery } from './mail/mail-delivery.js';
import { OtpCodes } from './otp.js';
import { defaultStrategies, type StrategyRegistry } from './registry.js';

/** The auth domain's services: one-time codes, mail and the login strategies. */
export interface AuthKit {
  otp: OtpCodes;
  mail: MailDelivery;
  strategies: StrategyRegistry;
  /** Development and test servers put the one-time code in `POST /auth/otp/request`'s answer; production never. */
  exposeOtpCodes: boolean;
}

const kits = new WeakMap<Services, AuthKit>();

/**
 * The auth kit of a server, built once per `Services` (so per app) on first use. `authRoutes` builds it
 * with the app's logger and closes its mail transport with the app; the tenant handlers reuse it.
 */
export function authKit(services: Services, logger: FastifyBaseLogger): AuthKit {
  let kit = kits.get(services);
  if (!kit) {
    kit = {
      otp: new OtpCodes(
        new OtpService({
          store: new PostgresOtpChallengeStore({ orm: services.orm }),
          clock: services.clock,
          random: services.random,
          codeKey: deriveKey(services.config.masterKey, 'otp-code'),
        }),
        services.clock,
      ),
      mail: createMailDelivery(services.config, logger),
      strategies: defaultStrategies(),
      exposeOtpCodes: services.config.env !== 'production',
    };
    kits.set(services, kit);
  }
  return kit;
}
