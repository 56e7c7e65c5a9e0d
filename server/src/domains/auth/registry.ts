import { type AuthProvider, authProviderIds, type LoginBody, type RegisterBody } from '@enforcer/contract';
import { AppError } from '../../lib/errors.js';
import type { ITenant } from '../tenants/entities.js';
import { magicLinkStrategy } from './magic-link/strategy.js';
import { methodStrategies } from './methods/strategies.js';
import { emailOtpStrategy } from './strategies/email-otp/index.js';
import { passwordStrategy } from './strategies/password/index.js';
import type {
  Authentication,
  EmailIdentity,
  LoginProvider,
  LoginStrategy,
  RegisterProvider,
  RegistrationStrategy,
  StrategyContext,
} from './strategy.js';

type AnyLoginStrategy = LoginStrategy<LoginProvider>;
type AnyRegistrationStrategy = RegistrationStrategy<RegisterProvider>;

/**
 * The login methods, keyed by provider id (`POST /auth/login`'s `provider`). One list; what a tenant
 * accepts filters it (`tenant.authProviders`).
 */
export class StrategyRegistry {
  readonly #login = new Map<AuthProvider, AnyLoginStrategy>();
  readonly #register = new Map<AuthProvider, AnyRegistrationStrategy>();

  constructor(strategies: Array<AnyLoginStrategy & Partial<Pick<AnyRegistrationStrategy, 'register'>>>) {
    for (const strategy of strategies) {
      if (this.#login.has(strategy.id)) throw new Error(`duplicate login strategy ${strategy.id}`);
      this.#login.set(strategy.id, strategy);
      if (typeof strategy.register === 'function') {
        this.#register.set(strategy.id, strategy as AnyRegistrationStrategy);
      }
    }
  }

  /** Provider ids with a login strategy. */
  get providers(): AuthProvider[] {
    return authProviderIds.filter((id) => this.#login.has(id));
  }

  /** Does the tenant accept `provider`, and do we implement it? (`provider_not_allowed` otherwise.) */
  assertAccepted(tenant: ITenant, provider: AuthProvider): void {
    if (!tenant.authProviders.includes(provider) || !this.#login.has(provider)) {
      throw new AppError('provider_not_allowed', `This tenant does not accept ${provider} sign-in`);
    }
  }

  /** The `amr` values of a session started with `provider`. */
  amrOf(provider: LoginProvider): string[] {
    return [...(this.#login.get(provider)?.amr ?? [])];
  }

  authenticate(ctx: StrategyContext & { tenant: ITenant }, body: LoginBody): Promise<Authentication> {
    const strategy = this.#login.get(body.provider);
    if (!strategy) throw new AppError('provider_not_allowed', `${body.provider} sign-in is not available`);
    return strategy.authenticate(ctx, body as never);
  }

  register(ctx: StrategyContext, body: RegisterBody): Promise<EmailIdentity> {
    const strategy = this.#register.get(body.provider);
    if (!strategy)
      throw new AppError('provider_not_allowed', `${body.provider} registration is not available`);
    return strategy.register(ctx, body as never);
  }

  /**
   * May a session authenticated with `amr` be carried into `tenant` (join, switch, invite)? Only if the
   * tenant accepts one of the methods that produce those `amr` values: a tenant that turned email codes
   * off is not entered with a session that was started by an email code somewhere else.
   */
  acceptsSession(tenant: Pick<ITenant, 'authProviders'>, amr: readonly string[]): boolean {
    return tenant.authProviders.some((provider) => {
      const strategy = this.#login.get(provider as AuthProvider);
      return strategy?.amr.some((value) => amr.includes(value)) ?? false;
    });
  }

  assertAcceptsSession(tenant: Pick<ITenant, 'authProviders'>, amr: readonly string[]): void {
    if (!this.acceptsSession(tenant, amr)) {
      throw new AppError(
        'provider_not_allowed',
        'This tenant does not accept the sign-in method of your session; sign in to it directly',
      );
    }
  }
}

/** Every login method the server implements. Step by step: passkey, phone_otp, password, google, ... */
export const defaultStrategies = () =>
  new StrategyRegistry([emailOtpStrategy, passwordStrategy, magicLinkStrategy, ...methodStrategies]);
