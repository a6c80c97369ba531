import { type HookedProxy, startHookedProxy } from './hooked-proxy.js';

/**
 * A pass-through HTTP proxy in front of DynamoDB Local that counts the operations sent (by their
 * X-Amz-Target), so tests and benchmarks can assert round trips per route on the real engine.
 * The hooked proxy without its hook.
 */
export type CountingProxy = Omit<HookedProxy, 'before'>;

export function startCountingProxy(target: string): Promise<CountingProxy> {
  return startHookedProxy(target);
}
