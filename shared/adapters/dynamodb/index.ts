/** DynamoDB adapters: one document client per composition root, shared by the JobStore and RunLedger. */
export { createDocumentClient, type DocumentClientOptions, isConditionFailed } from './client.ts';
export { DynamoJobStore, JOB_LIST_KEY } from './job-store.ts';
export { DynamoRunLedger, RUN_LIST_KEY } from './run-ledger.ts';
