// What a peer can do to errors() through Prosody with its own error replies and its own
// addresses: error replies xmpp.js cannot read, error replies made to fill the log, and a
// flood from addresses it picks. This file uses components c26 to c31 and user u30.
import { NS_STANZAS } from '@xmpp-errors/conditions'
import {
  type ErrorRecord,
  type ErrorsOptions,
  errors,
  guard,
  MAX_RECORD_LINE,
  StanzaError,
} from '@xmpp-errors/middleware'
import {
  type Client,
  type Component,
  collect,
  connectClient,
  connectComponent,
  type Element,
  request,
  stopAll,
  xml,
} from '@xmpp-errors/throwaway-clients'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { logLines, longest } from './src/log-lines.js'
import { componentOf, present, until, userOf } from './src/suite.js'

const server = inject('prosody')
const NS = 'urn:example:peer-errors'

afterAll(stopAll)

const conditionOf = (reply: Element) => reply.getChild('error')?.getChildElements()[0]?.name

describe("error replies to the component's own requests, through Prosody", () => {
  const hiding = componentOf(server, 'c28')
  const relaying = componentOf(server, 'c29')
  const peer = componentOf(server, 'c30')
  const huge = 'h'.repeat(200_000)

  /** The `<error/>` (or nothing) the peer answers with, by the request's `ask`. */
  const answers: Record<string, () => Element | undefined> = {
    'code-404': () => xml('error', { code: '404' }, 'Not Found'),
    'code-503': () => xml('error', { code: '503', type: 'cancel' }),
    'no-error': () => undefined,
    'empty-error': () => xml('error', { type: 'cancel' }),
    'huge-text': () =>
      xml(
        'error',
        { type: 'cancel' },
        xml('item-not-found', { xmlns: NS_STANZAS }),
        xml('text', { xmlns: NS_STANZAS }, huge),
      ),
    'huge-condition': () =>
      xml('error', { type: 'cancel' }, xml(`c${'c'.repeat(100_000)}`, { xmlns: NS_STANZAS })),
    'huge-code': () => xml('error', { code: '4'.repeat(100_000) }, huge),
  }

  let client: Client
  const log = logLines()
  const records: ErrorRecord[] = []

  /** A component whose route asks the peer (`to`, any resource of it) and lets a failure through. */
  function asker(domain: string, options: ErrorsOptions) {
    return connectComponent(server, domain, (c) => {
      c.middleware.use(errors({ logger: log.logger, onError: (r) => records.push(r), ...options }))
      c.iqCallee.get(NS, 'query', async ({ element }) => {
        const to = element.attrs.to as string
        // Longer than the client waits below: an answer must come from the reply, not a timeout.
        await c.iqCaller.request(
          xml('iq', { type: 'get', to }, xml('query', { xmlns: NS, ask: element.attrs.ask })),
          20_000,
        )
        return xml('query', { xmlns: NS })
      })
    })
  }

  beforeAll(async () => {
    client = await connectClient(server, userOf(server, 'u30'), { resource: 'peer-errors' })
    await connectComponent(server, peer, (c: Component) => {
      // No errors() here: this peer writes its error replies raw, as an old server would.
      c.middleware.use((ctx) => {
        const ask = ctx.stanza.getChild('query', NS)?.attrs.ask as string
        const { id, from, to } = ctx.stanza.attrs
        c.send(
          xml('iq', { type: 'error', id, from: to, to: from }, ...present(answers[ask]?.())),
        ).catch(() => {})
        // Never settles: xmpp.js's IQ handler would otherwise answer a second time.
        return new Promise(() => {})
      })
    })
    await asker(hiding, {})
    await asker(relaying, { upstream: 'relay' })
  })

  async function ask(domain: string, what: string, resource = 'r'): Promise<Element> {
    return request(
      client,
      xml(
        'iq',
        { type: 'get', to: domain },
        xml('query', { xmlns: NS, to: `${peer}/${resource}`, ask: what }),
      ),
      3_000,
    )
  }

  /** The record of the reply to `reply`'s request, once written. */
  async function recordOf(reply: Element): Promise<ErrorRecord> {
    const mine = () => records.find((r) => r.stanza.id === reply.attrs.id && r.action === 'reply')
    await until('the record', () => mine() !== undefined)
    return mine() as ErrorRecord
  }

  it.each([
    [
      'code-404',
      'item-not-found',
      'cancel',
      { condition: 'item-not-found', code: '404', text: 'Not Found' },
    ],
    [
      'code-503',
      'service-unavailable',
      'cancel',
      { condition: 'service-unavailable', code: '503' },
    ],
    ['no-error', 'undefined-condition', 'cancel', { condition: undefined, code: undefined }],
    ['empty-error', 'undefined-condition', 'cancel', { condition: undefined, type: 'cancel' }],
  ])(
    '%s is answered at once: relay sends %s (%s), hide internal-server-error',
    async (what, condition, type, upstream) => {
      const relayed = await ask(relaying, what)
      expect(conditionOf(relayed)).toBe(condition)
      expect(relayed.getChild('error')?.attrs.type).toBe(type)
      expect((await recordOf(relayed)).upstream).toMatchObject({ from: `${peer}/r`, ...upstream })

      const hidden = await ask(hiding, what)
      expect(conditionOf(hidden)).toBe('internal-server-error')
      expect(hidden.toString()).not.toMatch(/Not Found/)
      const record = await recordOf(hidden)
      expect(record.upstream).toMatchObject({ from: `${peer}/r`, ...upstream })
      expect(record.msg).toMatch(/^upstream request failed \(/)
    },
  )

  it("answers a guarded component's request made before any stanza reached it", async () => {
    // No errors(), and no stanza in: only guard() can have taught iqCaller to read the reply.
    const c = await connectComponent(server, componentOf(server, 'c31'), (c) => {
      guard(c, { logger: log.logger })
    })
    const started = Date.now()
    const failure = await c.iqCaller
      .request(
        xml(
          'iq',
          { type: 'get', to: `${peer}/early` },
          xml('query', { xmlns: NS, ask: 'code-404' }),
        ),
        20_000,
      )
      .then(
        () => undefined,
        (error: unknown) => error as { condition?: string; text?: string },
      )
    const elapsed = Date.now() - started
    // The XEP-0086 table's row for 404, read from the reply, well before the 20 s timeout.
    expect(failure).toMatchObject({ condition: 'item-not-found', text: 'Not Found' })
    expect(elapsed).toBeLessThan(5_000)
  })

  it('keeps every log line within MAX_RECORD_LINE, whatever the peer put in its reply', async () => {
    const resource = 'r'.repeat(1_000)
    for (const what of ['huge-text', 'huge-condition', 'huge-code']) {
      for (const domain of [hiding, relaying]) {
        const before = log.lines.length
        const reply = await ask(domain, what, resource)
        expect(reply.attrs.type).toBe('error')
        const record = await recordOf(reply)
        expect(log.lines.length).toBeGreaterThan(before)
        const written = log.lines.slice(before)
        expect(longest(written), `${what} to ${domain}`).toBeLessThanOrEqual(MAX_RECORD_LINE)
        expect(record.upstream?.from).toMatch(/…\[cut \d+ chars\]$/)
        // Nothing near a copy of the peer's 200,000 characters, in any form.
        expect(written.join('')).not.toMatch(/h{2000}|c{2000}|4{2000}/)
      }
    }
    console.log(
      `peer-errors: longest log line ${longest(log.lines)} bytes (bound ${MAX_RECORD_LINE})`,
    )
  })
})

describe('the rate limit, against a peer that picks its own addresses', () => {
  const limited = componentOf(server, 'c26')
  const attacker = componentOf(server, 'c27')

  it('after maxSenders distinct senders, a new sender gets max replies and one warning', async () => {
    const maxSenders = 500
    await connectComponent(server, limited, (c) => {
      c.middleware.use(
        errors({ logger: logLines().logger, rateLimit: { max: 2, windowMs: 60_000, maxSenders } }),
      )
      c.iqCallee.get(NS, 'query', () => {
        throw new StanzaError('item-not-found')
      })
    })
    const peer = await connectComponent(server, attacker)
    const replies = collect(peer, (s) => s.attrs.type === 'error')
    const send = (from: string, id: string) =>
      peer.send(xml('iq', { type: 'get', id, from, to: limited }, xml('query', { xmlns: NS })))
    // A federated domain names its own localparts: one IQ from each of maxSenders of them fills
    // the table of the window.
    for (let i = 0; i < maxSenders; i++) await send(`s${i}@${attacker}`, `fill-${i}`)
    for (let i = 0; i < 100; i++) await send(`newcomer@${attacker}`, `new-${i}`)
    // The senders past the table share one count: a second newcomer finds it spent.
    for (let i = 0; i < 10; i++) await send(`second@${attacker}`, `second-${i}`)
    await until('the warning', () => replies.stanzas.some((s) => s.attrs.id === 'new-2'), 10_000)
    // A quiet spell, in which no further reply may come.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const to = (localpart: string) =>
      replies
        .stop()
        .filter((s) => s.attrs.to === `${localpart}@${attacker}`)
        .map(conditionOf)
    expect(to('newcomer')).toEqual(['item-not-found', 'item-not-found', 'policy-violation'])
    expect(to('second')).toEqual([])
    expect(replies.stanzas.filter((s) => s.attrs.id?.startsWith('fill-'))).toHaveLength(maxSenders)
  })
})
