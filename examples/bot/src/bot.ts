import { readFileSync } from 'node:fs'
import { type Component, component } from '@xmpp/component'
import { type ErrorRecord, errors, guard, type Middleware } from '@xmpp-errors/middleware'
import { commands } from './commands.js'
import type { Config } from './config.js'
import type { BotLogger } from './context.js'
import { TokenBuckets } from './ratelimit.js'
import { installRoutes, rateLimit, unhandledIq } from './service.js'
import { NotesStore } from './store.js'

export const software = {
  name: 'xmpp-errors example bot',
  version: (() => {
    try {
      const pkg = new URL('../package.json', import.meta.url)
      return String(JSON.parse(readFileSync(pkg, 'utf8')).version ?? '0.0.0')
    } catch {
      return '0.0.0'
    }
  })(),
}

/** Why the bot could not come online, in words that say what to fix. */
export class StartupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'StartupError'
  }
}

export interface Bot {
  readonly component: Component
  readonly store: NotesStore
  /** Connects and authenticates; rejects with a StartupError. */
  start(): Promise<void>
  /** Closes the stream and the connection for good. */
  stop(): Promise<void>
  /** Settles once the bot is offline for good: after stop() or an admin's shutdown. */
  readonly stopped: Promise<void>
}

export interface BotOptions {
  /** Give up on start() after this long. Default 10 s. */
  startTimeoutMs?: number
  /** Clock for the rate limiter, in milliseconds. */
  now?: () => number
  /** Receives every error record, for metrics (see metrics.ts). */
  onError?: (record: ErrorRecord) => void
  /** Counts each stanza, for metrics (see metrics.ts). */
  countStanzas?: Middleware
}

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null
    ? (error as Record<string, unknown>)[name]
    : undefined
}

/** Turns what xmpp.js rejects start() with into a sentence naming the setting to check. */
export function describeStartupError(
  error: unknown,
  config: Pick<Config, 'service' | 'host' | 'port' | 'domain'>,
): string {
  const where = `${config.host}:${config.port}`
  const code = field(error, 'code')
  const name = field(error, 'name')
  if (name === 'StreamError') {
    const condition = String(field(error, 'condition'))
    const text = field(error, 'text')
    // The server's own words, if any, go last: the sentence first says what to fix.
    const said = typeof text === 'string' && text ? ` (the server said: ${text})` : ''
    switch (condition) {
      case 'not-authorized':
        return `the component secret was rejected by ${config.service}: check BOT_SECRET${said}`
      case 'host-unknown':
      case 'improper-addressing':
        // A client port answers host-unknown too, so both settings may be the cause.
        return `${config.service} does not serve the component domain ${config.domain}: check BOT_DOMAIN against the server's Component entries, and that BOT_SERVICE is its component port, not its client port${said}`
      case 'conflict':
        return `another component is already connected as ${config.domain} to ${config.service}${said}`
      default:
        return `${config.service} closed the stream with the error ${condition}${said}`
    }
  }
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused at ${where}: is the XMPP server running, with its component port there? check BOT_SERVICE`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the host ${config.host}: check BOT_SERVICE`
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `cannot reach ${where} (${code}): check BOT_SERVICE and the network`
    case 'ECONNRESET':
    case 'EPIPE':
      return `${where} closed the connection during the handshake: is it the component port (not the client port)? check BOT_SERVICE`
  }
  if (name === 'TimeoutError') {
    return `no answer from ${where} in time: is it an XMPP server's component port? check BOT_SERVICE`
  }
  const message = error instanceof Error ? error.message : String(error)
  return `could not connect to ${config.service}: ${message}`
}

/**
 * Builds the component: guard() around it, errors() first in the chain, then the request rate
 * limit, the IQ routes, the chat commands and, last, the catch-all that answers unknown IQs with
 * service-unavailable.
 */
export function createBot(config: Config, log: BotLogger, options: BotOptions = {}): Bot {
  // guard() covers what happens before any middleware runs: a stanza with a malformed address
  // would otherwise throw out of xmpp.js's parser callback and end the process.
  const xmpp = guard(
    component({ service: config.service, domain: config.domain, password: config.secret }),
    { logger: log, ...(options.onError && { onError: options.onError }) },
  )
  const store = new NotesStore(config.domain, config)
  const buckets = new TokenBuckets({
    rate: config.rate,
    burst: config.burst,
    ...(options.now ? { now: options.now } : {}),
  })

  // The ordering rule: errors() before any route, or a route's throw becomes a bare
  // internal-server-error from xmpp.js's IQ handler. Its rateLimit caps the error replies a sender gets, so that a flood of bad requests does
  // not become a flood of replies: past the cap, one policy-violation, then silence.
  if (options.countStanzas) xmpp.middleware.use(options.countStanzas)
  xmpp.middleware.use(
    errors({
      logger: log,
      ...(options.onError && { onError: options.onError }),
      rateLimit: config.errorLimit > 0 ? { max: config.errorLimit, windowMs: 10_000 } : false,
    }),
  )
  xmpp.middleware.use(rateLimit(buckets, config.admins))
  installRoutes(xmpp, { store, admins: config.admins, log, software })
  xmpp.middleware.use(commands({ store, admins: config.admins, log, iqCaller: xmpp.iqCaller }))
  xmpp.middleware.use(unhandledIq())

  let starting = true
  // guard() already keeps an 'error' event from ending the process, and logs it when no one
  // else listens. This listener words connection errors (a reset, a failed reconnect) itself,
  // and keeps quiet while start() is under way, which reports its failure in plainer words.
  xmpp.on('error', (error) => {
    if (starting) return
    log.warn({ err: error }, `connection error: ${error.message}`)
  })
  xmpp.on('online', () =>
    log.info(
      { event: 'online', domain: config.domain, server: config.service },
      `online as ${config.domain}`,
    ),
  )
  // The reconnect plugin retries a second after a lost connection; a stop() is no loss.
  xmpp.reconnect.on('reconnecting', () =>
    log.warn({ event: 'reconnecting' }, `connection lost; reconnecting to ${config.service}`),
  )
  xmpp.reconnect.on('reconnected', () => log.info({ event: 'reconnected' }, 'reconnected'))

  let markStopped: () => void = () => {}
  const stopped = new Promise<void>((resolve) => {
    markStopped = resolve
  })
  xmpp.on('offline', () => {
    // stop() ends here, and so does errors() after sending system-shutdown.
    xmpp.reconnect.stop()
    log.info({ event: 'offline' }, 'offline')
    markStopped()
  })

  async function start(): Promise<void> {
    const timeoutMs = options.startTimeoutMs ?? 10_000
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        xmpp.start(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(Object.assign(new Error('timeout'), { name: 'TimeoutError' })),
            timeoutMs,
          )
        }),
      ])
      starting = false
    } catch (error) {
      xmpp.reconnect.stop()
      await xmpp.stop().catch(() => {})
      throw new StartupError(describeStartupError(error, config), { cause: error })
    } finally {
      clearTimeout(timer)
    }
  }

  async function stop(): Promise<void> {
    xmpp.reconnect.stop()
    if (xmpp.status === 'offline') return
    await xmpp.stop().catch((error: unknown) => log.warn({ err: error }, 'stop failed'))
  }

  return { component: xmpp, store, start, stop, stopped }
}
