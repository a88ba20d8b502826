/**
 * What guard() does when the server ends or refuses the connection, as data: a rule per stream
 * condition, the backoff, the redirect rule and the timeout rule. The machine that applies them
 * is in entity-state.ts; what drives it, in connection.ts.
 */
import type { StreamCondition } from '@xmpp-errors/conditions'
import type { ConnectionEvent } from './entity-state.js'

/**
 * What guard() does after the server closes the stream with a stream error:
 * - `stop`: the component is misconfigured, and retrying would only repeat the refusal;
 * - `reconnect`: reconnect after a delay that doubles with each failed attempt;
 * - `see-other-host`: reconnect to the host the server names (RFC 6120 §4.9.3.19), when
 *   `redirectRule` allows it, after the same delay.
 */
export type AfterServerStreamError = 'stop' | 'reconnect' | 'see-other-host'

export interface ServerStreamErrorRule {
  action: AfterServerStreamError
  /**
   * What the condition most likely means for a component (XEP-0114), for the log. `{port}` is
   * the port the component connected to.
   */
  hint: string
}

/**
 * The policy, one row per stream condition (RFC 6120 §4.9.3), seen from a component that the
 * server closed the stream on. The README's table is generated from it.
 */
export const serverStreamErrors = {
  'bad-format': { action: 'reconnect', hint: 'the server could not parse what the component sent' },
  'bad-namespace-prefix': {
    action: 'reconnect',
    hint: 'the server refused a namespace prefix the component sent',
  },
  conflict: {
    action: 'reconnect',
    hint: 'another connection holds this component domain: is another instance running?',
  },
  'connection-timeout': {
    action: 'reconnect',
    hint: 'the server found the connection idle too long',
  },
  'host-gone': {
    action: 'stop',
    hint: 'the server no longer serves this domain: check the component domain',
  },
  'host-unknown': {
    action: 'stop',
    hint: 'the server has no component of this domain on port {port}: is that its client (c2s) port rather than its component port? Else check the domain and the server configuration',
  },
  'improper-addressing': {
    action: 'stop',
    hint: "the server refused the component's addresses: check the component domain",
  },
  'internal-server-error': { action: 'reconnect', hint: 'the server failed internally' },
  'invalid-from': {
    action: 'reconnect',
    hint: "a stanza's 'from' was not of the component's domain",
  },
  'invalid-namespace': {
    action: 'stop',
    hint: "the server expects another stream namespace: is the service the server's component port?",
  },
  'invalid-xml': { action: 'reconnect', hint: 'the server found XML it does not accept' },
  'not-authorized': { action: 'stop', hint: 'the server refused the component secret' },
  'not-well-formed': { action: 'reconnect', hint: 'the server found XML that is not well-formed' },
  'policy-violation': {
    action: 'reconnect',
    hint: 'the server says the component broke a local policy (a rate limit, a stanza size)',
  },
  'remote-connection-failed': {
    action: 'reconnect',
    hint: 'the server could not reach an entity it needs for this stream',
  },
  reset: {
    action: 'reconnect',
    hint: 'the server reset the stream (its keys or configuration changed)',
  },
  'resource-constraint': {
    action: 'reconnect',
    hint: 'the server lacks the resources to serve the stream',
  },
  'restricted-xml': {
    action: 'reconnect',
    hint: 'the component sent XML the stream forbids (a comment, a DTD)',
  },
  'see-other-host': {
    action: 'see-other-host',
    hint: 'the server sends the component to another host',
  },
  'system-shutdown': { action: 'reconnect', hint: 'the server is shutting down' },
  'undefined-condition': { action: 'reconnect', hint: 'the server gave no standard reason' },
  'unsupported-encoding': { action: 'reconnect', hint: 'the server does not accept the encoding' },
  'unsupported-feature': {
    action: 'reconnect',
    hint: 'the server requires a feature the component does not offer',
  },
  'unsupported-stanza-type': {
    action: 'reconnect',
    hint: 'the server does not accept a kind of element the component sent',
  },
  'unsupported-version': {
    action: 'stop',
    hint: 'the server does not support the stream version the component offered',
  },
} as const satisfies Record<StreamCondition, ServerStreamErrorRule>

export interface BackoffOptions {
  /** The first delay. Default 1 s. */
  baseMs: number
  /** No delay is longer. Default 60 s. */
  maxMs: number
}

export const defaultBackoff: Readonly<BackoffOptions> = { baseMs: 1000, maxMs: 60_000 }

// ±20 %: instances that fail together do not come back together, and each delay stays within
// 0.8–1.2 times its exact value, so the doubling shows.
const JITTER = 0.2

/** The delay before reconnect attempt `attempt` (0 first): doubling from baseMs up to maxMs. */
export function backoffDelay(
  attempt: number,
  options: Readonly<BackoffOptions> = defaultBackoff,
  random: () => number = Math.random,
): number {
  const exact = options.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30)
  const jittered = Math.min(exact, options.maxMs) * (1 - JITTER + 2 * JITTER * random())
  return Math.round(Math.min(jittered, options.maxMs))
}

/** The machine's event for a rule's action (see `transition` in entity-state.ts). */
export const eventOf = {
  stop: 'refused',
  reconnect: 'failed',
  'see-other-host': 'redirected',
} as const satisfies Record<AfterServerStreamError, ConnectionEvent>

/** Consecutive redirects followed before see-other-host is taken for a plain reconnect. */
export const MAX_REDIRECTS = 5

/** A host as written in `service` or see-other-host, lower case, brackets off an IPv6 address. */
function hostAndPort(
  address: string,
): { host: string; port: string; protocol: string } | undefined {
  try {
    const url = new URL(address.includes('://') ? address : `xmpp://${address}`)
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase()
    return { host, port: url.port, protocol: url.protocol }
  } catch {
    return undefined
  }
}

/**
 * Whether to follow a see-other-host to `host`. XEP-0114 has no TLS, and the handshake is
 * SHA-1 of a stream id the server picks and the secret: whoever receives one can guess the
 * secret offline. So the component follows a redirect only to the host of its configured
 * service (any port), or to one of `allowed` (`host` for any port, or `host:port`); never past
 * MAX_REDIRECTS in a row without coming online.
 */
export function redirectRule(
  host: string | undefined,
  service: string | undefined,
  allowed: readonly string[],
  redirects: number,
): { follow: true; service: string } | { follow: false; why: string } {
  if (host === undefined) return { follow: false, why: 'the host given is malformed' }
  const target = hostAndPort(host)
  const home = service === undefined ? undefined : hostAndPort(service)
  if (target === undefined) return { follow: false, why: 'the host given is malformed' }
  const allowedHost = (entry: string) => {
    const a = hostAndPort(entry)
    return a !== undefined && a.host === target.host && (a.port === '' || a.port === target.port)
  }
  if (target.host !== home?.host && !allowed.some(allowedHost)) {
    return {
      follow: false,
      why: `${host} is neither the configured service's host nor in redirectHosts`,
    }
  }
  if (redirects >= MAX_REDIRECTS) {
    return { follow: false, why: `${MAX_REDIRECTS} redirects in a row without coming online` }
  }
  // On the configured service's protocol, as xmpp.js's own redirect does.
  return { follow: true, service: `${home?.protocol ?? 'xmpp:'}//${host}` }
}

/**
 * A server that does not answer the stream header or the handshake in time (xmpp.js's
 * TimeoutError). Before the component was ever online, it is most likely not a component port,
 * or not a server at all: `start()` rejects. Later, it is retried as a stream error would be.
 */
export function timeoutRule(everOnline: boolean): ServerStreamErrorRule {
  return everOnline
    ? { action: 'reconnect', hint: 'the server did not answer in time' }
    : {
        action: 'stop',
        hint: "the server did not answer in time: is the service the server's component (XEP-0114) port?",
      }
}
