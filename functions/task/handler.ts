/** The `task` job function: the shared run lifecycle with the task kind's call of the user's code. */
import { taskKind } from '../../shared/kinds/task/definition.ts';
import { taskWork } from '../../shared/kinds/task/work.ts';
import { eventBuses } from '../commons/capabilities/event-buses.ts';
import { http } from '../commons/capabilities/http.ts';
import { secrets } from '../commons/capabilities/secrets.ts';
import { taskFunctions } from '../commons/capabilities/task-functions.ts';
import { createJobHandler } from '../commons/job-handler.ts';

export const handler = createJobHandler(taskKind, taskWork, { secrets, http, taskFunctions, eventBuses });
