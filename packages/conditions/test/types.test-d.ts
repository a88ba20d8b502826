import { describe, expectTypeOf, it } from 'vitest'
import {
  type AllowedType,
  type Code,
  conditions,
  type Entry,
  type ErrorType,
  isAllowedType,
  isStanzaCondition,
  isStreamCondition,
  lookup,
  type NS_STANZAS,
  type StanzaCode,
  type StanzaCondition,
  type StreamCode,
  type StreamCondition,
  type UriCondition,
} from '../src/index.js'

describe('condition unions', () => {
  it('StanzaCondition has the stanza names only', () => {
    expectTypeOf<'item-not-found'>().toExtend<StanzaCondition>()
    expectTypeOf<'policy-violation'>().toExtend<StanzaCondition>()
    expectTypeOf<'stream-conflict'>().not.toExtend<StanzaCondition>()
    expectTypeOf<'see-other-host'>().not.toExtend<StanzaCondition>()
    // @ts-expect-error: a stream condition is not a stanza condition
    const wrong: StanzaCondition = 'see-other-host'
    // @ts-expect-error: a misspelling
    const typo: StanzaCondition = 'item-not-fund'
    void wrong
    void typo
  })

  it('StreamCondition has the stream names, without the stream- prefix', () => {
    expectTypeOf<'see-other-host'>().toExtend<StreamCondition>()
    expectTypeOf<'reset'>().toExtend<StreamCondition>()
    expectTypeOf<'conflict'>().toExtend<StreamCondition>()
    expectTypeOf<'stream-conflict'>().not.toExtend<StreamCondition>()
    expectTypeOf<'item-not-found'>().not.toExtend<StreamCondition>()
    // @ts-expect-error: registry codes carry the prefix, conditions do not
    const prefixed: StreamCondition = 'stream-reset'
    void prefixed
  })

  it('codes: stanza codes are the conditions, stream codes are prefixed', () => {
    expectTypeOf<StanzaCode>().toEqualTypeOf<StanzaCondition>()
    expectTypeOf<StreamCode>().toEqualTypeOf<`stream-${StreamCondition}`>()
    expectTypeOf<Code>().toEqualTypeOf<StanzaCode | StreamCode>()
  })

  it('UriCondition is gone and redirect', () => {
    expectTypeOf<UriCondition>().toEqualTypeOf<'gone' | 'redirect'>()
  })
})

describe('AllowedType', () => {
  it('follows the RFC for each condition', () => {
    expectTypeOf<AllowedType<'policy-violation'>>().toEqualTypeOf<'modify' | 'wait'>()
    expectTypeOf<AllowedType<'item-not-found'>>().toEqualTypeOf<'cancel'>()
    expectTypeOf<AllowedType<'internal-server-error'>>().toEqualTypeOf<'cancel'>()
    expectTypeOf<AllowedType<'unexpected-request'>>().toEqualTypeOf<'wait' | 'modify'>()
    expectTypeOf<AllowedType<'undefined-condition'>>().toEqualTypeOf<ErrorType>()
    expectTypeOf<AllowedType<'forbidden'>>().toEqualTypeOf<'auth'>()
  })

  it('rejects a stream condition', () => {
    // @ts-expect-error: see-other-host is no stanza condition
    type Bad = AllowedType<'see-other-host'>
    expectTypeOf<Bad>().not.toBeString()
  })
})

describe('lookup', () => {
  it('narrows by code', () => {
    expectTypeOf(lookup('item-not-found').type).toEqualTypeOf<'cancel'>()
    expectTypeOf(lookup('item-not-found').kind).toEqualTypeOf<'stanza'>()
    expectTypeOf(lookup('item-not-found').code).toEqualTypeOf<'item-not-found'>()
    expectTypeOf(lookup('policy-violation').types).toEqualTypeOf<readonly ['modify', 'wait']>()
    expectTypeOf(lookup('stream-conflict').kind).toEqualTypeOf<'stream'>()
    expectTypeOf(lookup('stream-conflict').condition).toEqualTypeOf<'conflict'>()
    expectTypeOf(lookup('stream-see-other-host').characterData).toEqualTypeOf<'host[:port]'>()
    expectTypeOf(lookup('gone').characterData).toEqualTypeOf<'xmpp-uri'>()
    expectTypeOf(lookup('internal-server-error').legacyType).toEqualTypeOf<'wait'>()
  })

  it('narrows by kind and condition', () => {
    expectTypeOf(lookup('stanza', 'conflict').kind).toEqualTypeOf<'stanza'>()
    expectTypeOf(lookup('stanza', 'conflict').code).toEqualTypeOf<'conflict'>()
    expectTypeOf(lookup('stream', 'conflict').code).toEqualTypeOf<'stream-conflict'>()
    expectTypeOf(lookup('stream', 'reset').kind).toEqualTypeOf<'stream'>()
  })

  it('a stream entry has no stanza type', () => {
    // @ts-expect-error: stream entries carry no error type
    lookup('stream-conflict').type
  })

  it('an unknown string may be undefined', () => {
    const name: string = 'whatever'
    expectTypeOf(lookup(name)).toEqualTypeOf<Entry | undefined>()
    expectTypeOf(lookup(name)).toBeNullable()
  })

  it('conditions is keyed by code', () => {
    expectTypeOf(conditions['stream-reset'].condition).toEqualTypeOf<'reset'>()
    expectTypeOf(conditions.redirect.type).toEqualTypeOf<'modify'>()
    // @ts-expect-error: no such code
    conditions['see-other-host']
  })

  it('NS_STANZAS is a literal', () => {
    expectTypeOf<typeof NS_STANZAS>().toEqualTypeOf<'urn:ietf:params:xml:ns:xmpp-stanzas'>()
  })
})

describe('guards narrow', () => {
  it('isStanzaCondition and isStreamCondition', () => {
    const value: unknown = 'gone'
    if (isStanzaCondition(value)) expectTypeOf(value).toEqualTypeOf<StanzaCondition>()
    if (isStreamCondition(value)) expectTypeOf(value).toEqualTypeOf<StreamCondition>()
  })

  it('isAllowedType narrows to the allowed types', () => {
    const type: unknown = 'wait'
    if (isAllowedType('policy-violation', type)) {
      expectTypeOf(type).toEqualTypeOf<'modify' | 'wait'>()
    }
  })
})
