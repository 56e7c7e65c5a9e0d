// The conformance suite's real-server target: @enforcer/server/testing's server on a fresh test database,
// listening on a loopback port, with a clock the suite moves. It runs as SERVER_PARTS test files
// (server-1.test.ts, …), each a part of the scenario files on a server of its own, so vitest's workers
// share the suite's work instead of one worker running all of it in a row.
//
// Google's JWKS is served by a plain HTTP server on loopback, not MSW: MSW patches the process's fetch
// and http, which would make these files run isolated (a fresh module graph each, see
// test/support/isolation.ts); nothing else here leaves the process changed.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock, startTestServer } from '@enforcer/server/testing';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { ConformanceTarget } from './runner';
import { PLATFORM_KEY, PLATFORM_SCOPES } from './scenarios/_steps';

/** How many test files the scenarios are split over (runner.test.ts checks each exists). */
export const SERVER_PARTS = 3;

export const realServer: ConformanceTarget = {
  name: 'the real server',
  async start() {
    // Google: an RS256 key made here, its JWKS served on loopback where the server fetches Google's.
    const google = await generateKeyPair('RS256', { extractable: true });
    const jwk = {
      ...(await exportJWK(google.publicKey)),
      kid: 'conformance-google',
      alg: 'RS256',
      use: 'sig',
    };
    const jwks = createServer((request, response) => {
      if (request.method === 'GET' && request.url === '/oauth2/v3/certs') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      } else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const GOOGLE_JWKS_URL = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/oauth2/v3/certs`;

    const clock = new ManualClock();
    const platformKeyLine = `conformance ${createHash('sha256').update(PLATFORM_KEY).digest('hex')} ${PLATFORM_SCOPES.join(',')}`;
    const server = await startTestServer({
      env: { GOOGLE_JWKS_URL, ENFORCER_PLATFORM_API_KEYS: platformKeyLine },
      clock,
      // argon2id at its smallest cost: the scenarios sign in with passwords often, and the server's
      // parameters are checked by test/e2e/auth-password.test.ts.
      passwordHashing: 'fast',
    });
    return {
      baseUrl: server.origin,
      clock: { now: () => clock.now().getTime(), advance: (seconds) => clock.advance(seconds) },
      google: {
        signIdToken: (claims) => {
          const now = Math.floor(clock.now().getTime() / 1000);
          return new SignJWT({ iss: 'https://accounts.google.com', iat: now, exp: now + 3600, ...claims })
            .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' })
            .sign(google.privateKey);
        },
      },
      stop: async () => {
        await server.close();
        jwks.closeAllConnections();
        await new Promise<void>((resolve) => jwks.close(() => resolve()));
      },
    };
  },
};
