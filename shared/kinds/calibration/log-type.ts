/** The `log_type` of the answers a registry flow ingests (what an ingest endpoint tells them apart by). */
export const CALIBRATION_LOG_TYPE = 'calibration';
