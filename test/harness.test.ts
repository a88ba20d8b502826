import {
  collect,
  connectClient,
  connectComponent,
  errorsOf,
  expectNoStanza,
  nextStanza,
  request,
  stopAll,
  xml,
} from '@xmpp-errors/throwaway-clients'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { componentOf, userOf } from './src/suite.js'

const server = inject('prosody')
const NS = 'urn:example:harness'

afterAll(stopAll)

describe('harness', () => {
  it('provides a running server with users and components', () => {
    expect(server.kind).toBe('prosody')
    expect(server.users.length).toBeGreaterThanOrEqual(8)
    expect(server.users[0]).toEqual({ username: 'u1', password: 'p', jid: 'u1@localhost' })
    expect(server.components).toContain('c1.localhost')
    expect(server.components).toHaveLength(32)
  })

  it('routes an iq get from a client to a component and the result back', async () => {
    const u1 = userOf(server, 'u1')
    const domain = componentOf(server, 'c1')

    const component = await connectComponent(server, domain, (c) => {
      c.iqCallee.get(NS, 'query', (ctx) =>
        xml('query', { xmlns: NS }, `hello ${ctx.from?.bare().toString()}`),
      )
    })
    const client = await connectClient(server, u1, { resource: 'harness' })
    expect(client.jid?.toString()).toBe(`${u1.jid}/harness`)

    const reply = await request(
      client,
      xml('iq', { type: 'get', to: domain }, xml('query', { xmlns: NS })),
    )
    expect(reply.attrs.type).toBe('result')
    expect(reply.attrs.from).toBe(domain)
    expect(reply.getChildText('query', NS)).toBe(`hello ${u1.jid}`)

    // An unhandled query comes back as an error reply, which request() hands over as is.
    const error = await request(
      client,
      xml('iq', { type: 'get', to: domain }, xml('other', { xmlns: NS })),
    )
    expect(error.attrs.type).toBe('error')
    expect(error.getChild('error')?.getChild('service-unavailable')).toBeDefined()

    expect(errorsOf(client)).toEqual([])
    expect(errorsOf(component)).toEqual([])
  })

  it('awaits and rules out incoming stanzas', async () => {
    const alice = await connectClient(server, userOf(server, 'u2'))
    const bob = await connectClient(server, userOf(server, 'u3'))
    const to = bob.jid?.toString() ?? ''

    const seen = collect(bob, (s) => s.name === 'message')
    const next = nextStanza(bob, (s) => s.name === 'message' && s.getChildText('body') === 'two')
    await alice.send(xml('message', { to, type: 'chat' }, xml('body', {}, 'one')))
    await alice.send(xml('message', { to, type: 'chat' }, xml('body', {}, 'two')))
    expect((await next).attrs.from).toBe(alice.jid?.toString())

    await expectNoStanza(bob, (s) => s.name === 'message', 200)
    expect(seen.stop().map((s) => s.getChildText('body'))).toEqual(['one', 'two'])

    await expect(nextStanza(bob, () => true, 50)).rejects.toThrow(/no matching stanza/)
  })
})
