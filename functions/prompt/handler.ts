/** The `prompt` job function: the shared run lifecycle with the prompt kind's delivery. */
import { promptKind } from '../../shared/kinds/prompt/definition.ts';
import { promptWork } from '../../shared/kinds/prompt/work.ts';
import { http } from '../commons/capabilities/http.ts';
import { secrets } from '../commons/capabilities/secrets.ts';
import { createJobHandler } from '../commons/job-handler.ts';

export const handler = createJobHandler(promptKind, promptWork, { secrets, http });
