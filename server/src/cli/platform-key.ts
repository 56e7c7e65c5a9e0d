// Mints a platform API key for the deployment's operator (#15): prints the key (shown once; keep it in a
// secret store) and the line to add to ENFORCER_PLATFORM_API_KEYS (or the file ENFORCER_PLATFORM_API_KEYS_FILE
// names), which holds only the key's SHA-256. Nothing is written anywhere: the key works once the servers
// start with that line, and stops working when it is removed.
//
//   pnpm --filter @enforcer/server platform-key <name> [scope,...]
//   scopes: platform.tenants.read (default), platform.tenants.update, platform.tenants.delete
import { platformScopes } from '@enforcer/contract';
import {
  hashPlatformKey,
  newPlatformKey,
  parsePlatformKeys,
  webCryptoHashing,
  webCryptoRandom,
} from '@enforcer/core';

const [name, scopes = 'platform.tenants.read', ...rest] = process.argv.slice(2);
if (!name || name === '--help' || rest.length > 0) {
  console.log(`usage: platform-key <name> [scope,...]   (scopes: ${platformScopes.join(', ')})`);
  process.exit(name === '--help' ? 0 : 2);
}

const key = newPlatformKey(webCryptoRandom);
const line = `${name} ${await hashPlatformKey(webCryptoHashing, key)} ${scopes}`;
// The same check the server runs at start, so a typo is caught now rather than at the next deploy.
const { issues } = parsePlatformKeys(line);
if (issues.length > 0) {
  console.error(issues.join('\n'));
  process.exit(2);
}
console.log(`platform key (shown once): ${key}`);
console.log(`configuration line:        ${line}`);
