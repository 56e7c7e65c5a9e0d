// The one thing `can()` needs from the policy engine, as a module of its own: `import()` of a module keeps
// every export of it, so the lazy chunk is this module's (compileValidated and what it uses), not the whole
// engine's (SQL and predicate adapters, plan schemas, and zod, which only checks a document's shape: the
// server checked it before handing it out).
export { compileValidated } from '@enforcer/contract/policy';
