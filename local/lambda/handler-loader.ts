/**
 * Loads a function's handler module the way Lambda's init phase does: once, with the function's
 * environment set first (handlers read their configuration at module load), and again on the next
 * invocation when the load failed.
 */

import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { describeError, EnvironmentConflictError, HandlerModuleError } from './errors.ts';
import type { LocalFunction } from './registry.ts';

export type Handler = (event: unknown, context: Context) => unknown;

/**
 * ES modules cannot be unloaded, so a process keeps the first instance of each handler module. This
 * records the environment each was loaded under, to refuse a second stack with other endpoints
 * instead of silently talking to the first stack's engines.
 */
const loadedModules = new Map<string, Readonly<Record<string, string>>>();

export class HandlerLoader {
  readonly #environment: Readonly<Record<string, string>>;
  readonly #handlers = new Map<string, Promise<Handler>>();

  /** `environment` is set on `process.env` before a handler module is first imported. */
  constructor(environment: Readonly<Record<string, string>>) {
    this.#environment = environment;
  }

  handler(fn: LocalFunction): Promise<Handler> {
    let loading = this.#handlers.get(fn.name);
    if (loading === undefined) {
      loading = this.#load(fn);
      this.#handlers.set(fn.name, loading);
      // A failed load is tried again on the next invocation, as Lambda retries a failed init.
      loading.catch(() => this.#handlers.delete(fn.name));
    }
    return loading;
  }

  async #load(fn: LocalFunction): Promise<Handler> {
    const loadedWith = loadedModules.get(fn.modulePath);
    if (loadedWith !== undefined) {
      for (const [variable, value] of Object.entries(this.#environment)) {
        if (loadedWith[variable] !== value) {
          throw new EnvironmentConflictError(fn.entry, variable, loadedWith[variable], value);
        }
      }
    }
    Object.assign(process.env, this.#environment);
    let module: Record<string, unknown>;
    try {
      module = await import(pathToFileURL(fn.modulePath).href);
    } catch (error) {
      throw new HandlerModuleError(fn.name, fn.entry, `failed to load: ${describeError(error)}`, {
        cause: error,
      });
    }
    loadedModules.set(fn.modulePath, loadedWith ?? { ...this.#environment });
    const handler = module.handler;
    if (typeof handler !== 'function') {
      throw new HandlerModuleError(fn.name, fn.entry, 'does not export a function named "handler"');
    }
    // nodejs24.x no longer supports callback-style handlers; fail the same way here.
    if (handler.length >= 3) {
      throw new HandlerModuleError(
        fn.name,
        fn.entry,
        'exports a callback-style handler; nodejs24.x needs an async one',
      );
    }
    return handler as Handler;
  }
}
