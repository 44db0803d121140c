/**
 * The dashboard: every job of GET /status with its schedule in words, next run, health (and pause note),
 * last run and a drawn 24-hour timeline of its runs (GET /jobs/{name}/runs, newest first, paged back to
 * 24 hours), refreshed every few seconds; actions: run now, pause with a note, resume, and cancel a run
 * (in the run's details). Plain ES modules with no framework and no build step, served by the listener
 * from its own origin only (the page's Content-Security-Policy allows nothing else).
 */
import { ApiError, api, path } from './api.js';
import { messageOf, setUpDetails, showRun } from './details.js';
import { el, replace, token } from './dom.js';
import { durationOf, formatDuration, formatTime, OPEN_STATUSES, relative } from './format.js';
import { timeline } from './timeline.js';

const REFRESH_MS = 5_000;
const DAY_MS = 24 * 60 * 60_000;
/** At most this many pages of 100 runs per job and refresh: a job running every minute fills 15. */
const MAX_RUN_PAGES = 15;
/** Requests in flight at once while reading the jobs' runs. */
const CONCURRENCY = 4;
/**
 * A job's runs are read again when its last run changed, while one of them is open, or after this long
 * (a slot the sweeper recorded missed does not change the last run); otherwise a refresh reuses them,
 * so an open page costs one GET /status per refresh, not one request per job.
 */
const RUNS_MAX_AGE_MS = 60_000;
const KNOWN_HEALTH = new Set(['ok', 'late', 'missed', 'failing', 'paused']);

const tbody = /** @type {HTMLElement} */ (document.querySelector('#jobs tbody'));
const empty = /** @type {HTMLElement} */ (document.getElementById('empty'));
const totals = /** @type {HTMLElement} */ (document.getElementById('totals'));
const updated = /** @type {HTMLElement} */ (document.getElementById('updated'));
const notice = /** @type {HTMLElement} */ (document.getElementById('notice'));
const problem = /** @type {HTMLElement} */ (document.getElementById('problem'));
const pauseDialog = /** @type {HTMLDialogElement} */ (document.getElementById('pause-dialog'));
const pauseForm = /** @type {HTMLFormElement} */ (document.getElementById('pause-form'));
const pauseNote = /** @type {HTMLInputElement} */ (document.getElementById('pause-note'));
const pauseTitle = /** @type {HTMLElement} */ (document.getElementById('pause-title'));

/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;
let loading = false;
let stopped = false;
/** @type {string | undefined} */
let pausing;
/** The runs each job's timeline was last drawn from, and what they were read for. */
/** @type {Map<string, {runs: any[], lastRun: string, readAt: number}>} */
const runsRead = new Map();

/** @param {string} message */
function say(message) {
  notice.textContent = message;
}

async function refresh() {
  if (loading || stopped) return;
  loading = true;
  clearTimeout(timer);
  try {
    const now = Date.now();
    const jobs = await allJobs();
    const runs = await pool(jobs, (job) => runsOf(job, now));
    // A job that is gone leaves nothing behind.
    const names = new Set(jobs.map((job) => job.name));
    for (const name of runsRead.keys()) if (!names.has(name)) runsRead.delete(name);
    render(jobs, runs, now);
    problem.hidden = true;
    updated.textContent = `Updated ${formatTime(new Date(now).toISOString())}; refreshes every ${REFRESH_MS / 1000} s`;
  } catch (error) {
    problem.hidden = false;
    problem.textContent = `Could not refresh: ${messageOf(error)}`;
    // A session that ended stays ended: the message says how to get a new login link.
    if (error instanceof ApiError && error.status === 401) {
      stopped = true;
      updated.textContent = 'Not refreshing: log in again';
    }
  } finally {
    loading = false;
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  }
}

async function allJobs() {
  const jobs = [];
  let cursor;
  do {
    const page = await api(
      'GET',
      `/status?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    jobs.push(...page.jobs);
    cursor = page.nextCursor;
  } while (cursor);
  return jobs;
}

/**
 * The job's runs of the last 24 hours: those read before when nothing says they changed.
 * @param {any} job a job of GET /status
 * @param {number} now epoch ms
 */
async function runsOf(job, now) {
  const run = job.lastRun;
  const lastRun = run ? `${run.runId} ${run.status} ${run.startedAt ?? ''} ${run.finishedAt ?? ''}` : '';
  const read = runsRead.get(job.name);
  if (
    read !== undefined &&
    read.lastRun === lastRun &&
    now - read.readAt < RUNS_MAX_AGE_MS &&
    !read.runs.some((each) => OPEN_STATUSES.has(each.status))
  ) {
    return read.runs;
  }
  const runs = await recentRuns(job.name, now - DAY_MS);
  runsRead.set(job.name, { runs, lastRun, readAt: now });
  return runs;
}

/**
 * @param {string} name
 * @param {number} since epoch ms
 */
async function recentRuns(name, since) {
  const runs = [];
  let cursor;
  for (let pages = 0; pages < MAX_RUN_PAGES; pages++) {
    const page = await api(
      'GET',
      `${path`/jobs/${name}/runs`}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    runs.push(...page.runs);
    cursor = page.nextCursor;
    const oldest = page.runs.at(-1);
    if (!cursor || oldest === undefined || new Date(oldest.scheduledFor).getTime() < since) break;
  }
  return runs;
}

/**
 * `work` for each item, at most CONCURRENCY at a time, results in order.
 * @template T, R
 * @param {T[]} items
 * @param {(item: T) => Promise<R>} work
 * @returns {Promise<R[]>}
 */
async function pool(items, work) {
  /** @type {R[]} */
  const results = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(/** @type {T} */ (items[index]));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, lane));
  return results;
}

/**
 * @param {any[]} jobs
 * @param {any[][]} runs
 * @param {number} now
 */
function render(jobs, runs, now) {
  // Redrawing replaces the rows; keyboard focus goes back to the same control in the new ones.
  const focused = /** @type {HTMLElement | null} */ (document.activeElement)?.dataset?.focusKey;
  replace(tbody, ...jobs.map((job, i) => row(job, runs[i] ?? [], now)));
  if (focused !== undefined) {
    for (const node of document.querySelectorAll('[data-focus-key]')) {
      if (/** @type {HTMLElement} */ (node).dataset.focusKey === focused) {
        /** @type {HTMLElement} */ (node).focus();
        break;
      }
    }
  }
  empty.hidden = jobs.length > 0;
  const count = (/** @type {string} */ health) => jobs.filter((job) => job.health === health).length;
  const executing = jobs.filter((job) => job.isExecuting).length;
  totals.textContent = [
    `${jobs.length} job${jobs.length === 1 ? '' : 's'}`,
    ...['failing', 'missed', 'late', 'paused'].map((health) => `${count(health)} ${health}`),
    `${executing} running`,
  ].join(' · ');
}

/**
 * @param {any} job
 * @param {any[]} runs
 * @param {number} now
 */
function row(job, runs, now) {
  const health = String(job.health);
  return el(
    'tr',
    { 'data-job': job.name },
    el(
      'th',
      { scope: 'row', class: 'job' },
      el('span', { class: 'name' }, job.name),
      el('span', { class: 'kind' }, job.kind),
    ),
    el(
      'td',
      { class: 'schedule' },
      el('span', {}, job.schedule.description),
      el('code', { class: 'expression' }, job.schedule.expression),
    ),
    el(
      'td',
      { class: 'next-run' },
      job.nextRun ? el('time', { datetime: job.nextRun }, formatTime(job.nextRun)) : '—',
      job.nextRun ? el('span', { class: 'muted' }, relative(job.nextRun, now)) : undefined,
    ),
    el(
      'td',
      { class: 'health-cell' },
      el('span', { class: `health health-${KNOWN_HEALTH.has(health) ? health : 'other'}` }, health),
      job.pauseNote ? el('span', { class: 'pause-note' }, `Note: ${job.pauseNote}`) : undefined,
    ),
    el('td', { class: 'last-run' }, lastRun(job)),
    el('td', { class: 'runs' }, timeline(job.name, runs, now, showRun)),
    el('td', { class: 'actions' }, ...actions(job)),
  );
}

/** @param {any} job */
function lastRun(job) {
  const run = job.lastRun;
  if (run === null || run === undefined) return el('span', { class: 'muted' }, 'never ran');
  return el(
    'div',
    {},
    el('span', { class: `status status-${token(run.status)}` }, run.status),
    el('span', { class: 'muted' }, ` ${formatDuration(durationOf(run))}`),
    run.error ? el('span', { class: 'error' }, `${run.error.type}: ${run.error.message}`) : undefined,
    el(
      'button',
      {
        type: 'button',
        class: 'link',
        'data-focus-key': `details:${job.name}`,
        'aria-label': `Details of the last run of ${job.name}`,
        onclick: () => showRun(run.runId),
      },
      'Details',
    ),
    OPEN_STATUSES.has(run.status)
      ? el(
          'button',
          {
            type: 'button',
            class: 'danger',
            'data-focus-key': `cancel:${job.name}`,
            'aria-label': `Cancel the running run of ${job.name}`,
            onclick: () =>
              act(`Cancel of run ${run.runId}`, () => api('POST', path`/runs/${run.runId}/cancel`)),
          },
          'Cancel',
        )
      : undefined,
  );
}

/** @param {any} job */
function actions(job) {
  const runNow = el(
    'button',
    {
      type: 'button',
      'data-action': 'run-now',
      'data-focus-key': `run:${job.name}`,
      'aria-label': `Run ${job.name} now`,
      onclick: () =>
        act(`Run of ${job.name}`, async () => {
          const run = await api('POST', path`/jobs/${job.name}/runs`);
          return `started, run ${run.runId}`;
        }),
    },
    'Run now',
  );
  const toggle = job.enabled
    ? el(
        'button',
        {
          type: 'button',
          'data-action': 'pause',
          'data-focus-key': `pause:${job.name}`,
          'aria-label': `Pause ${job.name}`,
          onclick: () => openPause(job.name),
        },
        'Pause…',
      )
    : el(
        'button',
        {
          type: 'button',
          'data-action': 'resume',
          'data-focus-key': `resume:${job.name}`,
          'aria-label': `Resume ${job.name}`,
          onclick: () => act(`Resume of ${job.name}`, () => api('POST', path`/jobs/${job.name}/resume`)),
        },
        'Resume',
      );
  return [runNow, toggle];
}

/**
 * Runs an action, says how it went, and redraws.
 * @param {string} what
 * @param {() => Promise<unknown>} action
 */
async function act(what, action) {
  try {
    const outcome = await action();
    say(`${what}: ${typeof outcome === 'string' ? outcome : 'done'}.`);
  } catch (error) {
    say(`${what} failed: ${messageOf(error)}`);
  }
  // An action may start or end runs the job's last run does not show yet: every timeline is read again.
  runsRead.clear();
  await refresh();
}

/** @param {string} name */
function openPause(name) {
  pausing = name;
  pauseTitle.textContent = `Pause ${name}`;
  pauseNote.value = '';
  pauseDialog.showModal();
  pauseNote.focus();
}

pauseForm.addEventListener('submit', (event) => {
  // Handled here: the page submits no form anywhere (its CSP has form-action 'none').
  event.preventDefault();
  const name = pausing;
  if (name === undefined) return;
  const note = pauseNote.value.trim();
  pauseDialog.close();
  act(`Pause of ${name}`, () => api('POST', path`/jobs/${name}/pause`, note === '' ? undefined : { note }));
});
for (const button of pauseDialog.querySelectorAll('[data-close]')) {
  button.addEventListener('click', () => pauseDialog.close());
}
document.getElementById('refresh-now')?.addEventListener('click', () => {
  stopped = false;
  refresh();
});
setUpDetails({ say, changed: () => refresh() });
refresh();
