import { commonMessageVariables, type MessageKind, messageKindVariables } from '@enforcer/contract';
import { AppError } from '../errors.js';

/**
 * The template language: `{{name}}` (spaces allowed inside the braces) is replaced by the variable's value,
 * and nothing else is interpreted: no expressions, no loops, no helpers, no code. In an HTML body every
 * value is escaped for HTML. A template may only name the variables of its kind.
 */

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The variables a kind's templates may use (the common ones first). */
export const variablesOf = (kind: MessageKind): string[] => [
  ...commonMessageVariables,
  ...messageKindVariables[kind],
];

/** What is wrong with a template text (empty when nothing): unknown variables, stray braces. */
export function templateProblems(kind: MessageKind, source: string): string[] {
  const allowed = new Set(variablesOf(kind));
  const problems: string[] = [];
  for (const [, name] of source.matchAll(PLACEHOLDER)) {
    if (!allowed.has(name!)) problems.push(`{{${name}}} is not a variable of ${kind} messages`);
  }
  const rest = source.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}')) {
    problems.push('"{{" and "}}" only enclose a variable name, like {{tenant_name}}');
  }
  return [...new Set(problems)];
}

/** Refuses (`400 template_invalid`) a template whose parts name variables the kind does not have. */
export function assertTemplateValid(
  kind: MessageKind,
  parts: Record<string, string | null | undefined>,
  pathPrefix = 'body',
): void {
  const errors = Object.entries(parts).flatMap(([field, source]) =>
    source
      ? templateProblems(kind, source).map((message) => ({ path: `${pathPrefix}.${field}`, message }))
      : [],
  );
  if (errors.length > 0) {
    throw new AppError('template_invalid', `The template is not valid: ${errors[0]!.message}`, { errors });
  }
}

/** Refuses (`400 template_invalid`) sample values for variables the kind does not have. */
export function assertVariablesKnown(kind: MessageKind, variables: Record<string, string>): void {
  const allowed = new Set(variablesOf(kind));
  const errors = Object.keys(variables)
    .filter((name) => !allowed.has(name))
    .map((name) => ({ path: `body.variables.${name}`, message: `not a variable of ${kind} messages` }));
  if (errors.length > 0) {
    throw new AppError('template_invalid', `${errors[0]!.path} is not a variable of ${kind} messages`, {
      errors,
    });
  }
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export const escapeHtml = (value: string): string => value.replace(/[&<>"'`]/g, (ch) => HTML_ESCAPES[ch]!);

/** Replaces each `{{name}}` by its value (missing: empty), escaped for HTML when `html`. */
export function renderTemplate(
  source: string,
  variables: Readonly<Record<string, string>>,
  options: { html?: boolean } = {},
): string {
  return source.replace(PLACEHOLDER, (_, name: string) => {
    const value = Object.hasOwn(variables, name) ? (variables[name] ?? '') : '';
    return options.html ? escapeHtml(value) : value;
  });
}
