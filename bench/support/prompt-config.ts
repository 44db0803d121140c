/** Prompt job configs of a chosen size, for the benches: prose, not padding, and a real webhook target. */

const PROSE =
  'Summarize the overnight alerts of the payments service, group them by probable cause, and say which need a person today. ';

function prose(bytes: number): string {
  return PROSE.repeat(Math.ceil(bytes / PROSE.length)).slice(0, Math.max(1, bytes));
}

/**
 * A `prompt` kind config of `bytes` bytes of JSON (at least the size of its target), delivering to
 * `url`: from 4 KB on, a quarter of it is metadata (a runbook), the rest the prompt.
 */
export function promptConfig(bytes: number, url: string): Record<string, unknown> {
  const target = { type: 'webhook', url, signingSecret: 'bench' };
  const metadata = bytes >= 4096 ? { team: 'payments', runbook: prose(Math.floor(bytes / 4)) } : undefined;
  const shell = { prompt: '', ...(metadata === undefined ? {} : { metadata }), target };
  return { ...shell, prompt: prose(bytes - Buffer.byteLength(JSON.stringify(shell))) };
}
