import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';

/**
 * The security headers of every answer (@fastify/helmet, helmet's well-reviewed defaults otherwise):
 * - `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'`: the API answers JSON, which
 *   loads nothing and is never framed. The Swagger UI sets its own strict policy for its pages
 *   (`staticCSP`: its scripts and styles from itself only).
 * - `Strict-Transport-Security` in production only (a year, subdomains): development servers run on
 *   plain HTTP on localhost, where a pinned HSTS entry would break other local services.
 * - `Cross-Origin-Resource-Policy: cross-origin`: the JWKS and the API are read by other origins
 *   (verifiers, browser apps); CORS, not CORP, decides who may read an answer.
 * `Cache-Control: no-store` and `X-Content-Type-Options: nosniff` are set by the app's onSend hook.
 */
export function securityHeaderOptions(config: Pick<Config, 'env'>): FastifyHelmetOptions {
  return {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    hsts: config.env === 'production' ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  };
}

export function installSecurityHeaders(app: FastifyInstance, config: Pick<Config, 'env'>): void {
  app.register(helmet, securityHeaderOptions(config));
}
