/** The `sync` job function: the shared run lifecycle with the sync kind's connectors and sink. */
import { syncKind } from '../../shared/kinds/sync/definition.ts';
import { syncWork } from '../../shared/kinds/sync/work.ts';
import { checkpoints } from '../commons/capabilities/checkpoints.ts';
import { http } from '../commons/capabilities/http.ts';
import { secrets } from '../commons/capabilities/secrets.ts';
import { createJobHandler } from '../commons/job-handler.ts';

export const handler = createJobHandler(syncKind, syncWork, { secrets, http, checkpoints });
