// The customer's backend: Express, every request's token verified offline by @enforcer/node-verifier,
// record-level decisions taken locally by the same engine that answers POST /authorize.
import type { Verifier } from '@enforcer/node-verifier';
import { toPredicate } from '@enforcer/node-verifier';
import { enforcerExpress, requirePermission } from '@enforcer/node-verifier/express';
import express, { type Request } from 'express';
import '../src/actions.js';

export interface Statement {
  id: string;
  tenant_id: string;
  owner_id: string;
  amount: number;
}

/** The app's own database, here an array. */
export function createBackend(verifier: Verifier, statements: Statement[]) {
  const app = express();
  app.use(enforcerExpress({ verifier }));

  // "Which records may this person see": the engine's plan, as a predicate over the rows (a member
  // holds no blanket statements.read, only the owner rule, so a check without a record would refuse).
  app.get('/statements', (req, res) => {
    const visible = toPredicate(req.enforcer!.filter('statements.read', 'statement'));
    res.json(statements.filter((row) => visible({ ...row })));
  });

  // "May this person read this record": the same engine, with the record as the resource.
  app.get(
    '/statements/:id',
    requirePermission('statements.read', (req: Request<{ id: string }>) => {
      const row = statements.find((statement) => statement.id === req.params.id);
      return { type: 'statement', attributes: { ...(row ?? { id: req.params.id }) } };
    }),
    (req, res) => {
      const row = statements.find((statement) => statement.id === req.params.id);
      if (!row) res.status(404).json({ error: 'not found' });
      else res.json(row);
    },
  );

  app.post('/transfers', requirePermission('transfers.create'), (req, res) => {
    res.status(201).json({ by: req.enforcer!.principal.accountId });
  });
  return app;
}
