/**
 * A kind's work as the run lifecycle calls it: the stored config parsed (typed, and a hand-edited item
 * caught), the run's parameters parsed, the kind's capabilities added to the lifecycle's context.
 */

import type { RunContext, RunResult } from '../runs/context.ts';
import type { RunWork } from '../runs/lifecycle.ts';
import type { Capabilities, CapabilityId } from './capabilities.ts';
import { parseConfigOf, parseRunParams } from './config.ts';
import type { KindDefinition } from './kind.ts';
import { withRunIdHeader } from './run-id-header.ts';

export function kindWork<Config, Params, Caps extends CapabilityId>(
  kind: KindDefinition<string, Config, Params, Caps>,
  work: (context: RunContext<Config, Params, Pick<Capabilities, Caps>>) => Promise<RunResult>,
  capabilities: Pick<Capabilities, Caps>,
): RunWork {
  return (base) =>
    work({
      ...base,
      config: parseConfigOf(kind, base.job.config),
      params: parseRunParams(kind, base.run.params),
      capabilities: withRunIdHeader(capabilities, base.run.runId),
    });
}
