/**
 * `--output table|wide|json|jsonl` on the commands that read files or answers without a running stack:
 * `tickwork events` (the local EventBridge endpoint's file) and `tickwork sync status` (its view of a
 * checkpoints answer). `--json` stays the alias of `--output json`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusView } from '../../../cli/commands/sync.ts';
import type { Checkpoints } from '../../../client/index.ts';
import { EVENTS_FILE, type StoredEvent } from '../../../local/eventbridge/event-store.ts';
import { runCli as cli } from '../../support/cli.ts';

const LONG = 'x'.repeat(120);

function event(id: string, bus: string, receivedAt: string): StoredEvent {
  return {
    id,
    bus,
    source: 'tickwork.test',
    detailType: 'order placed',
    detail: { id, note: LONG },
    resources: [],
    time: receivedAt,
    receivedAt,
  };
}

describe('tickwork events --output', () => {
  let dataDir: string;
  const events = [
    event('e-1', 'orders', '2026-01-31T09:00:00.000Z'),
    event('e-2', 'orders', '2026-01-31T09:01:00.000Z'),
  ];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tickwork-output-'));
    await writeFile(join(dataDir, EVENTS_FILE), events.map((each) => `${JSON.stringify(each)}\n`).join(''));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('Given --output jsonl, When listed, Then one event a line, newest first', async () => {
    const result = await cli(['events', '--data-dir', dataDir, '--output', 'jsonl']);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')).toEqual([JSON.stringify(events[1]), JSON.stringify(events[0]), '']);
  });

  it('Given --output json and its alias --json, When listed, Then both print the same document', async () => {
    const output = await cli(['events', '--data-dir', dataDir, '--output', 'json']);
    const alias = await cli(['events', '--data-dir', dataDir, '--json']);

    expect(JSON.parse(output.stdout)).toEqual({ events: [events[1], events[0]] });
    expect(alias.stdout).toBe(output.stdout);
  });

  it('Given --output wide, When listed, Then the detail is whole; the table cuts it', async () => {
    const wide = await cli(['events', '--data-dir', dataDir, '--output', 'wide']);
    const readable = await cli(['events', '--data-dir', dataDir]);

    expect(wide.stdout).toContain(LONG);
    expect(readable.stdout).not.toContain(LONG);
    expect(readable.stdout).toContain('…');
  });

  it('Given --json with --output table, When parsed, Then a usage error names both flags', async () => {
    const result = await cli(['events', '--data-dir', dataDir, '--json', '--output', 'table']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--json is --output json; it cannot be combined with --output table');
  });

  it('Given an unknown format, When parsed, Then a usage error lists the formats', async () => {
    const result = await cli(['events', '--data-dir', dataDir, '--output', 'yaml']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--output');
    expect(result.stderr).toContain('table, wide, json, jsonl');
  });
});

describe('tickwork sync status --output', () => {
  const answer = {
    checkpoints: [
      { connector: 'crm', cursor: `c-${LONG}`, version: 5, updatedAt: '2026-01-31T09:00:00.000Z' },
      { connector: 'billing', cursor: null, version: 0 },
    ],
  } as unknown as Checkpoints;

  it('Given jsonl, When shown, Then one checkpoint a line', () => {
    expect(statusView(answer, 'jsonl').split('\n')).toEqual([
      JSON.stringify(answer.checkpoints[0]),
      JSON.stringify(answer.checkpoints[1]),
      '',
    ]);
  });

  it('Given json, When shown, Then the answer as it came', () => {
    expect(JSON.parse(statusView(answer, 'json'))).toEqual(answer);
  });

  it('Given a narrow terminal, When shown as a table, Then the cursor is cut to fit; wide keeps it whole', () => {
    const table = statusView(answer, 'table', 60);
    const wide = statusView(answer, 'wide', 60);

    expect(table.split('\n').every((line) => line.length <= 60)).toBe(true);
    expect(table).toMatch(
      /^CONNECTOR\s+CURSOR\s+VERSION\s+COMMITTED\s+SYNCING\ncrm\s+c-x+…\s+5\s+2026-01-31 09:00:00Z/,
    );
    expect(wide).toContain(`c-${LONG}`);
    expect(wide).toMatch(/\nbilling\s+\(start\)\s+0\s+never/);
  });

  it('Given --output on sync status, When parsed through the CLI, Then a bad format is a usage error', async () => {
    const result = await cli(['sync', 'status', 'demo-sync', '--output', 'xml']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--output');
  });
});
