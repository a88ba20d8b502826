import { randomUUID } from 'node:crypto'
import { type Client, client, xml } from '@xmpp/client'
import { type Component, component } from '@xmpp/component'
import type { Element } from '@xmpp/xml'
import type { ServerInfo, XmppUser } from '@xmpp-errors/throwaway-servers'

export type { Client, Component, Element }
/** A client or a component: what connects, sends and receives. */
export type Entity = Client | Component
export { xml }

export interface ConnectClientOptions {
  /** Resource to bind; the server picks one when absent. */
  resource?: string
  /** Keep xmpp.js's reconnect plugin running (default true, as xmpp.js does). */
  reconnect?: boolean
  /** Give up on start() after this long (default 10 s). */
  timeoutMs?: number
}

export interface ConnectComponentOptions {
  /** Keep xmpp.js's reconnect plugin running (default true, as xmpp.js does). */
  reconnect?: boolean
  timeoutMs?: number
}

const started = new Set<Entity>()
const recordedErrors = new WeakMap<Entity, Error[]>()

/**
 * Everything emitted as 'error' by an entity made here. An 'error' without a listener would crash
 * the test process, so every entity gets a recording listener.
 */
export function errorsOf(entity: Entity): Error[] {
  let errors = recordedErrors.get(entity)
  if (!errors) {
    errors = []
    recordedErrors.set(entity, errors)
  }
  return errors
}

function track(entity: Entity): void {
  started.add(entity)
  const errors = errorsOf(entity)
  entity.on('error', (err) => errors.push(err))
}

/**
 * An online @xmpp/client over plain TCP, authenticated with SASL PLAIN: @xmpp/client never picks
 * PLAIN on an unencrypted connection by itself, and SCRAM's key stretching costs ~1 s per login.
 */
export async function connectClient(
  server: ServerInfo,
  user: XmppUser,
  opts: ConnectClientOptions = {},
): Promise<Client> {
  const c = client({
    service: `xmpp://${server.host}:${server.c2sPort}`,
    domain: server.domain,
    ...(opts.resource !== undefined && { resource: opts.resource }),
    credentials: async (authenticate, mechanisms) => {
      if (!mechanisms.includes('PLAIN')) {
        throw new Error(`server offers no SASL PLAIN, only ${mechanisms.join(', ')}`)
      }
      // The user agent matters only to SASL2 (XEP-0388), which a credentials function must pass.
      const userAgent = xml('user-agent', { id: randomUUID() })
      await authenticate({ username: user.username, password: user.password }, 'PLAIN', userAgent)
    },
  })
  if (opts.reconnect === false) c.reconnect.stop()
  track(c)
  await startOrStop(c, opts.timeoutMs ?? 10_000, `client ${user.jid}`)
  return c
}

/**
 * An online @xmpp/component 0.13 for `domain`. `setup` runs before start(), so middleware (and iq
 * handlers) can be installed before the first stanza arrives.
 */
export async function connectComponent(
  server: ServerInfo,
  domain: string,
  setup?: (c: Component) => void,
  opts: ConnectComponentOptions = {},
): Promise<Component> {
  const c = component({
    service: `xmpp://${server.host}:${server.componentPort}`,
    domain,
    password: server.componentSecret,
  })
  if (opts.reconnect === false) c.reconnect.stop()
  track(c)
  setup?.(c)
  await startOrStop(c, opts.timeoutMs ?? 10_000, `component ${domain}`)
  return c
}

async function startOrStop(entity: Entity, timeoutMs: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      entity.start(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what} not online after ${timeoutMs} ms`)),
          timeoutMs,
        )
      }),
    ])
  } catch (err) {
    // A half-started entity would otherwise linger (and maybe reconnect) behind the failed test.
    await quietStop(entity)
    throw err
  } finally {
    clearTimeout(timer)
  }
}

async function quietStop(entity: Entity): Promise<void> {
  entity.reconnect.stop()
  try {
    await entity.stop()
  } catch {
    // Already down (e.g. the server was killed): nothing left to clean up.
  }
}

/** Stops every client and component created here, ignoring errors. Use in afterAll/afterEach. */
export async function stopAll(): Promise<void> {
  const all = [...started]
  started.clear()
  await Promise.all(all.map(quietStop))
}

export type StanzaPredicate = (stanza: Element) => boolean

/**
 * Sends an iq and resolves with the reply, result or error alike (never rejects on type=error, so
 * error replies can be inspected raw). Gives the iq an id if it has none.
 */
export async function request(entity: Entity, iq: Element, timeoutMs = 5_000): Promise<Element> {
  const id = iq.attrs.id ?? randomUUID()
  iq.attrs.id = id
  const reply = nextStanza(
    entity,
    (s) =>
      s.name === 'iq' &&
      s.attrs.id === id &&
      (s.attrs.type === 'result' || s.attrs.type === 'error'),
    timeoutMs,
  )
  try {
    await entity.send(iq)
  } catch (err) {
    reply.catch(() => {})
    throw err
  }
  return reply
}

/**
 * The next incoming stanza matching `predicate`. Listens from the call on, so call it before
 * triggering the stanza and await it after. Rejects after `timeoutMs`.
 */
export function nextStanza(
  entity: Entity,
  predicate: StanzaPredicate,
  timeoutMs = 5_000,
): Promise<Element> {
  return new Promise((resolve, reject) => {
    const onStanza = (stanza: Element) => {
      if (!predicate(stanza)) return
      cleanup()
      resolve(stanza)
    }
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`no matching stanza within ${timeoutMs} ms`))
    }, timeoutMs)
    const cleanup = () => {
      clearTimeout(timer)
      entity.off('stanza', onStanza)
    }
    entity.on('stanza', onStanza)
  })
}

export interface Collector {
  /** Matching stanzas received so far, in order. */
  readonly stanzas: Element[]
  /** Stops collecting and returns what was collected. */
  stop(): Element[]
}

/** Collects incoming stanzas matching `predicate` (all by default) until stop(). */
export function collect(entity: Entity, predicate: StanzaPredicate = () => true): Collector {
  const stanzas: Element[] = []
  const onStanza = (stanza: Element) => {
    if (predicate(stanza)) stanzas.push(stanza)
  }
  entity.on('stanza', onStanza)
  return {
    stanzas,
    stop() {
      entity.off('stanza', onStanza)
      return stanzas
    },
  }
}

/**
 * Resolves if no stanza matching `predicate` arrives within `windowMs`; rejects with the first one
 * that does, as soon as it does.
 */
export function expectNoStanza(
  entity: Entity,
  predicate: StanzaPredicate,
  windowMs = 300,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onStanza = (stanza: Element) => {
      if (!predicate(stanza)) return
      cleanup()
      reject(new Error(`unexpected stanza: ${stanza.toString()}`))
    }
    const timer = setTimeout(() => {
      cleanup()
      resolve()
    }, windowMs)
    const cleanup = () => {
      clearTimeout(timer)
      entity.off('stanza', onStanza)
    }
    entity.on('stanza', onStanza)
  })
}
