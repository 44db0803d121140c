/**
 * A run's details in a modal dialog: status, times, attempts, parameters, result, error, its fan-out
 * children (GET /runs/{id}/children) and the run it was chained from (`upstream`), each linked to its own
 * details; a cancel button while the run has not ended.
 */
import { ApiError, api, path } from './api.js';
import { el, replace, token } from './dom.js';
import { durationOf, formatDuration, formatTime, OPEN_STATUSES } from './format.js';

const dialog = /** @type {HTMLDialogElement} */ (document.getElementById('run-dialog'));
const title = /** @type {HTMLElement} */ (document.getElementById('run-title'));
const body = /** @type {HTMLElement} */ (document.getElementById('run-body'));

/** @type {(message: string) => void} */
let say = () => {};
/** @type {() => void} */
let changed = () => {};

/**
 * @param {{ say: (message: string) => void, changed: () => void }} hooks how to report an action's outcome, and to redraw after one
 */
export function setUpDetails(hooks) {
  say = hooks.say;
  changed = hooks.changed;
  for (const button of dialog.querySelectorAll('[data-close]'))
    button.addEventListener('click', () => dialog.close());
}

/**
 * Opens the dialog on a run, reading it fresh.
 * @param {string} runId
 */
export async function showRun(runId) {
  title.textContent = 'Run';
  replace(body, el('p', {}, 'Loading…'));
  if (!dialog.open) dialog.showModal();
  try {
    const run = await api('GET', path`/runs/${runId}`);
    await render(run);
  } catch (error) {
    replace(
      body,
      el('p', { class: 'error', role: 'alert' }, `Could not read run ${runId}: ${messageOf(error)}`),
    );
  }
}

/** @param {any} run */
async function render(run) {
  title.textContent = `Run of ${run.job}`;
  const rows = [
    ['Run id', el('code', {}, run.runId)],
    ['Status', el('span', { class: `status status-${token(run.status)}` }, run.status)],
    ['Trigger', run.trigger],
    ['Scheduled for', formatTime(run.scheduledFor)],
    ['Started', formatTime(run.startedAt)],
    ['Finished', formatTime(run.finishedAt)],
    ['Duration', formatDuration(durationOf(run))],
    ['Attempt', String(run.attempt)],
    run.nextAttemptAt ? ['Next attempt', formatTime(run.nextAttemptAt)] : undefined,
    run.duplicatesSuppressed > 0 ? ['Duplicate deliveries', String(run.duplicatesSuppressed)] : undefined,
    run.reason ? ['Reason', run.reason] : undefined,
    run.cancelRequested ? ['Cancel', 'requested'] : undefined,
    run.error
      ? ['Error', el('span', { class: 'error' }, `${run.error.type}: ${run.error.message}`)]
      : undefined,
    run.params ? ['Parameters', json(run.params)] : undefined,
    run.result ? ['Result', json(run.result)] : undefined,
    run.context ? ['Fan-out context', json(run.context)] : undefined,
    run.parentRunId ? ['Fan-out parent', runLink(run.parentRunId, run.parentRunId)] : undefined,
    run.upstream
      ? [
          'Chained from',
          el('span', {}, runLink(run.upstream.runId, `${run.upstream.job} (${run.upstream.status})`)),
        ]
      : undefined,
    run.backfill
      ? ['Backfill', `${run.backfill.id}: ${formatTime(run.backfill.from)} to ${formatTime(run.backfill.to)}`]
      : undefined,
  ].filter((row) => row !== undefined);

  const list = el('dl', { class: 'details' });
  for (const [term, value] of /** @type {Array<[string, Node | string]>} */ (rows)) {
    list.append(el('dt', {}, term), el('dd', {}, value));
  }
  const parts = [list];
  if (run.children) parts.push(await childrenSection(run));
  if (OPEN_STATUSES.has(run.status)) {
    parts.push(
      el(
        'p',
        {},
        el(
          'button',
          {
            type: 'button',
            class: 'danger',
            'data-action': 'cancel-run',
            onclick: () => cancel(run),
          },
          'Cancel this run',
        ),
      ),
    );
  }
  replace(body, ...parts);
}

/** @param {any} run */
async function childrenSection(run) {
  const counts = run.children;
  const heading = el(
    'h3',
    {},
    `Children: ${counts.total} (${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.cancelled} cancelled, ${counts.skipped} skipped, ${counts.timed_out} timed out)`,
  );
  try {
    const page = await api('GET', `${path`/runs/${run.runId}/children`}?limit=100`);
    const table = el(
      'table',
      { class: 'children' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col' }, 'Key'),
          el('th', { scope: 'col' }, 'Status'),
          el('th', { scope: 'col' }, 'Details'),
        ),
      ),
      el(
        'tbody',
        {},
        ...page.runs.map((/** @type {any} */ child) =>
          el(
            'tr',
            {},
            el('td', {}, child.context?.key ?? child.scheduledFor),
            el('td', {}, el('span', { class: `status status-${token(child.status)}` }, child.status)),
            el('td', {}, runLink(child.runId, 'open')),
          ),
        ),
      ),
    );
    const more = page.nextCursor ? el('p', {}, `Showing the first ${page.runs.length}.`) : undefined;
    return el('section', {}, heading, table, more);
  } catch (error) {
    return el(
      'section',
      {},
      heading,
      el('p', { class: 'error' }, `Could not list the children: ${messageOf(error)}`),
    );
  }
}

/** @param {any} run */
async function cancel(run) {
  try {
    const answer = await api('POST', path`/runs/${run.runId}/cancel`);
    say(
      `Cancel of run ${run.runId} (${run.job}) accepted: ${answer.status}${answer.cancelRequested ? ', asked to stop' : ''}.`,
    );
    await render(answer);
    changed();
  } catch (error) {
    say(`Cancel of run ${run.runId} refused: ${messageOf(error)}`);
  }
}

/**
 * @param {string} runId
 * @param {string} label
 */
function runLink(runId, label) {
  return el('button', { type: 'button', class: 'link', onclick: () => showRun(runId) }, label);
}

/** @param {unknown} value */
function json(value) {
  return el('pre', { class: 'json' }, JSON.stringify(value, null, 2));
}

/** @param {unknown} error */
export function messageOf(error) {
  if (error instanceof ApiError) return `${error.message} (${error.type})`;
  return error instanceof Error ? error.message : String(error);
}
