import { NS_STANZAS } from '@xmpp-errors/conditions'
import { type ErrorRecord, type ErrorsOptions, errors, StanzaError } from '@xmpp-errors/middleware'
import {
  type Client,
  type Component,
  connectClient,
  connectComponent,
  type Element,
  request,
  stopAll,
  xml,
} from '@xmpp-errors/throwaway-clients'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { componentOf, recorder, servers, until, userOf } from './src/suite.js'

// What a requester gets when a handler's own request to another entity fails and the handler
// does not catch it: the peer's error reply hidden (the default) or relayed, never its words.
// This file uses components c20, c19 and c21 and user u20.

const NS = 'urn:example:upstream'
const NS_APP = 'urn:example:upstream:app'
const PEER_TEXT = 'the peer says: /srv/peer is down'
const silent = recorder().logger

afterAll(stopAll)

describe.each(servers)('upstream error replies through $kind', (server) => {
  const u20 = userOf(server, 'u20')
  const hiding = componentOf(server, 'c19')
  const relaying = componentOf(server, 'c20')
  const peer = componentOf(server, 'c21')
  let client: Client

  /** What the peer answers with, by the payload's `ask` attribute. */
  const peerAnswers: Record<string, () => never> = {
    refuse: () => {
      throw new StanzaError('not-authorized', {
        text: PEER_TEXT,
        application: xml('secret', { xmlns: NS_APP }, 'detail'),
      })
    },
  }

  /** A component whose route asks `to` (the peer, or `absent`) and lets a failure through. */
  async function asker(domain: string, options: ErrorsOptions) {
    const records: ErrorRecord[] = []
    const component = await connectComponent(server, domain, (c) => {
      c.middleware.use(errors({ logger: silent, ...options, onError: (r) => records.push(r) }))
      c.iqCallee.get(NS, 'query', async ({ element }) => {
        const to = element.attrs.to as string
        const timeout = element.attrs.timeout ? Number(element.attrs.timeout) : undefined
        await c.iqCaller.request(
          xml('iq', { type: 'get', to }, xml('query', { xmlns: NS, ask: element.attrs.ask })),
          timeout,
        )
        return xml('query', { xmlns: NS })
      })
    })
    return { component, records }
  }

  let hide: { component: Component; records: ErrorRecord[] }
  let relay: { component: Component; records: ErrorRecord[] }

  beforeAll(async () => {
    client = await connectClient(server, u20, { resource: 'upstream' })
    await connectComponent(server, peer, (c) => {
      c.middleware.use(errors({ logger: silent }))
      c.middleware.use((ctx, next) => {
        const ask = ctx.stanza.getChild('query', NS)?.attrs.ask
        // 'silence' is never answered, so that the asker's request times out.
        if (ask === 'silence') return new Promise(() => {})
        if (ask !== undefined) peerAnswers[ask]?.()
        return next()
      })
    })
    hide = await asker(hiding, {})
    relay = await asker(relaying, { upstream: 'relay' })
  })

  function ask(domain: string, attrs: Record<string, string>): Promise<Element> {
    return request(
      client,
      xml('iq', { type: 'get', to: domain }, xml('query', { xmlns: NS, ...attrs })),
    )
  }

  function conditionOf(reply: Element): string | undefined {
    return reply.getChild('error')?.getChildElements()[0]?.name
  }

  /** Nothing of the peer's reply: no text, no application element, no words of it. */
  function expectNothingOfThePeer(reply: Element): void {
    const error = reply.getChild('error')
    expect(error?.getChild('text', NS_STANZAS)).toBeUndefined()
    expect(error?.getChildElements().length).toBe(1)
    expect(reply.toString()).not.toMatch(/srv|peer says|secret|Component|not-connected|prosody/i)
  }

  it('hides a peer error by default: internal-server-error, the peer in the record', async () => {
    const before = hide.records.length
    const reply = await ask(hiding, { to: peer, ask: 'refuse' })
    expect(reply.attrs.type).toBe('error')
    expect(conditionOf(reply)).toBe('internal-server-error')
    expectNothingOfThePeer(reply)
    await until('the record', () => hide.records.length > before)
    const [record] = hide.records.slice(before)
    expect(record).toMatchObject({
      level: 'error',
      action: 'reply',
      xmpp: { condition: 'internal-server-error' },
      upstream: { from: peer, condition: 'not-authorized', type: 'auth', text: PEER_TEXT },
    })
    expect(record?.msg).toMatch(
      /^upstream request failed \(not-authorized from c21\.\S+\) and was not caught → internal-server-error/,
    )
    expect(record?.msg).not.toMatch(/unhandled exception/)
  })

  it("hides the server's own error about an absent peer", async () => {
    const before = hide.records.length
    const absent = `absent.${peer}`
    const reply = await ask(hiding, { to: absent, ask: 'anything' })
    expect(conditionOf(reply)).toBe('internal-server-error')
    expectNothingOfThePeer(reply)
    await until('the record', () => hide.records.length > before)
    const upstream = hide.records.at(-1)?.upstream
    expect(upstream?.condition).toBeDefined()
    expect(upstream?.condition).not.toBe('internal-server-error')
  })

  it('relays the condition and type, and nothing else', async () => {
    const before = relay.records.length
    const reply = await ask(relaying, { to: peer, ask: 'refuse' })
    expect(conditionOf(reply)).toBe('not-authorized')
    expect(reply.getChild('error')?.attrs).toMatchObject({ type: 'auth', by: relaying })
    expectNothingOfThePeer(reply)
    await until('the record', () => relay.records.length > before)
    expect(relay.records.at(-1)).toMatchObject({
      action: 'reply',
      xmpp: { condition: 'not-authorized' },
      upstream: { from: peer, condition: 'not-authorized', text: PEER_TEXT },
    })
  })

  it('answers remote-server-timeout when the peer does not answer in time, in both modes', async () => {
    for (const domain of [hiding, relaying]) {
      const reply = await ask(domain, { to: peer, ask: 'silence', timeout: '300' })
      expect(conditionOf(reply)).toBe('remote-server-timeout')
    }
  })
})
