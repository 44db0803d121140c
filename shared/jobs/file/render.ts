/**
 * A plan as text, like terraform's: `+` create, `~` change (one line per field that differs), `-`
 * delete, then a summary line. The CLI prints it; `tickwork local` logs it.
 */
import { describeValue } from '../../validation.ts';
import type { FieldChange } from './compare.ts';
import type { Plan, PlanStep } from './plan.ts';

const SYMBOL = { create: '+', change: '~', delete: '-' } as const;

/** One line per step (and per changed field), in the order they are applied. */
export function planLines(plan: Plan): string[] {
  const lines: string[] = [];
  for (const step of plan.steps) {
    lines.push(`${SYMBOL[step.action]} ${step.action} ${step.name}${stepNote(step)}`);
    if (step.action === 'change') lines.push(...step.changes.map((change) => `    ${changeLine(change)}`));
  }
  return lines;
}

/** `Plan: 1 to create, 2 to change, 0 to delete, 3 unchanged.` */
export function planSummary(plan: Plan): string {
  const count = (action: PlanStep['action']) => plan.steps.filter((step) => step.action === action).length;
  return `Plan: ${count('create')} to create, ${count('change')} to change, ${count('delete')} to delete, ${plan.unchanged.length} unchanged.`;
}

function stepNote(step: PlanStep): string {
  if (step.action !== 'create') return '';
  return ` (${step.definition.kind}, ${step.definition.schedule}${step.definition.timezone === undefined ? '' : ` ${step.definition.timezone}`})`;
}

function changeLine(change: FieldChange): string {
  if (!Object.hasOwn(change, 'before')) return `+ ${change.field}: ${show(change.after)}`;
  if (!Object.hasOwn(change, 'after')) return `- ${change.field}: ${show(change.before)}`;
  return `${change.field}: ${show(change.before)} → ${show(change.after)}`;
}

/** Scalars as JSON; lists in full while short; objects by their shape only (describeValue). */
function show(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? describeValue(value);
  const text = JSON.stringify(value);
  return text.length <= 120 ? text : describeValue(value);
}
