import type { StreamCondition } from '@xmpp-errors/conditions'
import { StreamError, type XmlElement } from '@xmpp-errors/errors'
import { knownState, stateOf } from './entity-state.js'
import { type AfterServerStreamError, type ErrorRecord, publish, recordIncoming } from './record.js'
import type { Logger } from './types.js'

export type { AfterServerStreamError }

export interface ServerStreamErrorRule {
  action: AfterServerStreamError
  /** What the condition most likely means for a component (XEP-0114), for the log. */
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
    hint: 'the server has no component of this domain: check the domain and the server configuration',
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

/** The parts of an xmpp.js component this policy drives. */
export interface GovernedEntity {
  options?: { service?: string }
  /** xmpp.js's reconnect plugin; its `delay` is read when it schedules an attempt. */
  reconnect?: { stop(): void } | undefined
  start?(): Promise<unknown>
  stop?(): Promise<unknown>
}

export interface ServerStreamErrorOptions {
  logger: Logger
  onError: ((record: ErrorRecord) => void) | undefined
  backoff: Readonly<BackoffOptions>
  /** The correlation id of each record, as guard() gives them. */
  nextId: () => string
}

/** Whether guard() records the entity's server stream errors, so errors() must not. */
export function governs(entity: object): boolean {
  return knownState(entity)?.governed ?? false
}

const SOCKET_CLOSING = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_WRITE_AFTER_END'])

function isSocketClosing(error: unknown): boolean {
  try {
    return SOCKET_CLOSING.has((error as { code?: unknown }).code as string)
  } catch {
    return false
  }
}

function isUnexpectedResponse(error: unknown): boolean {
  try {
    return (error as { message?: unknown }).message === 'Unexpected server response'
  } catch {
    return false
  }
}

function conditionOf(error: unknown): StreamCondition | undefined {
  try {
    const { name, condition } = error as { name?: unknown; condition?: unknown }
    return name === 'StreamError' &&
      typeof condition === 'string' &&
      condition in serverStreamErrors
      ? (condition as StreamCondition)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Takes over what follows a stream error from the server. Returns the hook guard() calls before
 * each event the entity emits: the stream error arrives as an 'element', and the delay of the
 * reconnect plugin must be set before 'disconnect' reaches it.
 */
export function governServerStreamErrors(
  entity: GovernedEntity,
  options: ServerStreamErrorOptions,
): (event: string | symbol, args: unknown[]) => boolean {
  stateOf(entity).governed = true
  let attempt = 0
  let backingOff = false
  // The 'disconnect' that follows a stream error waits the delay that error set.
  let delaySet = false
  // From a see-other-host until online (or stopped) on the host it names.
  let redirecting = false
  // From a stream error until the socket it came on is gone.
  let closing = false
  let stopping = false
  let originalDelay: number | undefined
  const waiters = new Set<{ resolve(): void; reject(error: unknown): void }>()

  function settle(error?: unknown) {
    for (const waiter of waiters) error === undefined ? waiter.resolve() : waiter.reject(error)
    waiters.clear()
  }

  function setDelay(delay: number) {
    const plugin = entity.reconnect as { delay?: number } | undefined
    if (plugin === undefined) return
    originalDelay ??= plugin.delay
    plugin.delay = delay
  }

  function onStreamError(element: XmlElement) {
    closing = true
    const error = StreamError.fromElement(element)
    const rule: ServerStreamErrorRule = serverStreamErrors[error.condition]
    let next: NonNullable<ErrorRecord['next']>
    let what: string
    if (rule.action === 'stop') {
      stopping = true
      entity.reconnect?.stop()
      next = { action: 'stop', hint: rule.hint }
      what = 'stopped, not reconnecting'
      // The server's stream error, as our StreamError reads it: its condition and text.
      settle(error)
    } else if (rule.action === 'see-other-host') {
      // xmpp.js's connection follows it by itself, once the stream is down.
      redirecting = true
      next = { action: 'see-other-host', hint: rule.hint, host: error.host }
      what = `reconnecting to ${error.host ?? 'the host given'}`
    } else {
      backingOff = true
      const delayMs = backoffDelay(attempt, options.backoff)
      attempt += 1
      setDelay(delayMs)
      delaySet = true
      next = { action: 'reconnect', hint: rule.hint, delayMs, attempt }
      what = `reconnecting in ${delayMs} ms (attempt ${attempt})`
    }
    const record = recordIncoming(
      element,
      error,
      {
        level: rule.action === 'stop' ? 'error' : 'warn',
        msg: `the server closed the stream with ${error.condition}: ${rule.hint}; ${what}`,
        next,
      },
      options.nextId(),
    )
    publish(record, options.logger, options.onError)
  }

  const start = entity.start
  if (typeof start === 'function') {
    /**
     * Resolves once online. Rejects when the server refuses the configuration, or the component
     * is stopped first; a stream error that is retried is not the end of starting.
     */
    entity.start = function guardedStart(this: GovernedEntity) {
      return new Promise<void>((resolve, reject) => {
        const waiter = { resolve, reject }
        waiters.add(waiter)
        start.call(this).then(
          () => {
            waiters.delete(waiter)
            resolve()
          },
          (error: unknown) => {
            // A server's stream error is the policy's to settle: a configuration error has
            // rejected it already (onStreamError runs first, as the element is emitted), the
            // others wait for 'online'; so does a redirect.
            if (redirecting || conditionOf(error) !== undefined) return
            waiters.delete(waiter)
            reject(error)
          },
        )
      })
    }
  }

  // The hook: true when the event is to be swallowed (see react).
  return (event, args) => {
    try {
      return react(event, args)
    } catch (bug) {
      try {
        options.logger.error({ err: bug }, 'guard() failed to handle a server stream error')
      } catch {}
      return false
    }
  }

  function react(event: string | symbol, args: unknown[]): boolean {
    if (event === 'error' && closing && isSocketClosing(args[0])) {
      // The server closes the socket after its stream error (RFC 6120 §4.9.1.1), while xmpp.js
      // still writes its closing tag: an expected end, not news at each reconnect attempt.
      options.logger.debug({ err: args[0] }, "socket closed after the server's stream error")
      return true
    }
    if (event === 'error' && redirecting && isUnexpectedResponse(args[0])) {
      // @xmpp/component 0.13 sends its handshake on the stream header and takes the next element
      // for the answer: here the see-other-host, which is no failure of ours to report.
      return true
    }
    if (event === 'element') {
      const element = args[0] as XmlElement | undefined
      if (element?.name === 'stream:error') onStreamError(element)
    } else if (event === 'disconnect') {
      closing = false
      if (stopping) {
        // After xmpp.js has closed the socket: 'offline', so that nothing reconnects it.
        Promise.resolve()
          .then(() => entity.stop?.())
          .catch(() => {})
      } else if (delaySet) {
        delaySet = false
      } else if (backingOff) {
        // A failed reconnect (the server still down, say) waits as long as the next attempt.
        setDelay(backoffDelay(attempt, options.backoff))
        attempt += 1
      }
    } else if (event === 'online') {
      redirecting = false
      attempt = 0
      backingOff = false
      if (originalDelay !== undefined) setDelay(originalDelay)
      settle()
    } else if (event === 'offline') {
      stopping = false
      redirecting = false
      settle(new Error('the component was stopped before it was online'))
    }
    return false
  }
}
