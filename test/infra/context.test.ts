import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import {
  ContextError,
  DEFAULT_STAGE,
  parseRunRetentionDays,
  parseWebhookAllowedHosts,
  runRetentionDaysFromContext,
  stageFromContext,
  validateStage,
  webhookAllowedHostsFromContext,
} from '../../infra/context.ts';
import { addTickwork } from '../../infra/tickwork.ts';

describe('stage from context', () => {
  it.each(['dev', 'prod', 'a', 'team-7', 'pr-1234', `a${'b'.repeat(19)}`])('accepts %j', (stage) => {
    expect(validateStage(stage)).toBe(stage);
  });

  it.each([
    ['upper case', 'Prod'],
    ['leading digit', '7dev'],
    ['leading hyphen', '-dev'],
    ['underscore', 'dev_1'],
    ['dot', 'dev.1'],
    ['21 characters', `a${'b'.repeat(20)}`],
    ['empty', ''],
    ['number', 42],
    ['null', null],
  ])('rejects %s, naming the rule and the value', (_case, value) => {
    // Given a stage that could not be part of every resource name
    // When it is validated
    // Then the error names the context key, the rule and the value received
    expect(() => validateStage(value)).toThrow(ContextError);
    expect(() => validateStage(value)).toThrow(
      `context "stage" must match /^[a-z][a-z0-9-]{0,19}$/ (a lower-case letter, then up to 19 lower-case letters, digits or hyphens), got ${JSON.stringify(value)}`,
    );
  });

  it('defaults to dev when the context has no stage', () => {
    expect(stageFromContext(new App().node)).toBe(DEFAULT_STAGE);
    expect(DEFAULT_STAGE).toBe('dev');
  });

  it('reads the stage from the context', () => {
    expect(stageFromContext(new App({ context: { stage: 'prod' } }).node)).toBe('prod');
  });

  it('fails the app with a clear error before any stack exists', () => {
    // Given an app whose context names an invalid stage
    const app = new App({ context: { stage: 'Prod' } });
    // When the deployment is built
    // Then it throws the validation error and builds nothing
    expect(() => addTickwork(app)).toThrow('context "stage" must match');
    expect(app.node.children).toHaveLength(0);
  });
});

describe('webhook allow-list from context', () => {
  it.each([
    ['unset', undefined, []],
    ['empty string', '', []],
    ['one host', 'hooks.example.com', ['hooks.example.com']],
    [
      'comma-separated, spaced, mixed case',
      ' Hooks.Example.com , alerts.example.org ',
      ['hooks.example.com', 'alerts.example.org'],
    ],
    ['array (cdk.json)', ['hooks.example.com', '10.0.0.7'], ['hooks.example.com', '10.0.0.7']],
    ['duplicates and empty entries', 'a.example,,A.example,', ['a.example']],
    ['IPv6, bracketed or not', ['[FD00::7]', '::1'], ['fd00::7', '::1']],
  ])('parses %s', (_case, value, expected) => {
    expect(parseWebhookAllowedHosts(value)).toEqual(expected);
  });

  it.each([
    ['a URL', 'https://hooks.example.com', 'https://hooks.example.com'],
    ['a host with a port', 'hooks.example.com:8443', 'hooks.example.com:8443'],
    ['a host with a path', 'hooks.example.com/x', 'hooks.example.com/x'],
    ['a wildcard', '*.example.com', '*.example.com'],
    ['a non-string entry', ['hooks.example.com', 7], 7],
  ])('rejects %s, naming the entry', (_case, value, entry) => {
    expect(() => parseWebhookAllowedHosts(value)).toThrow(
      `context "webhookAllowedHosts" entries must be bare host names or IP addresses such as "hooks.example.com" (no scheme, port or path), got ${JSON.stringify(entry)}`,
    );
  });

  it('rejects a value that is neither a string nor an array', () => {
    expect(() => parseWebhookAllowedHosts({ host: 'a.example' })).toThrow(
      'context "webhookAllowedHosts" must be a comma-separated string or an array of host names, got {"host":"a.example"}',
    );
  });

  it('reads the allow-list from the context', () => {
    const app = new App({ context: { webhookAllowedHosts: 'a.example,b.example' } });
    expect(webhookAllowedHostsFromContext(app.node)).toEqual(['a.example', 'b.example']);
  });
});

describe('run retention from context', () => {
  it.each<[string, unknown, number | undefined]>([
    ['unset', undefined, undefined],
    ['a string (-c runRetentionDays=90)', '90', 90],
    ['a spaced string', ' 7 ', 7],
    ['a number (cdk.json)', 365, 365],
    ['the smallest', 1, 1],
    ['the largest', 3650, 3650],
  ])('accepts %s', (_case, value, expected) => {
    expect(parseRunRetentionDays(value)).toBe(expected);
  });

  it.each<[string, unknown]>([
    ['zero', '0'],
    ['negative', -5],
    ['a fraction', '1.5'],
    ['more than ten years', 3651],
    ['a word', 'ninety'],
    ['empty', ''],
    ['a unit', '90d'],
    ['a boolean', true],
  ])('rejects %s, naming the context key, the rule and the value', (_case, value) => {
    expect(() => parseRunRetentionDays(value)).toThrow(ContextError);
    expect(() => parseRunRetentionDays(value)).toThrow(
      `context "runRetentionDays" must be a whole number of days from 1 to 3650, got ${JSON.stringify(value)}`,
    );
  });

  it('reads the retention from the context', () => {
    expect(runRetentionDaysFromContext(new App({ context: { runRetentionDays: '90' } }).node)).toBe(90);
  });

  it('fails the app with a clear error before any stack exists', () => {
    // Given an app whose context sets an invalid retention
    const app = new App({ context: { runRetentionDays: '0' } });
    // When the deployment is built
    // Then it throws the validation error and builds nothing
    expect(() => addTickwork(app)).toThrow('context "runRetentionDays" must be a whole number');
    expect(app.node.children).toHaveLength(0);
  });
});
