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
