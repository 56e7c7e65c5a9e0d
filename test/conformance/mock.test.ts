// The conformance suite against the MSW mock (@enforcer/sdk-js/msw).

import { createHash } from 'node:crypto';
import { createEnforcerMock, manualClock } from '@enforcer/sdk-js/msw';
import { setupServer } from 'msw/node';
import { conformanceSuite } from './runner';
import { PLATFORM_KEY, PLATFORM_SCOPES } from './scenarios/_steps';

await conformanceSuite({
  name: 'the MSW mock',
  async start() {
    const clock = manualClock();
    const mock = createEnforcerMock({
      clock,
      baseUrl: 'http://enforcer.test',
      platformKeys: [
        {
          name: 'conformance',
          hash: createHash('sha256').update(PLATFORM_KEY).digest('hex'),
          scopes: PLATFORM_SCOPES as never,
        },
      ],
    });
    const server = setupServer(...mock.handlers);
    server.listen({ onUnhandledFrame: 'error' });
    return {
      baseUrl: mock.baseUrl,
      clock,
      // Google: ID tokens signed by the mock's own Google key (`mock.google`).
      google: { signIdToken: (claims) => mock.google.signIdToken(claims) },
      stop: async () => server.close(),
    };
  },
});
