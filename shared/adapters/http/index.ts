export { blockedAddressKind, isLoopback } from './addresses.ts';
export { EXCERPT_CHARS, OutboundRequestError, ResponseTooLargeError, SafeHttpClient } from './client.ts';
export {
  HostResolutionError,
  type OutboundPolicy,
  type ResolvedAddress,
  type Resolver,
  systemResolver,
  type VettedTarget,
  vetTarget,
} from './outbound-safety.ts';
export { SessionClosedError } from './pool.ts';
