import { describe, expect, it } from 'vitest';
import {
  RowsDecoder,
  RowsParseError,
  type RowsParseProblem,
  RowsParser,
} from '../../../shared/kinds/telemetry/rows-parser.ts';

/** Parses `pieces` in order; the rows, or the problem. */
function parse(pieces: readonly string[]): { rows: unknown[] } | { problem: RowsParseProblem } {
  const parser = new RowsParser();
  const rows: unknown[] = [];
  try {
    for (const piece of pieces) rows.push(...parser.push(piece));
    parser.end();
    return { rows };
  } catch (error) {
    if (error instanceof RowsParseError) return { problem: error.problem };
    throw error;
  }
}

function decode(
  bytes: Uint8Array,
  cuts: readonly number[],
): { rows: unknown[] } | { problem: RowsParseProblem } {
  const decoder = new RowsDecoder();
  const rows: unknown[] = [];
  try {
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      rows.push(...decoder.push(bytes.subarray(from, cut)));
      from = cut;
    }
    decoder.end();
    return { rows };
  } catch (error) {
    if (error instanceof RowsParseError) return { problem: error.problem };
    throw error;
  }
}

const TRICKY = [
  '{"rows": []}',
  ' \n\t{ "rows" : [ ] } \r\n',
  '{"rows":[{}]}',
  '{"rows":[{"a":"]}[{,\\"x\\\\"},{"b":"\\u00e9\\ud83d\\ude00 é 😀 \\n"}]}',
  '{"meta":{"rows":[1,2]},"rows":[{"n":1,"nested":{"a":[1,{"b":[]}],"s":"}"}},{"n":-1.5e+3,"t":true,"f":false,"z":null}],"after":[1,"x",{"y":null}],"k":12.5}',
  '{"before":"rows","rows":[ {"x":"a\\"b"} , {"y":"\\\\"} ]}',
  `{"rows":[{"big":"${'x'.repeat(300)}"}],"z":0}`,
  '{"rows":5,"rows":[{"last":"wins"}]}',
];

describe('RowsParser', () => {
  for (const body of TRICKY) {
    it(`Given ${JSON.stringify(body.slice(0, 60))}, When it arrives cut at every offset, Then the rows are JSON.parse's`, () => {
      const expected = { rows: (JSON.parse(body) as { rows: unknown[] }).rows };
      expect(parse([body])).toEqual(expected);
      for (let cut = 0; cut <= body.length; cut++) {
        expect(parse([body.slice(0, cut), body.slice(cut)]), `cut at ${cut}`).toEqual(expected);
      }
      expect(parse([...body])).toEqual(expected);
    });
  }

  it('Given UTF-8 bytes, When they arrive cut at every byte offset (inside characters too), Then the rows are intact', () => {
    const body = '{"rows":[{"s":"é😀€ \\u00e9 ]"},{"t":"日本語"}]}';
    const bytes = new TextEncoder().encode(body);
    const expected = { rows: (JSON.parse(body) as { rows: unknown[] }).rows };
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(decode(bytes, [cut]), `cut at ${cut}`).toEqual(expected);
      for (let second = cut; second <= bytes.length; second += 3) {
        expect(decode(bytes, [cut, second])).toEqual(expected);
      }
    }
  });

  const NOT_JSON = [
    '',
    '   ',
    'nope',
    '{"rows": [{"a": 1}',
    '{"rows": [{"a": 1}]',
    '{"rows": [{"a": 1},]}',
    '{"rows": [{"a": 1} {"b": 2}]}',
    '{"rows": [{"a": 1}]}}',
    '{"rows": [{"a": 1}]} x',
    '{"rows": [{"a": "unterminated}]}',
    '{"rows": [{"a": tru}]}',
    '{"rows": [{a: 1}]}',
    '{rows: []}',
    '{"rows" []}',
    '{"rows": [], }',
    '{"x": [1, 2}, "rows": []}',
    '<html>rows</html>',
    '{"rows": [{"a": 1}], "x": }',
  ];
  for (const body of NOT_JSON) {
    it(`Given ${JSON.stringify(body)}, When parsed (whole or cut anywhere), Then it is not JSON`, () => {
      expect(() => JSON.parse(body)).toThrow();
      for (let cut = 0; cut <= body.length; cut++) {
        expect(parse([body.slice(0, cut), body.slice(cut)]), `cut at ${cut}`).toEqual({
          problem: { kind: 'not-json' },
        });
      }
    });
  }

  const NO_ROWS = [
    '[]',
    '[{"rows": []}]',
    '"rows"',
    '42',
    'null',
    '{}',
    '{"row": []}',
    '{"rows": {"a": 1}}',
    '{"rows": null}',
    '{"meta": {"rows": []}}',
  ];
  for (const body of NO_ROWS) {
    it(`Given ${JSON.stringify(body)}, When parsed, Then it is JSON without a rows array`, () => {
      expect(() => JSON.parse(body)).not.toThrow();
      for (let cut = 0; cut <= body.length; cut++) {
        expect(parse([body.slice(0, cut), body.slice(cut)]), `cut at ${cut}`).toEqual({
          problem: { kind: 'no-rows' },
        });
      }
    });
  }

  it('Given a row that is not an object, When parsed, Then it names its index after handing out the rows before it', () => {
    for (const bad of ['1', '"s"', '[]', 'null', 'true', '[{"a":1}]']) {
      const parser = new RowsParser();
      const body = `{"rows": [{"a": 1}, {"b": 2}, ${bad}, {"c": 3}]}`;
      let handed = 0;
      let problem: RowsParseProblem | undefined;
      try {
        for (const char of body) handed += parser.push(char).length;
      } catch (error) {
        if (error instanceof RowsParseError) problem = error.problem;
      }
      expect(handed).toBe(2);
      expect(problem).toEqual({ kind: 'row-not-object', index: 2 });
    }
  });

  it('Given "rows" twice as arrays, When parsed, Then it is refused (the first array was already handed out)', () => {
    expect(parse(['{"rows": [{"a": 1}], "rows": [{"b": 2}]}'])).toEqual({
      problem: { kind: 'rows-repeated' },
    });
  });

  it('Given rows handed out while text arrives, When pieces come in, Then each row is out as soon as it is complete', () => {
    const parser = new RowsParser();
    expect(parser.push('{"rows": [{"a": 1}, {"b"')).toEqual([{ a: 1 }]);
    expect(parser.push(': 2}')).toEqual([{ b: 2 }]);
    expect(parser.push(']}')).toEqual([]);
    expect(parser.rows).toBe(2);
    parser.end();
  });
});
