/**
 * Action patterns: `accounts.read` matches itself, `accounts.*` matches every action
 * below `accounts.` (`accounts.read`, `accounts.notes.read`, not `accounts` itself),
 * and `*` matches every action.
 */
export function actionMatches(pattern: string, action: string): boolean {
  if (pattern === '*' || pattern === action) return true;
  return pattern.endsWith('.*') && action.startsWith(pattern.slice(0, -1));
}

export function firstMatchingPattern(patterns: readonly string[], action: string): string | undefined {
  for (const p of patterns) if (actionMatches(p, action)) return p;
  return undefined;
}

/**
 * The first of a subject's own scopes (#18) that grants `action`, or undefined. Scopes are patterns like a
 * role's (`reports.read`, `reports.*`); elements that are not strings never match (checkSubject ran).
 */
export function grantingScope(scopes: readonly unknown[], action: string): string | undefined {
  for (const scope of scopes) if (typeof scope === 'string' && actionMatches(scope, action)) return scope;
  return undefined;
}
