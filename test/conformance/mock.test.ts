// The conformance suite against the MSW mock (@enforcer/sdk-js/msw).
import { createEnforcerMock, manualClock } from '@enforcer/sdk-js/msw';
import { setupServer } from 'msw/node';
import { conformanceSuite } from './runner';

await conformanceSuite({
  name: 'the MSW mock',
  async start() {
    const clock = manualClock();
    const mock = createEnforcerMock({ clock, baseUrl: 'http://enforcer.test' });
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
