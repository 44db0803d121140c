/**
 * The stateful half of a deployment: the DynamoDB tables, built from the shared definitions. It lives
 * apart from the functions so the stateless stack can be replaced or destroyed without touching data.
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  type ITableV2,
  ProjectionType,
  TableEncryptionV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import {
  type IndexProjection,
  type KeyAttribute,
  type TableDefinition,
  type TableId,
  tableDefinitions,
  tableName,
} from '../shared/tables.ts';
import { pascalCase } from './naming.ts';

export interface StatefulStackProps extends StackProps {
  /** Deployment stage; part of every table name. Validated by the app (see `infra/context.ts`). */
  readonly stage: string;
}

const attributeTypes: Record<KeyAttribute['type'], AttributeType> = {
  S: AttributeType.STRING,
  N: AttributeType.NUMBER,
};

function attribute(key: KeyAttribute): { name: string; type: AttributeType } {
  return { name: key.name, type: attributeTypes[key.type] };
}

/** The GSI props that deploy `projection` (exported so a test can check each kind of projection). */
export function indexProjection(projection: IndexProjection): {
  projectionType: ProjectionType;
  nonKeyAttributes?: string[];
} {
  switch (projection.type) {
    case 'ALL':
      return { projectionType: ProjectionType.ALL };
    case 'KEYS_ONLY':
      return { projectionType: ProjectionType.KEYS_ONLY };
    case 'INCLUDE':
      return { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...projection.attributes] };
  }
}

export class StatefulStack extends Stack {
  /** One table per entry of `tableDefinitions`, by table id. */
  readonly tables: Readonly<Record<TableId, ITableV2>>;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const definitions: readonly TableDefinition[] = Object.values(tableDefinitions);
    const tables = {} as Record<TableId, ITableV2>;
    for (const definition of definitions) {
      const table = new TableV2(this, `${pascalCase(definition.id)}Table`, {
        tableName: tableName(props.stage, definition.id),
        partitionKey: attribute(definition.partitionKey),
        sortKey: definition.sortKey && attribute(definition.sortKey),
        globalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
          indexName: index.indexName,
          partitionKey: attribute(index.partitionKey),
          sortKey: index.sortKey && attribute(index.sortKey),
          ...indexProjection(index.projection),
        })),
        timeToLiveAttribute: definition.timeToLiveAttribute,
        billing: Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        // The AWS-managed key (aws/dynamodb) makes encryption at rest explicit and auditable in CloudTrail
        // without a key policy to keep in step with the grants in the service stack.
        encryption: TableEncryptionV2.awsManagedKey(),
        // Job definitions and run history outlive any stack update or deletion.
        removalPolicy: RemovalPolicy.RETAIN,
      });
      tables[definition.id] = table;
      new CfnOutput(this, `${pascalCase(definition.id)}TableName`, {
        description: `DynamoDB table holding ${definition.id}`,
        value: table.tableName,
      });
    }
    this.tables = tables;
  }
}
