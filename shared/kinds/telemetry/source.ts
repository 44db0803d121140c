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
