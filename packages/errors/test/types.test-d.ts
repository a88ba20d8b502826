import type { StanzaCondition, StreamCondition } from '@xmpp-errors/conditions'
import { describe, expectTypeOf, it } from 'vitest'
import {
  isStanzaError,
  isStreamError,
  isXmppError,
  StanzaError,
  StreamError,
  type XmlElement,
} from '../src/index.js'

declare const app: XmlElement
const host = 'example.net:5222'

describe('StanzaError', () => {
  it('takes only stanza conditions', () => {
    // @ts-expect-error: a typo is a compile error
    new StanzaError('item-not-fund')
    // @ts-expect-error: a stream condition is not a stanza condition
    new StanzaError('see-other-host')
    new StanzaError('item-not-found')
  })

  it('takes only the types RFC 6120 allows for the condition', () => {
    // @ts-expect-error: item-not-found is of type cancel
    new StanzaError('item-not-found', { type: 'wait' })
    // @ts-expect-error: RFC 6120 made internal-server-error cancel (RFC 3920 said wait)
    new StanzaError('internal-server-error', { type: 'wait' })
    // @ts-expect-error: not one of the five types
    new StanzaError('bad-request', { type: 'error' })
    new StanzaError('policy-violation', { type: 'modify' })
    new StanzaError('policy-violation', { type: 'wait' })
    // @ts-expect-error: policy-violation is modify or wait
    new StanzaError('policy-violation', { type: 'cancel' })
    new StanzaError('undefined-condition', { type: 'continue' })
    new StanzaError('unexpected-request', { type: 'modify' })
  })

  it('takes a uri on gone and redirect only', () => {
    // @ts-expect-error: item-not-found carries no uri
    new StanzaError('item-not-found', { uri: 'xmpp:x@example.net' })
    new StanzaError('gone', { uri: 'xmpp:x@example.net' })
    new StanzaError('redirect', { uri: 'xmpp:x@example.net', type: 'modify' })
  })

  it('takes the common options', () => {
    new StanzaError('forbidden', {
      text: 'no',
      lang: 'en',
      by: 'svc.example.net',
      application: app,
      cause: new Error('x'),
      expose: false,
    })
    // @ts-expect-error: application is an element, not a string
    new StanzaError('forbidden', { application: '<x/>' })
    // @ts-expect-error: host belongs to stream errors
    new StanzaError('forbidden', { host })
  })

  it('keeps the condition literal', () => {
    expectTypeOf(new StanzaError('gone').condition).toEqualTypeOf<'gone'>()
    expectTypeOf(new StanzaError('gone').code).toEqualTypeOf<'gone'>()
    expectTypeOf(new StanzaError('policy-violation').type).toEqualTypeOf<'modify' | 'wait'>()
    expectTypeOf(new StanzaError('item-not-found').type).toEqualTypeOf<'cancel'>()
    expectTypeOf(new StanzaError('gone').kind).toEqualTypeOf<'stanza'>()
    expectTypeOf(new StanzaError('gone').text).toEqualTypeOf<string | undefined>()
    expectTypeOf(new StanzaError('gone')).toExtend<Error>()
  })

  it('fromElement gives any stanza condition', () => {
    const e = StanzaError.fromElement(undefined)
    expectTypeOf(e).toEqualTypeOf<StanzaError>()
    expectTypeOf(e.condition).toEqualTypeOf<StanzaCondition>()
    expectTypeOf(e.toElement()).toEqualTypeOf<XmlElement>()
  })
})

describe('StreamError', () => {
  it('takes only stream conditions', () => {
    // @ts-expect-error: registry codes carry a stream- prefix, conditions do not
    new StreamError('stream-conflict')
    // @ts-expect-error: a stanza-only condition
    new StreamError('item-not-found')
    new StreamError('conflict')
  })

  it('takes a host on see-other-host only', () => {
    new StreamError('see-other-host', { host })
    // @ts-expect-error: conflict carries no host
    new StreamError('conflict', { host })
    // @ts-expect-error: stream errors have no type
    new StreamError('conflict', { type: 'cancel' })
    // @ts-expect-error: uri belongs to stanza errors
    new StreamError('see-other-host', { uri: 'xmpp:example.net' })
  })

  it('keeps the condition literal and derives the code', () => {
    expectTypeOf(new StreamError('reset').condition).toEqualTypeOf<'reset'>()
    expectTypeOf(new StreamError('reset').code).toEqualTypeOf<'stream-reset'>()
    expectTypeOf(new StreamError('reset').kind).toEqualTypeOf<'stream'>()
    expectTypeOf(StreamError.fromElement(null).condition).toEqualTypeOf<StreamCondition>()
  })
})

describe('guards narrow unknown values', () => {
  it('isStanzaError, isStreamError, isXmppError', () => {
    const value: unknown = new StanzaError('gone')
    if (isStanzaError(value)) expectTypeOf(value).toEqualTypeOf<StanzaError>()
    if (isStreamError(value)) expectTypeOf(value).toEqualTypeOf<StreamError>()
    if (isXmppError(value)) {
      expectTypeOf(value).toEqualTypeOf<StanzaError | StreamError>()
      expectTypeOf(value.kind).toEqualTypeOf<'stanza' | 'stream'>()
    }
  })
})

describe('isStanzaError and isStreamError with a condition', () => {
  it('narrow to errors of that condition', () => {
    const e: unknown = undefined
    if (isStanzaError(e, 'forbidden')) expectTypeOf(e).toEqualTypeOf<StanzaError<'forbidden'>>()
    if (isStreamError(e, 'conflict')) expectTypeOf(e).toEqualTypeOf<StreamError<'conflict'>>()
    if (isStanzaError(e)) expectTypeOf(e).toEqualTypeOf<StanzaError>()
  })

  it('take only conditions of their kind', () => {
    const e: unknown = undefined
    // @ts-expect-error: a typo is a compile error
    isStanzaError(e, 'forbiden')
    // @ts-expect-error: a stream condition is not a stanza condition
    isStanzaError(e, 'see-other-host')
    // @ts-expect-error: a stanza condition is not a stream condition
    isStreamError(e, 'item-not-found')
  })
})

describe('the constructors', () => {
  it('take options, not the positional text of xmpp.js, and no unknown option', () => {
    // @ts-expect-error: the text is an option
    new StanzaError('item-not-found', 'no such note')
    // @ts-expect-error: Slixmpp's etype is type here
    new StanzaError('item-not-found', { etype: 'cancel' })
    // @ts-expect-error: not an option
    new StreamError('conflict', { typo: 1 })
  })
})
