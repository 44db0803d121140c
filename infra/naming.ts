/** Construct ID for a catalog id: `jobs` -> `Jobs`, `prompt` -> `Prompt`, `job-runs` -> `JobRuns`. */
export function pascalCase(id: string): string {
  return id
    .split(/[-_]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** CloudFormation stack name of one half of a deployment, e.g. `Tickwork-prod-Service`. */
export function stackName(stage: string, part: 'Stateful' | 'Service'): string {
  return `Tickwork-${stage}-${part}`;
}

/** The alerts topic of a deployment, e.g. `tickwork-prod-alerts` (cdk/alerts.ts). */
export function alertsTopicName(stage: string): string {
  return `tickwork-${stage}-alerts`;
}
