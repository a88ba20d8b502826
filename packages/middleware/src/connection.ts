import { StreamError, type XmlElement } from '@xmpp-errors/errors'
import {
  type BackoffOptions,
  backoffDelay,
  eventOf,
  redirectRule,
  type ServerStreamErrorRule,
  serverStreamErrors,
  timeoutRule,
} from './connection-policy.js'
import {
  type ConnectionEvent,
  closedByUs,
  type Phase,
  stateOf,
  transition,
} from './entity-state.js'
import { type ErrorRecord, recordEvent, recordIncoming } from './record.js'
import {
  answerTimeout,
  type ConnectionHooks,
  dropSocket,
  isSocketClosing,
  isTimeoutError,
  isUnexpectedResponse,
  type PatchableConnection,
  reconnectDelay,
  serviceOf,
  setReconnectDelay,
  streamConditionOf,
} from './xmpp-internals.js'

export interface ConnectionOptions {
  /** Logs a record and hands it to onError. */
  publish(record: ErrorRecord): void
  nextId(): string
  backoff: Readonly<BackoffOptions>
  /** Hosts besides the configured service's that see-other-host may send the component to. */
  redirectHosts: readonly string[]
}

/** What guard() hands the seam: the connection's part of its hooks. */
export type ConnectionDriver = Pick<
  ConnectionHooks,
  'start' | 'stop' | 'reconnectService' | 'reconnectFailed'
> & {
  /** Before each event the entity emits; true when it is to be swallowed. */
  react(event: string | symbol, args: unknown[]): boolean
}

/** The server stopped answering, or was never a component port: a stream error of our making. */
function timeoutError(service: string | undefined, ms: number): StreamError {
  return new StreamError('connection-timeout', {
    text: `no answer from ${service ?? 'the server'} within ${ms} ms`,
  })
}

function portOf(service: string | undefined): string {
  try {
    const url = new URL(service ?? '')
    return url.port || '5347'
  } catch {
    return 'unknown'
  }
}

/**
 * The rejection of start(), short to print: the condition and the server's text. Its element
 * (with a circular `parent`) is kept but not enumerable, and its stack, which runs through
 * xmpp.js's parser, is left out.
 */
function asRejection(error: StreamError): StreamError {
  try {
    Object.defineProperty(error, 'element', { enumerable: false })
    error.stack = `${error.name}: ${error.message}`
  } catch {}
  return error
}

/** Where a connection is that guard() starts to follow: xmpp.js's status, as a phase. */
function phaseOf(status: string | undefined): Phase {
  switch (status) {
    case 'online':
      return 'online'
    case 'connecting':
    case 'connect':
    case 'opening':
      return 'connecting'
    case 'open':
      return 'handshaking'
    case 'disconnect':
      return 'backing-off'
    default:
      return 'idle'
  }
}

/**
 * Follows a guarded entity's connection through its phases (see `transition`): the xmpp.js
 * events and the policy's verdicts in, the reconnect plugin's delay and target out, one record
 * per verdict. What each phase means, and which event moves it where, is in entity-state.ts;
 * what each stream error means, in connection-policy.ts.
 */
export function followConnection(
  entity: Partial<PatchableConnection> & object,
  options: ConnectionOptions,
): ConnectionDriver {
  const state = stateOf(entity)
  state.phase = phaseOf(entity.status)
  let attempt = 0
  let redirects = 0
  let everOnline = false
  // A drop was recorded: its end, online again, is recorded too. After a verdict, the verdict's
  // record said what comes next, and the stream error stays the only record of that outage.
  let droppedSince = false
  // The user's stop() is under way: its 'disconnect' is no drop, and stops nothing more.
  let stopping = false
  let ownDelay: number | undefined
  // Where the next reconnect goes when a redirect was followed, and where this one went.
  let target: string | undefined
  let service = serviceOf(entity)
  const waiters = new Set<{ resolve(): void; reject(error: unknown): void }>()

  function settle(error?: unknown) {
    for (const waiter of waiters) error === undefined ? waiter.resolve() : waiter.reject(error)
    waiters.clear()
  }

  function step(event: ConnectionEvent): { from: Phase; to: Phase } | undefined {
    const from = state.phase ?? 'idle'
    const to = transition(from, event)
    if (to === null) return undefined
    state.phase = to
    return { from, to }
  }

  function backOff(): number {
    ownDelay ??= reconnectDelay(entity)
    const delayMs = backoffDelay(attempt, options.backoff)
    attempt += 1
    setReconnectDelay(entity, delayMs)
    return delayMs
  }

  /**
   * The record of a transition no verdict recorded: the socket ended without a stream error, or
   * the component is online again. No stanza and no condition of anyone's: `undefined-condition`.
   */
  function announce(
    level: 'debug' | 'warn',
    msg: string,
    next?: NonNullable<ErrorRecord['next']>,
  ): void {
    const error = new StreamError('undefined-condition', { text: msg })
    const record = recordEvent(error, level, msg, options.nextId())
    // Its stack would say only where guard() noticed, not why the socket ended.
    delete record.err
    if (next !== undefined) record.next = next
    options.publish(record)
  }

  /** The policy's verdict on a stream error or a timeout: one transition, one record. */
  function verdict(
    rule: ServerStreamErrorRule,
    error: StreamError,
    element: XmlElement,
    timeout?: number,
  ) {
    let event: ConnectionEvent = eventOf[rule.action]
    let redirect: ReturnType<typeof redirectRule> | undefined
    if (rule.action === 'see-other-host') {
      redirect = redirectRule(error.host, serviceOf(entity), options.redirectHosts, redirects)
      if (!redirect.follow) event = 'failed'
    }
    if (step(event) === undefined) return
    const hint = rule.hint.replace('{port}', portOf(service))
    let next: NonNullable<ErrorRecord['next']>
    let what: string
    if (event === 'refused') {
      entity.reconnect?.stop()
      next = { action: 'stop', hint }
      what = 'stopped, not reconnecting'
      settle(asRejection(error))
    } else {
      const delayMs = backOff()
      const again = `in ${delayMs} ms (attempt ${attempt})`
      if (redirect?.follow) {
        redirects += 1
        target = redirect.service
        next = { action: 'see-other-host', hint, host: error.host, delayMs, attempt }
        what = `reconnecting to ${error.host} ${again}`
      } else {
        next = { action: 'reconnect', hint, delayMs, attempt }
        what = `reconnecting ${again}`
        if (redirect) {
          next.host = error.host
          what = `not followed (${redirect.why}), ${what}`
        }
      }
    }
    const cause =
      timeout === undefined
        ? `the server closed the stream with ${error.condition}`
        : `no answer from the server within ${timeout} ms`
    options.publish(
      recordIncoming(
        element,
        error,
        { level: event === 'refused' ? 'error' : 'warn', msg: `${cause}: ${hint}; ${what}`, next },
        options.nextId(),
      ),
    )
    // A silent server never closes the socket: drop it, so that 'disconnect' moves things on.
    if (timeout !== undefined) dropSocket(entity)
  }

  /**
   * The socket of an online stream ended with no stream error and no stop(): one record, with
   * the backoff. A reconnect attempt that fails so (the server still down) has xmpp.js's own
   * socket error recorded (see watch.ts), and the next drop's record counts the attempts.
   */
  function dropped(delayMs: number) {
    droppedSince = true
    announce(
      'warn',
      `the connection to ${service ?? 'the server'} dropped without a stream error; reconnecting in ${delayMs} ms (attempt ${attempt})`,
      {
        action: 'reconnect',
        hint: 'the server closed the socket: it restarted or crashed, or the network failed',
        delayMs,
        attempt,
      },
    )
  }

  function timedOut() {
    const ms = answerTimeout(entity)
    const error = timeoutError(service, ms)
    verdict(timeoutRule(everOnline), error, error.toElement(), ms)
  }

  function react(event: string | symbol, args: unknown[]): boolean {
    const phase = state.phase
    switch (event) {
      case 'connecting': {
        service = typeof args[0] === 'string' ? args[0] : serviceOf(entity)
        const moved = step('connecting')
        // A start() of its own: the count of failed attempts starts again.
        if (moved?.from === 'idle' || moved?.from === 'stopped') {
          attempt = 0
          redirects = 0
        }
        return false
      }
      case 'open':
        step('opened')
        return false
      case 'online': {
        if (step('online') === undefined) return false
        if (droppedSince) {
          droppedSince = false
          const after = attempt === 1 ? '1 attempt' : `${attempt} attempts`
          announce('debug', `online again at ${service ?? 'the server'} after ${after}`)
        }
        everOnline = true
        attempt = 0
        redirects = 0
        if (ownDelay !== undefined) setReconnectDelay(entity, ownDelay)
        settle()
        return false
      }
      case 'element': {
        const element = args[0] as XmlElement | undefined
        if (element?.name === 'stream:error') {
          const error = StreamError.fromElement(element)
          verdict(serverStreamErrors[error.condition], error, element)
        }
        return false
      }
      case 'disconnect': {
        const moved = step('disconnected')
        if (moved?.to === 'stopping' && !stopping) {
          // After xmpp.js has closed the socket: 'offline', so that nothing reconnects it.
          Promise.resolve()
            .then(() => entity.stop?.())
            .catch(() => {})
        } else if (moved?.to === 'backing-off' && moved.from !== 'backing-off') {
          // The socket ended with no stream error (a refused connection, a crashed server).
          const delayMs = backOff()
          // After a stream error of ours, its record says why the stream ended.
          if (moved.from === 'online' && !closedByUs(entity)) dropped(delayMs)
        }
        return false
      }
      case 'offline':
        stopping = false
        droppedSince = false
        step('stopped')
        target = undefined
        settle(new Error('the component was stopped before it was online'))
        return false
      case 'error': {
        const error = args[0]
        if (isTimeoutError(error) && (phase === 'connecting' || phase === 'handshaking')) {
          timedOut()
          return true
        }
        // After the server's stream error: @xmpp/component takes a see-other-host for the
        // answer to its handshake; the server closes the socket (RFC 6120 §4.9.1.1) while
        // xmpp.js still writes its closing tag. Both are the expected end, recorded already.
        const after = phase === 'backing-off' || phase === 'redirecting' || phase === 'stopping'
        return after && (isUnexpectedResponse(error) || isSocketClosing(error))
      }
      default:
        return false
    }
  }

  return {
    react,
    /**
     * Resolves once online. Rejects when the server refuses the configuration or does not
     * answer, or when the component is stopped first; a stream error that is retried is not the
     * end of starting.
     */
    start(start) {
      return new Promise<void>((resolve, reject) => {
        const waiter = { resolve, reject }
        waiters.add(waiter)
        start().then(
          () => {
            waiters.delete(waiter)
            resolve()
          },
          (error: unknown) => {
            if (isTimeoutError(error)) return timedOut()
            // The policy settles a server's stream error (a refusal has rejected already, as
            // the element is emitted before).
            if (streamConditionOf(error) !== undefined) return
            waiters.delete(waiter)
            reject(error)
          },
        )
      })
    },
    /** The user's stop(): what follows is its doing, not a drop (see `transition`). */
    stop(stop) {
      if (step('stop') !== undefined) stopping = true
      return stop()
    },
    reconnectService(configured) {
      const next = target ?? configured
      target = undefined
      return next
    },
    reconnectFailed(error) {
      if (isTimeoutError(error)) timedOut()
    },
  }
}
