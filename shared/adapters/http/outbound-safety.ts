/**
 * The outbound-safety guard for URLs that job configs choose (webhooks). In a deployed stack a job
 * must not make the function reach its own network: the URL must be https, and every address its
 * host resolves to must be public. The caller then connects to the address that was checked (not to
 * a second DNS answer), so a host cannot pass the check and then rebind to a private address.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { RuntimeMode } from '../../config.ts';
import { UnsafeTargetError } from '../../errors.ts';
import { blockedAddressKind, isLoopback } from './addresses.ts';

export interface OutboundPolicy {
  /** `aws`: https only, public addresses only. `local`: https anywhere, http to loopback. */
  readonly mode: RuntimeMode;
  /** Host names (lower case) exempt from the address check (config `webhookAllowedHosts`). */
  readonly allowedHosts: readonly string[];
}

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Every address of a host name. */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => ({ address: answer.address, family: answer.family === 6 ? 6 : 4 }));
};

/** A host name could not be resolved: a delivery failure, not a policy refusal. */
export class HostResolutionError extends Error {
  constructor(hostname: string, options?: ErrorOptions) {
    super(`could not resolve the host "${hostname}"`, options);
    this.name = 'HostResolutionError';
  }
}

export interface VettedTarget {
  readonly url: URL;
  /** The host name as written in the URL, without IPv6 brackets. */
  readonly hostname: string;
  /** The checked address to connect to. */
  readonly address: ResolvedAddress;
}

/**
 * Checks `url` against the policy and resolves it. Throws UnsafeTargetError (naming the host, the
 * address and the rule) or HostResolutionError.
 */
export async function vetTarget(
  url: string,
  policy: OutboundPolicy,
  resolve: Resolver = systemResolver,
): Promise<VettedTarget> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UnsafeTargetError('the webhook URL is not an absolute URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new UnsafeTargetError(`webhook URLs must be http(s); got ${parsed.protocol}`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new UnsafeTargetError('webhook URLs must not contain credentials');
  }
  const hostname = parsed.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const where = `${parsed.protocol}//${parsed.host}`;
  if (policy.mode === 'aws' && parsed.protocol !== 'https:') {
    throw new UnsafeTargetError(`webhook URLs must be https in a deployed stack; got ${where}`);
  }
  const family = isIP(hostname);
  let addresses: readonly ResolvedAddress[];
  if (family === 4 || family === 6) {
    addresses = [{ address: hostname, family }];
  } else {
    try {
      addresses = await resolve(hostname);
    } catch (error) {
      throw new HostResolutionError(hostname, { cause: error });
    }
  }
  const first = addresses[0];
  if (first === undefined) throw new HostResolutionError(hostname);
  const allowListed = policy.allowedHosts.includes(hostname);
  if (!allowListed) {
    for (const { address } of addresses) {
      const kind = blockedAddressKind(address);
      if (policy.mode === 'aws' && kind !== undefined) {
        throw new UnsafeTargetError(
          `${where} resolves to ${address} (${kind} address), which webhooks may not reach; ` +
            'use a public host, or add this host to webhookAllowedHosts',
        );
      }
      if (policy.mode === 'local' && parsed.protocol === 'http:' && !isLoopback(address)) {
        throw new UnsafeTargetError(
          `${where} resolves to ${address}: plain http webhooks are allowed only to loopback addresses locally; use https`,
        );
      }
    }
  }
  return { url: parsed, hostname, address: first };
}
