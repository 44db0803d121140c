/**
 * Each command's arguments and one-line summary, in one place: `tickwork --help` lists them without
 * loading the commands (some pull in the whole local runtime), and each command's own help reuses them.
 */
export const COMMANDS = {
  preview: {
    args: '<expression>',
    summary: "show a schedule's EventBridge expression, description and next fire times",
  },
  local: {
    args: '',
    summary: 'run the stack on this machine: DynamoDB, Scheduler emulator, Lambda, API',
  },
  jobs: { args: '<subcommand>', summary: 'add, list, get, update, delete, pause and resume jobs' },
  run: {
    args: '<job>',
    summary: 'run a job now, optionally with --params, optionally waiting for the outcome',
  },
  runs: { args: '[runId]', summary: 'list runs (newest first) or show one run' },
  status: { args: '', summary: 'show every job: health, next run, last run' },
  cancel: { args: '<runId>', summary: 'cancel a pending, running or retrying run' },
  backfill: { args: '<job>', summary: "run every slot of a job's schedule in a past range (--from, --to)" },
  sync: { args: '<subcommand>', summary: "show and reset a sync job's checkpoints, one per connector" },
  reconcile: { args: '', summary: 'report and repair drift between jobs and schedules' },
  apply: { args: '', summary: 'make the jobs what a jobs file says: plan, then create, change, prune' },
  export: { args: '', summary: 'write every job as a jobs file that apply reports unchanged' },
  import: { args: 'loom <file>', summary: "convert a timer-loop actor's scheduler config into a jobs file" },
  'dead-letters': { args: '', summary: 'list events the local scheduler could not deliver' },
  events: { args: '', summary: "list the events the local EventBridge endpoint's buses received" },
  'webhook-receiver': {
    args: '',
    summary: 'a local webhook receiver that prints prompt deliveries and checks signatures',
  },
  'demo-platform': {
    args: '',
    summary: 'a local AI-operations platform and model endpoint for telemetry and calibration jobs',
  },
  dashboard: {
    args: '',
    summary: 'print a one-time login link to the dashboard; with --url, serve a deployed one',
  },
  completion: { args: '<shell>', summary: 'print a shell completion script: bash, zsh or fish' },
} as const satisfies Record<string, { readonly args: string; readonly summary: string }>;

export type CommandName = keyof typeof COMMANDS;

export function isCommandName(name: string | undefined): name is CommandName {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}
