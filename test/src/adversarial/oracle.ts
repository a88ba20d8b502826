// The oracle: what the component must write for a case, from RFC 6120's rules, the condition
// registry (the RFC's table of conditions, default types and blame) and the options the case
// runs with. It reads the case as generated and what the handler threw, never the middleware's
// code or wording: where a reply's text is the component's own, only what the RFC asks of it is
// expected, and what must never be in it is checked over every byte written (./check.ts).
import type { Element } from '@xmpp/xml'
import { type ErrorType, lookup, type StanzaCondition } from '@xmpp-errors/conditions'
import { defaultOutgoing, StanzaError, StreamError } from '@xmpp-errors/middleware'
import { type Config, DOMAIN, malformed, type StanzaSpec, type Thrown } from './arbitraries.js'
import type { Prepared } from './cases.js'

/**
 * The `<text/>` required: exactly `is` (undefined: none), or `any`. RFC 6120 makes the text
 * optional and free-form (§4.9.2, §8.3.2), so where it is the component's own wording nothing
 * more than its cap is asserted.
 */
export type TextRule = { is: string | undefined } | 'any'

/**
 * The `by` required (RFC 6120 §8.3.2: the entity that returned the error): exactly `is`
 * (undefined: none); `addressee`: the address the request was sent to, without its resource, or
 * its domain alone; `any`: not ours to set.
 */
export type ByRule = { is: string | undefined } | 'addressee' | 'any'

/**
 * Who answers: the address the request was sent to; the component itself, when that address
 * is the fault; or xmpp.js's own IQ handler, before any middleware runs.
 */
export type Answerer = 'addressee' | 'component' | 'xmpp.js'

export interface ErrorReplyExpected {
  kind: 'reply'
  type: 'error'
  condition: StanzaCondition
  errorType: ErrorType
  text: TextRule
  by: ByRule
  answerer: Answerer
  /** The fallback of errors() after a defect of its own (a forged brand): measured apart. */
  fallback?: boolean
}

export type Expected =
  /** Nothing written, and the stream kept. */
  | { kind: 'none' }
  /** One `<stream:error/>`, then the stream closed (and reconnected, or stopped for good). */
  | { kind: 'close'; condition: string; stop: boolean; text: TextRule }
  /** Exactly one reply stanza, and the stream kept. */
  | { kind: 'reply'; type: 'result'; answerer: Answerer }
  | ErrorReplyExpected

const SUBSCRIPTIONS = ['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed', 'probe']

/** An answer to a stanza we sent: an error (§8.3.1), or an IQ result (§8.2.3). */
function isBounce(spec: StanzaSpec): boolean {
  return spec.type === 'error' || (spec.kind === 'iq' && spec.type === 'result')
}

/**
 * Whether an error may be sent back. RFC 6120: never an error to an error (§8.3.1), nothing to
 * an IQ result (§8.2.3), and a nonza is no one's request. Past the RFC, as errors() promises by
 * default: nothing to a room's broadcast to us as an occupant (a MUC kicks an occupant that
 * answers one with an error, XEP-0045 §7.4), to a headline (RFC 6121 §5.2.2) or to a
 * subscription presence (RFC 6121 §3).
 */
function answerable(spec: StanzaSpec): boolean {
  if (spec.kind === 'nonza' || isBounce(spec)) return false
  if (spec.kind === 'message' && spec.type === 'headline') return false
  if (spec.kind === 'message' && spec.type === 'groupchat' && spec.to?.includes('/')) return false
  return !(spec.kind === 'presence' && SUBSCRIPTIONS.includes(spec.type ?? ''))
}

/** An error reply with the condition's default type from the registry. */
function errorReply(
  condition: StanzaCondition,
  text: TextRule,
  by: ByRule,
  answerer: Answerer = 'addressee',
): ErrorReplyExpected {
  const errorType = lookup('stanza', condition).type
  return { kind: 'reply', type: 'error', condition, errorType, text, by, answerer }
}

/** `by` of a reply from the addressee, to an error that names none: errors()'s `by` option. */
function defaultBy(spec: StanzaSpec, config: Config): ByRule {
  return config.by === false || spec.to === undefined ? { is: undefined } : 'addressee'
}

/**
 * What a thrown value that is not a StanzaError or StreamError of ours becomes. An unknown
 * error is the component's fault, internal-server-error (RFC 6120 §8.3.3.6), and its details are
 * kept from the peer: no text. iqCaller's TimeoutError (an entity the handler asked did not
 * answer in time) is remote-server-timeout (§8.3.3.17), and `map` turns strings into bad-request
 * in the cases that configure it.
 */
function otherwise(thrown: Thrown, spec: StanzaSpec, config: Config): ErrorReplyExpected {
  const by = defaultBy(spec, config)
  if (thrown.t === 'value' && thrown.what === 'string' && config.map === 'strings') {
    return errorReply('bad-request', { is: 'PUBLIC mapped' }, by)
  }
  const timedOut =
    thrown.t === 'error' &&
    (thrown.cls === 'timeout' || (thrown.cls === 'custom' && thrown.name === 'TimeoutError'))
  if (timedOut) return errorReply('remote-server-timeout', { is: undefined }, by)
  const unknown = errorReply('internal-server-error', { is: undefined }, by)
  // A value carrying our brand but none of our methods: errors() fails on it, and answers
  // through its fallback after a defect of its own.
  return thrown.t === 'value' && thrown.what === 'forged-stanza-brand'
    ? { ...unknown, fallback: true }
    : unknown
}

/** The exchange RFC 6120 requires for a case. */
export function expectedOutcome(p: Prepared, config: Config): Expected {
  const spec = p.c.stanza
  const thrown = p.c.thrown
  // guard() runs before xmpp.js parses the addresses, so these come first.
  if (malformed(spec.from)) {
    // No one to answer: improper-addressing closes the stream (RFC 6120 §4.9.3.7), unless told
    // to drop it. A bounce to an address we sent to is dropped: closing over it would hand
    // anyone who can make us address a JID the power to make us reconnect.
    return config.malformedFrom === 'drop' || isBounce(spec)
      ? { kind: 'none' }
      : { kind: 'close', condition: 'improper-addressing', stop: false, text: 'any' }
  }
  if (malformed(spec.to)) {
    // jid-malformed (§8.3.3.8), from the component itself: the address it was sent to is the
    // fault, so the component is the entity that returns the error (§8.3.2).
    return answerable(spec)
      ? errorReply('jid-malformed', 'any', { is: DOMAIN }, 'component')
      : { kind: 'none' }
  }
  const iqQuery = spec.kind === 'iq' && !isBounce(spec)
  if (iqQuery) {
    const children = spec.payload === 'two' ? 2 : spec.payload === 'none' ? 0 : 1
    // An IQ get or set carries exactly one payload element (§8.2.3); xmpp.js's IQ handler
    // answers anything else itself, before any middleware.
    if ((spec.type !== 'get' && spec.type !== 'set') || children !== 1) {
      return errorReply('bad-request', { is: undefined }, 'any', 'xmpp.js')
    }
  }
  // Every IQ get or set gets exactly one reply (§8.2.3): the handler's result, here.
  if (thrown.t === 'none') {
    return iqQuery ? { kind: 'reply', type: 'result', answerer: 'addressee' } : { kind: 'none' }
  }
  const { value } = p
  if (thrown.t === 'stream' && value instanceof StreamError) {
    // A stream error closes the stream whatever the stanza (§4.9); system-shutdown (§4.9.3.17)
    // says the entity is going away, so it stops rather than reconnect.
    return {
      kind: 'close',
      condition: thrown.condition,
      stop: thrown.condition === 'system-shutdown',
      text: { is: value.text },
    }
  }
  if (!answerable(spec)) return { kind: 'none' }
  if (thrown.t === 'stanza' && value instanceof StanzaError) {
    // The condition thrown, with the type given or else the registry's default, and the text
    // only when exposed: by default when the sender is to blame.
    const entry = lookup('stanza', thrown.condition)
    const exposed = thrown.expose ?? entry.blame === 'sender'
    return {
      kind: 'reply',
      type: 'error',
      condition: thrown.condition,
      errorType: thrown.type ?? entry.type,
      text: { is: exposed ? value.text : undefined },
      // The error's own `by` is kept as it was given.
      by: value.by === undefined ? defaultBy(spec, config) : { is: value.by },
      answerer: 'addressee',
    }
  }
  return otherwise(thrown, spec, config)
}

/** Whether xmpp.js's bad-request, which echoes the first child, is over guard()'s maxStanzaSize. */
function overStanzaSize(stanza: Element): boolean {
  const [child] = stanza.getChildElements()
  // Payloads are either small or near 1 MB: the reply's own markup need not be exact.
  const markup = 400 + Buffer.byteLength(Object.values(stanza.attrs).join(''))
  const size = child === undefined ? 0 : Buffer.byteLength(child.toString()) + markup
  return size > defaultOutgoing.maxStanzaSize
}

/** How many records errors() and guard() give onError for the case: one per error handled. */
export function expectedRecords(p: Prepared, expected: Expected): number {
  const spec = p.c.stanza
  if (malformed(spec.from) || malformed(spec.to)) return 1
  // xmpp.js's own bad-request echoes the payload whole; guard() sends one over maxStanzaSize
  // without the echo, and records that. The handler never runs then, whatever it would throw.
  if (expected.kind === 'reply' && expected.answerer === 'xmpp.js') {
    return overStanzaSize(p.stanza) ? 1 : 0
  }
  return p.c.thrown.t === 'none' ? 0 : 1
}
