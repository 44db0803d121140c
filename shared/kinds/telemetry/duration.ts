/**
 * ISO-8601 durations as telemetry windows use them: `PnDTnHnMnS` with whole numbers (e.g. `PT2M`,
 * `PT1H30M`, `P1D`, `P1DT12H`). Years, months and weeks are refused: a month has no fixed length, and
 * a window must tile time exactly. Our own small parser, so the rule and its message are ours.
 */

const DURATION = /^P(?:(\d{1,5})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,7})M)?(?:(\d{1,9})S)?)?$/;

/** The longest duration a window accepts: a year of days. */
export const MAX_DURATION_MS = 366 * 86_400_000;

export const DURATION_RULE =
  'must be an ISO-8601 duration PnDTnHnMnS in whole numbers (e.g. PT2M, PT1H30M, P1D; no years, months or weeks)';

/** Milliseconds of `text`, or undefined when it is not a duration of that form. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  // `P` and `PT` alone match the pattern with no component.
  if (match === null || text === 'P' || text.endsWith('T')) return undefined;
  const [, days, hours, minutes, seconds] = match;
  const ms =
    Number(days ?? 0) * 86_400_000 +
    Number(hours ?? 0) * 3_600_000 +
    Number(minutes ?? 0) * 60_000 +
    Number(seconds ?? 0) * 1000;
  return ms;
}

/** Milliseconds as the shortest duration that says them (`PT2M`, `P1DT12H`), for messages and results. */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms / 1000);
  const days = Math.floor(rest / 86_400);
  rest -= days * 86_400;
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  const seconds = rest - minutes * 60;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
  if (days === 0 && time === '') return 'PT0S';
  return `P${days ? `${days}D` : ''}${time === '' ? '' : `T${time}`}`;
}
