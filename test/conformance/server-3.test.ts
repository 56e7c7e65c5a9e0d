// The conformance suite against the real server, part 3 of SERVER_PARTS (see server-target.ts).
import { conformanceSuite } from './runner';
import { realServer, SERVER_PARTS } from './server-target';

await conformanceSuite(realServer, { shard: { index: 3, count: SERVER_PARTS } });
