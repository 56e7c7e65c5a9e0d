import { writeFileSync } from 'node:fs';
import { contract } from '@enforcer/contract';
import { routeTableSource } from './route-table';

const target = new URL('../src/client/routes.ts', import.meta.url);
writeFileSync(target, routeTableSource(contract));
console.log(`wrote ${target.pathname}`);
