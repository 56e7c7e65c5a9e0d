/** One thing wrong with a policy document, and where it is (`rules[2].condition.eq[0]`). */
export interface PolicyIssue {
  path: (string | number)[];
  message: string;
}

/** Renders a path the way the docs and error messages write it: `rules[2].condition.and[0]`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '(document)' : out;
}

/** The document is not a valid policy. `issues` lists every problem found, each with its path. */
export class PolicyValidationError extends Error {
  readonly code = 'invalid_policy' as const;
  constructor(readonly issues: PolicyIssue[]) {
    super(
      `invalid policy: ${issues
        .slice(0, 5)
        .map((i) => `${formatPath(i.path)}: ${i.message}`)
        .join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`,
    );
    this.name = 'PolicyValidationError';
  }
}

export type PolicyInputCode = 'invalid_subject' | 'invalid_resource' | 'invalid_action';

/**
 * A decision was asked with a subject, resource or action that is not what the types say
 * (`tenant_id` a number, `roles` missing, a resource without an attributes object, ...).
 * can(), explain() and plan() all refuse the same inputs, with the same code and path,
 * rather than guess: a guess could allow what the other paths deny.
 */
export class PolicyInputError extends Error {
  constructor(
    readonly code: PolicyInputCode,
    readonly path: (string | number)[],
    message: string,
  ) {
    super(`${formatPath(path)}: ${message}`);
    this.name = 'PolicyInputError';
  }
}

export type PlanConversionCode =
  | 'unmapped_attribute'
  | 'invalid_identifier'
  | 'unsupported_condition'
  | 'invalid_value';

/**
 * An adapter cannot express a plan exactly. Adapters refuse rather than translate
 * approximately: an approximate filter would show records that can() denies.
 */
export class PlanConversionError extends Error {
  constructor(
    readonly code: PlanConversionCode,
    message: string,
  ) {
    super(message);
    this.name = 'PlanConversionError';
  }
}
