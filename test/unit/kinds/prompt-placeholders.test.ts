/**
 * How a fan-out child's context fills the prompt's `{{name}}` placeholders (shared/kinds/prompt/work.ts):
 * text as is, other values as JSON, a name the context lacks left as written, and nothing in a value
 * read as a placeholder or a replacement pattern.
 */
import { describe, expect, it } from 'vitest';
import { fillPlaceholders } from '../../../shared/kinds/prompt/work.ts';

describe('fillPlaceholders', () => {
  it.each([
    ['a text value as is', 'Review {{name}}', { name: 'Ada' }, 'Review Ada'],
    ['spaces inside the braces', 'Review {{ name }}', { name: 'Ada' }, 'Review Ada'],
    ['every occurrence', '{{k}} and {{k}}', { k: 'x' }, 'x and x'],
    ['several names', '{{a}}/{{b}}', { a: '1', b: '2' }, '1/2'],
    ['the key like any field', 'session {{key}}', { key: 's-1' }, 'session s-1'],
    ['a number as JSON', 'n={{n}}', { n: 42 }, 'n=42'],
    ['a boolean as JSON', 'on={{on}}', { on: false }, 'on=false'],
    ['null as JSON', 'v={{v}}', { v: null }, 'v=null'],
    [
      'a nested object as JSON',
      'user {{user}}',
      { user: { name: 'Ada', tags: ['x'] } },
      'user {"name":"Ada","tags":["x"]}',
    ],
    ['a list as JSON', 'ids {{ids}}', { ids: [1, 'two'] }, 'ids [1,"two"]'],
    ['an empty text', '[{{empty}}]', { empty: '' }, '[]'],
  ])('fills %s', (_case, prompt, context, filled) => {
    expect(fillPlaceholders(prompt, context)).toBe(filled);
  });

  it.each([
    ['a name the context lacks', 'Review {{missing}} now', { name: 'Ada' }],
    ['a name the context has only by inheritance', 'Call {{toString}} and {{constructor}}', { key: 'k' }],
    ['single braces', 'Review {name}', { name: 'Ada' }],
    ['an empty placeholder', 'Review {{}}', { '': 'x' }],
    ['a name with a space inside', 'Review {{first name}}', { 'first name': 'Ada', first: 'A' }],
  ])('leaves %s as written', (_case, prompt, context) => {
    expect(fillPlaceholders(prompt, context)).toBe(prompt);
  });

  it('reads a dotted name as one field of that name, not as a path into a nested value', () => {
    expect(fillPlaceholders('{{user.name}}', { user: { name: 'Ada' } })).toBe('{{user.name}}');
    expect(fillPlaceholders('{{user.name}}', { 'user.name': 'Grace' })).toBe('Grace');
  });

  it('fills a placeholder once: a value that looks like a placeholder stays as it is', () => {
    expect(fillPlaceholders('{{a}} {{b}}', { a: '{{b}}', b: 'B' })).toBe('{{b}} B');
  });

  it('reads no replacement pattern in a value ($&, $1, $$, $`)', () => {
    expect(fillPlaceholders('pay {{amount}}', { amount: "$& $1 $$ $` $'" })).toBe("pay $& $1 $$ $` $'");
  });

  it('leaves quotes, backslashes and newlines of a value as they are (the delivery is JSON-encoded later)', () => {
    const value = 'say "hi"\\n\nnext';
    expect(fillPlaceholders('<{{v}}>', { v: value })).toBe(`<${value}>`);
    expect(JSON.parse(JSON.stringify({ prompt: fillPlaceholders('{{v}}', { v: value }) })).prompt).toBe(
      value,
    );
  });

  it('leaves a prompt without placeholders untouched, whatever the context', () => {
    expect(fillPlaceholders('Summarize the alerts', { name: 'Ada' })).toBe('Summarize the alerts');
  });
});
