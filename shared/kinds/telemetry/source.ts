/** A telemetry source: reads the rows of one table in one window. */
export interface TelemetryWindow {
  /** Inclusive. */
  readonly from: Date;
  /** Exclusive. */
  readonly to: Date;
}

export interface SourceQuery {
  readonly window: TelemetryWindow;
  readonly table: string;
  /** At most this many rows. */
  readonly limit: number;
  readonly signal: AbortSignal;
  remainingTimeMs(): number;
}

export interface SourcePage {
  readonly rows: readonly Readonly<Record<string, unknown>>[];
  /** The window held more rows than `limit`: the rest is for the next run. */
  readonly hasMore: boolean;
}

export interface TelemetrySource {
  read(query: SourceQuery): Promise<SourcePage>;
}

/** Takes one row; a promise when it must be waited for (a chunk being written out). */
export type RowSink = (row: Readonly<Record<string, unknown>>) => void | Promise<void>;

/**
 * What the export reads from: a table's rows handed over one at a time, so a source that can stream
 * (the http source) never holds a page. At most `limit` rows reach `onRow`; `hasMore` says the window
 * held more (the export then narrows it and reads again).
 */
export interface RowSource {
  eachRow(query: SourceQuery, onRow: RowSink): Promise<{ readonly hasMore: boolean }>;
}

/**
 * A source that answers pages (the AWS sources, bounded by their own APIs' caps) through the same path:
 * the page's rows are handed over one by one.
 */
export function pagedRows(source: TelemetrySource): RowSource {
  return {
    async eachRow(query, onRow) {
      const page = await source.read(query);
      for (const row of page.rows) {
        const pending = onRow(row);
        if (pending !== undefined) await pending;
      }
      return { hasMore: page.hasMore };
    },
  };
}
