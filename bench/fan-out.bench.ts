/**
 * Fan-out on the local stack (issue 11 §6), both figures in one run:
 *
 * 1. Time from a parent's start (its `POST /jobs/{name}/runs`) to the last of its 1,000 children
 *    recorded (the latest `finishedAt`), as a ratio of 1,000 manual runs of the same task job triggered
 *    through the API with the same concurrency kept triggered-and-unfinished (each worker triggers a run,
 *    waits for its delivery at the sink, reads the run until it is final, and triggers the next), time to
 *    the last run recorded. Every run on both sides is a task job's HTTP delivery to a local sink that
 *    answers 200 at once. Pairs alternate which side goes first; the median ratio is reported. Goal ≤ 1×.
 * 2. The same scheduled slot of a 1,000-context parent delivered 3 times at once through the local
 *    Lambda Invoke endpoint: the children listed and the sink's deliveries must both be exactly 1,000,
 *    or the bench exits 1.
 *
 *   npx tsx bench/fan-out.bench.ts            (FAN_OUT_PAIRS=5 for more pairs)
 */
import { loadavg } from 'node:os';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { FINAL_RUN_STATUSES, type RunStatus } from '../shared/jobs/model.ts';
import { deliverSlot } from '../test/support/scheduled-event.ts';
import {
  childLanes,
  describeProfile,
  profileSide,
  type RecordedRun,
  type SideProfile,
} from './fan-out/profile.ts';
import { type FanOutWorld, SINK_SECRET, startFanOutWorld } from './fan-out/world.ts';
import { median, range } from './support/stats.ts';

const CHILDREN = Number(process.env.FAN_OUT_CHILDREN ?? 1_000);
/** The fan-out's `expand.concurrency`, and the manual side's runs in flight. */
const CONCURRENCY = 10;
const PAIRS = Number(process.env.FAN_OUT_PAIRS ?? 3);
/** A schedule that never fires while the bench runs: its runs are the ones the bench starts. */
const SCHEDULE = 'cron(0 9 1 1 ? 2099)';
const SLOT = '2099-01-01T09:00:00.000Z';
const POLL_MS = 25;
const ROUND_LIMIT_MS = 10 * 60_000;

interface Side {
  /** Start to the last run recorded (its finishedAt). */
  readonly ms: number;
  /** CPU time of this process (the whole stack and the bench's client) during the round. */
  readonly cpuMs: number;
  readonly profile: SideProfile;
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1_000;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isFinal = (status: RunStatus) => FINAL_RUN_STATUSES.includes(status);

function taskJob(
  world: FanOutWorld,
  name: string,
  expand?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    name,
    kind: 'task',
    schedule: SCHEDULE,
    // Manual runs of one job at once: `skip` would skip all but one.
    overlap: 'allow',
    config: { target: { type: 'http', url: world.sinkUrl, signingSecret: SINK_SECRET } },
    ...(expand === undefined ? {} : { expand }),
  };
}

async function putJob(world: FanOutWorld, definition: Record<string, unknown>): Promise<void> {
  const answer = await world.call('PUT', `/jobs/${String(definition.name)}`, definition);
  if (answer.status !== 200 && answer.status !== 201) {
    throw new Error(`PUT job ${String(definition.name)}: ${answer.status} ${JSON.stringify(answer.json)}`);
  }
}

async function runUntilFinal(world: FanOutWorld, runId: string, intervalMs: number) {
  const limit = Date.now() + ROUND_LIMIT_MS;
  for (;;) {
    const run = (await world.call('GET', `/runs/${runId}`)).json;
    if (isFinal(run.status)) return run;
    if (Date.now() > limit) throw new Error(`run ${runId} still ${run.status} after ${ROUND_LIMIT_MS} ms`);
    await sleep(intervalMs);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: runs as the API answers them
async function allChildren(world: FanOutWorld, parentRunId: string): Promise<any[]> {
  // biome-ignore lint/suspicious/noExplicitAny: runs as the API answers them
  const runs: any[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const page = await world.call('GET', `/runs/${parentRunId}/children?limit=100${query}`);
    if (page.status !== 200) throw new Error(`children of ${parentRunId}: ${page.status}`);
    runs.push(...page.json.runs);
    cursor = page.json.nextCursor;
  } while (cursor !== null);
  return runs;
}

/** A fan-out parent's finishedAt minus its last child's: the last count and the parent's end. */
const tails: number[] = [];

const lastFinished = (runs: ReadonlyArray<{ finishedAt: string }>) =>
  Math.max(...runs.map((run) => Date.parse(run.finishedAt)));

async function fanOutSide(world: FanOutWorld, name: string, count: number): Promise<Side> {
  await putJob(
    world,
    taskJob(world, name, { url: world.sessionsUrl(count), maxChildren: count, concurrency: CONCURRENCY }),
  );
  const cpu = process.cpuUsage();
  const started = Date.now();
  const answer = await world.call('POST', `/jobs/${name}/runs`);
  if (answer.status !== 202) throw new Error(`POST runs of ${name}: ${answer.status}`);
  const parent = await runUntilFinal(world, answer.json.runId, POLL_MS);
  const cpuMs = cpuSince(cpu);
  if (parent.status !== 'succeeded' || parent.children?.succeeded !== count) {
    throw new Error(`fan-out parent ${parent.runId}: ${parent.status} ${JSON.stringify(parent.children)}`);
  }
  const children = await allChildren(world, parent.runId);
  if (children.length !== count) throw new Error(`${children.length} children listed, not ${count}`);
  const sessions = (await (await fetch(world.sessionsUrl(count))).json()) as {
    contexts: Array<{ key: string }>;
  };
  const lanes = childLanes(
    children,
    sessions.contexts.map((context) => context.key),
    CONCURRENCY,
  );
  const last = lastFinished(children);
  tails.push(Date.parse(parent.finishedAt) - last);
  return { ms: last - started, cpuMs, profile: profileSide(started, lanes) };
}

async function manualSide(world: FanOutWorld, name: string, count: number): Promise<Side> {
  await putJob(world, taskJob(world, name));
  const cpu = process.cpuUsage();
  const started = Date.now();
  const lanes: RecordedRun[][] = Array.from({ length: CONCURRENCY }, () => []);
  let next = 0;
  await Promise.all(
    lanes.map(async (lane) => {
      while (next < count) {
        next++;
        const answer = await world.call('POST', `/jobs/${name}/runs`);
        if (answer.status !== 202) throw new Error(`POST runs of ${name}: ${answer.status}`);
        // The sink tells when the run is at its last step; its record follows within milliseconds.
        await world.delivered(answer.json.runId, ROUND_LIMIT_MS);
        const run = await runUntilFinal(world, answer.json.runId, 5);
        if (run.status !== 'succeeded') throw new Error(`manual run ${run.runId}: ${run.status}`);
        lane.push(run);
      }
    }),
  );
  const cpuMs = cpuSince(cpu);
  return { ms: lastFinished(lanes.flat()) - started, cpuMs, profile: profileSide(started, lanes) };
}

/** Part 2: one scheduled slot delivered 3 times at once; children and deliveries counted. */
async function deliveredThrice(world: FanOutWorld): Promise<{ children: number; deliveries: number }> {
  const name = 'fan-thrice';
  await putJob(
    world,
    taskJob(world, name, {
      url: world.sessionsUrl(CHILDREN),
      maxChildren: CHILDREN,
      concurrency: CONCURRENCY,
    }),
  );
  const { schedulerEndpoint, lambdaEndpoint, scheduleGroups, credentials } = world.stack.endpoints;
  const scheduler = new SchedulerClient({
    endpoint: schedulerEndpoint,
    region: credentials.region,
    credentials,
  });
  const lambda = new LambdaClient({ endpoint: lambdaEndpoint, region: credentials.region, credentials });
  try {
    const schedule = await scheduler.send(
      new GetScheduleCommand({ Name: name, GroupName: scheduleGroups.task }),
    );
    await deliverSlot(lambda, schedule.Target, SLOT, ['bench-exec-1', 'bench-exec-2', 'bench-exec-3']);
  } finally {
    scheduler.destroy();
    lambda.destroy();
  }
  // The parent is the job's only run until its children exist; after that, any child names it.
  const limit = Date.now() + ROUND_LIMIT_MS;
  let parentRunId: string | undefined;
  while (parentRunId === undefined) {
    const listing = await world.call('GET', `/jobs/${name}/runs?limit=5`);
    const run = listing.json.runs[0];
    parentRunId = run === undefined ? undefined : (run.parentRunId ?? run.runId);
    if (Date.now() > limit) throw new Error('the scheduled parent never appeared');
    if (parentRunId === undefined) await sleep(POLL_MS);
  }
  const parent = await runUntilFinal(world, parentRunId, POLL_MS);
  const children = await allChildren(world, parent.runId);
  const deliveries = world.deliveries.filter((delivery) => delivery.job === name);
  const distinct = new Set(deliveries.map((delivery) => delivery.runId)).size;
  console.log(
    `  parent ${parent.status}, duplicatesSuppressed ${parent.duplicatesSuppressed ?? 0}, counts ${JSON.stringify(parent.children)}`,
  );
  console.log(
    `  children listed ${children.length}, sink deliveries ${deliveries.length} (${distinct} runs)`,
  );
  return { children: children.length, deliveries: deliveries.length };
}

async function main(): Promise<void> {
  const world = await startFanOutWorld();
  const load = [loadavg()[0] ?? 0];
  try {
    // Warm-up: loads the task function's modules and the clients, so no side pays for the first run.
    await fanOutSide(world, 'warm-fan', 20);
    await manualSide(world, 'warm-manual', 20);

    const fan: Side[] = [];
    const manual: Side[] = [];
    for (let pair = 1; pair <= PAIRS; pair++) {
      // Alternating which side goes first cancels the drift of a growing table and a warming JIT.
      if (pair % 2 === 1) {
        fan.push(await fanOutSide(world, `fan-${pair}`, CHILDREN));
        manual.push(await manualSide(world, `manual-${pair}`, CHILDREN));
      } else {
        manual.push(await manualSide(world, `manual-${pair}`, CHILDREN));
        fan.push(await fanOutSide(world, `fan-${pair}`, CHILDREN));
      }
      load.push(loadavg()[0] ?? 0);
      const f = fan[pair - 1] as Side;
      const m = manual[pair - 1] as Side;
      console.log(
        `pair ${pair}: fan-out ${f.ms} ms (cpu ${f.cpuMs.toFixed(0)} ms), manual ${m.ms} ms (cpu ${m.cpuMs.toFixed(0)} ms), ratio ${(f.ms / m.ms).toFixed(2)}`,
      );
      console.log(
        `  fan-out: ${describeProfile(f.profile)}; parent ended ${tails.at(-1)} ms after its last child`,
      );
      console.log(`  manual:  ${describeProfile(m.profile)}`);
    }
    const ratios = fan.map((side, index) => side.ms / (manual[index] as Side).ms);
    console.log(`fan-out: ${CHILDREN} children at concurrency ${CONCURRENCY}, ${PAIRS} pairs`);
    console.log(
      `  fan-out, start to last child recorded (median)  ${median(fan.map((side) => side.ms)).toFixed(0)} ms  rounds: ${fan.map((side) => side.ms).join(', ')}`,
    );
    console.log(
      `  manual runs through the API, to last recorded  ${median(manual.map((side) => side.ms)).toFixed(0)} ms  rounds: ${manual.map((side) => side.ms).join(', ')}`,
    );
    console.log(
      `  ratio fan-out / manual: median ${median(ratios).toFixed(2)} (pairs ${range(ratios)}; goal <= 1); CPU ratio ${(median(fan.map((side) => side.cpuMs)) / median(manual.map((side) => side.cpuMs))).toFixed(2)}`,
    );
    console.log(`  load average (1 min) during the pairs: ${range(load)}`);

    console.log(`a ${CHILDREN}-context parent delivered 3 times (slot ${SLOT})`);
    const thrice = await deliveredThrice(world);
    if (thrice.children !== CHILDREN || thrice.deliveries !== CHILDREN) {
      console.log(`  NOT exactly ${CHILDREN}`);
      process.exitCode = 1;
    } else {
      console.log(`  exactly ${CHILDREN} children and ${CHILDREN} deliveries`);
    }
  } finally {
    await world.close();
  }
}

await main();
