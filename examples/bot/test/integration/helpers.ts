import { randomUUID } from 'node:crypto'
import type { EventEmitter } from 'node:events'
import { type Client, client, xml } from '@xmpp/client'
import type { Element } from '@xmpp/xml'

export type { Client, Element }
export { xml }

export interface Account {
  username: string
  password: string
}

const started = new Set<Client>()

/** An online client over plain TCP with SASL PLAIN (SCRAM would cost ~1 s per login). */
export async function login(
  service: string,
  domain: string,
  account: Account,
  resource: string,
): Promise<Client> {
  const c = client({
    service,
    domain,
    resource,
    credentials: async (authenticate) => {
      const userAgent = xml('user-agent', { id: resource })
      await authenticate(
        { username: account.username, password: account.password },
        'PLAIN',
        userAgent,
      )
    },
  })
  c.reconnect.stop()
  c.on('error', () => {})
  started.add(c)
  await c.start()
  return c
}

export async function logoutAll(): Promise<void> {
  const all = [...started]
  started.clear()
  await Promise.all(all.map((c) => c.stop().catch(() => {})))
}

/** The next stanza matching `predicate`: call before sending, await after. */
export function nextStanza(
  c: Client,
  predicate: (s: Element) => boolean,
  timeoutMs = 3_000,
): Promise<Element> {
  return new Promise((resolve, reject) => {
    const onStanza = (s: Element) => {
      if (!predicate(s)) return
      clearTimeout(timer)
      c.off('stanza', onStanza)
      resolve(s)
    }
    const timer = setTimeout(() => {
      c.off('stanza', onStanza)
      reject(new Error(`no matching stanza within ${timeoutMs} ms`))
    }, timeoutMs)
    c.on('stanza', onStanza)
  })
}

/**
 * The replies to the stanzas of these ids, in their order: one 'stanza' listener per awaited
 * reply, each removed as its reply arrives, so the listener limit is raised meanwhile (not a leak).
 */
export async function repliesTo(
  c: Client,
  ids: readonly string[],
  timeoutMs: number,
  send: () => Promise<unknown>,
): Promise<Element[]> {
  const emitter = c as unknown as EventEmitter
  emitter.setMaxListeners(emitter.getMaxListeners() + ids.length)
  try {
    const replies = ids.map((id) => nextStanza(c, (s) => s.attrs.id === id, timeoutMs))
    await send()
    return await Promise.all(replies)
  } finally {
    emitter.setMaxListeners(emitter.getMaxListeners() - ids.length)
  }
}

/** Sends an iq (giving it an id) and resolves with its result or error, as it came. */
export async function request(c: Client, iq: Element): Promise<Element> {
  iq.attrs.id ??= randomUUID()
  const reply = nextStanza(
    c,
    (s) =>
      s.name === 'iq' &&
      s.attrs.id === iq.attrs.id &&
      s.attrs.type !== 'get' &&
      s.attrs.type !== 'set',
  )
  await c.send(iq)
  return reply
}

/** Sends a chat message to `to` and resolves with the next message from `to`. */
export async function say(
  c: Client,
  to: string,
  body: string,
  id: string = randomUUID(),
): Promise<Element> {
  const reply = nextStanza(c, (s) => s.name === 'message' && s.attrs.from === to)
  await c.send(xml('message', { type: 'chat', to, id }, xml('body', {}, body)))
  return reply
}

/** Resolves if nothing matching arrives within `windowMs`. */
export async function nothing(
  c: Client,
  predicate: (s: Element) => boolean,
  windowMs = 300,
): Promise<void> {
  const arrived = await nextStanza(c, predicate, windowMs).catch(() => undefined)
  if (arrived) throw new Error(`unexpected stanza: ${arrived.toString()}`)
}

/** `condition (type)` of an error stanza, and its text. */
export function errorOf(stanza: Element): {
  condition: string
  type: string
  text?: string
  by?: string
  uri?: string
} {
  const error = stanza.getChild('error')
  if (!error) throw new Error(`not an error: ${stanza.toString()}`)
  const NS = 'urn:ietf:params:xml:ns:xmpp-stanzas'
  const condition = error.getChildElements().find((c) => c.attrs.xmlns === NS && c.name !== 'text')
  const text = error.getChildText('text', NS)
  return {
    condition: condition?.name ?? '?',
    type: error.attrs.type ?? '?',
    ...(text !== null ? { text } : {}),
    ...(error.attrs.by ? { by: error.attrs.by } : {}),
    ...(condition?.text() ? { uri: condition.text() } : {}),
  }
}
