// Rotates the JWT signing keys: the pending key (published in the JWKS since the last rotation) becomes
// active, the active key is retired (still published until SIGNING_KEY_RETENTION ends), a new pending
// key is created, and retired keys past retention are deleted. Running servers pick the change up within
// a minute (their key cache) and verify tokens of every published key meanwhile.
//
//   pnpm --filter @enforcer/server rotate-keys            # refuses if the pending key is younger than JWKS_MAX_AGE
//   pnpm --filter @enforcer/server rotate-keys --force    # promote anyway (e.g. a suspected key compromise)
//   pnpm --filter @enforcer/server rotate-keys --status   # list the keys, change nothing
//
// Uses the same configuration as the server: DATABASE_URL, or the embedded PostgreSQL under
// ENFORCER_DATA_DIR (the running server's cluster if it is up, else started for the duration).
import { ConfigError, loadConfig } from '../config.js';
import { startDatabase } from '../db/database.js';
import { KeyRotationError } from '../domains/keys/signing-key-store.js';
import { SigningKey } from '../entities/signing-keys.js';
import { createServices } from '../services.js';

const args = new Set(process.argv.slice(2));
const unknown = [...args].filter((arg) => !['--force', '--status', '--help'].includes(arg));
if (args.has('--help') || unknown.length > 0) {
  console.log('usage: rotate-keys [--force] [--status]');
  process.exit(unknown.length > 0 ? 2 : 0);
}

let exitCode = 0;
try {
  const config = loadConfig();
  const db = await startDatabase(config, { reuseRunning: true });
  try {
    const services = createServices(config, db.orm);
    await services.keys.ensureKeys();
    if (!args.has('--status')) {
      const result = await services.keys.rotate({ force: args.has('--force') });
      console.log(`activated ${result.activated}`);
      if (result.retired)
        console.log(`retired   ${result.retired} (published for ${config.keys.retentionSeconds}s more)`);
      console.log(`pending   ${result.pending} (published now, signs after the next rotation)`);
      for (const kid of result.pruned) console.log(`deleted   ${kid} (retention ended)`);
    }
    const rows = await db.orm.em.fork().find(SigningKey, {}, { orderBy: { createdAt: 'asc' } });
    console.log('\nkid                                          status   created                   retired');
    for (const row of rows) {
      console.log(
        `${row.kid.padEnd(44)} ${row.status.padEnd(8)} ${row.createdAt.toISOString()}  ${row.retiredAt?.toISOString() ?? ''}`,
      );
    }
  } finally {
    await db.close();
  }
} catch (error) {
  if (error instanceof ConfigError || error instanceof KeyRotationError) {
    console.error(error.message);
    exitCode = 1;
  } else {
    console.error(error);
    exitCode = 1;
  }
}
process.exit(exitCode);
