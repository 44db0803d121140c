/**
 * A job's last 24 hours drawn as an SVG strip: one mark per run at its slot (or its start), coloured and
 * shaped by outcome (bars for succeeded and open runs, a raised bar for failures, a ring for skipped or
 * cancelled, a cross for missed slots), with hour ticks. Each mark is a focusable button that opens the
 * run's details; its accessible name says what the colour says.
 */
import { el, svg } from './dom.js';
import { formatDuration, formatTime, statusCategory } from './format.js';

const DAY_MS = 24 * 60 * 60_000;
const WIDTH = 480;
const HEIGHT = 34;
const AXIS_Y = 26;
/** The least distance between two marks' centres, in the drawing's units. */
const MIN_GAP = 7;

/**
 * @param {string} job
 * @param {Array<any>} runs the job's runs, any order
 * @param {number} now epoch ms
 * @param {(runId: string) => void} open called with a run id when a mark is chosen
 * @returns {Element}
 */
export function timeline(job, runs, now, open) {
  const from = now - DAY_MS;
  const x = (/** @type {number} */ t) => ((t - from) / DAY_MS) * WIDTH;
  const inWindow = runs
    .map((run) => ({ run, at: new Date(run.startedAt ?? run.scheduledFor).getTime() }))
    .filter(({ at }) => !Number.isNaN(at) && at >= from && at <= now + 60_000)
    .sort((a, b) => a.at - b.at);

  // Runs closer together than a mark's width would hide each other (a run now, then another): from the
  // newest back, each mark keeps at least MIN_GAP to the next one, so every run stays visible and clickable;
  // the position is then approximate by at most a few pixels per crowded neighbour.
  const positions = new Array(inWindow.length);
  let right = WIDTH - 3 + MIN_GAP;
  for (let i = inWindow.length - 1; i >= 0; i--) {
    const ideal = Math.min(WIDTH - 3, Math.max(3, x(/** @type {{ at: number }} */ (inWindow[i]).at)));
    right = Math.max(3, Math.min(ideal, right - MIN_GAP));
    positions[i] = right;
  }

  const counts = { succeeded: 0, failed: 0, skipped: 0, missed: 0, open: 0 };
  const marks = inWindow.map(({ run }, i) => {
    const category = statusCategory(run.status);
    counts[category] += 1;
    const label = `${run.status} run of ${job}, ${formatTime(run.scheduledFor)}${
      typeof run.durationMs === 'number' ? `, took ${formatDuration(run.durationMs)}` : ''
    }${run.error ? `: ${run.error.message}` : run.reason ? `: ${run.reason}` : ''}`;
    const cx = positions[i];
    return svg(
      'g',
      {
        class: `mark mark-${category}`,
        tabindex: 0,
        role: 'button',
        'aria-label': label,
        'data-run-id': run.runId,
        'data-status': run.status,
        'data-focus-key': `mark:${run.runId}`,
        onclick: () => open(run.runId),
        onkeydown: (/** @type {KeyboardEvent} */ event) => {
          if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            open(run.runId);
          }
        },
      },
      svg('title', {}, label),
      shape(category, cx),
    );
  });

  const ticks = [];
  for (let h = 0; h <= 24; h += 6) {
    const tx = (h / 24) * WIDTH;
    ticks.push(svg('line', { class: 'tick', x1: tx, x2: tx, y1: AXIS_Y - 2, y2: AXIS_Y + 2 }));
    const hoursAgo = 24 - h;
    ticks.push(
      svg(
        'text',
        {
          class: 'tick-label',
          x: Math.min(WIDTH - 14, Math.max(0, tx - 8)),
          y: HEIGHT,
        },
        hoursAgo === 0 ? 'now' : `-${hoursAgo}h`,
      ),
    );
  }

  const summary = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([category, n]) => `${n} ${category}`)
    .join(', ');
  const drawing = svg(
    'svg',
    {
      class: 'timeline',
      viewBox: `0 0 ${WIDTH} ${HEIGHT + 2}`,
      width: WIDTH,
      height: HEIGHT + 2,
      role: 'group',
      'aria-label': `Runs of ${job} in the last 24 hours: ${summary || 'none'}`,
      'data-marks': marks.length,
    },
    svg('line', { class: 'axis', x1: 0, x2: WIDTH, y1: AXIS_Y, y2: AXIS_Y }),
    ...ticks,
    ...marks,
  );
  return el('div', { class: 'timeline-box' }, drawing);
}

/**
 * @param {string} category
 * @param {number} cx
 */
function shape(category, cx) {
  switch (category) {
    case 'failed':
      return svg('rect', { x: cx - 2.5, y: 2, width: 5, height: 22, rx: 1 });
    case 'skipped':
      return svg('circle', { cx, cy: 16, r: 4 });
    case 'missed':
      return svg('path', { d: `M${cx - 4} 10 L${cx + 4} 20 M${cx + 4} 10 L${cx - 4} 20` });
    case 'open':
      return svg('rect', { x: cx - 2.5, y: 8, width: 5, height: 16, rx: 2.5 });
    default:
      return svg('rect', { x: cx - 2, y: 8, width: 4, height: 16, rx: 1 });
  }
}
