/**
 * An incremental reader of the http source's answer, `{"rows": [{...}, ...]}`, that hands out one row at
 * a time as the text arrives, so a page is never held whole (its memory is one network piece and one
 * row, whatever the page holds). It tracks only the structure around the rows (the top object, its keys,
 * the rows array) and, inside a value, string/escape/depth state to find where the value ends; each
 * value is then checked by JSON.parse, so what it accepts is exactly what JSON.parse of the whole body
 * would (other top-level keys are allowed and skipped, as before).
 *
 * Errors are kinds of answer, not messages (the source words them, naming the table and the target):
 * `not-json` (a syntax error anywhere, or a truncated body), `no-rows` (valid JSON of another shape:
 * known only once the whole body is read, so a wrong shape is never mistaken for a syntax error), and
 * `row-not-object` (rows[i] is valid JSON but not an object).
 */

export type RowsParseProblem =
  | { readonly kind: 'not-json' }
  | { readonly kind: 'no-rows' }
  | { readonly kind: 'rows-repeated' }
  | { readonly kind: 'row-not-object'; readonly index: number };

export class RowsParseError extends Error {
  constructor(readonly problem: RowsParseProblem) {
    super(
      `telemetry rows: ${problem.kind}${problem.kind === 'row-not-object' ? ` at ${problem.index}` : ''}`,
    );
    this.name = 'RowsParseError';
  }
}

type State =
  | 'top' // before the top-level value
  | 'key-or-end' // after `{`
  | 'key' // after `,` in the top object
  | 'colon'
  | 'value'
  | 'rows-first' // after `[` of rows: an element or `]`
  | 'element' // after `,` in rows
  | 'after-element'
  | 'after-value'
  | 'done';

/** What a captured value is for once complete. */
type Capture = 'whole' | 'key' | 'value' | 'row';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** A scalar's characters (numbers, true, false, null); anything else ends it. */
function isScalarChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x2d ||
    code === 0x2b ||
    code === 0x2e ||
    code === 0x45
  );
}

export class RowsParser {
  #state: State = 'top';
  #rows = 0;
  #key: string | undefined;
  #sawRows = false;
  /** The value being captured (undefined between values). */
  #capture: Capture | undefined;
  #captureKind: 'compound' | 'string' | 'scalar' = 'scalar';
  #depth = 0;
  #inString = false;
  #escape = false;
  /** Pieces of the captured value that came in earlier pieces of text. */
  #parts: string[] = [];

  /** Rows handed out so far. */
  get rows(): number {
    return this.#rows;
  }

  /** Feeds the next piece of text; returns the rows it completed, in order. */
  push(text: string): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    let start = 0; // where the capture began in this piece
    let i = 0;
    const n = text.length;
    while (i < n) {
      if (this.#capture !== undefined) {
        const end = this.#scan(text, i);
        if (end === -1) {
          this.#parts.push(text.slice(start, n));
          return out;
        }
        const piece =
          this.#parts.length === 0
            ? text.slice(start, end)
            : [...this.#parts, text.slice(start, end)].join('');
        this.#parts = [];
        const capture = this.#capture;
        this.#capture = undefined;
        this.#complete(capture, piece, out);
        i = end;
        continue;
      }
      const code = text.charCodeAt(i);
      if (isSpace(code)) {
        i++;
        continue;
      }
      const char = text[i];
      switch (this.#state) {
        case 'top':
          if (char === '{') {
            this.#state = 'key-or-end';
            i++;
          } else {
            start = i;
            i = this.#begin('whole', code, i);
          }
          continue;
        case 'key-or-end':
        case 'key':
          if (char === '}' && this.#state === 'key-or-end') {
            this.#state = 'done';
            i++;
          } else if (code === QUOTE) {
            start = i;
            i = this.#begin('key', code, i);
          } else {
            throw notJson();
          }
          continue;
        case 'colon':
          if (char !== ':') throw notJson();
          this.#state = 'value';
          i++;
          continue;
        case 'value':
          if (this.#key === 'rows' && char === '[') {
            // A repeated "rows" (JSON.parse would keep the last) after the first's rows went out: refuse it.
            if (this.#sawRows) throw new RowsParseError({ kind: 'rows-repeated' });
            this.#sawRows = true;
            this.#state = 'rows-first';
            i++;
          } else {
            start = i;
            i = this.#begin('value', code, i);
          }
          continue;
        case 'rows-first':
        case 'element':
          if (char === ']' && this.#state === 'rows-first') {
            this.#state = 'after-value';
            i++;
          } else {
            start = i;
            i = this.#begin('row', code, i);
          }
          continue;
        case 'after-element':
          if (char === ',') this.#state = 'element';
          else if (char === ']') this.#state = 'after-value';
          else throw notJson();
          i++;
          continue;
        case 'after-value':
          if (char === ',') this.#state = 'key';
          else if (char === '}') this.#state = 'done';
          else throw notJson();
          i++;
          continue;
        case 'done':
          throw notJson();
      }
    }
    // A value begun at the piece's very end (its first character only) goes on in the next piece.
    if (this.#capture !== undefined) this.#parts.push(text.slice(start, n));
    return out;
  }

  /** The text is over: throws unless it was a whole `{"rows": [...]}`. */
  end(): void {
    if (this.#capture === 'whole' && this.#captureKind === 'scalar') {
      // A bare scalar at the top (`42`) ends with the text.
      const text = this.#parts.join('');
      this.#parts = [];
      this.#capture = undefined;
      this.#complete('whole', text, []);
    }
    if (this.#state !== 'done' || this.#capture !== undefined) throw notJson();
    if (!this.#sawRows) throw new RowsParseError({ kind: 'no-rows' });
  }

  /** Starts capturing a value at `i`; returns where its scan goes on (past an opening quote or bracket). */
  #begin(capture: Capture, code: number, i: number): number {
    this.#capture = capture;
    this.#depth = 0;
    this.#inString = false;
    this.#escape = false;
    if (code === QUOTE) {
      this.#captureKind = 'string';
      this.#inString = true;
    } else if (code === 0x7b || code === 0x5b) {
      this.#captureKind = 'compound';
      this.#depth = 1;
    } else if (isScalarChar(code)) {
      this.#captureKind = 'scalar';
      return i;
    } else {
      throw notJson();
    }
    return i + 1;
  }

  /**
   * Scans the captured value from `i` (its first character already accounted for, except for a
   * scalar); returns the index just past its end, or -1 when the text ends first.
   */
  #scan(text: string, i: number): number {
    const n = text.length;
    if (this.#captureKind === 'scalar') {
      while (i < n && isScalarChar(text.charCodeAt(i))) i++;
      return i < n ? i : -1;
    }
    let depth = this.#depth;
    let inString = this.#inString;
    let escaped = this.#escape;
    for (; i < n; i++) {
      const code = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (code === BACKSLASH) escaped = true;
        else if (code === QUOTE) {
          inString = false;
          if (depth === 0) return i + 1;
        }
      } else if (code === QUOTE) inString = true;
      else if (code === 0x7b || code === 0x5b) depth++;
      else if (code === 0x7d || code === 0x5d) {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    this.#depth = depth;
    this.#inString = inString;
    this.#escape = escaped;
    return -1;
  }

  #complete(capture: Capture, text: string, out: Record<string, unknown>[]): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw notJson();
    }
    switch (capture) {
      case 'whole':
        // Valid JSON, but not an object: only ws may follow; the shape is wrong.
        this.#state = 'done';
        return;
      case 'key':
        this.#key = value as string;
        this.#state = 'colon';
        return;
      case 'value':
        // "rows" that is not an array is a wrong shape, said once the body is known to be JSON.
        this.#state = 'after-value';
        return;
      case 'row':
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          throw new RowsParseError({ kind: 'row-not-object', index: this.#rows });
        }
        this.#rows++;
        out.push(value as Record<string, unknown>);
        this.#state = 'after-element';
        return;
    }
  }
}

function notJson(): RowsParseError {
  return new RowsParseError({ kind: 'not-json' });
}

/** The parser over UTF-8 bytes as they arrive (a character may straddle two pieces). */
export class RowsDecoder {
  readonly #decoder = new TextDecoder('utf-8');
  readonly #parser = new RowsParser();

  get rows(): number {
    return this.#parser.rows;
  }

  push(bytes: Uint8Array): Record<string, unknown>[] {
    return this.#parser.push(this.#decoder.decode(bytes, { stream: true }));
  }

  end(): void {
    const rest = this.#decoder.decode();
    if (rest !== '') this.#parser.push(rest);
    this.#parser.end();
  }
}
