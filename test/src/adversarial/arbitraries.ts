// The generators of the adversarial suite: hostile text, the stanzas a peer can send, what a
// handler can throw (and how), and the options errors() and guard() run with. Plain data: the
// values and elements are made from these in ./cases.ts.
import {
  type ErrorType,
  type StanzaCondition,
  type StreamCondition,
  stanzaConditions,
  streamConditions,
} from '@xmpp-errors/conditions'
import { illegalXmlChar } from '@xmpp-errors/testing'
import fc from 'fast-check'

/** The component under attack, and the namespace of its one IQ route. */
export const DOMAIN = 'c11.localhost'
export const NS = 'urn:xmpp-errors:adversarial'

// ---- hostile text ---------------------------------------------------------------------------

const PIECES = [
  '<evil/>',
  '</error>',
  '<text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">x</text>',
  ']]>',
  '<![CDATA[',
  '&amp;',
  '&',
  '&#0;',
  '"',
  "'",
  '\u0000',
  '\u0001',
  '\u0008',
  '\u000b',
  '\u001f',
  '\u007f',
  '\ufffe',
  '\uffff',
  '\ud800',
  '\udfff',
  '\udbff\udfff',
  '\u{10ffff}',
  '\u202e',
  '\u200f',
  '\u200e',
  '\u2066',
  '\u061c',
  '\r\n',
  '\t',
  'é',
  '😀',
  '\u0301',
]

/** What a peer can actually send: an XML parser rejects the rest before xmpp.js sees it. */
export function wireSafe(s: string): string {
  let out = ''
  for (const ch of s) out += illegalXmlChar(ch) === undefined ? ch : '?'
  return out
}

export const MB = 1 << 20
const huge = [
  ']]><x/>\u0000\ud800\u202e'.repeat(Math.ceil(MB / 13)).slice(0, MB),
  '\u200f'.repeat(MB),
  `${'a'.repeat(MB - 1)}\ud83d`,
]

export const small = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...PIECES) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
      { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''))
/** Mostly short hostile strings; about one in 3,000 is 1 MB long. */
export const hostile = fc.oneof(
  { weight: 3000, arbitrary: small },
  { weight: 1, arbitrary: fc.constantFrom(...huge) },
)

// ---- cases ----------------------------------------------------------------------------------

/** A stanza of RFC 6120 §8, or a nonza: anything else at the top level of the stream. */
export type Kind = 'iq' | 'message' | 'presence' | 'nonza'
/** The children: our route's `<q/>`, a foreign one, none, or both (an IQ needs exactly one). */
export type Payload = 'ours' | 'foreign' | 'none' | 'two'

/** One incoming element, as a peer can send it (nothing outside XML 1.0 Char). */
export interface StanzaSpec {
  kind: Kind
  /** The element name: the kind's, or a nonza's. */
  name: string
  /** The `type` attribute: the RFC's values, absent, and ones no RFC defines. */
  type: string | undefined
  id: 'unique' | 'missing' | 'empty' | 'hostile'
  /** What follows the unique part of a hostile id. */
  idText: string
  from: string | undefined
  to: string | undefined
  payload: Payload
  /** Text of the payload, a body or a status. */
  content: string
}

/** What the handler throws, as data: the value itself is made from it in ./cases.ts. */
export type Thrown =
  /** Nothing: the handler answers. */
  | { t: 'none' }
  /** An Error of some class; `name` is the name a custom class gives itself. */
  | { t: 'error'; cls: ErrorClass; text: string; name: string }
  /** A StanzaError, or what its constructor throws when the options are refused. */
  | {
      t: 'stanza'
      condition: StanzaCondition
      type: ErrorType | undefined
      text: string | undefined
      expose: boolean | undefined
      lang: string | undefined
      by: string | undefined
      uri: string | undefined
      application: boolean
      subclass: boolean
    }
  /** A StreamError, or what its constructor throws when the options are refused. */
  | {
      t: 'stream'
      condition: StreamCondition
      text: string | undefined
      lang: string | undefined
      host: string | undefined
      application: boolean
      subclass: boolean
    }
  /** Anything else JavaScript can throw. */
  | { t: 'value'; what: ValueKind; text: string }

export const ERROR_CLASSES = [
  'Error',
  'TypeError',
  'RangeError',
  'custom',
  'aggregate',
  'timeout',
  'cyclic-cause',
  'stack-getter-throws',
  'no-stack',
  'frozen',
] as const
export type ErrorClass = (typeof ERROR_CLASSES)[number]

export const VALUE_KINDS = [
  'string',
  'number',
  'nan',
  'bigint',
  'null',
  'undefined',
  'symbol',
  'boolean',
  'function',
  'plain-object',
  'null-prototype',
  'getters-throw',
  'proxy-throws',
  'revoked-proxy',
  'cyclic',
  'xmppjs-lookalike',
  'forged-stanza-brand',
  'handled-rejected-promise',
  'array',
] as const
export type ValueKind = (typeof VALUE_KINDS)[number]

/** How the handler throws: at once, by a rejected promise, later, or through a thenable. */
export type How = 'sync' | 'reject' | 'async' | 'after-await' | 'after-immediate' | 'thenable'

export interface Case {
  stanza: StanzaSpec
  thrown: Thrown
  how: How
}

const TYPES: Record<Kind, Array<string | undefined>> = {
  iq: ['get', 'set', 'get', 'set', 'result', 'error', undefined, 'GET', 'bogus', ''],
  message: [undefined, 'normal', 'chat', 'groupchat', 'headline', 'error', 'bogus'],
  presence: [undefined, 'unavailable', 'subscribe', 'probe', 'error', 'bogus'],
  nonza: [undefined, 'error'],
}

/** Addresses xmpp.js cannot parse (an empty domain, RFC 7622 §3.2). */
export const MALFORMED = ['foo@', '@', '/r', 'a@/b', '@/']

export function malformed(address: string | undefined): boolean {
  return address !== undefined && MALFORMED.includes(address)
}

const jidish = fc.oneof(
  { weight: 6, arbitrary: fc.constant('u9@localhost/r') },
  { weight: 2, arbitrary: fc.constant('u10@localhost') },
  { weight: 1, arbitrary: fc.constant('localhost') },
  { weight: 2, arbitrary: small.map((r) => `u11@localhost/${wireSafe(r)}`) },
  { weight: 1, arbitrary: fc.constant('@localhost') },
)
const toish = fc.oneof(
  { weight: 6, arbitrary: fc.constant(DOMAIN) },
  { weight: 2, arbitrary: small.map((r) => `node@${DOMAIN}/${wireSafe(r)}`) },
)
const address = (good: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 40, arbitrary: good },
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom(...MALFORMED) },
  )

const stanzaSpec: fc.Arbitrary<StanzaSpec> = fc
  .constantFrom<Kind>('iq', 'iq', 'iq', 'message', 'presence', 'nonza')
  .chain((kind) =>
    fc.record({
      kind: fc.constant(kind),
      name:
        kind === 'nonza' ? fc.constantFrom('handshake', 'x', 'stream:error') : fc.constant(kind),
      type: fc.constantFrom(...TYPES[kind]),
      id: fc.constantFrom<StanzaSpec['id']>(
        'unique',
        'unique',
        'unique',
        'missing',
        'empty',
        'hostile',
      ),
      idText: small.map(wireSafe),
      from: address(jidish),
      to: address(toish),
      payload: fc.constantFrom<Payload>('ours', 'ours', 'ours', 'foreign', 'none', 'two'),
      content: hostile.map(wireSafe),
    }),
  )

const stanzaThrown = fc.constantFrom(...stanzaConditions).chain((condition) =>
  fc.record({
    t: fc.constant('stanza' as const),
    condition: fc.constant(condition),
    // Mostly allowed types; sometimes any type, which the constructor must refuse.
    type: fc.option(fc.constantFrom<ErrorType>('auth', 'cancel', 'continue', 'modify', 'wait'), {
      nil: undefined,
    }),
    text: fc.option(hostile, { nil: undefined }),
    expose: fc.option(fc.boolean(), { nil: undefined }),
    lang: fc.option(fc.constantFrom('en', 'de-CH', 'not a tag', ''), { nil: undefined }),
    by: fc.option(hostile, { nil: undefined }),
    uri: fc.option(
      fc.oneof(
        small.map((s) => `xmpp:${s}`),
        small,
      ),
      { nil: undefined, freq: 3 },
    ),
    application: fc.boolean(),
    subclass: fc.boolean(),
  }),
)

const streamThrown = fc.record({
  t: fc.constant('stream' as const),
  condition: fc.constantFrom(...streamConditions),
  text: fc.option(hostile, { nil: undefined }),
  lang: fc.option(fc.constantFrom('en', 'fr', 'bad tag'), { nil: undefined }),
  host: fc.option(fc.constantFrom('other.example', '[::1]:5222', '10.0.0.1:5', 'bad host!'), {
    nil: undefined,
    freq: 3,
  }),
  application: fc.boolean(),
  subclass: fc.boolean(),
})

const thrownSpec: fc.Arbitrary<Thrown> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ t: 'none' as const }) },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('error' as const),
      cls: fc.constantFrom(...ERROR_CLASSES),
      text: hostile,
      name: small,
    }),
  },
  { weight: 10, arbitrary: stanzaThrown },
  { weight: 3, arbitrary: streamThrown },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('value' as const),
      what: fc.constantFrom(...VALUE_KINDS),
      text: hostile,
    }),
  },
)

const how = fc.constantFrom<How>(
  'sync',
  'reject',
  'async',
  'after-await',
  'after-immediate',
  'thenable',
)
export const caseArb: fc.Arbitrary<Case> = fc.record({
  stanza: stanzaSpec,
  thrown: thrownSpec,
  how,
})

/** The options of errors() and guard(), and how their logger and onError behave. */
export interface Config {
  by: boolean | undefined
  echo: { iq?: boolean; message?: boolean; presence?: boolean; maxLength?: number }
  map: 'none' | 'throws' | 'undefined' | 'strings'
  logger: 'capture' | 'throws' | 'stderr-json'
  onErrorThrows: boolean
  malformedFrom: 'stream-error' | 'drop'
}

export const configArb: fc.Arbitrary<Config> = fc.record({
  by: fc.option(fc.boolean(), { nil: undefined }),
  echo: fc.record(
    {
      iq: fc.boolean(),
      message: fc.boolean(),
      presence: fc.boolean(),
      maxLength: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constant(4096)),
    },
    { requiredKeys: [] },
  ),
  map: fc.constantFrom<Config['map']>('none', 'throws', 'undefined', 'strings'),
  logger: fc.constantFrom<Config['logger']>('capture', 'capture', 'throws', 'stderr-json'),
  onErrorThrows: fc.boolean(),
  malformedFrom: fc.constantFrom<Config['malformedFrom']>('stream-error', 'stream-error', 'drop'),
})
