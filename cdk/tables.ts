/**
 * The DynamoDB tables of a deployment, built from the shared definitions (shared/tables.ts). The project's
 * stateful stack adds them at its own root (so their construct ids, and logical ids, stay what they were);
 * a Tickwork construct given no tables adds them below itself.
 */
import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  type ITableV2,
  ProjectionType,
  TableEncryptionV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { pascalCase } from '../infra/naming.ts';
import {
  type IndexProjection,
  type KeyAttribute,
  type TableDefinition,
  type TableId,
  tableDefinitions,
  tableName,
} from '../shared/tables.ts';

/** A deployment's tables, by table id. */
export type TickworkTables = Readonly<Record<TableId, ITableV2>>;

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

/** One table per entry of `tableDefinitions`, below `scope`, each with an output naming it. */
export function addTables(scope: Construct, stage: string): TickworkTables {
  const definitions: readonly TableDefinition[] = Object.values(tableDefinitions);
  const tables = {} as Record<TableId, ITableV2>;
  for (const definition of definitions) {
    const table = new TableV2(scope, `${pascalCase(definition.id)}Table`, {
      tableName: tableName(stage, definition.id),
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
      // without a key policy to keep in step with the grants on the functions.
      encryption: TableEncryptionV2.awsManagedKey(),
      // Job definitions and run history outlive any stack update or deletion.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    tables[definition.id] = table;
    new CfnOutput(scope, `${pascalCase(definition.id)}TableName`, {
      description: `DynamoDB table holding ${definition.id}`,
      value: table.tableName,
    });
  }
  return tables;
}
