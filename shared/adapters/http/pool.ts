/**
 * Where an outbound request gets its connection. Outside a session, a fresh one per request: nothing
 * is pooled, so nothing outlives the request. In a session, keep-alive connections pooled by the
 * address the guard vetted: one agent per (protocol, vetted IP, port, host name), so a pooled socket
 * is only ever one connected to the address the request in hand was vetted for (a host whose DNS
 * answer changes gets a new pool, never the old address's sockets), and the host name keeps TLS's
 * server name and the Host header apart.
 */
import http, { type Agent } from 'node:http';
import https from 'node:https';
import type { VettedTarget } from './outbound-safety.ts';

export interface Connections {
  /** The agent for a request to `target`; false: a connection of its own. */
  agentFor(target: VettedTarget): Agent | false;
}

export const FRESH_CONNECTIONS: Connections = { agentFor: () => false };

/** A session's request after its close(): a fault of the caller, which closes it when its work ended. */
export class SessionClosedError extends Error {
  constructor() {
    super('the outbound HTTP session is closed');
    this.name = 'SessionClosedError';
  }
}

export class ConnectionPool implements Connections {
  private readonly agents = new Map<string, Agent>();
  private closed = false;

  agentFor(target: VettedTarget): Agent {
    if (this.closed) throw new SessionClosedError();
    const { url, address, hostname } = target;
    const secure = url.protocol === 'https:';
    const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
    const key = `${url.protocol}|${address.address}|${port}|${hostname}`;
    let agent = this.agents.get(key);
    if (agent === undefined) {
      // LIFO: the most recently used socket is the least likely to have hit the server's idle timeout.
      const options = { keepAlive: true, scheduling: 'lifo' } as const;
      agent = secure ? new https.Agent(options) : new http.Agent(options);
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Destroys every socket, idle or in use. */
  close(): void {
    this.closed = true;
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}
