import { type AuthProvider, authProviderIds, type LoginBody, type RegisterBody } from '@enforcer/contract';
import type { ITenant } from '../../../entities/tenants.js';
import { AppError } from '../../../lib/errors.js';
import { emailOtpMethod } from './email-otp/index.js';
import { googleMethod } from './google/index.js';
import { magicLinkMethod } from './magic-link/index.js';
import type {
  Authentication,
  EmailIdentity,
  LoginProvider,
  MethodContext,
  RegisterProvider,
  RegistrationMethod,
  SignInMethod,
} from './method.js';
import { passkeyMethod } from './passkey/login.js';
import { passwordMethod } from './password/index.js';
import { phoneOtpMethod } from './phone-otp/index.js';
import { privyMethod } from './privy/index.js';
import { siweMethod } from './siwe/index.js';

type AnySignInMethod = SignInMethod<LoginProvider>;
type AnyRegistrationMethod = RegistrationMethod<RegisterProvider>;

/**
 * The login methods, keyed by provider id (`POST /auth/login`'s `provider`). One list; what a tenant
 * accepts filters it (`tenant.authProviders`).
 */
export class MethodRegistry {
  readonly #login = new Map<AuthProvider, AnySignInMethod>();
  readonly #register = new Map<AuthProvider, AnyRegistrationMethod>();

  constructor(methods: Array<AnySignInMethod & Partial<Pick<AnyRegistrationMethod, 'register'>>>) {
    for (const method of methods) {
      if (this.#login.has(method.id)) throw new Error(`duplicate sign-in method ${method.id}`);
      this.#login.set(method.id, method);
      if (typeof method.register === 'function') {
        this.#register.set(method.id, method as AnyRegistrationMethod);
      }
    }
  }

  /** Provider ids with a sign-in method. */
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

  authenticate(ctx: MethodContext & { tenant: ITenant }, body: LoginBody): Promise<Authentication> {
    const method = this.#login.get(body.provider);
    if (!method) throw new AppError('provider_not_allowed', `${body.provider} sign-in is not available`);
    return method.authenticate(ctx, body as never);
  }

  register(ctx: MethodContext, body: RegisterBody): Promise<EmailIdentity> {
    const method = this.#register.get(body.provider);
    if (!method) throw new AppError('provider_not_allowed', `${body.provider} registration is not available`);
    return method.register(ctx, body as never);
  }

  /**
   * May a session authenticated with `amr` be carried into `tenant` (join, switch, invite)? Only if the
   * tenant accepts one of the methods that produce those `amr` values: a tenant that turned email codes
   * off is not entered with a session that was started by an email code somewhere else.
   */
  acceptsSession(tenant: Pick<ITenant, 'authProviders'>, amr: readonly string[]): boolean {
    return tenant.authProviders.some((provider) => {
      const method = this.#login.get(provider as AuthProvider);
      return method?.amr.some((value) => amr.includes(value)) ?? false;
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

/** Every sign-in method the server implements. */
export const defaultMethods = () =>
  new MethodRegistry([
    emailOtpMethod,
    passwordMethod,
    magicLinkMethod,
    phoneOtpMethod,
    googleMethod,
    siweMethod,
    privyMethod,
    passkeyMethod,
  ]);
