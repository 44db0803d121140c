/**
 * The functions of the local Lambda runtime: the ones the stack deploys (shared/functions.ts), plus
 * any a test adds, each with its ARN, handler module and limits; and the lookup of a function by
 * ARN (any qualifier) or plain name.
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { functionDefinitions, functionName, functionNameFromArn } from '../../shared/functions.ts';
import { UnknownFunctionError } from './errors.ts';

/** The repository root, where `entry` paths of shared/functions.ts start. */
export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/** How a function is run: its handler module and the limits the stack gives it. */
export interface FunctionEntry {
  /** Handler module exporting `handler`; a relative path starts at the repository root. */
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
}

export interface LocalFunction extends FunctionEntry {
  readonly name: string;
  readonly arn: string;
  /** Absolute path of the handler module. */
  readonly modulePath: string;
}

export interface FunctionRegistryOptions {
  readonly stage: string;
  readonly region: string;
  readonly accountId: string;
  /** Extra or replacing functions by function name. */
  readonly functions?: Readonly<Record<string, FunctionEntry>>;
}

export class FunctionRegistry {
  readonly #functions = new Map<string, LocalFunction>();
  /** Resolved ARNs and names: a schedule invokes the same ARN over and over. */
  readonly #resolved = new Map<string, LocalFunction>();
  readonly #region: string;
  readonly #accountId: string;

  constructor(options: FunctionRegistryOptions) {
    this.#region = options.region;
    this.#accountId = options.accountId;
    for (const definition of Object.values(functionDefinitions)) {
      this.#add(functionName(options.stage, definition.id), definition);
    }
    for (const [name, entry] of Object.entries(options.functions ?? {})) this.#add(name, entry);
  }

  /** The function an ARN (any qualifier) or a plain function name refers to. */
  resolve(reference: string): LocalFunction {
    const cached = this.#resolved.get(reference);
    if (cached !== undefined) return cached;
    const name = reference.startsWith('arn:') ? this.#nameFromArn(reference) : reference;
    const fn = name === undefined ? undefined : this.#functions.get(name);
    if (fn === undefined) throw new UnknownFunctionError(reference, [...this.#functions.keys()]);
    this.#resolved.set(reference, fn);
    return fn;
  }

  #add(name: string, entry: FunctionEntry): void {
    this.#functions.set(name, {
      name,
      arn: `arn:aws:lambda:${this.#region}:${this.#accountId}:function:${name}`,
      entry: entry.entry,
      modulePath: isAbsolute(entry.entry) ? entry.entry : resolve(repositoryRoot, entry.entry),
      timeoutSeconds: entry.timeoutSeconds,
      memorySize: entry.memorySize,
    });
  }

  #nameFromArn(arn: string): string | undefined {
    const name = functionNameFromArn(arn);
    // A function in another Region or account is not one of ours, whatever its name.
    const prefix = `:lambda:${this.#region}:${this.#accountId}:function:`;
    return name !== undefined && arn.includes(prefix) ? name : undefined;
  }
}
