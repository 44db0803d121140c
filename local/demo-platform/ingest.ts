/**
 * The demo platform's ingest: what a telemetry sink or a calibration registry flow POSTs (signed;
 * the server checks the signature before this sees the body). It keeps count of what arrived, once per
 * `Idempotency-Key` (a repeated key is a duplicate: answered, not counted), and gives the one line the
 * platform prints per delivery.
 */
import { CALIBRATION_LOG_TYPE } from '../../shared/kinds/calibration/log-type.ts';
import { SYNC_LOG_TYPE } from '../../shared/kinds/sync/sink.ts';
import { TELEMETRY_LOG_TYPE } from '../../shared/kinds/telemetry/chunks.ts';
import { isPlainObject } from '../../shared/validation.ts';

/** What arrived, for tests and for `GET /demo/received`. */
export interface IngestReceived {
  /** Bodies accepted (duplicates not included). */
  readonly bodies: number;
  readonly duplicates: number;
  readonly telemetry: { readonly chunks: number; readonly rows: Readonly<Record<string, number>> };
  readonly calibration: { readonly responses: number };
  /** Pages of connector records (a sync job's sink), and their records by connector. */
  readonly connectors: { readonly pages: number; readonly records: Readonly<Record<string, number>> };
  /** The accepted bodies, oldest first, while they fit in the retention budget (see `retainBytes`). */
  readonly items: ReadonlyArray<{ readonly idempotencyKey?: string; readonly body: unknown }>;
  /** Accepted bodies not kept in `items` because the budget was spent (they are still counted). */
  readonly itemsDropped: number;
}

export class IngestLog {
  readonly #seen = new Set<string>();
  readonly #rows = new Map<string, number>();
  readonly #items: Array<{ idempotencyKey?: string; body: unknown }> = [];
  readonly #retainBytes: number;
  #retained = 0;
  #dropped = 0;
  #bodies = 0;
  #duplicates = 0;
  #chunks = 0;
  #responses = 0;
  #connectorPages = 0;
  readonly #connectorRecords = new Map<string, number>();

  /** `retainBytes`: how many body bytes `items` keeps, so a long benchmark does not grow without bound. */
  constructor(retainBytes: number) {
    this.#retainBytes = retainBytes;
  }

  /** Records one delivery; a key seen before answers `duplicate` and changes nothing. */
  accept(
    body: unknown,
    size: number,
    idempotencyKey: string | undefined,
  ): { duplicate: boolean; summary: string } {
    if (idempotencyKey !== undefined && this.#seen.has(idempotencyKey)) {
      this.#duplicates++;
      return {
        duplicate: true,
        summary: `ingest duplicate (Idempotency-Key ${idempotencyKey}): not counted again`,
      };
    }
    if (idempotencyKey !== undefined) this.#seen.add(idempotencyKey);
    this.#bodies++;
    if (this.#retained + size <= this.#retainBytes) {
      this.#retained += size;
      this.#items.push(idempotencyKey === undefined ? { body } : { idempotencyKey, body });
    } else {
      this.#dropped++;
    }
    return { duplicate: false, summary: this.#count(body) };
  }

  received(): IngestReceived {
    return {
      bodies: this.#bodies,
      duplicates: this.#duplicates,
      telemetry: { chunks: this.#chunks, rows: Object.fromEntries(this.#rows) },
      calibration: { responses: this.#responses },
      connectors: { pages: this.#connectorPages, records: Object.fromEntries(this.#connectorRecords) },
      items: [...this.#items],
      itemsDropped: this.#dropped,
    };
  }

  /** Counts the delivery and describes it in one line. */
  #count(body: unknown): string {
    if (!isPlainObject(body)) return `ingest ${Array.isArray(body) ? 'an array' : typeof body} (no log_type)`;
    const model =
      isPlainObject(body.model) && typeof body.model.name === 'string' ? ` model=${body.model.name}` : '';
    if (body.log_type === TELEMETRY_LOG_TYPE) {
      this.#chunks++;
      const window = isPlainObject(body.window)
        ? ` window=${String(body.window.from)}..${String(body.window.to)}`
        : '';
      // The index as sent (the sink numbers chunks; the platform does not guess its base).
      const chunk = isPlainObject(body.chunk)
        ? ` chunk ${String(body.chunk.index)}/${String(body.chunk.count)}`
        : '';
      const tables: string[] = [];
      if (isPlainObject(body.data)) {
        for (const [table, rows] of Object.entries(body.data)) {
          const n = Array.isArray(rows) ? rows.length : 0;
          this.#rows.set(table, (this.#rows.get(table) ?? 0) + n);
          tables.push(`${table}=${n}`);
        }
      }
      return `ingest ${TELEMETRY_LOG_TYPE}${model}${window}${chunk} rows: ${tables.join(' ') || 'none'}`;
    }
    if (body.log_type === CALIBRATION_LOG_TYPE) {
      const n = Array.isArray(body.responses) ? body.responses.length : 0;
      this.#responses += n;
      return `ingest ${CALIBRATION_LOG_TYPE}${model} responses=${n}`;
    }
    if (body.log_type === SYNC_LOG_TYPE) {
      const connector = typeof body.connector === 'string' ? body.connector : '?';
      const n = Array.isArray(body.records) ? body.records.length : 0;
      this.#connectorPages++;
      this.#connectorRecords.set(connector, (this.#connectorRecords.get(connector) ?? 0) + n);
      return `ingest ${SYNC_LOG_TYPE} connector=${connector} cursor=${JSON.stringify(body.cursor)} records=${n}`;
    }
    return `ingest log_type=${JSON.stringify(body.log_type) ?? 'none'}${model} keys: ${Object.keys(body).slice(0, 10).join(', ')}`;
  }
}
