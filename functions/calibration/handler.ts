/** The `calibration` job function: the shared run lifecycle with the calibration kind's work. */
import { calibrationKind } from '../../shared/kinds/calibration/definition.ts';
import { calibrationWork } from '../../shared/kinds/calibration/work.ts';
import { bedrock } from '../commons/capabilities/bedrock.ts';
import { budgets } from '../commons/capabilities/budgets.ts';
import { http } from '../commons/capabilities/http.ts';
import { modelFunctions } from '../commons/capabilities/model-functions.ts';
import { secrets } from '../commons/capabilities/secrets.ts';
import { createJobHandler } from '../commons/job-handler.ts';

export const handler = createJobHandler(calibrationKind, calibrationWork, {
  secrets,
  http,
  budgets,
  bedrock,
  modelFunctions,
});
