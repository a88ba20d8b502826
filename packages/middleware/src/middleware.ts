import { isLanguageTag, StanzaError, StreamError, type XmlElement } from '@xmpp-errors/errors'
import { defaultReplyTo, type Outcome, outcome, type ReplyTo } from './decide.js'
import { governs } from './entity-state.js'
import { languagesOf, textLanguage } from './language.js'
import { type MapError, type Normalized, normalize, type XmppError } from './normalize.js'
import { ErrorRateLimit, type RateLimitCounts, type RateLimitOptions } from './rate-limit.js'
import { type ErrorRecord, publish, recordEvent, recordHandled, recordIncoming } from './record.js'
import { type EchoOptions, emptyPayload, errorReply, type ReplyOptions } from './reply.js'
import { type Reporter, type ReportingOptions, reporterFor } from './reporting.js'
import { type AfterStreamError, closeStream, nothingMore } from './stream.js'
import type { Context, Middleware, Next } from './types.js'
import type { UpstreamPolicy } from './upstream.js'
import { watch } from './watch.js'
import { insideIqHandler, iqHandlerPayload, settleUnreadableReplies } from './xmpp-internals.js'

/**
 * `logger`, `onError` and `correlationId` given to guard() need not be given again here, nor the
 * other way round: the two share them through the entity (see `reporterFor`).
 */
export interface ErrorsOptions extends ReportingOptions {
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
  /**
   * Present when `rateLimit` is on: what the limit counted (`dropped`, the error replies it
   * suppressed; `senders`, those counted in the current window). Read-only.
   */
  readonly rateLimit: RateLimitCounts | undefined
}

/**
 * Catches what later middleware throws and answers as RFC 6120 says: a StanzaError becomes the
 * error reply, a StreamError closes the stream, anything else becomes internal-server-error
 * with its details kept out of the reply. Use it before any `iqCallee.get/set` route.
 */
export function errors(options: ErrorsOptions = {}): ErrorsMiddleware {
  const { map } = options
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

  // Made for the entity of the first stanza: what guard() was given for it may be used here.
  let reporter: Reporter = reporterFor({}, options)
  const emit = (record: ErrorRecord) => publish(record, reporter.logger, reporter.onError)

  function act(ctx: Context, result: Outcome): unknown {
    switch (result.action) {
      case 'drop':
        // xmpp.js's IQ handler would answer undefined with service-unavailable.
        return insideIqHandler(ctx) && result.reason === 'rate-limited' ? nothingMore() : undefined
      case 'close': {
        const lang = textLanguage(languagesOf(result.error), undefined, replyOptions.lang)
        closeStream(ctx.entity, result.error, after, { like: ctx.stanza, lang }).catch(() => {})
        return nothingMore()
      }
      case 'reply': {
        const reply = errorReply(ctx.stanza, result.error, replyOptions, iqHandlerPayload(ctx))
        if ('return' in reply) return reply.return
        ctx.entity.send(reply.send).catch(() => {})
        return nothingMore()
      }
    }
  }

  /** decide, act, record: the one path every handled error takes. */
  function respond(ctx: Context, thrown: unknown, normalized: Normalized): unknown {
    const result = outcome(ctx.stanza, normalized, { replyTo, limit })
    const response = act(ctx, result)
    emit(recordHandled(ctx.stanza, thrown, result.normalized, result, reporter.nextId()))
    return response
  }

  function handle(ctx: Context, thrown: unknown): unknown {
    try {
      return respond(ctx, thrown, normalize(thrown, map, upstream))
    } catch (bug) {
      // Only a defect (ours, or an error subclass whose toElement throws) lands here: answer a
      // plain internal-server-error where an answer is due, within the echo options.
      try {
        const error = new StanzaError('internal-server-error', { cause: bug, stack: false })
        return respond(ctx, bug, { error, unknown: true })
      } catch {
        try {
          emit(
            recordEvent(bug, 'error', 'errors() failed while handling an error', reporter.nextId()),
          )
        } catch {}
        // xmpp.js's IQ handler echoes the payload whole into its own reply: keep the echo cap.
        const payload = iqHandlerPayload(ctx)
        if (payload !== undefined) emptyPayload(payload)
        return undefined
      }
    }
  }

  function observe(stanza: XmlElement): void {
    const error: XmppError =
      stanza.name === 'stream:error'
        ? StreamError.fromElement(stanza)
        : StanzaError.fromElement(stanza)
    emit(recordIncoming(stanza, error, undefined, reporter.nextId()))
  }

  /**
   * An IQ get/set that no route answered: xmpp.js's IQ handler would answer service-unavailable
   * (RFC 6120 §8.2.3) with the payload echoed whole and nothing logged; answer it here instead,
   * through the same path as a thrown error, so the echo cap holds and it is recorded.
   */
  function unanswered(ctx: Context): unknown {
    return handle(ctx, new StanzaError('service-unavailable', { stack: false }))
  }

  // The entity last watched: a component has one, so the lookup in its state is done once.
  let watched: Context['entity'] | undefined
  function errorsMiddleware(ctx: Context, next: Next): Promise<unknown> {
    if (ctx.entity !== watched) {
      reporter = reporterFor(ctx.entity, options)
      watch(ctx.entity, { publish: emit, nextId: () => reporter.nextId() })
      settleUnreadableReplies(ctx.entity)
      watched = ctx.entity
    }
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
      (reply) => (reply || !insideIqHandler(ctx) ? reply : unanswered(ctx)),
      (thrown: unknown) => handle(ctx, thrown),
    )
  }
  return Object.assign(errorsMiddleware, { rateLimit: limit?.counted() })
}
