/**
 * A capability provider builds one capability's adapter for a function's composition root, from the
 * environment read once at cold start. One module per capability, so a function's bundle holds only
 * the clients of the capabilities its kind declared.
 */
import type { Clock } from '../../../shared/clock.ts';
import type { CommonConfig, Env } from '../../../shared/config.ts';
import type { Capabilities, CapabilityId } from '../../../shared/kinds/capabilities.ts';

export interface ProviderContext {
  /** The environment as read once by the composition root. */
  readonly env: Env;
  readonly config: CommonConfig;
  readonly clock: Clock;
}

export type CapabilityProvider<C extends CapabilityId> = (context: ProviderContext) => Capabilities[C];

/** A provider for each capability in `Caps`: the compiler asks for exactly what a kind declared. */
export type CapabilityProviders<Caps extends CapabilityId> = { readonly [C in Caps]: CapabilityProvider<C> };
