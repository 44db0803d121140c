/**
 * The dashboard in a real headless Chromium (Debian's, driven by playwright-core) against a live local
 * stack: jobs of two kinds with runs that succeeded and failed, a login through the one-time code URL,
 * the page showing the jobs (names, health, schedule in words) and their runs (marks on the drawn
 * timeline, details on click), an action taken in the page (pause with a note, run now) seen through the
 * API, the code refused on its second use, and a screenshot of the page written to .test-output/.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUserFunctions } from '../../../cli/commands/local-functions.ts';
import { localFunctionArn } from '../../../local/lambda/environment.ts';
import { type ApiHarness, runToEnd, startApiHarness, until } from '../api/support.ts';

/** Debian's chromium; playwright-core downloads no browser of its own. */
const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = fileURLToPath(new URL('../../../.test-output/', import.meta.url));
const SCREENSHOT = join(OUTPUT, 'dashboard.png');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let api: ApiHarness;
let browser: Browser;

beforeAll(async () => {
  // A missing browser fails the suite with what to do, instead of skipping the only test of the page.
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the dashboard test needs Chromium at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium; .ci/run installs it when missing)`,
    );
  }
  api = await startApiHarness({
    functions: parseUserFunctions(['invoice-reminders=examples/task-function/handler.ts'], process.cwd()),
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

async function createJob(body: Record<string, unknown>): Promise<void> {
  const created = await api.call('POST', '/jobs', { body });
  expect(created.status, created.text).toBe(201);
}

/** The page's errors: a script error or a refused request fails the test with its text. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}

describe('the dashboard in Chromium', () => {
  it('Given jobs of two kinds with runs, When an operator logs in with the printed link, Then the page shows jobs and runs, its actions reach the API, and the link works once', async () => {
    // Given: a task job (the example function) that succeeded and failed, a prompt job that failed
    await createJob({
      name: 'invoice-reminders',
      kind: 'task',
      schedule: 'cron(0 8 * * ? *)',
      config: {
        target: { type: 'lambda', functionArn: localFunctionArn('invoice-reminders') },
        payload: { invoiceIds: ['INV-1'], channel: 'email' },
      },
    });
    await createJob({
      name: 'nightly-digest',
      kind: 'prompt',
      schedule: 'rate(6 hours)',
      config: {
        prompt: 'Summarize the overnight alerts',
        // No secret hook-key exists (and nothing listens on port 9): with no retries, the run fails.
        target: { type: 'webhook', url: 'http://127.0.0.1:9/hooks/tickwork', signingSecret: 'hook-key' },
      },
    });
    expect((await runToEnd(api, 'invoice-reminders')).json.status).toBe('succeeded');
    const failed = await runToEnd(api, 'invoice-reminders', {
      params: { payload: { invoiceIds: ['missing-7'] } },
    });
    expect(failed.json.status).toBe('failed');
    expect((await runToEnd(api, 'nightly-digest')).json.status).toBe('failed');
    const described = async (name: string) =>
      (await api.call('GET', `/jobs/${name}`)).json.schedule.description as string;

    // When: the operator opens the link `npm start` prints
    const loginUrl = api.stack.dashboardLoginUrl();
    expect(loginUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dashboard\?code=[\w-]{20,}$/);
    const context = await browser.newContext({ viewport: { width: 1400, height: 700 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const opened = await page.goto(loginUrl);
    expect(opened?.status()).toBe(200);
    // The code is spent and gone from the address bar.
    expect(new URL(page.url()).search).toBe('');

    // Then: every job with its schedule in words and its health
    const invoices = page.locator('tr[data-job="invoice-reminders"]');
    const digest = page.locator('tr[data-job="nightly-digest"]');
    await invoices.locator('.mark').first().waitFor();
    await expect.poll(() => invoices.locator('th .name').textContent()).toBe('invoice-reminders');
    expect(await invoices.locator('.schedule').textContent()).toContain(await described('invoice-reminders'));
    expect(await digest.locator('.schedule').textContent()).toContain(await described('nightly-digest'));
    expect(await invoices.locator('.health').textContent()).toBe('failing');
    expect(await digest.locator('.health').textContent()).toBe('failing');
    expect(await digest.locator('.last-run .status').textContent()).toBe('failed');
    // ... and its runs drawn on the timeline, one mark per run, by outcome
    expect(
      await invoices
        .locator('svg.timeline .mark')
        .evaluateAll((marks) => marks.map((m) => m.getAttribute('data-status'))),
    ).toEqual(['succeeded', 'failed']);
    expect(await digest.locator('svg.timeline .mark-failed').count()).toBe(1);

    // A mark opens the run's details: its result, as the API has it
    await invoices.locator('.mark-succeeded').click();
    const details = page.locator('#run-dialog');
    await details.getByText('"reminded": 1').waitFor();
    expect(await details.locator('#run-title').textContent()).toBe('Run of invoice-reminders');
    await details.getByRole('button', { name: 'Close' }).click();

    // When: the operator pauses the prompt job with a note, and runs the task job now
    await digest.getByRole('button', { name: 'Pause nightly-digest' }).click();
    await page.getByLabel('Note (optional)').fill('vendor outage, INC-42');
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    // Then: the API has it, and the page shows the note
    const paused = await until(
      () => api.call('GET', '/jobs/nightly-digest'),
      (answer) => answer.json.enabled === false,
      30_000,
    );
    expect(paused.json).toMatchObject({ enabled: false, pauseNote: 'vendor outage, INC-42' });
    await digest.getByText('Note: vendor outage, INC-42').waitFor();
    expect(await digest.locator('.health').textContent()).toBe('paused');

    await invoices.getByRole('button', { name: 'Run invoice-reminders now' }).click();
    const ran = await until(
      () => api.call('GET', '/jobs/invoice-reminders/runs'),
      (answer) => answer.json.runs.length === 3 && answer.json.runs[0].status === 'succeeded',
      30_000,
    );
    expect(ran.json.runs.map((run: { trigger: string }) => run.trigger)).toEqual([
      'manual',
      'manual',
      'manual',
    ]);
    await expect.poll(() => invoices.locator('svg.timeline .mark').count(), { timeout: 20_000 }).toBe(3);

    await mkdir(OUTPUT, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect((await readFile(SCREENSHOT)).subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(errors).toEqual([]);

    // A second use of the code is refused, with how to get a new link and never the token.
    const again = await (await browser.newContext()).newPage();
    const refused = await again.goto(loginUrl);
    expect(refused?.status()).toBe(401);
    const text = (await again.textContent('body')) ?? '';
    expect(text).toContain('tickwork dashboard');
    expect(text).not.toContain(api.stack.endpoints.token);
    await context.close();
  });

  it("Given an open page whose jobs' runs have ended, When it refreshes with nothing new, Then it asks for the status only; When a job runs, Then it reads that job's runs again", async () => {
    // (The jobs and runs of the test above: every run has ended.)
    const context = await browser.newContext({ viewport: { width: 1400, height: 700 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const requests: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/dashboard/api/'))
        requests.push(url.pathname.slice('/dashboard/api'.length));
    });
    await page.goto(api.stack.dashboardLoginUrl());
    const invoices = page.locator('tr[data-job="invoice-reminders"]');
    await expect.poll(() => invoices.locator('svg.timeline .mark').count(), { timeout: 20_000 }).toBe(3);
    const statusReads = () => requests.filter((path) => path.startsWith('/status')).length;
    // The first load read every job's runs; the next two refreshes (5 s apart) read the status only.
    await expect.poll(statusReads, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    const afterFirst = requests.length;
    await expect.poll(statusReads, { timeout: 20_000, interval: 500 }).toBeGreaterThanOrEqual(3);
    const quiet = requests.slice(afterFirst);
    expect(quiet.length).toBeGreaterThanOrEqual(2);
    expect(quiet.every((path) => path.startsWith('/status'))).toBe(true);

    // When the job runs (started through the API, not the page), its last run changes: its runs are read.
    expect((await runToEnd(api, 'invoice-reminders')).json.status).toBe('succeeded');
    await expect.poll(() => invoices.locator('svg.timeline .mark').count(), { timeout: 20_000 }).toBe(4);
    expect(requests.slice(afterFirst)).toContain('/jobs/invoice-reminders/runs');
    expect(requests.slice(afterFirst)).not.toContain('/jobs/nightly-digest/runs');
    expect(errors).toEqual([]);
    await context.close();
  });
});
