import type { EventEmitter } from 'node:events'
import {
  type AllowedType,
  type ErrorType,
  lookup,
  NS_STANZAS,
  type StanzaCondition,
  stanzaConditions,
} from '@xmpp-errors/conditions'
import { type ErrorRecord, errors, StanzaError } from '@xmpp-errors/middleware'
import { get, type RecordingLogger, recordingLogger } from '@xmpp-errors/testing'
import {
  type Client,
  type Component,
  collect,
  connectClient,
  connectComponent,
  type Element,
  errorsOf,
  expectNoStanza,
  request,
  stopAll,
  xml,
} from '@xmpp-errors/throwaway-clients'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { componentOf, fromDomain, servers, userOf } from './src/suite.js'

// Every stanza condition of RFC 6120 §8.3.3, thrown by a handler of a real @xmpp/component, must
// reach a real @xmpp/client through the server as exactly one error reply of the right shape.
// This file uses component c1 and user u1.

const NS = 'urn:example:stanza-conditions'
const APP_NS = 'urn:example:app'
const URI = 'xmpp:moved@c1.localhost'
/** No further reply may arrive for this long after the last expected one. */
const QUIET_MS = 300

afterAll(stopAll)

const textFor = (condition: string) => `why <${condition}> & more`

/**
 * The error a `<fail/>` payload asks for: condition, type (default when absent), `expose`
 * ('1' / '0' / absent for the condition's default) and an application condition when app='1'.
 */
function errorFor(payload: Element): StanzaError {
  const condition = payload.attrs.condition as StanzaCondition
  const { type, expose, app } = payload.attrs
  const uri = lookup('stanza', condition).characterData === 'xmpp-uri' ? URI : undefined
  return new StanzaError(condition, {
    text: textFor(condition),
    lang: 'en',
    ...(type !== undefined && { type: type as AllowedType<StanzaCondition> }),
    ...(expose !== undefined && { expose: expose === '1' }),
    ...(uri !== undefined && { uri }),
    ...(app === '1' && { application: xml('my-app-error', { xmlns: APP_NS }) }),
  })
}

/** The addresses at the component requests go to: its domain, a bare and a full JID under it. */
function addressesOf(domain: string): string[] {
  return [domain, `bot@${domain}`, `bot@${domain}/desk`]
}

interface Expected {
  condition: StanzaCondition
  type: ErrorType
  to: string
  text: string | undefined
  app?: boolean
}

describe.each(servers)('stanza conditions through $kind', (server) => {
  const u1 = userOf(server, 'u1')
  const domain = componentOf(server, 'c1')
  const logger: RecordingLogger = recordingLogger()
  const onErrorRecords: ErrorRecord[] = []
  let client: Client
  let component: Component

  beforeAll(async () => {
    component = await connectComponent(server, domain, (c) => {
      c.middleware.use(
        errors({
          logger,
          onError: (record) => {
            onErrorRecords.push(record)
          },
        }),
      )
      const fail = ({ element }: { element: Element }) => {
        throw errorFor(element)
      }
      c.iqCallee.get(NS, 'fail', fail)
      c.iqCallee.set(NS, 'fail', fail)
    })
    client = await connectClient(server, u1, { resource: 'stanza-conditions' })
    // request() listens once per iq in flight, and up to 22 go at once here.
    ;(client as unknown as EventEmitter).setMaxListeners(100)
  })

  /**
   * Sends all requests at once and checks that each gets exactly one reply, and no stanza from
   * the component arrives unasked; returns the replies in request order.
   */
  async function requestAll(
    iqType: 'get' | 'set',
    cases: Array<{ to: string; attrs: Record<string, string> }>,
  ): Promise<Element[]> {
    const seen = collect(client, fromDomain(domain))
    const iqs = cases.map(({ to, attrs }) =>
      xml('iq', { type: iqType, to }, xml('fail', { xmlns: NS, ...attrs })),
    )
    const replies = await Promise.all(iqs.map((iq) => request(client, iq)))
    await expectNoStanza(client, fromDomain(domain), QUIET_MS)
    const ids = iqs.map((iq) => iq.attrs.id)
    expect(seen.stop().map((s) => s.attrs.id)).toEqual(expect.arrayContaining(ids))
    expect(seen.stanzas).toHaveLength(ids.length)
    return replies
  }

  function expectErrorReply(reply: Element, id: string | undefined, expected: Expected): Element {
    const { condition } = expected
    expect(reply.name).toBe('iq')
    expect(reply.attrs.type).toBe('error')
    expect(reply.attrs.id).toBe(id)
    expect(reply.attrs.from).toBe(expected.to)
    expect(reply.attrs.to).toBe(client.jid?.toString())
    const errorElements = reply.getChildren('error')
    expect(errorElements).toHaveLength(1)
    const error = errorElements[0] as Element
    expect(error.attrs.type).toBe(expected.type)
    // `by` names the entity, not the instance the sender chose: no resource.
    expect(error.attrs.by).toBe(expected.to.split('/')[0])
    // One defined condition, in the stanzas namespace, plus <text/> when exposed.
    const defined = error.getChildElements().filter((e) => e.getNS() === NS_STANZAS)
    expect(defined.map((e) => e.name)).toEqual(
      expected.text === undefined ? [condition] : [condition, 'text'],
    )
    const conditionElement = error.getChild(condition, NS_STANZAS) as Element
    const uri = lookup('stanza', condition).characterData === 'xmpp-uri' ? URI : ''
    expect(conditionElement.text()).toBe(uri)
    const text = error.getChild('text', NS_STANZAS)
    if (expected.text === undefined) {
      expect(text).toBeUndefined()
      expect(reply.toString()).not.toContain('why ')
    } else {
      expect(text?.attrs['xml:lang']).toBe('en')
      expect(text?.text()).toBe(expected.text)
    }
    const app = error.getChild('my-app-error', APP_NS)
    if (expected.app) expect(app).toBeDefined()
    else expect(app).toBeUndefined()
    return error
  }

  function recordsOf(id: string | undefined): ErrorRecord[] {
    return logger.where((e) => get(e.object, 'stanza.id') === id).map((e) => e.object) as never
  }

  it.each(['get', 'set'] as const)(
    'answers all %s-thrown conditions once, as thrown',
    async (t) => {
      expect(stanzaConditions).toHaveLength(22)
      const addresses = addressesOf(domain)
      const cases = stanzaConditions.map((condition, i) => {
        const serverBlame = lookup('stanza', condition).blame === 'server'
        return {
          to: addresses[i % addresses.length] as string,
          // Server-blame text is hidden by default, so expose it here.
          attrs: { condition, ...(serverBlame && { expose: '1' }) },
        }
      })
      const replies = await requestAll(t, cases)

      replies.forEach((reply, i) => {
        const condition = stanzaConditions[i] as StanzaCondition
        const to = cases[i]?.to as string
        const entry = lookup('stanza', condition)
        expectErrorReply(reply, reply.attrs.id, {
          condition,
          type: entry.type,
          to,
          text: textFor(condition),
        })
        // The request's payload is echoed (echo.iq defaults to true).
        expect(reply.getChild('fail', NS)?.attrs.condition).toBe(condition)

        const records = recordsOf(reply.attrs.id)
        expect(records).toHaveLength(1)
        const record = records[0] as ErrorRecord
        expect(record.level).toBe(entry.blame === 'sender' ? 'warn' : 'error')
        expect(record.xmpp).toMatchObject({ kind: 'stanza', condition, type: entry.type })
        expect(record.stanza).toMatchObject({ name: 'iq', type: t, to })
        expect(record).toMatchObject({ action: 'reply', exposed: true, text: textFor(condition) })
        expect(onErrorRecords).toContain(record)
      })
      // Nothing went wrong on the component's side of the wire.
      expect(errorsOf(component)).toEqual([])
    },
  )

  it('keeps the text of server-blame conditions to itself unless exposed', async () => {
    const serverBlame = stanzaConditions.filter((c) => lookup('stanza', c).blame === 'server')
    expect(serverBlame.length).toBeGreaterThanOrEqual(4)
    const replies = await requestAll(
      'get',
      serverBlame.map((condition) => ({ to: domain, attrs: { condition } })),
    )
    replies.forEach((reply, i) => {
      const condition = serverBlame[i] as StanzaCondition
      expectErrorReply(reply, reply.attrs.id, {
        condition,
        type: lookup('stanza', condition).type,
        to: domain,
        text: undefined,
      })
      expect(reply.toString()).not.toContain(`<${condition}>`)
      expect(reply.toString()).not.toContain(`&lt;${condition}&gt;`)
      // The log still has it.
      const [record] = recordsOf(reply.attrs.id)
      expect(record).toMatchObject({ text: textFor(condition), exposed: false, level: 'error' })
    })
  })

  it('sends every non-default type RFC 6120 allows, as thrown', async () => {
    const cases = stanzaConditions.flatMap((condition) => {
      const entry = lookup('stanza', condition)
      return entry.types
        .filter((type) => type !== entry.type)
        .map((type) => ({ condition, type: type as ErrorType, expose: entry.blame === 'server' }))
    })
    expect(cases).toContainEqual({ condition: 'policy-violation', type: 'wait', expose: false })
    const replies = await requestAll(
      'set',
      cases.map(({ condition, type, expose }) => ({
        to: domain,
        attrs: { condition, type, ...(expose && { expose: '1' }) },
      })),
    )
    replies.forEach((reply, i) => {
      const { condition, type } = cases[i] as (typeof cases)[number]
      expectErrorReply(reply, reply.attrs.id, {
        condition,
        type,
        to: domain,
        text: textFor(condition),
      })
    })
  })

  it('carries an application-specific condition', async () => {
    const to = `bot@${domain}/desk`
    const [reply] = await requestAll('get', [
      { to, attrs: { condition: 'not-acceptable', app: '1' } },
    ])
    const error = expectErrorReply(reply as Element, reply?.attrs.id, {
      condition: 'not-acceptable',
      type: 'modify',
      to,
      text: textFor('not-acceptable'),
      app: true,
    })
    // RFC 6120 §8.3.2 order: condition, text, application condition.
    expect(error.getChildElements().map((e) => `${e.getNS()} ${e.name}`)).toEqual([
      `${NS_STANZAS} not-acceptable`,
      `${NS_STANZAS} text`,
      `${APP_NS} my-app-error`,
    ])
  })

  it('answers a request no route answers with one service-unavailable', async () => {
    // errors() answers it itself rather than leave it to xmpp.js's IQ handler, so that the echo
    // cap holds and it is recorded: still exactly one reply.
    const id = 'unrouted-1'
    const iq = xml('iq', { type: 'get', to: domain, id }, xml('unrouted', { xmlns: NS }))
    const seen = collect(client, fromDomain(domain))
    const reply = await request(client, iq)
    await expectNoStanza(client, fromDomain(domain), QUIET_MS)
    expect(seen.stop()).toEqual([reply])
    expect(reply.attrs).toMatchObject({ id, type: 'error' })
    expect(reply.getChild('error')?.getChild('service-unavailable', NS_STANZAS)).toBeDefined()
  })
})
