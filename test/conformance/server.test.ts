// The conformance suite against the real server: buildApp on a fresh test database, listening
// on a loopback port, with a clock the suite moves.
import { buildApp } from '../../server/src/app.js';
import { ManualClock } from '../../server/src/lib/clock.js';
import { createTestOrm, testConfig } from '../../server/src/testing/index.js';
import { conformanceSuite } from './suite';

conformanceSuite({
  name: 'the real server',
  async start() {
    const db = await createTestOrm();
    const clock = new ManualClock();
    const app = buildApp(testConfig(), { orm: db.orm, clock });
    await app.services.keys.ensureKeys();
    const origin = await app.listen({ port: 0, host: '127.0.0.1' });
    return {
      baseUrl: origin,
      clock: { now: () => clock.now().getTime(), advance: (seconds) => clock.advance(seconds) },
      stop: async () => {
        await app.close();
        await db.close();
      },
    };
  },
});
