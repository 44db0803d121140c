/**
 * A port that misbehaves on demand: its next call of an operation fails, or another request's write
 * lands just before it. Everything else reaches the real (in-memory) port unchanged, so a use-case test
 * sees a real store or Scheduler fail at one chosen point, without a mock standing in for the port.
 */

type Hook = { readonly fail: Error } | { readonly meanwhile: () => Promise<unknown> };

export interface FaultyPort<T> {
  /** The port to hand to the use case. */
  readonly port: T;
  /** The next call of `operation` throws `error` without reaching the port. */
  failNext(operation: keyof T & string, error: Error): void;
  /** `meanwhile` runs (say, a concurrent edit) just before the next call of `operation` reaches the port. */
  beforeNext(operation: keyof T & string, meanwhile: () => Promise<unknown>): void;
}

export function faulty<T extends object>(target: T): FaultyPort<T> {
  const hooks = new Map<string, Hook[]>();
  const queue = (operation: string, hook: Hook) =>
    hooks.set(operation, [...(hooks.get(operation) ?? []), hook]);
  const port = new Proxy(target, {
    get(object, key) {
      // Read from the port itself: its methods may use private fields, which a proxy does not have.
      const value: unknown = Reflect.get(object, key);
      if (typeof key !== 'string' || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const hook = hooks.get(key)?.shift();
        // Unhooked calls return what the port returns, async iterables (SchedulePort.list) included.
        if (hook === undefined) return value.apply(object, args);
        if ('fail' in hook) return Promise.reject(hook.fail);
        return hook.meanwhile().then(() => value.apply(object, args));
      };
    },
  });
  return {
    port,
    failNext: (operation, error) => queue(operation, { fail: error }),
    beforeNext: (operation, meanwhile) => queue(operation, { meanwhile }),
  };
}
