/**
 * The stateful half of a deployment: the DynamoDB tables, built from the shared definitions. It lives
 * apart from the functions so the stateless stack can be replaced or destroyed without touching data.
 * The tables are added at the stack's root (cdk/tables.ts), so their logical ids are the ones deployed.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { addTables, type TickworkTables } from '../cdk/tables.ts';

export { indexProjection } from '../cdk/tables.ts';

export interface StatefulStackProps extends StackProps {
  /** Deployment stage; part of every table name. Validated by the app (see `infra/context.ts`). */
  readonly stage: string;
}

export class StatefulStack extends Stack {
  /** One table per entry of `tableDefinitions`, by table id. */
  readonly tables: TickworkTables;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    this.tables = addTables(this, props.stage);
  }
}
