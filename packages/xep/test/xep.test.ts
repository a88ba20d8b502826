import parse from '@xmpp/xml/lib/parse.js'
import { isAllowedType, isErrorType, isStanzaCondition, NS_STANZAS } from '@xmpp-errors/conditions'
import { StanzaError } from '@xmpp-errors/errors'
import { describe, expect, it } from 'vitest'
import {
  blocking,
  commands,
  jingle,
  pubsub,
  read,
  upload,
  type XepName,
  xeps,
  xmppErrors,
} from '../src/index.js'

const exports = { pubsub, commands, upload, jingle, blocking, xmppErrors }
const PUBSUB_ERRORS = 'http://jabber.org/protocol/pubsub#errors'

/** What a peer receives: the element serialized and parsed again. */
function wire(error: StanzaError) {
  return parse(error.toElement().toString())
}

describe('the table', () => {
  it('pairs every condition with general conditions and types of RFC 6120, citing a section', () => {
    for (const xep of Object.values(xeps)) {
      for (const row of Object.values(xep.conditions)) {
        for (const pair of row.pairs) {
          expect(isStanzaCondition(pair.condition)).toBe(true)
          expect(isErrorType(pair.type)).toBe(true)
          expect(pair.section).toMatch(/^\d+(\.\d+)*$/)
        }
      }
    }
  })

  it('has XEP-0060 with every condition of its pubsub#errors schema (§18.2) and node-full (§7.1.3.4)', () => {
    expect(Object.keys(xeps.pubsub.conditions).sort()).toEqual(
      [
        'closed-node',
        'configuration-required',
        'invalid-jid',
        'invalid-options',
        'invalid-payload',
        'invalid-subid',
        'item-forbidden',
        'item-required',
        'jid-required',
        'max-items-exceeded',
        'max-nodes-exceeded',
        'node-full',
        'nodeid-required',
        'not-in-roster-group',
        'not-subscribed',
        'payload-required',
        'payload-too-big',
        'pending-subscription',
        'precondition-not-met',
        'presence-subscription-required',
        'subid-required',
        'too-many-subscriptions',
        'unsupported',
        'unsupported-access-model',
      ].sort(),
    )
  })

  it('has one export per namespace', () => {
    const namespaces = Object.values(exports).map((x) => x.namespace)
    expect(new Set(namespaces).size).toBe(namespaces.length)
    expect(jingle.namespace).toBe('urn:xmpp:jingle:errors:1')
    expect(xmppErrors.namespace).toBe('urn:xmpp:errors')
    expect(pubsub.namespace).toBe(PUBSUB_ERRORS)
  })
})

describe('.error()', () => {
  it('pubsub not-subscribed: unexpected-request (cancel), XEP-0060 §6.2.3.2', () => {
    const error = pubsub.error('not-subscribed')
    expect(error).toBeInstanceOf(StanzaError)
    expect([error.condition, error.type]).toEqual(['unexpected-request', 'cancel'])
    expect(error.toElement().toString()).toBe(
      `<error type="cancel"><unexpected-request xmlns="${NS_STANZAS}"/>` +
        `<not-subscribed xmlns="${PUBSUB_ERRORS}"/></error>`,
    )
  })

  it('pubsub unsupported: feature-not-implemented (cancel) with the feature attribute', () => {
    const error = pubsub.error('unsupported', { feature: 'retract-items' })
    expect([error.condition, error.type]).toEqual(['feature-not-implemented', 'cancel'])
    expect(error.application?.toString()).toBe(
      `<unsupported xmlns="${PUBSUB_ERRORS}" feature="retract-items"/>`,
    )
  })

  it('upload file-too-large: not-acceptable (modify) with <max-file-size/>', () => {
    const error = upload.error('file-too-large', { maxFileSize: 1000 })
    expect([error.condition, error.type]).toEqual(['not-acceptable', 'modify'])
    expect(error.application?.toString()).toBe(
      '<file-too-large xmlns="urn:xmpp:http:upload:0"><max-file-size>1000</max-file-size></file-too-large>',
    )
    expect(upload.error('file-too-large').application?.toString()).toBe(
      '<file-too-large xmlns="urn:xmpp:http:upload:0"/>',
    )
  })

  it('upload retry: resource-constraint (wait) with the stamp, from a Date or a UTC string', () => {
    const error = upload.error('retry', { stamp: new Date(Date.UTC(2017, 11, 3, 23, 42, 5)) })
    expect([error.condition, error.type]).toEqual(['resource-constraint', 'wait'])
    expect(error.application?.attrs.stamp).toBe('2017-12-03T23:42:05.000Z')
    expect(upload.error('retry', { stamp: '2017-12-03T23:42:05Z' }).application?.attrs.stamp).toBe(
      '2017-12-03T23:42:05Z',
    )
  })

  it('gives each pair of the other XEPs', () => {
    const pairs = (e: StanzaError) => [e.condition, e.type]
    expect(pairs(commands.error('session-expired'))).toEqual(['not-allowed', 'cancel'])
    expect(pairs(commands.error('bad-locale'))).toEqual(['bad-request', 'modify'])
    expect(pairs(jingle.error('unknown-session'))).toEqual(['item-not-found', 'cancel'])
    expect(pairs(jingle.error('tie-break'))).toEqual(['conflict', 'cancel'])
    expect(pairs(jingle.error('security-required'))).toEqual(['not-acceptable', 'cancel'])
    expect(pairs(blocking.error('blocked'))).toEqual(['not-acceptable', 'cancel'])
    expect(pairs(xmppErrors.error('stanza-too-big'))).toEqual(['not-allowed', 'modify'])
    expect(pairs(xmppErrors.error('resource-limit-exceeded'))).toEqual([
      'resource-constraint',
      'cancel',
    ])
  })

  it('takes another pair the XEP gives, and refuses one it does not', () => {
    const error = pubsub.error('not-subscribed', {
      general: { condition: 'not-authorized', type: 'auth' },
    })
    expect([error.condition, error.type]).toEqual(['not-authorized', 'auth'])
    expect(() =>
      // @ts-expect-error: XEP-0060 never pairs not-subscribed with bad-request
      pubsub.error('not-subscribed', { general: { condition: 'bad-request', type: 'modify' } }),
    ).toThrow(/does not pair <not-subscribed\/>.*§6\.2\.3\.2/)
  })

  it('keeps the error options: text, lang, by, cause, expose', () => {
    const cause = new Error('quota')
    const error = upload.error('retry', {
      stamp: '2030-01-01T00:00:00Z',
      text: 'quota reached',
      lang: 'en',
      by: 'upload.example',
      cause,
    })
    expect([error.text, error.lang, error.by, error.cause]).toEqual([
      'quota reached',
      'en',
      'upload.example',
      cause,
    ])
  })

  it('refuses bad input with a TypeError that says what is wrong', () => {
    const loose = pubsub as unknown as {
      error(c: unknown, o?: unknown): StanzaError
    }
    expect(() => loose.error('no-such')).toThrow(/XEP-0060: unknown condition "no-such"/)
    expect(() => loose.error('unsupported')).toThrow(/<unsupported\/> needs feature/)
    expect(() => loose.error('unsupported', { feature: 'teleport' })).toThrow(/one of access-/)
    expect(() => loose.error('toString')).toThrow(TypeError)
    expect(() => upload.error('retry', { stamp: '2017-12-03 23:42' })).toThrow(/UTC date-time/)
    expect(() => upload.error('retry', { stamp: new Date(Number.NaN) })).toThrow(TypeError)
    expect(() => upload.error('file-too-large', { maxFileSize: -1 })).toThrow(/non-negative/)
    expect(() => upload.error('file-too-large', { maxFileSize: 1.5 })).toThrow(TypeError)
  })
})

describe('read()', () => {
  it('reads a retry stamp only if upload.error would write it: one check of a stamp', () => {
    const stampOf = (stamp: string) =>
      read(
        parse(
          `<error type="wait"><resource-constraint xmlns="${NS_STANZAS}"/>` +
            `<retry xmlns="urn:xmpp:http:upload:0" stamp="${stamp}"/></error>`,
        ),
        'upload',
      )?.options
    const impossible = [
      '2026-13-45T99:99:99Z',
      '0000-00-00T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '2026-02-30T00:00:00Z',
      '2025-02-29T12:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T23:60:00Z',
      '2026-01-01T23:59:60Z',
    ]
    for (const stamp of impossible) {
      expect(stampOf(stamp), stamp).toEqual({})
      expect(() => upload.error('retry', { stamp }), stamp).toThrow(/UTC date-time/)
    }
    for (const stamp of [
      '2024-02-29T23:59:59Z',
      '0001-01-01T00:00:00Z',
      '2030-01-01T00:00:00.5Z',
    ]) {
      expect(stampOf(stamp), stamp).toEqual({ stamp })
      expect(upload.error('retry', { stamp }).application?.attrs.stamp).toBe(stamp)
    }
    // A Date whose ISO form has no XEP-0082 form (past year 9999) is refused, not written.
    expect(() => upload.error('retry', { stamp: new Date(Date.UTC(10_000, 0, 1)) })).toThrow(
      /UTC date-time/,
    )
  })

  it('reads back every condition of every XEP through XML', () => {
    for (const [name, xep] of Object.entries(exports)) {
      for (const condition of xep.conditions) {
        const options =
          condition === 'unsupported'
            ? { feature: 'publish' }
            : condition === 'retry'
              ? { stamp: '2030-01-01T00:00:00Z' }
              : {}
        const error = (xep.error as (c: string, o: object) => StanzaError)(condition, options)
        const parsed = read(StanzaError.fromElement(wire(error)))
        expect(parsed, `${name} ${condition}`).toMatchObject({
          name: name as XepName,
          condition,
          section: (
            xeps[name as XepName].conditions as Record<
              string,
              { pairs: readonly { section: string }[] }
            >
          )[condition]?.pairs[0]?.section,
        })
      }
    }
  })

  it('gives the options, typed, from the reply, the <error/> or the StanzaError', () => {
    const reply = parse(
      `<iq type="error" id="1"><error type="cancel"><feature-not-implemented xmlns="${NS_STANZAS}"/>` +
        `<unsupported xmlns="${PUBSUB_ERRORS}" feature="retract-items"/></error></iq>`,
    )
    const parsed = pubsub.read(reply)
    expect(parsed).toStrictEqual({
      name: 'pubsub',
      xep: 'XEP-0060',
      namespace: PUBSUB_ERRORS,
      condition: 'unsupported',
      options: { feature: 'retract-items' },
      section: '5.6',
    })
    expect(read(reply?.getChild('error'))).toEqual(parsed)
    expect(read(StanzaError.fromElement(reply))).toEqual(parsed)
    expect(upload.read(reply)).toBeUndefined()
    expect(read(wire(upload.error('file-too-large', { maxFileSize: 20000 })))?.options).toEqual({
      maxFileSize: 20000,
    })
  })

  it('says when the general condition and type are not a pair the XEP gives', () => {
    const error = parse(
      `<error type="wait"><internal-server-error xmlns="${NS_STANZAS}"/>` +
        `<not-subscribed xmlns="${PUBSUB_ERRORS}"/></error>`,
    )
    expect(read(error)).toMatchObject({ condition: 'not-subscribed', section: undefined })
    expect(
      read(
        wire(
          pubsub.error('not-subscribed', {
            general: { condition: 'unexpected-request', type: 'modify' },
          }),
        ),
      )?.section,
    ).toBe('6.3.4.2')
  })

  it('leaves out what a peer sent that the XEP does not allow, and never throws', () => {
    const bad = (app: string) =>
      read(
        parse(
          `<error type="cancel"><feature-not-implemented xmlns="${NS_STANZAS}"/>${app}</error>`,
        ),
      )
    expect(bad(`<unsupported xmlns="${PUBSUB_ERRORS}" feature="teleport"/>`)?.options).toEqual({})
    expect(
      bad(
        '<file-too-large xmlns="urn:xmpp:http:upload:0"><max-file-size>-1</max-file-size></file-too-large>',
      )?.options,
    ).toEqual({})
    expect(bad('<retry xmlns="urn:xmpp:http:upload:0" stamp="soon"/>')?.options).toEqual({})
    expect(bad(`<no-such xmlns="${PUBSUB_ERRORS}"/>`)).toBeUndefined()
    expect(bad('<x xmlns="urn:example"/>')).toBeUndefined()
    expect(read(undefined)).toBeUndefined()
    expect(read('<error/>')).toBeUndefined()
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no')
        },
      },
    )
    expect(read(hostile)).toBeUndefined()
  })
})

describe('RFC 6120 and the XEPs', () => {
  it('StanzaError takes a type outside RFC 6120 only with the application condition that specifies it', () => {
    expect(isAllowedType('unexpected-request', 'cancel')).toBe(false)
    expect(() => new StanzaError('unexpected-request', { type: 'cancel' as 'wait' })).toThrow(
      TypeError,
    )
    expect(pubsub.error('not-subscribed').type).toBe('cancel')
  })
})

describe('the error reply to a request of ours', () => {
  it('reads, in one call each, as the typed error and its typed application condition', () => {
    const iq = parse(
      `<iq type='error' from='pubsub.example.org' id='s1'><error type='modify'>
        <not-acceptable xmlns='${NS_STANZAS}'/>
        <text xmlns='${NS_STANZAS}' xml:lang='en'>bad subscription</text>
        <text xmlns='${NS_STANZAS}' xml:lang='de'>ungültiges Abonnement</text>
        <invalid-subid xmlns='http://jabber.org/protocol/pubsub#errors'/>
      </error></iq>`,
    )
    const element = iq?.getChild('error')
    // What xmpp.js's iqCaller rejects with.
    const rejection = Object.assign(new Error('not-acceptable'), { name: 'StanzaError', element })
    const error = StanzaError.fromRequest(rejection, { languages: ['de-DE', 'en'] })
    expect(error).toMatchObject({ condition: 'not-acceptable', text: 'ungültiges Abonnement' })
    expect(read(error)).toMatchObject({ name: 'pubsub', condition: 'invalid-subid' })
  })
})
