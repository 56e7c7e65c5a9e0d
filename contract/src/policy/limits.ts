import type { PolicyIssue } from './errors';
import { isStorableString } from './values';

/**
 * What a policy document may be, checked before anything recurses into it (zod's parser,
 * validation and compilation all recurse: a document of `not` nested a few thousand
 * levels deep would otherwise overflow the stack). The walk here is iterative.
 */
export const documentLimits = Object.freeze({
  /** `and` / `or` / `not` nested inside one another, counting the outermost condition as 1. */
  maxConditionDepth: 32,
  /** JSON nesting of the whole document (objects and arrays inside one another). */
  maxDepth: 100,
  /** Values in the whole document: objects, arrays, strings, numbers, booleans, nulls. */
  maxValues: 100_000,
});

const maxIssues = 20;

interface Frame {
  value: unknown;
  path: (string | number)[];
  depth: number;
  /** 0 outside a condition; the condition nesting level inside one. */
  condition: number;
  /** The object is a rule (`rules[i]`), whose `condition` key starts a condition. */
  rule: boolean;
}

/**
 * The issues that must be reported before a document is parsed: too deep, too large, or
 * holding a string PostgreSQL cannot store (a NUL character or a lone UTF-16 surrogate,
 * anywhere: the document itself is stored in PostgreSQL). Empty when the document is fine.
 */
export function documentLimitIssues(input: unknown): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const stack: Frame[] = [{ value: input, path: [], depth: 0, condition: 0, rule: false }];
  let values = 0;
  const checkString = (s: string, path: (string | number)[]) => {
    if (!isStorableString(s)) {
      issues.push({
        path,
        message:
          'holds a NUL character or a lone UTF-16 surrogate, which PostgreSQL cannot store (and no record can hold)',
      });
    }
  };
  while (stack.length > 0 && issues.length < maxIssues) {
    const { value, path, depth, condition, rule } = stack.pop()!;
    if (++values > documentLimits.maxValues) {
      issues.push({ path, message: `the document holds more than ${documentLimits.maxValues} values` });
      break;
    }
    if (typeof value === 'string') {
      checkString(value, path);
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= documentLimits.maxDepth) {
      issues.push({ path, message: `nested deeper than ${documentLimits.maxDepth} levels` });
      break;
    }
    if (condition > documentLimits.maxConditionDepth) {
      issues.push({
        path,
        message: `conditions nest at most ${documentLimits.maxConditionDepth} levels deep (and, or, not)`,
      });
      break;
    }
    const size = Array.isArray(value) ? value.length : Object.keys(value).length;
    if (values + stack.length + size > documentLimits.maxValues) {
      issues.push({ path, message: `the document holds more than ${documentLimits.maxValues} values` });
      break;
    }
    if (Array.isArray(value)) {
      const isRules = path.length === 1 && path[0] === 'rules';
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ value: value[i], path: [...path, i], depth: depth + 1, condition, rule: isRules });
      }
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      checkString(key, [...path, key]);
      let next = 0;
      if (rule && key === 'condition') next = 1;
      else if (condition > 0)
        next = key === 'and' || key === 'or' || key === 'not' ? condition + 1 : condition;
      stack.push({
        value: (value as Record<string, unknown>)[key],
        path: [...path, key],
        depth: depth + 1,
        condition: next,
        rule: false,
      });
    }
  }
  return issues;
}
