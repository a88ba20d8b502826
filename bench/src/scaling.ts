import type { Component } from '@xmpp/component'
import type { Element } from '@xmpp/xml'
import { errors, NS_STANZAS, StanzaError } from '@xmpp-errors/middleware'
import { xml } from '@xmpp-errors/throwaway-clients'
import { compare, type Throughputs } from './compare.js'
import type { DispatchOptions } from './dispatch.js'
import { DOMAIN, mockComponent, NS, noopLogger, pump } from './inprocess.js'

/**
 * What one error costs errors() as what a peer controls grows: the number of distinct senders
 * (with rateLimit on, every sender tracked), the payload echoed (up to the echo cap), and the
 * text's length. Each point compares errors() throwing with the same reply built by hand, on the
 * same stanzas, and reports errors()'s extra time per error; flat means no part of errors()
 * grows with what the peer sends.
 */
export interface ScalingPoint {
  /** The axis and its value, e.g. `senders` and 100,000. */
  axis: 'senders' | 'senders, counted' | 'payload bytes' | 'text length'
  value: number
  senders: number
  /**
   * Every sender counted by the rate limit before the timing. Without, the timed errors cycle
   * through the senders, and at 100,000 most are a sender's first: its count is added.
   */
  counted?: boolean
  payload: number
  text: number
}

export const SCALING_POINTS: readonly ScalingPoint[] = [
  ...[1, 1_000, 100_000].map((senders) => ({
    axis: 'senders' as const,
    value: senders,
    senders,
    payload: 0,
    text: 0,
  })),
  ...[1, 1_000, 100_000].map((senders) => ({
    axis: 'senders, counted' as const,
    value: senders,
    senders,
    payload: 0,
    text: 0,
    counted: true,
  })),
  // errors()'s default echo cap is 4,096 bytes of payload.
  ...[0, 1_000, 4_000].map((payload) => ({
    axis: 'payload bytes' as const,
    value: payload,
    senders: 1,
    payload,
    text: 0,
  })),
  ...[0, 100, 1_024].map((text) => ({
    axis: 'text length' as const,
    value: text,
    senders: 1,
    payload: 0,
    text,
  })),
]

/**
 * One errors() with rateLimit on, limiting no one within the run, tracking every sender, in one
 * window: no count is cleared during the run.
 */
function withErrors(text: string | undefined): Component {
  const c = mockComponent()
  c.middleware.use(
    errors({
      logger: noopLogger,
      rateLimit: { max: Number.MAX_SAFE_INTEGER, maxSenders: 100_000, windowMs: 3_600_000 },
    }),
  )
  c.iqCallee.get(NS, 'query', () => {
    throw new StanzaError('item-not-found', text === undefined ? {} : { text })
  })
  return c
}

/** The same `<error/>` built by hand, its text included; xmpp.js echoes the payload. */
function byHand(text: string | undefined): Component {
  const c = mockComponent()
  c.iqCallee.get(NS, 'query', (ctx) =>
    xml(
      'error',
      { type: 'cancel', by: ctx.stanza.attrs.to },
      xml('item-not-found', { xmlns: NS_STANZAS }),
      ...(text === undefined ? [] : [xml('text', { xmlns: NS_STANZAS, 'xml:lang': 'en' }, text)]),
    ),
  )
  return c
}

/** Requests from `senders` distinct bare JIDs in turn, each with `payload` bytes of text. */
function requests(senders: number, payload: number): () => Element {
  const filler = 'p'.repeat(payload)
  let n = 0
  return () => {
    const from = `u${n % senders}@localhost/bench`
    n++
    return xml(
      'iq',
      { type: 'get', id: `s${n}`, from, to: DOMAIN },
      xml('query', { xmlns: NS }, ...(filler ? [filler] : [])),
    )
  }
}

export async function scalingPoint(
  point: ScalingPoint,
  options: DispatchOptions,
): Promise<Throughputs> {
  const text = point.text === 0 ? undefined : 't'.repeat(point.text)
  const make = requests(point.senders, point.payload)
  const thrown = withErrors(text)
  const built = byHand(text)
  // Untimed: one error from each sender, in turn, so that the timed ones find every count.
  if (point.counted) await pump(thrown, point.senders, options.inFlight, make)
  return compare(
    [
      { label: 'throw', run: (n) => pump(thrown, n, options.inFlight, make) },
      { label: 'hand-built', run: (n) => pump(built, n, options.inFlight, make) },
    ],
    options,
  )
}
