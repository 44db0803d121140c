import { describe, expect, it } from 'vitest';
import { EngineSpecError, parseEngineSpec } from '../../../../local/dynamodb/engine-spec.ts';

describe('parseEngineSpec', () => {
  it.each([
    [undefined, { kind: 'dynalite' }],
    ['', { kind: 'dynalite' }],
    ['  ', { kind: 'dynalite' }],
    ['dynalite', { kind: 'dynalite' }],
    ['dynamodb-local', { kind: 'dynamodb-local' }],
    ['http://127.0.0.1:8000', { kind: 'external', endpoint: 'http://127.0.0.1:8000' }],
    ['http://localhost:8000/', { kind: 'external', endpoint: 'http://localhost:8000' }],
    ['https://dynamo.internal', { kind: 'external', endpoint: 'https://dynamo.internal' }],
    ['HTTP://[::1]:8000', { kind: 'external', endpoint: 'http://[::1]:8000' }],
  ])('Given %j, Then %j', (value, expected) => {
    expect(parseEngineSpec(value)).toEqual(expected);
  });

  it.each([
    ['dynamo', /unknown engine/],
    ['DynamoDB-Local', /unknown engine/],
    ['ftp://host:21', /unknown engine/],
    ['http://', /not a valid URL/],
    ['http://host:99999', /not a valid URL/],
    ['http://user:pw@host:8000', /credentials/],
    ['http://host:8000/tables', /no path, query or fragment/],
    ['http://host:8000?x=1', /no path, query or fragment/],
  ])('Given %j, Then EngineSpecError with the field, the value and the rule', (value, reason) => {
    expect(() => parseEngineSpec(value, '--dynamodb')).toThrow(EngineSpecError);
    expect(() => parseEngineSpec(value, '--dynamodb')).toThrow(
      `--dynamodb must be "dynalite", "dynamodb-local" or an http(s)://host:port URL; got "${value}"`,
    );
    expect(() => parseEngineSpec(value, '--dynamodb')).toThrow(reason);
  });
});
