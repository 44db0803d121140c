/** The `telemetry` job function: the shared run lifecycle with the telemetry kind's export. */
import { telemetryKind } from '../../shared/kinds/telemetry/definition.ts';
import { telemetryWork } from '../../shared/kinds/telemetry/work.ts';
import { checkpoints } from '../commons/capabilities/checkpoints.ts';
import { http } from '../commons/capabilities/http.ts';
import { logs } from '../commons/capabilities/logs.ts';
import { metrics } from '../commons/capabilities/metrics.ts';
import { secrets } from '../commons/capabilities/secrets.ts';
import { createJobHandler } from '../commons/job-handler.ts';

export const handler = createJobHandler(telemetryKind, telemetryWork, {
  secrets,
  http,
  checkpoints,
  metrics,
  logs,
});
