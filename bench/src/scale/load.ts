import type { Client } from '@xmpp/client'
import { xml } from '@xmpp/client'
import type { Element } from '@xmpp/xml'
import {
  FAIL_ATTRIBUTE,
  type Failure,
  failureOf,
  failures,
  NS_SCALE,
  SERVED_BY_ATTRIBUTE,
} from './protocol.js'

const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'

/** What came back for one request. */
export interface Reply {
  type: string
  /** The error's defined condition, for an error reply. */
  condition?: string
  /** The component process that answered, for a result. */
  servedBy?: string
}

export interface Request {
  id: string
  /** Which client sent it (its index). */
  client: number
  fail: Failure | undefined
  /** Every reply to it: exactly one is right, none is a loss, two are a duplicate. */
  replies: Reply[]
  /** No reply came within the timeout (one that came later is still in `replies`). */
  timedOut: boolean
}

export interface LoadOptions {
  domain: string
  /** Requests outstanding per client at any time. */
  window: number
  /** Stop sending after this many requests in all (or after `durationMs`). */
  total?: number
  durationMs?: number
  /** Which failure the n-th request asks for (default `failureOf`: three of five fail). */
  failure?: (n: number) => Failure | undefined
  /** Numbers the requests from here, so that runs on the same clients never share an id. */
  first?: number
  /**
   * A request unanswered after this long (default 10 s) is counted lost and frees its place in the
   * window; a reply that comes later is still recorded.
   */
  timeoutMs?: number
  /** Called after each reply with the number answered so far, and the number outstanding. */
  onReply?: (answered: number, outstanding: number) => void
}

export interface LoadResult {
  requests: Request[]
  /** From the first send to the last reply, in milliseconds. */
  elapsedMs: number
}

function readReply(stanza: Element): Reply {
  const type = String(stanza.attrs.type)
  if (type === 'error') {
    const error = stanza.getChild('error')
    const condition = error?.children.find(
      (c): c is Element =>
        typeof c !== 'string' && c.attrs.xmlns === NS_STANZAS && c.name !== 'text',
    )?.name
    return condition === undefined ? { type } : { type, condition }
  }
  const servedBy = stanza.getChild('query', NS_SCALE)?.attrs[SERVED_BY_ATTRIBUTE]
  return typeof servedBy === 'string' ? { type, servedBy } : { type }
}

/**
 * Keeps `window` requests outstanding on each client until `total` have been sent (or
 * `durationMs` has passed), then waits for the replies still due.
 */
export async function runLoad(clients: Client[], o: LoadOptions): Promise<LoadResult> {
  const requests = new Map<string, Request>()
  let next = o.first ?? 0
  const last = o.total === undefined ? Number.POSITIVE_INFINITY : next + o.total
  const started = performance.now()
  const deadline = o.durationMs === undefined ? Number.POSITIVE_INFINITY : started + o.durationMs
  let answered = 0
  let outstanding = 0
  let lastReplyAt = started
  const timeoutMs = o.timeoutMs ?? 10_000
  const timers = new Set<NodeJS.Timeout>()
  let settle: () => void = () => {}
  const done = new Promise<void>((resolve) => {
    settle = resolve
  })
  const sending = () => next < last && performance.now() < deadline

  function send(client: Client, index: number): void {
    if (!sending()) {
      if (outstanding === 0) settle()
      return
    }
    const n = next++
    const id = `s${n}`
    const fail = (o.failure ?? failureOf)(n)
    const request: Request = { id, client: index, fail, replies: [], timedOut: false }
    requests.set(id, request)
    outstanding += 1
    const timer = setTimeout(() => {
      timers.delete(timer)
      if (request.replies.length > 0) return
      request.timedOut = true
      outstanding -= 1
      send(client, index)
    }, timeoutMs)
    timers.add(timer)
    const query = xml('query', { xmlns: NS_SCALE, ...(fail && { [FAIL_ATTRIBUTE]: fail }) })
    client.send(xml('iq', { type: 'get', id, to: o.domain }, query)).catch(() => {})
  }

  const listeners = clients.map((client, index) => {
    const onStanza = (stanza: Element) => {
      if (stanza.name !== 'iq') return
      const request = requests.get(String(stanza.attrs.id))
      if (request === undefined || request.client !== index) return
      request.replies.push(readReply(stanza))
      // A duplicate, or a reply after the timeout, is recorded; its place was freed already.
      if (request.replies.length > 1 || request.timedOut) return
      lastReplyAt = performance.now()
      answered += 1
      outstanding -= 1
      o.onReply?.(answered, outstanding)
      send(client, index)
    }
    client.on('stanza', onStanza)
    return () => client.off('stanza', onStanza)
  })

  for (const [index, client] of clients.entries()) {
    for (let i = 0; i < o.window; i++) send(client, index)
  }
  await done
  // Late duplicates would arrive within this.
  await new Promise((resolve) => setTimeout(resolve, 100))
  for (const timer of timers) clearTimeout(timer)
  for (const off of listeners) off()
  return { requests: [...requests.values()], elapsedMs: lastReplyAt - started }
}

/** The condition a request's error reply must carry, or undefined if it must be a result. */
export function expectedCondition(request: Request): string | undefined {
  return request.fail === undefined ? undefined : failures[request.fail]
}
