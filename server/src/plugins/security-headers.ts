import helmet, { type HelmetOptions } from 'helmet';
import type { Config } from '../config.js';

/**
 * The security headers of every answer, as helmet (its reviewed defaults otherwise) computes them for:
 * - `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'`: the API answers JSON, which
 *   loads nothing and is never framed. The Swagger UI sets its own strict policy for its pages
 *   (`staticCSP`: its scripts and styles from itself only), which is kept.
 * - `Strict-Transport-Security` in production only (a year, subdomains): development servers run on
 *   plain HTTP on localhost, where a pinned HSTS entry would break other local services.
 * - `Cross-Origin-Resource-Policy: cross-origin`: the JWKS and the API are read by other origins
 *   (verifiers, browser apps); CORS, not CORP, decides who may read an answer.
 * The app's onSend hook sets them (with `Cache-Control: no-store`), unless a route set its own.
 */
export function securityHeaderOptions(config: Pick<Config, 'env'>): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    hsts: config.env === 'production' ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  };
}

/**
 * The headers helmet sets with these options. None depends on the request (no CSP nonces), so helmet
 * runs once, here, and each answer gets the result: running its middleware chain on every request cost
 * about 30 µs each (measured with `inject`), several percent of a `POST /authorize`.
 */
export function securityHeaders(config: Pick<Config, 'env'>): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(securityHeaderOptions(config))({} as never, response as never, () => {});
  return headers;
}
