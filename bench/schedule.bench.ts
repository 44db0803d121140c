/**
 * Schedule engine benchmark: next-fire-time computation against cron-parser on equivalent
 * expressions, measured in the same run, reported as a ratio; and parse+validate throughput.
 *
 *   npx tsx bench/schedule.bench.ts
 *
 * Plain `performance.now()` loops with a warm-up; no thresholds (figures depend on the machine).
 * Ratio = engine time per op / cron-parser time per op: below 1 means the engine is faster.
 */
import { CronExpressionParser } from 'cron-parser';
import {
  nextFireTime,
  nextFireTimes,
  parseEventBridgeExpression,
  parseSchedule,
} from '../shared/schedule/index.ts';

const WARM_UP_MS = 300;
const MEASURE_MS = 1_500;

/** Runs `op(i)` for about MEASURE_MS after a warm-up; returns microseconds per call. */
function measure(op: (iteration: number) => void): number {
  let iteration = 0;
  const warmUntil = performance.now() + WARM_UP_MS;
  while (performance.now() < warmUntil) op(iteration++);
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < MEASURE_MS) {
    // Check the clock every 32 calls so its cost stays out of the figure.
    for (let batch = 0; batch < 32; batch += 1) op(iteration++ + batch);
    calls += 32;
    now = performance.now();
  }
  return ((now - start) * 1000) / calls;
}

interface Case {
  readonly name: string;
  readonly eventBridge: string;
  readonly crontab: string;
  readonly timezone: string;
}

const CASES: Case[] = [
  {
    name: 'every 15 min, UTC',
    eventBridge: 'cron(0/15 * * * ? *)',
    crontab: '*/15 * * * *',
    timezone: 'UTC',
  },
  {
    name: 'weekdays 09:00, Berlin',
    eventBridge: 'cron(0 9 ? * MON-FRI *)',
    crontab: '0 9 * * 1-5',
    timezone: 'Europe/Berlin',
  },
  {
    name: '1st of month, New York',
    eventBridge: 'cron(0 8 1 * ? *)',
    crontab: '0 8 1 * *',
    timezone: 'America/New_York',
  },
  { name: 'first Monday, UTC', eventBridge: 'cron(0 9 ? * 2#1 *)', crontab: '0 9 * * 1#1', timezone: 'UTC' },
  {
    name: 'last day, Sydney',
    eventBridge: 'cron(0 12 L * ? *)',
    crontab: '0 12 L * *',
    timezone: 'Australia/Sydney',
  },
];

// 1,024 starting instants spread over 2026–2030, so caches see realistic variety.
const AFTER = Array.from(
  { length: 1024 },
  (_, index) => new Date(Date.UTC(2026, 0, 1) + index * 1_543_219_000),
);
const afterAt = (iteration: number): Date => AFTER[iteration & 1023] ?? new Date(0);

function checkEquivalent(entry: Case): void {
  const schedule = parseEventBridgeExpression(entry.eventBridge, { timezone: entry.timezone });
  const after = new Date(Date.UTC(2026, 5, 1));
  const ours = nextFireTimes(schedule, { after, count: 10 }).map((date) => date.toISOString());
  const theirs = CronExpressionParser.parse(entry.crontab, { currentDate: after, tz: entry.timezone })
    .take(10)
    .map((date) => date.toISOString());
  if (ours.join() !== theirs.join()) {
    throw new Error(
      `${entry.name}: the expressions are not equivalent\n${ours.join('\n')}\nvs\n${theirs.join('\n')}`,
    );
  }
}

const pad = (text: string, width: number): string => text.padEnd(width);
const num = (value: number, digits = 2): string => value.toFixed(digits).padStart(10);

function nextTimesTable(count: number): void {
  console.log(`\nnext ${count} fire time${count === 1 ? '' : 's'} from a varying instant (µs per call)`);
  console.log(
    `${pad('case', 26)}${'engine'.padStart(10)}${'cron-parser'.padStart(13)}${'ratio'.padStart(10)}`,
  );
  const ratios: number[] = [];
  for (const entry of CASES) {
    const schedule = parseEventBridgeExpression(entry.eventBridge, { timezone: entry.timezone });
    const expression = CronExpressionParser.parse(entry.crontab, {
      currentDate: AFTER[0],
      tz: entry.timezone,
    });
    const engine = measure((iteration) => {
      nextFireTimes(schedule, { after: afterAt(iteration), count });
    });
    const baseline = measure((iteration) => {
      // The fastest way to use cron-parser: one parsed expression, reset to each start instant.
      expression.reset(afterAt(iteration));
      for (let index = 0; index < count; index += 1) expression.next();
    });
    ratios.push(engine / baseline);
    console.log(
      `${pad(entry.name, 26)}${num(engine)}${num(baseline, 2).padStart(13)}${num(engine / baseline, 3)}`,
    );
  }
  const geometricMean = Math.exp(ratios.reduce((sum, ratio) => sum + Math.log(ratio), 0) / ratios.length);
  console.log(`${pad('geometric mean ratio', 49)}${num(geometricMean, 3)}`);
}

const PARSE_INPUTS = [
  '0 9 * * MON-FRI',
  '*/15 * * * *',
  'cron(0/5 8-17 ? * MON-FRI *)',
  'cron(0 9 ? * 2#1 *)',
  'cron(0 12 LW * ? 2026-2030)',
  'rate(5 minutes)',
  'at(2026-11-23T09:00:00)',
  'PT1H30M',
  '@daily',
  'hourly',
];

function parseTable(): void {
  console.log('\nparse + validate throughput');
  console.log(`${pad('what', 44)}${'ops/s'.padStart(14)}`);
  const berlin = { timezone: 'Europe/Berlin' };
  const rows: Array<[string, number]> = [
    [
      'parseSchedule, 10 mixed forms, Berlin',
      measure((i) => parseSchedule(PARSE_INPUTS[i % 10] ?? '', berlin)),
    ],
    ['parseSchedule, crontab 0 9 * * MON-FRI', measure(() => parseSchedule('0 9 * * MON-FRI', berlin))],
    [
      'parseEventBridgeExpression, cron(0/5 8-17 ...)',
      measure(() => parseEventBridgeExpression('cron(0/5 8-17 ? * MON-FRI *)', berlin)),
    ],
    [
      'cron-parser parse (reference), 0/5 8-17 * * 1-5',
      measure(() => CronExpressionParser.parse('0/5 8-17 * * 1-5', { tz: 'Europe/Berlin' })),
    ],
  ];
  for (const [what, microseconds] of rows) {
    console.log(
      `${pad(what, 44)}${Math.round(1e6 / microseconds)
        .toLocaleString('en-US')
        .padStart(14)}`,
    );
  }
}

/** The emulator's pattern: one nextFireTime for each of many schedules, all around "now". */
function manySchedulesTable(): void {
  const total = 100_000;
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Tokyo'];
  const parsed = Array.from({ length: total }, (_, index) =>
    parseSchedule(`cron(${index % 60} ${index % 24} ? * ${(index % 7) + 1} *)`, {
      timezone: zones[index % 5],
    }),
  );
  // Copies are what a store hands back: not the parser's objects, so they are compiled by expression once.
  const stored = parsed.map((schedule) => ({ ...schedule }));
  const now = new Date(Date.UTC(2026, 10, 20, 12, 0, 0));
  console.log(`
nextFireTime for ${total.toLocaleString('en-US')} schedules (420 distinct expressions, 5 zones)`);
  for (const [what, schedules] of [
    ['parsed objects', parsed],
    ['stored copies, first pass', stored],
    ['stored copies, second pass', stored],
  ] as const) {
    const start = performance.now();
    for (const schedule of schedules) nextFireTime(schedule, now);
    const ms = performance.now() - start;
    console.log(`${pad(what, 30)}${num(ms, 1)} ms  (${num((ms * 1000) / total, 2).trim()} µs each)`);
  }
}

for (const entry of CASES) checkEquivalent(entry);
console.log(`schedule engine benchmark — node ${process.version}, ${MEASURE_MS} ms per measurement`);
nextTimesTable(1);
nextTimesTable(10);
parseTable();
manySchedulesTable();
