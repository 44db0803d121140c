import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { pascalCase } from '../../infra/naming.ts';
import { indexProjection, StatefulStack } from '../../infra/stateful-stack.ts';
import {
  type IndexProjection,
  type KeyAttribute,
  type TableDefinition,
  tableDefinitions,
  tableName,
} from '../../shared/tables.ts';

const definitions: readonly TableDefinition[] = Object.values(tableDefinitions);

function keySchema(partitionKey: KeyAttribute, sortKey?: KeyAttribute): object[] {
  return [
    { AttributeName: partitionKey.name, KeyType: 'HASH' },
    ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' }] : []),
  ];
}

/** The CloudFormation `Projection` a definition's projection stands for. */
function cfnProjection(projection: IndexProjection): object {
  return projection.type === 'INCLUDE'
    ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...projection.attributes] }
    : { ProjectionType: projection.type };
}

/** A stateful stack for `stage` in an app of its own, with the same cdk-nag checks as the real app. */
function synthesize(stage: string): { app: App; stack: StatefulStack; template: Template } {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new StatefulStack(app, 'Stateful', { stage });
  return { app, stack, template: Template.fromStack(stack) };
}

describe('StatefulStack', () => {
  let app: App;
  let stack: StatefulStack;
  let template: Template;

  beforeAll(() => {
    ({ app, stack, template } = synthesize('qa'));
  });

  it('creates one table per shared definition and nothing else', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', definitions.length);
    expect(Object.keys(template.toJSON().Resources)).toHaveLength(definitions.length);
    expect(Object.keys(stack.tables).sort()).toEqual(definitions.map((definition) => definition.id).sort());
  });

  it.each(definitions)('builds the $id table from its definition', (definition) => {
    // Given the shared definition
    // Then the table has its stage-qualified name, key schema, indexes and TTL attribute
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: tableName('qa', definition.id),
      KeySchema: keySchema(definition.partitionKey, definition.sortKey),
      GlobalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: keySchema(index.partitionKey, index.sortKey),
        Projection: cfnProjection(index.projection),
      })),
      TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it.each(definitions)(
    'deploys exactly the indexes of the $id definition: key schemas and projections, nothing else',
    (definition) => {
      // Given the shared definition (the capacity bench measured the index writes of these projections)
      const [table, ...others] = Object.values(
        template.findResources('AWS::DynamoDB::GlobalTable', {
          Properties: { TableName: tableName('qa', definition.id) },
        }),
      );
      // Then its GSIs are the definition's, each with exactly its keys, projection type and non-key attributes
      expect(others).toEqual([]);
      expect(table?.Properties.GlobalSecondaryIndexes).toEqual(
        definition.globalSecondaryIndexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: keySchema(index.partitionKey, index.sortKey),
          Projection: cfnProjection(index.projection),
        })),
      );
    },
  );

  it('declares every key attribute with its type', () => {
    for (const definition of definitions) {
      const keys = [
        definition.partitionKey,
        definition.sortKey,
        ...definition.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
      ].filter((key): key is KeyAttribute => key !== undefined);
      const expected = [...new Map(keys.map((key) => [key.name, key])).values()].map((key) => ({
        AttributeName: key.name,
        AttributeType: key.type,
      }));
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TableName: tableName('qa', definition.id),
        AttributeDefinitions: Match.arrayWith(expected),
      });
    }
  });

  it('enables point-in-time recovery and KMS encryption at rest on every table', () => {
    const tables = template.findResources('AWS::DynamoDB::GlobalTable');
    for (const table of Object.values(tables)) {
      expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
      expect(table.Properties.Replicas).toHaveLength(1);
      expect(table.Properties.Replicas[0].PointInTimeRecoverySpecification).toEqual({
        PointInTimeRecoveryEnabled: true,
      });
    }
  });

  it('retains every table when the stack is deleted or the table replaced', () => {
    const tables = template.findResources('AWS::DynamoDB::GlobalTable');
    for (const table of Object.values(tables)) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('outputs every table name', () => {
    for (const definition of definitions) {
      const logicalId = stack.getLogicalId(
        stack.node.findChild(`${pascalCase(definition.id)}Table`).node.defaultChild as CfnElement,
      );
      template.hasOutput(`${pascalCase(definition.id)}TableName`, { Value: { Ref: logicalId } });
    }
  });

  it('passes the cdk-nag AwsSolutions checks with no warnings or errors', () => {
    expect(new AwsSolutionsChecks(app).validateScope(app).violations).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  it('lets a second stage sit beside the first with names of its own', () => {
    // Given a second deployment in the same account
    const other = synthesize('prod').template;
    // Then no table name is shared, and each names its stage
    const names = (t: Template) =>
      Object.values(t.findResources('AWS::DynamoDB::GlobalTable')).map((table) => table.Properties.TableName);
    expect(names(other)).toEqual(definitions.map((definition) => tableName('prod', definition.id)));
    expect(names(other).filter((name) => names(template).includes(name))).toEqual([]);
  });
});

describe('indexProjection', () => {
  it.each<IndexProjection>([
    { type: 'ALL' },
    { type: 'KEYS_ONLY' },
    { type: 'INCLUDE', attributes: ['status', 'startedAt'] },
  ])('deploys a $type projection as the definition says', (projection) => {
    // Given an index defined with that projection
    const stack = new Stack(new App(), 'Projection');
    new TableV2(stack, 'Table', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      globalSecondaryIndexes: [
        {
          indexName: 'by-kind',
          partitionKey: { name: 'kind', type: AttributeType.STRING },
          ...indexProjection(projection),
        },
      ],
    });
    // Then the template's index projects exactly that
    const [table] = Object.values(Template.fromStack(stack).findResources('AWS::DynamoDB::GlobalTable'));
    expect(table?.Properties.GlobalSecondaryIndexes[0].Projection).toEqual(cfnProjection(projection));
  });
});
