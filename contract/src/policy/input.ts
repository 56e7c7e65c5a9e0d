import { PolicyInputError } from './errors';
import type { Resource, Subject } from './evaluate';

/**
 * The engine's edge: what can(), explain() and plan() check about their inputs before
 * deciding anything, all three the same way. The checks are typeof tests only (can() runs
 * them on every call); anything deeper (the document) was checked by compile().
 *
 * A subject is an object with `id` and `tenant_id` strings, `roles` and `groups` arrays,
 * `person_id` and `actor` each a string, null or absent, `kind` "account", "client", null or absent and
 * `scopes` an array, null or absent (#18), and `attributes` an object, null or absent;
 * anything else is a PolicyInputError `invalid_subject` naming the field. Not refused,
 * because they have an exact meaning on every path: elements of `roles`/`groups`/`scopes` that are
 * not strings (they never match a role, a group or a value), and attribute values of the
 * wrong type (they read as null, values.ts).
 *
 * Returns whether the subject has a tenant: one with an empty `tenant_id` is allowed
 * nothing (every path answers deny / `never`).
 */
export function checkSubject(subject: Subject): boolean {
  // One expression on the hot path (can() calls this on every decision); the slow path
  // below only runs to say what is wrong.
  if (
    typeof subject === 'object' &&
    subject !== null &&
    typeof subject.tenant_id === 'string' &&
    typeof subject.id === 'string' &&
    Array.isArray(subject.roles) &&
    Array.isArray(subject.groups) &&
    (subject.person_id == null || typeof subject.person_id === 'string') &&
    (subject.actor == null || typeof subject.actor === 'string') &&
    (subject.kind == null || subject.kind === 'account' || subject.kind === 'client') &&
    (subject.scopes == null || Array.isArray(subject.scopes)) &&
    (subject.attributes == null || typeof subject.attributes === 'object')
  ) {
    return subject.tenant_id !== '';
  }
  throw subjectError(subject);
}

/** The first thing wrong with a subject that checkSubject refused. */
function subjectError(subject: Subject): PolicyInputError {
  if (typeof subject !== 'object' || subject === null) {
    return new PolicyInputError('invalid_subject', ['subject'], 'must be an object');
  }
  if (typeof subject.tenant_id !== 'string') return invalidSubject('tenant_id', 'must be a string');
  if (typeof subject.id !== 'string') return invalidSubject('id', 'must be a string');
  for (const field of ['roles', 'groups'] as const) {
    if (!Array.isArray(subject[field])) return invalidSubject(field, 'must be an array');
  }
  if (subject.person_id != null && typeof subject.person_id !== 'string') {
    return invalidSubject('person_id', 'must be a string or null');
  }
  if (subject.actor != null && typeof subject.actor !== 'string') {
    return invalidSubject('actor', 'must be a string or null');
  }
  if (subject.kind != null && subject.kind !== 'account' && subject.kind !== 'client') {
    return invalidSubject('kind', 'must be "account", "client" or null');
  }
  if (subject.scopes != null && !Array.isArray(subject.scopes)) {
    return invalidSubject('scopes', 'must be an array or null');
  }
  return invalidSubject('attributes', 'must be an object or null');
}

function invalidSubject(field: string, message: string): PolicyInputError {
  return new PolicyInputError('invalid_subject', ['subject', field], message);
}

/** A resource is `{ type: string, attributes: object }`; a type the document does not declare is denied, not refused. */
export function checkResource(resource: Resource): void {
  if (typeof resource !== 'object' || resource === null) {
    throw new PolicyInputError('invalid_resource', ['resource'], 'must be an object or absent');
  }
  if (typeof resource.type !== 'string') {
    throw new PolicyInputError('invalid_resource', ['resource', 'type'], 'must be a string');
  }
  const attributes = resource.attributes;
  if (typeof attributes !== 'object' || attributes === null) {
    throw new PolicyInputError('invalid_resource', ['resource', 'attributes'], 'must be an object');
  }
}

export function checkAction(action: string): void {
  if (typeof action !== 'string')
    throw new PolicyInputError('invalid_action', ['action'], 'must be a string');
}

export function checkResourceType(resourceType: string): void {
  if (typeof resourceType !== 'string') {
    throw new PolicyInputError('invalid_resource', ['resource_type'], 'must be a string');
  }
}
