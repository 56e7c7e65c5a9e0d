// The one thing `can()` needs from the policy engine, as a module of its own: `import()` of a module keeps
// every export of it, so the lazy chunk is this module's (compile and what it uses), not the whole engine's
// (SQL and predicate adapters, plan schemas).
export { compile } from '@enforcer/contract/policy';
