// The chain under test: a real @xmpp/component 0.13.1 on a socket in memory
// (@xmpp-errors/testing) with
// guard(), errors() and iqCallee routes as a component would install them, whose handlers throw
// what each case says.

import { type Component, xml } from '@xmpp/component'
import type { Element } from '@xmpp/xml'
import {
  type ErrorRecord,
  type ErrorsOptions,
  errors,
  guard,
  type Logger,
  StanzaError,
  stderrLogger,
} from '@xmpp-errors/middleware'
import { type TestEntity, testComponent } from '@xmpp-errors/testing'
import { type Config, DOMAIN, NS } from './arbitraries.js'
import type { Prepared } from './cases.js'

/** The case of each stanza fed, for the route to find. */
export const prepared = new WeakMap<object, Prepared>()

function deliver(p: Prepared, ctx: { name: string; element?: Element | undefined }): unknown {
  if (p.c.thrown.t === 'none') {
    if (ctx.name !== 'iq' || ctx.element === undefined) return undefined
    return ctx.element.is('q', NS) ? xml('q', { xmlns: NS }, 'ok') : true
  }
  const { value } = p
  switch (p.c.how) {
    case 'sync':
      throw value
    case 'reject':
      return Promise.reject(value)
    case 'async':
      return (async () => {
        throw value
      })()
    case 'after-await':
      return (async () => {
        await null
        await Promise.resolve()
        throw value
      })()
    case 'after-immediate':
      return new Promise((_, reject) => setImmediate(() => reject(value)))
    case 'thenable':
      return {
        // biome-ignore lint/suspicious/noThenProperty: a thenable is the point
        then(_resolve: unknown, reject: (reason: unknown) => void) {
          reject(value)
        },
      }
  }
}

/** What the logger and onError saw. */
export interface Counters {
  handled: ErrorRecord[]
  logLines: number
  listenerThrew: number
}

export function counters(): Counters {
  return { handled: [], logLines: 0, listenerThrew: 0 }
}

export function makeLogger(kind: Config['logger'], counters: Counters): Logger {
  const capture = (_object: object, msg: string) => {
    counters.logLines++
    if (msg.includes("'element' listener threw")) counters.listenerThrew++
  }
  if (kind === 'capture') return { debug: capture, warn: capture, error: capture }
  if (kind === 'throws') {
    return {
      debug(o, m) {
        capture(o, m)
        throw new Error('logger down')
      },
      warn(o, m) {
        capture(o, m)
        throw new Error('logger down')
      },
      error(o, m) {
        capture(o, m)
        throw new Error('logger down')
      },
    }
  }
  // The default logger, with a hostile record to serialize; its output is dropped.
  const json = stderrLogger(() => {})
  return {
    debug(o, m) {
      capture(o, m)
      json.debug(o, m)
    },
    warn(o, m) {
      capture(o, m)
      json.warn(o, m)
    },
    error(o, m) {
      capture(o, m)
      json.error(o, m)
    },
  }
}

export function harness(config: Config, counters: Counters): Promise<TestEntity<Component>> {
  const logger = makeLogger(config.logger, counters)
  const onError = (record: ErrorRecord) => {
    counters.handled.push(record)
    if (config.onErrorThrows) throw new Error('metrics down')
  }
  const options: ErrorsOptions = { logger, onError, echo: config.echo }
  if (config.by !== undefined) options.by = config.by
  if (config.map === 'throws') {
    options.map = () => {
      throw new Error('map down')
    }
  } else if (config.map === 'undefined') {
    options.map = () => undefined
  } else if (config.map === 'strings') {
    options.map = (thrown) =>
      typeof thrown === 'string' ? new StanzaError('bad-request', { text: 'PUBLIC mapped' }) : null
  }
  const setup = (c: Component) => {
    // Reconnect after a stream error at once, as the test entity's reconnect plugin does.
    guard(c, { logger, onError, malformedFrom: config.malformedFrom, backoff: { baseMs: 0 } })
    c.middleware.use(errors(options))
    const route = (ctx: { stanza: Element; name: string; element?: Element }) => {
      const p = prepared.get(ctx.stanza)
      // The server's <handshake/> of each reconnection goes through the middleware too.
      if (p === undefined && ctx.name === 'handshake') return undefined
      if (p === undefined) throw new Error('unknown stanza')
      return deliver(p, ctx)
    }
    c.iqCallee.get(NS, 'q', route)
    c.iqCallee.set(NS, 'q', route)
    c.middleware.use(route)
  }
  return testComponent(setup, { domain: DOMAIN })
}
