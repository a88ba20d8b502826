import { type Component, component, type IQHandler, jid, xml } from '@xmpp/component'
import type { Element } from '@xmpp/xml'
import { errors, guard, type Logger, NS_STANZAS, StanzaError } from '@xmpp-errors/middleware'

/** The component's own domain in the in-process benchmarks. */
export const DOMAIN = 'bench.localhost'
/** The namespace of the benchmark's query. */
export const NS = 'urn:xmpp-errors:bench'
const FROM = 'u1@localhost/bench'

/** A pino-compatible logger that drops everything: the logger P1, P2 and P4 use. */
export const noopLogger: Logger = { debug() {}, warn() {}, error() {} }

/**
 * A real `component()` of @xmpp/component 0.13.1 (its middleware chain, IQ handler and send
 * path) whose socket is a stub: writes complete at once and nothing is ever connected.
 */
export function mockComponent(domain = DOMAIN): Component {
  const c = component({ service: 'xmpp://127.0.0.1:9', domain, password: 'unused' })
  c.reconnect.stop()
  c.jid = jid(domain)
  c.status = 'online'
  const socket = {
    write(_data: string, callback: (error?: Error) => void) {
      callback()
    },
    end() {},
  }
  Object.assign(c, { socket })
  return c
}

export type Route =
  | 'result'
  | 'throw'
  | 'throw once'
  | 'throw pre-built'
  | 'throw with stack'
  | 'hand-built'
  | 'throw Error'
  | 'user catch'

/** The <error/> errors() sends for item-not-found, `by` included, built by hand. */
function handBuilt(ctx: { stanza: Element }): Element {
  return xml(
    'error',
    { type: 'cancel', by: ctx.stanza.attrs.to },
    xml('item-not-found', { xmlns: NS_STANZAS }),
  )
}

// Built once, with no per-request options, and thrown for every request.
const itemNotFound = new StanzaError('item-not-found')

// Distinct errors built ahead of time: a throw of a new object each time, minus its making.
const prebuilt = Array.from({ length: 4096 }, () => new StanzaError('item-not-found'))
let next = 0

/** The iqCallee.get handlers the benchmarks compare. */
export const routes: Record<Route, IQHandler> = {
  // P1: builds a result, throws nothing.
  result: () => xml('query', { xmlns: NS }, 'ok'),
  // P2 with errors(): what a user of this library writes. A sender-blame condition, so no
  // stack is captured unless asked for.
  throw: () => {
    throw new StanzaError('item-not-found')
  },
  // The same error built once and thrown many times: nothing to construct per request.
  'throw once': () => {
    throw itemNotFound
  },
  // A different error each time, built before the timing: tells what the making costs from what
  // throwing a new object costs.
  'throw pre-built': () => {
    throw prebuilt[next++ & 4095]
  },
  // The same, asking for the stack: what capturing one costs.
  'throw with stack': () => {
    throw new StanzaError('item-not-found', { stack: true })
  },
  // P2 baseline: the very <error/> errors() sends for the throw above, built by hand and
  // returned, which xmpp.js's IQ handler wraps into the reply.
  'hand-built': handBuilt,
  // The floor of any throw-based design: a plain Error, caught by `minimal` below.
  'throw Error': () => {
    throw new Error('item-not-found')
  },
  // Without this library: see `userCatch`, which logs; this one logs to the no-op logger.
  'user catch': userCatch(noopLogger),
}

/** A lookup that fails as a user's data layer does: with a plain Error, and its stack. */
function findItem(): Element {
  throw new Error('no such item')
}

/**
 * What a user writes without this library: a try/catch in the route that builds the `<error/>`
 * and logs one line with what an operator needs to find the request.
 */
export function userCatch(logger: Logger): IQHandler {
  return (ctx) => {
    try {
      return findItem()
    } catch {
      const { id, from } = ctx.stanza.attrs
      logger.warn({ condition: 'item-not-found', type: 'cancel', id, from }, 'item not found')
      return handBuilt(ctx)
    }
  }
}

let limitSequence = 0

/**
 * The floor's catcher writing one line with the information of errors()'s record, as a user
 * would write it: one flat object literal. What errors() adds over writing that information is
 * P2-limit.
 */
function flatLine(logger: Logger, ctx: { stanza: Element }): void {
  const { name, attrs } = ctx.stanza
  logger.warn(
    {
      condition: 'item-not-found',
      type: 'cancel',
      exposed: false,
      id: attrs.id,
      from: attrs.from,
      to: attrs.to,
      correlationId: `bench-${++limitSequence}`,
      action: 'reply',
    },
    `item-not-found (cancel) replied to ${name} ${attrs.type} from ${attrs.from}`,
  )
}

export interface ChainOptions {
  /**
   * What sits first in the chain (after xmpp.js's own IQ handler): errors(); `minimal`, the
   * least a catcher can do (`next().then(undefined, () => <error/> built by hand)`); `limit`,
   * the same writing one flat line with the record's information (`flatLine`); or nothing.
   */
  errors: boolean | 'minimal' | 'limit'
  /** Pass-through middlewares `(ctx, next) => next()` between errors() and the route. */
  depth: number
  route: Route
  /** Default: a no-op logger; `'default'` leaves errors() its own (one JSON line on stderr). */
  logger?: Logger | 'default'
  /** Apply guard() to the entity too. */
  guard?: boolean
}

/** A mocked component with errors() (or not), `depth` pass-throughs and one IQ route. */
export function chain(options: ChainOptions): Component {
  const c = mockComponent()
  const logger = options.logger === 'default' ? undefined : (options.logger ?? noopLogger)
  if (options.guard) guard(c, logger ? { logger } : {})
  if (options.errors === 'minimal') {
    c.middleware.use((ctx, next) => next().then(undefined, () => handBuilt(ctx)))
  } else if (options.errors === 'limit') {
    const to = logger ?? noopLogger
    c.middleware.use((ctx, next) =>
      next().then(undefined, () => {
        flatLine(to, ctx)
        return handBuilt(ctx)
      }),
    )
  } else if (options.errors) {
    c.middleware.use(errors(logger ? { logger } : {}))
  }
  for (let i = 0; i < options.depth; i++) c.middleware.use((_ctx, next) => next())
  const route = options.route === 'user catch' && logger ? userCatch(logger) : routes[options.route]
  c.iqCallee.get(NS, 'query', route)
  return c
}

let sequence = 0

/**
 * A fresh `<iq type=get>` request, as the parser would hand it over. Built as it is fed, so
 * that it dies young like a parsed stanza: prebuilt batches outlive scavenges, get promoted
 * and make old-space collections land in some timed rounds and not in others.
 */
export function request(to = DOMAIN): Element {
  return xml(
    'iq',
    { type: 'get', id: `b${(sequence++).toString(36)}`, from: FROM, to },
    xml('query', { xmlns: NS }),
  )
}

/**
 * Feeds `total` fresh requests to the entity as if parsed from its socket, with `inFlight`
 * dispatched and not yet answered at any time, and resolves when every one has been answered
 * (one 'send' each). Rejects on an 'error' event, which here means something is wrong.
 */
export function pump(
  entity: Component,
  total: number,
  inFlight = 64,
  make: () => Element = request,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let fed = 0
    let done = 0
    const feed = () => {
      fed++
      entity.emit('element', make())
    }
    const onSend = () => {
      done++
      if (fed < total) feed()
      else if (done === total) {
        cleanup()
        resolve()
      }
    }
    const onError = (error: Error) => {
      cleanup()
      reject(error)
    }
    const cleanup = () => {
      entity.off('send', onSend)
      entity.off('error', onError)
    }
    if (total <= 0) {
      resolve()
      return
    }
    entity.on('send', onSend)
    entity.on('error', onError)
    const first = Math.min(inFlight, total)
    while (fed < first) feed()
  })
}

/** The replies the entity sends for `stanzas`, serialized: to check variants answer alike. */
export async function repliesTo(entity: Component, stanzas: readonly Element[]): Promise<string[]> {
  const sent: string[] = []
  const onSend = (element: Element) => {
    sent.push(element.toString())
  }
  const queue = [...stanzas]
  entity.on('send', onSend)
  try {
    await pump(entity, queue.length, 1, () => {
      const next = queue.shift()
      if (!next) throw new Error('unreachable')
      return next
    })
  } finally {
    entity.off('send', onSend)
  }
  return sent
}

/** Every event the entity has listeners for, with their counts. */
export function listenerCounts(entity: Component): Record<string, number> {
  const counts: Record<string, number> = {}
  const names = (entity as unknown as { eventNames(): Array<string | symbol> }).eventNames()
  for (const name of names) counts[String(name)] = entity.listenerCount(String(name))
  return counts
}

/** `process.getActiveResourcesInfo()` as counts per resource type (Timeout, TCPWrap, …). */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1
  return counts
}

/** Runs a full garbage collection a few times when node runs with --expose-gc. */
export function collectGarbage(): boolean {
  if (typeof globalThis.gc !== 'function') return false
  for (let i = 0; i < 3; i++) globalThis.gc()
  return true
}
