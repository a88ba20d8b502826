import type { ErrorType, StanzaCondition, StreamCondition } from '@xmpp-errors/conditions'
import { describe, expect, expectTypeOf, it } from 'vitest'
import type { Exchange, StreamClose, TestingMatchers } from '../src/index.js'
import '../src/vitest.js'

declare const exchange: Exchange

describe('the matchers', () => {
  it('take condition names from the registry', () => {
    expectTypeOf<
      Parameters<TestingMatchers['toBeErrorReply']>[0]
    >().toEqualTypeOf<StanzaCondition>()
    expectTypeOf<Parameters<TestingMatchers['toHaveClosedStream']>[0]>().toEqualTypeOf<
      StreamCondition | undefined
    >()
    // @ts-expect-error: a typo is a compile error
    expect(exchange).toBeErrorReply('item-not-fund')
    // @ts-expect-error: a stream condition is no stanza condition
    expect(exchange).toBeErrorReply('see-other-host')
    // @ts-expect-error: a stanza condition is no stream condition
    expect(exchange).toHaveClosedStream('item-not-found')
    // @ts-expect-error: the type is one of RFC 6120's five
    expect(exchange).toBeErrorReply('item-not-found', { type: 'fatal' })
    expect(exchange).toHaveRecorded({ condition: 'policy-violation', times: 1 })
  })

  it('type what a close says', () => {
    expectTypeOf<StreamClose['condition']>().toEqualTypeOf<StreamCondition>()
    expectTypeOf<StreamClose['after']>().toEqualTypeOf<'reconnect' | 'stop' | undefined>()
    expectTypeOf<
      NonNullable<Parameters<TestingMatchers['toBeErrorReply']>[1]>['type']
    >().toEqualTypeOf<ErrorType | undefined>()
  })
})
