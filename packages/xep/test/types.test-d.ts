import type { StanzaError } from '@xmpp-errors/errors'
import { describe, expectTypeOf, it } from 'vitest'
import {
  blocking,
  commands,
  jingle,
  pubsub,
  read,
  upload,
  type XepCondition,
  xmppErrors,
} from '../src/index.js'

describe('pairs', () => {
  it('gives the general condition and type of the XEP', () => {
    const notSubscribed = pubsub.error('not-subscribed')
    expectTypeOf(notSubscribed.condition).toEqualTypeOf<'unexpected-request' | 'not-authorized'>()
    expectTypeOf(notSubscribed.type).toEqualTypeOf<'cancel' | 'modify' | 'auth'>()
    expectTypeOf(notSubscribed).toExtend<StanzaError>()
    expectTypeOf(upload.error('file-too-large').condition).toEqualTypeOf<'not-acceptable'>()
    expectTypeOf(upload.error('retry', { stamp: new Date() }).type).toEqualTypeOf<'wait'>()
    expectTypeOf(jingle.error('tie-break').condition).toEqualTypeOf<'conflict'>()
    expectTypeOf(blocking.error('blocked').type).toEqualTypeOf<'cancel'>()
    expectTypeOf(xmppErrors.error('stanza-too-big').condition).toEqualTypeOf<'not-allowed'>()
    expectTypeOf(commands.error('session-expired').condition).toEqualTypeOf<'not-allowed'>()
  })

  it('takes only a pair the XEP gives', () => {
    pubsub.error('not-subscribed', { general: { condition: 'not-authorized', type: 'auth' } })
    pubsub.error('not-subscribed', { general: { condition: 'unexpected-request', type: 'modify' } })
    // @ts-expect-error: XEP-0060 gives not-authorized with auth only
    pubsub.error('not-subscribed', { general: { condition: 'not-authorized', type: 'cancel' } })
    // @ts-expect-error: XEP-0060 never pairs not-subscribed with item-not-found
    pubsub.error('not-subscribed', { general: { condition: 'item-not-found', type: 'cancel' } })
    // @ts-expect-error: XEP-0166 pairs unknown-session with item-not-found only
    jingle.error('unknown-session', { general: { condition: 'bad-request', type: 'modify' } })
  })

  it('takes only the conditions of the namespace', () => {
    // @ts-expect-error: not-subscribed is XEP-0060's, not XEP-0363's
    upload.error('not-subscribed')
    // @ts-expect-error: a typo
    pubsub.error('not-subscribd')
  })

  it('needs the options the XEP requires, with the values it allows', () => {
    pubsub.error('unsupported', { feature: 'retract-items' })
    // @ts-expect-error: unsupported needs its feature
    pubsub.error('unsupported')
    // @ts-expect-error: unsupported needs its feature
    pubsub.error('unsupported', { text: 'no' })
    // @ts-expect-error: not a feature of XEP-0060 §18.2
    pubsub.error('unsupported', { feature: 'teleport' })
    upload.error('retry', { stamp: '2030-01-01T00:00:00Z' })
    // @ts-expect-error: retry needs its stamp (XEP-0363 §6: MUST)
    upload.error('retry')
    upload.error('file-too-large')
    upload.error('file-too-large', { maxFileSize: 1000 })
    // @ts-expect-error: a size is a number
    upload.error('file-too-large', { maxFileSize: '1000' })
  })
})

describe('reading', () => {
  it('gives a union over XEPs and conditions, narrowed by name and condition', () => {
    const parsed = read(undefined)
    expectTypeOf(parsed).toEqualTypeOf<XepCondition | undefined>()
    if (parsed?.name === 'pubsub' && parsed.condition === 'unsupported') {
      expectTypeOf(parsed.options.feature).toEqualTypeOf<
        | typeof import('../src/index.js').xeps.pubsub.conditions.unsupported.options.feature.values[number]
        | undefined
      >()
    }
    const retry = upload.read(undefined)
    if (retry?.condition === 'retry')
      expectTypeOf(retry.options.stamp).toEqualTypeOf<string | undefined>()
    if (retry?.condition === 'file-too-large') {
      expectTypeOf(retry.options.maxFileSize).toEqualTypeOf<number | undefined>()
    }
    expectTypeOf(retry?.xep).toEqualTypeOf<'XEP-0363' | undefined>()
  })
})
