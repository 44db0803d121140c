/**
 * The jobs file's errors. Every problem names where it is (file, line, column), the field as a path
 * from the file's root (`jobs[1].schedule`) and the rule, so an editor or a CI log points at the line.
 */

/** One broken rule of a jobs file. `line` and `column` are 1-based; 0 when the file could not be read. */
export interface JobsFileProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** From the file's root: `jobs[1].config.target.url`, `stages.prod.nightly`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

/** `tickwork.jobs.yaml:12:7: jobs[1].schedule: must be …` */
export function formatProblem(problem: JobsFileProblem): string {
  const where = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.column}` : problem.file;
  return problem.path === ''
    ? `${where}: ${problem.message}`
    : `${where}: ${problem.path}: ${problem.message}`;
}

/** A jobs file (or directory of them) that breaks the API's rules or the file's own; lists every problem. */
export class JobsFileError extends Error {
  readonly problems: readonly JobsFileProblem[];

  constructor(problems: readonly JobsFileProblem[], options?: ErrorOptions) {
    const [first] = problems;
    const rest = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    super(first === undefined ? 'the jobs file is invalid' : `${formatProblem(first)}${rest}`, options);
    this.name = 'JobsFileError';
    this.problems = problems;
  }

  /** Every problem, one line each. */
  lines(): string[] {
    return this.problems.map(formatProblem);
  }
}
