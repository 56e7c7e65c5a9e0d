// The tenant's policy: Enforcer's default roles, plus statements that only their owner reads.
// In production it is set once with PUT /policy; the tests seed it into the mock.
import type { PolicyDocument } from '@enforcer/contract/policy';

export function withStatements(base: PolicyDocument): PolicyDocument {
  return {
    ...base,
    resources: {
      ...base.resources,
      statement: {
        tenant_attribute: 'tenant_id',
        attributes: { id: 'string', tenant_id: 'string', owner_id: 'string', amount: 'number' },
      },
    },
    rules: [
      ...(base.rules ?? []),
      {
        id: 'owner-reads-own-statements',
        effect: 'allow',
        actions: ['statements.read'],
        resource: 'statement',
        condition: { eq: ['resource.owner_id', { ref: 'subject.id' }] },
      },
    ],
  };
}
