import { actionMatches } from './actions';
import type { PolicyDocument } from './schema';

/**
 * Typed action names. Checks fail closed, so a misspelt action (`useCan('trnasfers.create')`) is
 * not an error at run time: the button just stays hidden. An app that registers its actions makes
 * every SDK entry that takes an action (`can`, `useCan`, `<Can>`, `authorize`, `authorizeMany`,
 * `requirePermission`) refuse other strings at compile time:
 *
 * ```ts
 * import { defineActions, type ActionsOf } from '@enforcer/sdk-js';
 *
 * export const actions = defineActions({ transfers: ['create', 'read'], accounts: ['read'] });
 *
 * declare module '@enforcer/sdk-js' {
 *   interface Register { actions: ActionsOf<typeof actions> }
 * }
 * ```
 *
 * The interface is declared here once and re-exported by every SDK, so registering it through any
 * of them (`@enforcer/sdk-js`, `@enforcer/react`, `@enforcer/node-verifier`) types them all.
 * Without a registration an action is any string, as before.
 */
// biome-ignore lint/suspicious/noEmptyInterface: apps fill it by declaration merging.
export interface Register {}

/** The action names an app registered (see `Register`), or `string` when it registered none. */
export type Action = Register extends { actions: infer A extends string } ? A : string;

/** An action catalogue: resource names to their verbs (`{ transfers: ['create', 'read'] }`). */
export type ActionCatalogue = Readonly<Record<string, readonly string[]>>;

/** The dotted action names of a catalogue: `{ transfers: ['create'] }` gives `'transfers.create'`. */
export type ActionsOf<C> = C extends readonly (infer A extends string)[]
  ? A
  : {
      [R in keyof C & string]: C[R] extends readonly (infer V extends string)[] ? `${R}.${V}` : never;
    }[keyof C & string];

/**
 * Declares an app's actions once: the returned list holds every dotted name (for run-time checks,
 * see `actionCatalogueIssues`), and `ActionsOf<typeof list>` is their union type.
 */
export function defineActions<const C extends ActionCatalogue>(catalogue: C): readonly ActionsOf<C>[] {
  const names: string[] = [];
  for (const [resource, verbs] of Object.entries(catalogue)) {
    for (const verb of verbs) names.push(`${resource}.${verb}`);
  }
  return Object.freeze(names) as readonly ActionsOf<C>[];
}

/** What an app's catalogue and a policy document disagree about (see `actionCatalogueIssues`). */
export interface ActionCatalogueIssues {
  /** Exact action names the policy grants or rules on that the catalogue does not declare (a typo on one side). */
  undeclared: string[];
  /** Declared actions that no role, group or rule of the policy names, not even through a pattern. */
  unused: string[];
}

/**
 * Holds a policy document and an app's declared actions to each other, for a test or a start-up
 * check: the types catch a typo in the app's code, this catches one in the policy. Patterns
 * (`transfers.*`, `*`) are not names, so they are never undeclared; they do count as naming what
 * they match.
 */
export function actionCatalogueIssues(
  document: PolicyDocument,
  declared: readonly string[],
): ActionCatalogueIssues {
  const named = new Set<string>();
  for (const role of Object.values(document.roles ?? {})) for (const p of role.permissions) named.add(p);
  for (const group of Object.values(document.groups ?? {})) for (const p of group.permissions) named.add(p);
  for (const rule of document.rules ?? []) for (const a of rule.actions) named.add(a);
  const declaredSet = new Set(declared);
  const isPattern = (name: string) => name === '*' || name.endsWith('.*');
  const undeclared = [...named].filter((name) => !isPattern(name) && !declaredSet.has(name)).sort();
  const unused = declared.filter((action) => ![...named].some((pattern) => actionMatches(pattern, action)));
  return { undeclared, unused };
}
