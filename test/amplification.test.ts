// A hostile sender must not be able to make the component send more than it receives: echoed
// payloads are capped (and off for message bodies), error text is capped, and the optional
// per-sender rate limit answers policy-violation once, then drops. Measured in process, then in
// bytes through Prosody.

import { type Component, xml } from '@xmpp/component'
import type { Element } from '@xmpp/xml'
import { NS_STANZAS } from '@xmpp-errors/conditions'
import { MAX_TEXT_LENGTH } from '@xmpp-errors/errors'
import {
  type ErrorsOptions,
  errors,
  type Logger,
  type RateLimitCounts,
  StanzaError,
} from '@xmpp-errors/middleware'
import { testComponent } from '@xmpp-errors/testing'
import { collect, connectClient, connectComponent, stopAll } from '@xmpp-errors/throwaway-clients'
import { afterEach, describe, expect, inject, it } from 'vitest'

const server = inject('prosody')
const NS = 'urn:xmpp-errors:amplification'
const C12 = 'c12.localhost'
const quiet: Logger = { debug() {}, warn() {}, error() {} }

afterEach(stopAll)

/** A component whose every route throws `make()`: an IQ route and a catch-all for the rest. */
function throwing(make: () => unknown, options: ErrorsOptions = {}) {
  let limit: RateLimitCounts | undefined
  const setup = (c: Component) => {
    const middleware = errors({ logger: quiet, ...options })
    limit = middleware.rateLimit
    c.middleware.use(middleware)
    c.iqCallee.get(NS, 'q', () => {
      throw make()
    })
    c.middleware.use(() => {
      throw make()
    })
  }
  return { setup, limit: () => limit }
}

const iq = (id: string, from: string, payload: string) =>
  xml('iq', { type: 'get', id, from, to: C12 }, xml('q', { xmlns: NS }, payload))

describe('in process', () => {
  it('echoes an IQ payload up to echo.maxLength and empties it beyond', async () => {
    const t = throwing(() => new StanzaError('item-not-found'), { echo: { maxLength: 100 } })
    const h = await testComponent(t.setup, { domain: C12 })
    const shell = `<q xmlns="${NS}"/>`.length
    // The cap counts the serialized payload element.
    const under = 'x'.repeat(100 - `<q xmlns="${NS}"></q>`.length)
    h.feed(iq('under', 'u10@localhost/a', under))
    h.feed(iq('over', 'u10@localhost/a', `${under}x`))
    await h.settle()
    const [echoed, emptied] = h.written
    expect(echoed).toContain(`<q xmlns="${NS}">${under}</q>`)
    expect(emptied).toContain(`<q xmlns="${NS}"/>`)
    expect(emptied).not.toContain(under)
    expect(shell).toBeLessThan(100)
  })

  it('does not echo message bodies or presence children by default', async () => {
    const t = throwing(() => new StanzaError('not-acceptable'))
    const h = await testComponent(t.setup, { domain: C12 })
    const body = 'b'.repeat(1000)
    h.feed(xml('message', { id: 'm', from: 'u10@localhost/a', to: C12 }, xml('body', {}, body)))
    h.feed(xml('presence', { id: 'p', from: 'u10@localhost/a', to: C12 }, xml('status', {}, body)))
    await h.settle()
    expect(h.written).toHaveLength(2)
    for (const s of h.written) expect(s).not.toContain(body)
    expect(h.written[0]).toBe(
      `<message type="error" from="${C12}" to="u10@localhost/a" id="m"><error type="modify" by="${C12}">` +
        `<not-acceptable xmlns="${NS_STANZAS}"/></error></message>`,
    )

    const on = await testComponent(
      throwing(() => new StanzaError('not-acceptable'), { echo: { message: true } }).setup,
      { domain: C12 },
    )
    on.feed(xml('message', { id: 'm', from: 'u10@localhost/a', to: C12 }, xml('body', {}, body)))
    await on.settle()
    expect(on.written[0]).toContain(`<body>${body}</body>`)
  })

  it(`caps error text at MAX_TEXT_LENGTH (${MAX_TEXT_LENGTH}), even when it is built from 1 MB of input`, async () => {
    const input = 'i'.repeat(1 << 20)
    const t = throwing(() => new StanzaError('bad-request', { text: `unknown key ${input}` }))
    const h = await testComponent(t.setup, { domain: C12 })
    h.feed(iq('t', 'u10@localhost/a', 'k'))
    await h.settle()
    const [reply] = h.written
    const text = /<text [^>]*>([^<]*)<\/text>/.exec(reply ?? '')?.[1] ?? ''
    expect(text).toHaveLength(MAX_TEXT_LENGTH)
    expect(text.endsWith('…')).toBe(true)
    expect(reply?.length).toBeLessThan(MAX_TEXT_LENGTH + 400)
  })

  it('rate limit: past max a sender gets policy-violation (wait) once, then nothing, counted', async () => {
    const t = throwing(() => new StanzaError('item-not-found'), {
      rateLimit: { max: 5, windowMs: 60_000 },
    })
    const h = await testComponent(t.setup, { domain: C12 })
    // One bare JID across resources, IQs and messages alike.
    for (let i = 0; i < 20; i++) {
      h.feed(
        i % 2 === 0
          ? iq(`h${i}`, `u10@localhost/r${i % 3}`, '')
          : xml('message', { id: `h${i}`, from: `u10@localhost/r${i % 3}`, to: C12 }),
      )
    }
    h.feed(iq('bystander', 'u12@localhost/r', ''))
    await h.settle()
    const conditions = h.written.map((s) => /<error type="(\w+)"[^>]*><([\w-]+)/.exec(s)?.slice(1))
    expect(conditions).toEqual([
      ...Array(5).fill(['cancel', 'item-not-found']),
      ['wait', 'policy-violation'],
      ['cancel', 'item-not-found'],
    ])
    expect(h.written[5]).toContain('too many errors; wait before sending more')
    expect(h.written[6]).toContain('id="bystander"')
    expect(t.limit()?.dropped).toBe(14)
  })

  it('rate limit: the window rolls over, and rateLimit: true is 20 per 10 s', async () => {
    const t = throwing(() => new StanzaError('item-not-found'), {
      rateLimit: { max: 1, windowMs: 50 },
    })
    const h = await testComponent(t.setup, { domain: C12 })
    for (const id of ['a', 'b', 'c']) h.feed(iq(id, 'u10@localhost/r', ''))
    await h.settle()
    expect(h.written).toHaveLength(2)
    await new Promise((resolve) => setTimeout(resolve, 60))
    h.feed(iq('d', 'u10@localhost/r', ''))
    await h.settle()
    expect(h.written).toHaveLength(3)
    expect(h.written[2]).toContain('<item-not-found')

    const d = throwing(() => new StanzaError('item-not-found'), { rateLimit: true })
    await testComponent(d.setup, { domain: C12 })
    expect(d.limit()?.options).toEqual({ max: 20, windowMs: 10_000, maxSenders: 10_000 })
  })

  it('rate limit: memory stays bounded by maxSenders however many senders there are', async () => {
    const t = throwing(() => new StanzaError('item-not-found'), {
      rateLimit: { max: 1, windowMs: 60_000, maxSenders: 100 },
    })
    const h = await testComponent(t.setup, { domain: C12 })
    for (let i = 0; i < 10_000; i++) h.feed(iq(`s${i}`, `s${i}@localhost/r`, ''))
    await h.settle()
    expect(t.limit()?.senders).toBe(100)
    // Senders beyond the bound share one count: one reply and one warning among them all.
    expect(h.written).toHaveLength(100 + 2)
  })
})

// ---- bytes through Prosody ------------------------------------------------------------------

interface Flow {
  name: string
  stanzas: number
  /** Bytes the hostile client wrote; bytes the component read and wrote for them. */
  clientOut: number
  componentIn: number
  componentOut: number
  replies: number
  /** The condition of the first error reply the client got. */
  condition: string | undefined
}

const bytes = (s: unknown) => Buffer.byteLength(String(s))

/**
 * Runs one hostile flow: a fresh component with `options` (its routes throw `make()`), then `n`
 * stanzas from u10. Counts bytes on both of the component's directions.
 */
async function flow(
  name: string,
  n: number,
  make: () => unknown,
  stanza: (i: number) => string,
  options: ErrorsOptions = {},
  expectedReplies = n,
): Promise<Flow> {
  const t = throwing(make, options)
  let componentIn = 0
  let componentOut = 0
  let counting = false
  const component = await connectComponent(server, C12, (c) => {
    t.setup(c)
    c.on('input', (s: unknown) => {
      if (counting) componentIn += bytes(s)
    })
    c.on('output', (s: unknown) => {
      if (counting) componentOut += bytes(s)
    })
  })
  const hostile = await connectClient(
    server,
    server.users.find((u) => u.username === 'u10') ?? {
      username: 'u10',
      password: 'p',
      jid: 'u10@localhost',
    },
    {
      resource: 'hostile',
    },
  )
  const replies = collect(hostile, (s: Element) => s.attrs.id?.startsWith(`${name}-`) === true)
  counting = true
  let clientOut = 0
  const data = Array.from({ length: n }, (_, i) => stanza(i).replace('$ID', `${name}-${i}`))
  for (const s of data) {
    clientOut += bytes(s)
    await hostile.write(s)
  }
  // Every expected reply, then a quiet spell in which no further one may come.
  const deadline = Date.now() + 10_000
  while (replies.stanzas.length < expectedReplies && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  await new Promise((resolve) => setTimeout(resolve, 300))
  counting = false
  const got = replies.stop()
  const result = {
    name,
    stanzas: n,
    clientOut,
    componentIn,
    componentOut,
    replies: got.length,
    condition: got[0]?.getChild('error')?.getChildElements()[0]?.name,
  }
  console.log(
    `amplification ${name}: ${n} stanzas, client wrote ${clientOut} B, component read ` +
      `${componentIn} B and wrote ${componentOut} B (out/in ${
        componentIn ? (componentOut / componentIn).toFixed(2) : '-'
      }), ${got.length} replies (${result.condition})`,
  )
  await component.stop()
  await hostile.stop()
  return result
}

describe('through Prosody: bytes in and out for a hostile sender', () => {
  const flows: Flow[] = []

  const N = 200
  /**
   * What an error reply may add to the request it answers: swapped addresses and an <error/>
   * with a condition (plus the text a handler chooses to expose, capped at MAX_TEXT_LENGTH).
   */
  const PER_REPLY = 256
  const big = 'x'.repeat(10_000)
  const echoable = 'e'.repeat(3_000)

  it('IQs with 10 KB payloads: not echoed, out is a fraction of in', async () => {
    const f = await flow(
      'iq-big',
      N,
      () => new StanzaError('item-not-found'),
      () => `<iq type='get' id='$ID' to='${C12}'><q xmlns='${NS}'>${big}</q></iq>`,
    )
    flows.push(f)
    expect(f.replies).toBe(N)
    expect(f.componentOut).toBeLessThan(f.componentIn / 10)
  })

  it('messages with 10 KB bodies: bodies are never echoed', async () => {
    const f = await flow(
      'msg-big',
      N,
      () => new Error('handler failed'),
      () => `<message id='$ID' to='${C12}'><body>${big}</body></message>`,
    )
    flows.push(f)
    expect(f.replies).toBe(N)
    expect(f.componentOut).toBeLessThan(f.componentIn / 10)
  })

  it('IQs with 3 KB payloads (under the echo cap): out is in plus a bounded <error/>', async () => {
    const f = await flow(
      'iq-echoed',
      N,
      () => new StanzaError('item-not-found'),
      () => `<iq type='get' id='$ID' to='${C12}'><q xmlns='${NS}'>${echoable}</q></iq>`,
    )
    flows.push(f)
    expect(f.replies).toBe(N)
    expect(f.componentOut).toBeLessThanOrEqual(f.componentIn + PER_REPLY * N)
    expect(f.componentOut / f.componentIn).toBeLessThan(1.1)
  })

  it('the smallest IQs: the worst ratio, still an additive constant per stanza', async () => {
    const f = await flow(
      'iq-tiny',
      N,
      () => new Error('handler failed'),
      () => `<iq type='get' id='$ID' to='${C12}'><q xmlns='${NS}'/></iq>`,
    )
    flows.push(f)
    expect(f.replies).toBe(N)
    expect(f.componentOut).toBeLessThanOrEqual(f.componentIn + PER_REPLY * N)
  })

  it('the smallest messages without a rate limit: the worst ratio of all', async () => {
    const f = await flow(
      'msg-tiny',
      N,
      () => new StanzaError('not-acceptable', { text: 'no' }),
      () => `<message id='$ID' to='${C12}'/>`,
    )
    flows.push(f)
    expect(f.replies).toBe(N)
    expect(f.componentOut).toBeLessThanOrEqual(f.componentIn + PER_REPLY * N)
  })

  it('the smallest messages with rateLimit on: out ≤ in', async () => {
    const max = 20
    const f = await flow(
      'msg-tiny-limited',
      N,
      () => new StanzaError('not-acceptable', { text: 'no' }),
      () => `<message id='$ID' to='${C12}'/>`,
      { rateLimit: { max, windowMs: 60_000 } },
      max + 1,
    )
    flows.push(f)
    expect(f.replies).toBe(max + 1)
    expect(f.componentOut).toBeLessThanOrEqual(f.componentIn)
  })

  it('IQs xmpp.js refuses before any middleware (two children): who answers, and how much', async () => {
    const f = await flow(
      'iq-two-children',
      20,
      () => new StanzaError('item-not-found'),
      () =>
        `<iq type='get' id='$ID' to='${C12}'><q xmlns='${NS}'>${big}</q><q xmlns='${NS}'>${big}</q></iq>`,
    )
    flows.push(f)
    expect(f.replies).toBe(20)
    // Prosody answers bad-request itself: nothing reaches the component.
    expect(f.condition).toBe('bad-request')
    expect(f.componentIn).toBe(0)
    expect(f.componentOut).toBe(0)
  })

  it('IQs of an unknown type with 10 KB payloads: Prosody refuses them too', async () => {
    const f = await flow(
      'iq-bogus-type',
      20,
      () => new StanzaError('item-not-found'),
      () => `<iq type='bogus' id='$ID' to='${C12}'><q xmlns='${NS}'>${big}</q></iq>`,
    )
    flows.push(f)
    // xmpp.js's IQ handler would echo the whole payload in its own bad-request (uncapped; see
    // adversarial.test.ts), but Prosody answers these before they reach the component.
    expect(f.replies).toBe(20)
    expect(f.condition).toBe('bad-request')
    expect(f.componentIn).toBe(0)
    expect(f.componentOut).toBe(0)
  })

  it('over every hostile flow together, the component wrote less than it read', () => {
    const total = flows.reduce(
      (sum, f) => ({ in: sum.in + f.componentIn, out: sum.out + f.componentOut }),
      { in: 0, out: 0 },
    )
    console.log(`amplification total: in ${total.in} B, out ${total.out} B`)
    expect(total.out).toBeLessThan(total.in)
  })
})
