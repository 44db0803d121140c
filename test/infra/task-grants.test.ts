/**
 * Task targets' permissions: `lambda:InvokeFunction` only on the functions the deployment lists (context
 * `tickwork:taskFunctionArns`: task targets, and fan-out expansion functions, so every job function gets
 * it) and `events:PutEvents` only on the buses it lists (`tickwork:eventBusNames`, names in the stack's
 * account and Region or ARNs), only to the functions whose kind declares the capability; none at all by
 * default.
 */
import { describe, expect, it } from 'vitest';
import { ContextError, parseEventBusNames, parseTaskFunctionArns } from '../../infra/context.ts';
import { kinds } from '../../shared/kinds/registry.ts';
import { roleStatements, type Statement } from '../support/grants.ts';

function synth(context: Record<string, unknown>) {
  const statements = roleStatements(context);
  /** A function's role's statements that name an action of `service`, besides its invoke of job functions. */
  return (id: string, service: string): Statement[] =>
    statements(id, service)
      // The stack's own functions (the API's invoke of job functions, job functions' of each other).
      .filter((statement) => !/:function:tickwork-qa-|Fn::GetAtt/.test(JSON.stringify(statement.Resource)));
}

const FUNCTIONS = [
  'arn:aws:lambda:eu-west-1:123456789012:function:invoice-reminders',
  'arn:aws:lambda:eu-west-1:123456789012:function:reports:live',
];
const OTHER_ACCOUNT_BUS = 'arn:aws:events:eu-west-1:210987654321:event-bus/central';
const functions: string[] = ['api', ...kinds.map((kind) => kind.id)];
const declaring = (capability: string): string[] =>
  kinds
    .filter((kind) => (kind.capabilities as readonly string[]).includes(capability))
    .map((kind) => kind.id);

describe('task target grants', () => {
  it('grants no invoke of a user function and no PutEvents to any function when none is listed', () => {
    const statements = synth({});
    for (const id of functions) {
      expect(statements(id, 'lambda'), id).toEqual([]);
      expect(statements(id, 'events'), id).toEqual([]);
    }
  });

  it('grants InvokeFunction on exactly the listed functions to every job function (task targets, fan-out expansion functions), and PutEvents on exactly the listed buses to the kinds that use them', () => {
    const statements = synth({
      'tickwork:taskFunctionArns': FUNCTIONS.join(','),
      'tickwork:eventBusNames': ['orders', OTHER_ACCOUNT_BUS],
    });
    expect(declaring('taskFunctions').length).toBeGreaterThan(0);
    expect(declaring('eventBuses').length).toBeGreaterThan(0);
    for (const id of functions) {
      // Every job function: a task's target, or any job's expansion function (expand.functionArn); the API none.
      expect(statements(id, 'lambda'), id).toEqual(
        id === 'api' ? [] : [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: FUNCTIONS }],
      );
      expect(statements(id, 'events'), id).toEqual(
        declaring('eventBuses').includes(id)
          ? [
              {
                Effect: 'Allow',
                Action: 'events:PutEvents',
                Resource: [
                  {
                    'Fn::Join': [
                      '',
                      [
                        'arn:',
                        { Ref: 'AWS::Partition' },
                        ':events:',
                        { Ref: 'AWS::Region' },
                        ':',
                        { Ref: 'AWS::AccountId' },
                        ':event-bus/orders',
                      ],
                    ],
                  },
                  OTHER_ACCOUNT_BUS,
                ],
              },
            ]
          : [],
      );
    }
  });

  it.each([
    ['a wildcard function', () => parseTaskFunctionArns('arn:aws:lambda:eu-west-1:123456789012:function:*')],
    ['a bare function name', () => parseTaskFunctionArns('invoice-reminders')],
    ['a wildcard bus', () => parseEventBusNames('orders*')],
    ['a bus name with a space', () => parseEventBusNames(['my bus'])],
    ['a rule ARN as a bus', () => parseEventBusNames('arn:aws:events:eu-west-1:123456789012:rule/x')],
    ['a number', () => parseEventBusNames([42])],
  ])('refuses %s', (_case, parse) => {
    expect(parse).toThrow(ContextError);
  });

  it('takes a comma-separated list or an array, without duplicates', () => {
    expect(parseTaskFunctionArns(FUNCTIONS.join(','))).toEqual(FUNCTIONS);
    expect(parseEventBusNames(' orders, default,orders')).toEqual(['orders', 'default']);
    expect(parseEventBusNames([OTHER_ACCOUNT_BUS])).toEqual([OTHER_ACCOUNT_BUS]);
    expect(parseEventBusNames(undefined)).toEqual([]);
  });
});
