// The conformance suite against the real server: @enforcer/server/testing's server on a fresh test
// database, listening on a loopback port, with a clock the suite moves.

import { createHash } from 'node:crypto';
import { ManualClock, startTestServer } from '@enforcer/server/testing';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { HttpResponse, http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { conformanceSuite } from './runner';
import { PLATFORM_KEY, PLATFORM_SCOPES } from './scenarios/_steps';

const GOOGLE_JWKS_URL = 'https://google.test/oauth2/v3/certs';

await conformanceSuite({
  name: 'the real server',
  async start() {
    const clock = new ManualClock();
    const platformKeyLine = `conformance ${createHash('sha256').update(PLATFORM_KEY).digest('hex')} ${PLATFORM_SCOPES.join(',')}`;
    const server = await startTestServer({
      env: { GOOGLE_JWKS_URL, ENFORCER_PLATFORM_API_KEYS: platformKeyLine },
      clock,
    });
    const { origin } = server;
    // Google: an RS256 key made here, its JWKS served by MSW where the server fetches Google's.
    const google = await generateKeyPair('RS256', { extractable: true });
    const jwk = {
      ...(await exportJWK(google.publicKey)),
      kid: 'conformance-google',
      alg: 'RS256',
      use: 'sig',
    };
    const msw = setupServer(
      http.get(GOOGLE_JWKS_URL, () => HttpResponse.json({ keys: [jwk] })),
      http.all(`${origin}/*`, () => passthrough()),
    );
    msw.listen({ onUnhandledFrame: 'error' });
    return {
      baseUrl: origin,
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
        msw.close();
        await server.close();
      },
    };
  },
});
