// @enforcer/contract/browser: what the browser SDK's entry needs at run time, and nothing that builds a
// zod schema. The SDK's entry imports values only from here (types come from anywhere: they are erased),
// so a bundler neither pulls zod into it nor moves the lazily loaded policy engine into a chunk it needs
// (both happened through the main entry's re-exports; see docs/benchmarks.md, "Browser SDK").
export { type ErrorCode, errorCodes, errorStatus } from './error-codes';
export {
  type Action,
  type ActionCatalogue,
  type ActionCatalogueIssues,
  type ActionsOf,
  actionCatalogueIssues,
  defineActions,
  type Register,
} from './policy/typed-actions';
