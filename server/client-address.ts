/**
 * The address a request came from, for per-client limits. X-Forwarded-For is anyone's to write,
 * so it counts only when TRUST_PROXY says which peers are proxies of ours (Express's `trust
 * proxy` semantics, through its proxy-addr): a hop count, or the addresses and CIDR ranges of
 * the proxies. Without TRUST_PROXY the socket's peer is the client.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import proxyAddr from 'proxy-addr';

/** Whether the address `hop` steps back from the server is a trusted proxy. */
export type TrustProxy = (address: string, hop: number) => boolean;

/** The bucket of requests whose address cannot be known (in-process requests in tests). */
export const UNKNOWN_ADDRESS = 'unknown';

/**
 * Parses TRUST_PROXY: unset, `false` or `0` trusts no proxy; a whole number N trusts the N
 * closest hops (1 = the Ingress or load balancer in front); otherwise a comma-separated list of
 * addresses, CIDR ranges or proxy-addr's names `loopback`, `linklocal`, `uniquelocal`.
 * Throws with a reason for anything else (`true` is refused: it would trust every header).
 */
export function parseTrustProxy(value: string | undefined): TrustProxy | undefined {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'false' || text === '0') return undefined;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 32) throw new Error('expected at most 32 proxy hops');
    return (_address, hop) => hop < hops;
  }
  if (text === 'true') {
    throw new Error(
      'true would believe any X-Forwarded-For; give the number of proxies in front, or their CIDR ranges',
    );
  }
  const list = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return proxyAddr.compile(list); // throws TypeError on an invalid address or range
}

/** The client's address by the trust rule, or UNKNOWN_ADDRESS without a socket. */
export function clientAddress(c: Context, trust: TrustProxy | undefined): string {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming?.socket) return UNKNOWN_ADDRESS;
  if (!trust) return incoming.socket.remoteAddress ?? UNKNOWN_ADDRESS;
  return proxyAddr(incoming, trust);
}
