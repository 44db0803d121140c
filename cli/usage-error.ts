/**
 * Bad command-line input: the CLI prints the message on one line and exits 2. `command` is the
 * command path the input was for (`jobs add`), so the line reads `tickwork jobs add: …`.
 */
export class UsageError extends Error {
  readonly command: string | undefined;

  constructor(message: string, options?: ErrorOptions & { readonly command?: string }) {
    super(message, options);
    this.name = 'UsageError';
    this.command = options?.command;
  }
}
