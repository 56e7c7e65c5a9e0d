import { PolicyInputError } from './errors';
import type { Resource, Subject } from './evaluate';

/**
 * The engine's edge: what can(), explain() and plan() check about their inputs before
 * deciding anything, all three the same way. The checks are typeof tests only (can() runs
 * them on every call); anything deeper (the document) was checked by compile().
 *
 * A subject is an object with `id` and `tenant_id` strings, `roles` and `groups` arrays of
 * strings, `person_id` a string, null or absent, and `attributes` an object, null or
 * absent; anything else is a PolicyInputError `invalid_subject` naming the field. Attribute
 * values of the wrong type are not refused: they read as null (values.ts).
 *
 * Returns whether the subject has a tenant: one with an empty `tenant_id` is allowed
 * nothing (every path answers deny / `never`).
 */
export function checkSubject(subject: Subject): boolean {
  if (typeof subject !== 'object' || subject === null) {
    throw new PolicyInputError('invalid_subject', ['subject'], 'must be an object');
  }
  const tenant = subject.tenant_id;
  if (typeof tenant !== 'string') throw invalidSubject('tenant_id', 'must be a string');
  if (typeof subject.id !== 'string') throw invalidSubject('id', 'must be a string');
  checkNames(subject.roles, 'roles');
  checkNames(subject.groups, 'groups');
  const person = subject.person_id;
  if (person !== undefined && person !== null && typeof person !== 'string') {
    throw invalidSubject('person_id', 'must be a string or null');
  }
  const attributes = subject.attributes;
  if (
    attributes !== undefined &&
    attributes !== null &&
    (typeof attributes !== 'object' || Array.isArray(attributes))
  ) {
    throw invalidSubject('attributes', 'must be an object or null');
  }
  return tenant !== '';
}

function checkNames(names: unknown, field: 'roles' | 'groups'): void {
  if (!Array.isArray(names)) throw invalidSubject(field, 'must be an array of strings');
  for (let i = 0; i < names.length; i++) {
    if (typeof names[i] !== 'string') {
      throw new PolicyInputError('invalid_subject', ['subject', field, i], 'must be a string');
    }
  }
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
