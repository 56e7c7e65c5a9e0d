// The conformance suite against the real server, part 1 of SERVER_PARTS (see server-target.ts).
import { conformanceSuite } from './runner';
import { realServer, SERVER_PARTS } from './server-target';

await conformanceSuite(realServer, { shard: { index: 1, count: SERVER_PARTS } });
