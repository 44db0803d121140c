/** The `budgets` capability: counters in the jobs table, through a document client of its own. */

import { DynamoBudgets } from '../../../shared/adapters/dynamodb/budgets.ts';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client.ts';
import type { CapabilityProvider } from './provider.ts';

// A client of its own rather than the lifecycle's: providers are built from the environment alone, so a
// kind without budgets never creates one. Created once per container, like every client.
export const budgets: CapabilityProvider<'budgets'> = ({ config, clock }) =>
  new DynamoBudgets(createDocumentClient(), config.jobsTable, clock);
