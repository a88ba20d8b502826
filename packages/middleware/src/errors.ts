import {
  isStanzaError,
  isXmppError,
  StanzaError,
  StreamError,
  type XmlElement,
} from '@xmpp-errors/errors'
import { type Decision, decide } from './decide.js'
import { stderrLogger } from './logger.js'
import { type MapError, normalise, type XmppError } from './normalise.js'
import { type ErrorRecord, recordHandled, recordIncoming } from './record.js'
import {
  type EchoOptions,
  echoFor,
  errorElementFor,
  type ReplyOptions,
  replyFor,
  trimEchoedPayload,
} from './reply.js'
import type { Context, Logger, Middleware, Next, XmppEntity } from './types.js'

export interface ErrorsOptions {
  /** pino-compatible logger. Default: one JSON line per warning or error on stderr. */
  logger?: Logger
  /** Receives every record that is logged, for metrics. Its throws are ignored. */
  onError?: (record: ErrorRecord) => void
  /** Maps foreign errors (a validation library's, say) to a StanzaError or StreamError. */
  map?: MapError
  /** Default `by` to the address the stanza was sent to. Default true. */
  by?: boolean
  /** What the error reply echoes of the original stanza. */
  echo?: Partial<EchoOptions>
  /**
   * After a StreamError closes the stream: `'reconnect'` (default, as xmpp.js's reconnect plugin
   * does after a disconnect) or `'stop'` for good. `system-shutdown` always stops.
   */
  afterStreamError?: 'reconnect' | 'stop'
}

export const defaultEcho: Readonly<EchoOptions> = {
  iq: true,
  message: false,
  presence: false,
  maxLength: 4096,
}

/**
 * A promise that settles never. After a stream error nothing may follow on that stream
 * (RFC 6120 §4.9.1.1), yet xmpp.js sends whatever the middleware chain resolves to, and its IQ
 * handler turns even `undefined` into a reply. It holds no timer or listener, so it is garbage
 * once the chain lets go of it; a fresh one each time, as a shared one would keep every chain.
 */
function nothingMore(): Promise<never> {
  return new Promise<never>(() => {})
}

/**
 * Catches what later middleware throws and answers as RFC 6120 says: a StanzaError becomes the
 * error reply, a StreamError closes the stream, anything else becomes internal-server-error
 * with its details kept out of the reply. Use it before any `iqCallee.get/set` route.
 */
export function errors(options: ErrorsOptions = {}): Middleware {
  const logger = options.logger ?? stderrLogger()
  const { onError, map } = options
  const replyOptions: ReplyOptions = {
    by: options.by ?? true,
    echo: { ...defaultEcho, ...options.echo },
  }
  const watched = new WeakSet<object>()
  const closing = new WeakSet<object>()

  function emit(record: ErrorRecord): void {
    try {
      logger[record.level](record, record.msg)
    } catch {}
    try {
      onError?.(record)
    } catch {}
  }

  // Without a listener an 'error' event kills the process; xmpp.js emits one when a reply
  // cannot be written, and when a route registered before errors() throws.
  function watch(entity: XmppEntity): void {
    watched.add(entity)
    entity.on('error', (error) => {
      if (isStanzaError(error)) {
        logger.error(
          { err: error },
          `StanzaError ${error.condition} reached xmpp.js's IQ handler, which answered internal-server-error instead: use errors() before any iqCallee.get/set route`,
        )
      } else if (entity.listenerCount('error') === 1 && !isPeerStreamError(error)) {
        logger.error({ err: error }, 'xmpp.js emitted an error')
      }
    })
  }

  async function closeStream(entity: XmppEntity, error: StreamError): Promise<void> {
    if (closing.has(entity)) return
    closing.add(entity)
    try {
      await entity.send(error.toElement()).catch(() => {})
      if (options.afterStreamError === 'stop' || error.condition === 'system-shutdown') {
        await entity.stop?.().catch(() => {})
      } else {
        await entity.close?.().catch(() => {})
        await entity.disconnect?.().catch(() => {})
      }
    } finally {
      closing.delete(entity)
    }
  }

  function act(ctx: Context, error: XmppError, decision: Decision): unknown {
    if (decision.action === 'drop') return undefined
    if (error.kind === 'stream') {
      void closeStream(ctx.entity, error)
      return nothingMore()
    }
    const element = errorElementFor(ctx.stanza, error, replyOptions)
    // Inside iqCallee's handler, which wraps a returned <error/> into the one reply it sends.
    if (ctx.name === 'iq' && ctx.element !== undefined) {
      trimEchoedPayload(ctx.stanza, ctx.element, replyOptions.echo)
      return element
    }
    return replyFor(ctx.stanza, element, echoFor(ctx.stanza, replyOptions.echo))
  }

  function handle(ctx: Context, thrown: unknown): unknown {
    try {
      const normalised = normalise(thrown, map)
      const decision = decide(ctx.stanza, normalised.error)
      const result = act(ctx, normalised.error, decision)
      emit(recordHandled(ctx.stanza, thrown, normalised, decision))
      return result
    } catch (bug) {
      // Only a defect of ours lands here; answer what must be answered and keep the process up.
      logger.error({ err: bug }, 'errors() failed while handling an error')
      return ctx.name === 'iq' && ctx.element !== undefined
        ? new StanzaError('internal-server-error').toElement()
        : undefined
    }
  }

  function observe(stanza: XmlElement): void {
    const error: XmppError =
      stanza.name === 'stream:error'
        ? StreamError.fromElement(stanza)
        : StanzaError.fromElement(stanza)
    emit(recordIncoming(stanza, error))
  }

  return function errorsMiddleware(ctx: Context, next: Next): Promise<unknown> {
    if (!watched.has(ctx.entity)) watch(ctx.entity)
    if (ctx.type === 'error' || ctx.name === 'stream:error') observe(ctx.stanza)
    let pending: Promise<unknown>
    try {
      pending = next()
    } catch (thrown) {
      return Promise.resolve(handle(ctx, thrown))
    }
    return pending.then(undefined, (thrown: unknown) => handle(ctx, thrown))
  }
}

/** A stream error the server sent us: recorded when its element passes the middleware. */
function isPeerStreamError(error: unknown): boolean {
  if (isXmppError(error)) return false
  try {
    const { name, element } = error as { name?: unknown; element?: unknown }
    return name === 'StreamError' && element !== undefined
  } catch {
    return false
  }
}
