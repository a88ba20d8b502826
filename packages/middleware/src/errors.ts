import jid from '@xmpp/jid'
import { isLanguageTag, StanzaError, StreamError, type XmlElement } from '@xmpp-errors/errors'
import { type CorrelationId, correlationIdFrom } from './correlation.js'
import { type Decision, decide, defaultReplyTo, type ReplyTo } from './decide.js'
import { languagesOf, textLanguage } from './language.js'
import { stderrLogger } from './logger.js'
import { type MapError, type Normalised, normalise, type XmppError } from './normalise.js'
import { ErrorRateLimit, type RateLimitOptions } from './rate-limit.js'
import { type ErrorRecord, publish, recordHandled, recordIncoming } from './record.js'
import {
  type EchoOptions,
  echoFor,
  emptyPayload,
  errorElementFor,
  isErrorNamed,
  type ReplyOptions,
  replyFor,
  trimEchoedPayload,
} from './reply.js'
import { governs } from './server-stream-error.js'
import { type AfterStreamError, closeStream, nothingMore } from './stream.js'
import type { Context, Logger, Middleware, Next } from './types.js'
import type { UpstreamPolicy } from './upstream.js'
import { watch } from './watch.js'

export interface ErrorsOptions {
  /** pino-compatible logger. Default: one JSON line per warning or error on stderr. */
  logger?: Logger
  /** Receives every record that is logged, for metrics. Its throws are ignored. */
  onError?: (record: ErrorRecord) => void
  /**
   * The correlation id of each record, e.g. the active trace's id. When it returns nothing (or
   * throws) the record gets a generated one.
   */
  correlationId?: CorrelationId
  /** Maps foreign errors (a validation library's, say) to a StanzaError or StreamError. */
  map?: MapError
  /** Default `by` to the address the stanza was sent to, without its resource. Default true. */
  by?: boolean
  /** What the error reply echoes of the original stanza. */
  echo?: Partial<EchoOptions>
  /**
   * After a StreamError closes the stream: `'reconnect'` (default, as xmpp.js's reconnect plugin
   * does after a disconnect) or `'stop'` for good. `system-shutdown` always stops.
   */
  afterStreamError?: AfterStreamError
  /**
   * Limit error replies per sender (bare JID). Off by default; `true` uses 20 per 10 s. Past the
   * limit a sender gets one `policy-violation` (type wait), then nothing until the window ends.
   */
  rateLimit?: boolean | Partial<RateLimitOptions>
  /**
   * The component's language (default `en`). A text given by language is sent in the stanza's
   * `xml:lang`, else its primary subtag, else this language.
   */
  lang?: string
  /** Write XEP-0086's numeric `code` on error elements, for peers that read only that. */
  legacyCodes?: boolean
  /** Answer a room's broadcast, a headline, a subscription presence with an error. All false. */
  reply?: Partial<ReplyTo>
  /**
   * An error reply to the handler's own request, not caught: `'hide'` (default) answers
   * internal-server-error, `'relay'` the same condition and type, never the peer's text.
   */
  upstream?: UpstreamPolicy
}

export const defaultEcho: Readonly<EchoOptions> = {
  iq: true,
  message: false,
  presence: false,
  maxLength: 4096,
}

/** The middleware, with what it counted. */
export interface ErrorsMiddleware extends Middleware {
  /** Present when `rateLimit` is on: `dropped` counts the error replies it suppressed. */
  readonly rateLimit: ErrorRateLimit | undefined
}

function bareSender(stanza: XmlElement): string {
  const from = stanza.attrs.from
  if (typeof from !== 'string') return ''
  try {
    return jid(from).bare().toString()
  } catch {
    return from
  }
}

/**
 * Catches what later middleware throws and answers as RFC 6120 says: a StanzaError becomes the
 * error reply, a StreamError closes the stream, anything else becomes internal-server-error
 * with its details kept out of the reply. Use it before any `iqCallee.get/set` route.
 */
export function errors(options: ErrorsOptions = {}): ErrorsMiddleware {
  const logger = options.logger ?? stderrLogger()
  const { onError, map } = options
  const replyTo: ReplyTo = { ...defaultReplyTo, ...options.reply }
  const upstream = options.upstream ?? 'hide'
  const after = options.afterStreamError ?? 'reconnect'
  if (options.lang !== undefined && !isLanguageTag(options.lang)) {
    throw new TypeError(`errors(): lang ${JSON.stringify(options.lang)} is not a language tag`)
  }
  const replyOptions: ReplyOptions = {
    by: options.by ?? true,
    echo: { ...defaultEcho, ...options.echo },
    lang: options.lang ?? 'en',
    legacyCodes: options.legacyCodes ?? false,
  }
  const limit =
    options.rateLimit === undefined || options.rateLimit === false
      ? undefined
      : new ErrorRateLimit(options.rateLimit === true ? {} : options.rateLimit)

  const emit = (record: ErrorRecord) => publish(record, logger, onError)
  const nextId = correlationIdFrom(options.correlationId)

  /** Applies the per-sender limit to a reply: a last warning replaces the error, then drops. */
  function limited(stanza: XmlElement, normalised: Normalised, decision: Decision) {
    if (limit === undefined || decision.action !== 'reply') return { normalised, decision }
    const verdict = limit.check(bareSender(stanza), Date.now())
    if (verdict === 'reply') return { normalised, decision }
    if (verdict === 'drop') {
      return { normalised, decision: { action: 'drop', reason: 'rate-limited' } as const }
    }
    const error = new StanzaError('policy-violation', {
      type: 'wait',
      text: 'too many errors; wait before sending more',
      cause: normalised.error,
    })
    return { normalised: { error, unknown: false }, decision }
  }

  function act(ctx: Context, error: XmppError, decision: Decision): unknown {
    // Set by iqCallee's handler, which wraps a returned <error/> into the one reply it sends.
    const payload = ctx.name === 'iq' ? ctx.element : undefined
    if (decision.action === 'drop') {
      // xmpp.js's IQ handler would answer undefined with service-unavailable.
      return payload !== undefined && decision.reason === 'rate-limited' ? nothingMore() : undefined
    }
    if (error.kind === 'stream') {
      const lang = textLanguage(languagesOf(error), undefined, replyOptions.lang)
      closeStream(ctx.entity, error, after, { like: ctx.stanza, lang }).catch(() => {})
      return nothingMore()
    }
    const element = errorElementFor(ctx.stanza, error, replyOptions)
    if (payload !== undefined && isErrorNamed(payload)) {
      // xmpp.js's IQ handler would put the payload, an <error/> of some namespace, before ours,
      // and a client reads the first: send the reply here, without the echo (RFC 6120 §8.3.1
      // allows one, but then the reply would have two <error/> children).
      ctx.entity.send(replyFor(ctx.stanza, element, [])).catch(() => {})
      return nothingMore()
    }
    if (payload !== undefined) {
      trimEchoedPayload(ctx.stanza, payload, replyOptions.echo)
      return element
    }
    return replyFor(ctx.stanza, element, echoFor(ctx.stanza, replyOptions.echo))
  }

  /** decide, limit, act, record: the one path every handled error takes. */
  function respond(ctx: Context, thrown: unknown, first: Normalised): unknown {
    const { normalised, decision } = limited(
      ctx.stanza,
      first,
      decide(ctx.stanza, first.error, replyTo),
    )
    const result = act(ctx, normalised.error, decision)
    const record = recordHandled(ctx.stanza, thrown, normalised, decision, nextId())
    // A flood of dropped errors must not become a flood of log lines.
    if (decision.action === 'drop' && decision.reason === 'rate-limited') record.level = 'debug'
    emit(record)
    return result
  }

  function handle(ctx: Context, thrown: unknown): unknown {
    try {
      return respond(ctx, thrown, normalise(thrown, map, upstream))
    } catch (bug) {
      // Only a defect (ours, or an error subclass whose toElement throws) lands here: answer a
      // plain internal-server-error where an answer is due, within the echo options.
      try {
        const error = new StanzaError('internal-server-error', { cause: bug, stack: false })
        return respond(ctx, bug, { error, unknown: true })
      } catch {
        try {
          logger.error({ err: bug }, 'errors() failed while handling an error')
        } catch {}
        // xmpp.js's IQ handler echoes the payload whole into its own reply: keep the echo cap.
        if (ctx.name === 'iq' && ctx.element !== undefined) emptyPayload(ctx.element)
        return undefined
      }
    }
  }

  function observe(stanza: XmlElement): void {
    const error: XmppError =
      stanza.name === 'stream:error'
        ? StreamError.fromElement(stanza)
        : StanzaError.fromElement(stanza)
    emit(recordIncoming(stanza, error, undefined, nextId()))
  }

  /**
   * An IQ get/set that no route answered: xmpp.js's IQ handler would answer service-unavailable
   * (RFC 6120 §8.2.3) with the payload echoed whole and nothing logged; answer it here instead,
   * through the same path as a thrown error, so the echo cap holds and it is recorded.
   */
  function unanswered(ctx: Context): unknown {
    return handle(ctx, new StanzaError('service-unavailable', { stack: false }))
  }

  function errorsMiddleware(ctx: Context, next: Next): Promise<unknown> {
    watch(ctx.entity, logger)
    // guard() records the server's stream errors, with what it does next.
    const stream = ctx.name === 'stream:error'
    if (ctx.type === 'error' || (stream && !governs(ctx.entity))) observe(ctx.stanza)
    let pending: Promise<unknown>
    try {
      pending = next()
    } catch (thrown) {
      return Promise.resolve(handle(ctx, thrown))
    }
    return pending.then(
      (reply) => (reply || ctx.element === undefined ? reply : unanswered(ctx)),
      (thrown: unknown) => handle(ctx, thrown),
    )
  }
  return Object.assign(errorsMiddleware, { rateLimit: limit })
}
