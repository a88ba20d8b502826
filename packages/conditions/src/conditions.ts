/** Everything derived from the registry: its types, tables and lookups. */
import { rows } from './registry.js'

/** Namespace of stanza error conditions and their `<text/>` (RFC 6120 §8.3.2). */
export const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'
/** Namespace of stream error conditions and their `<text/>` (RFC 6120 §4.9.2). */
export const NS_STREAMS = 'urn:ietf:params:xml:ns:xmpp-streams'
/** Namespace of `<stream:stream/>` and `<stream:error/>` (RFC 6120 §4.8.4). */
export const NS_STREAM = 'http://etherx.jabber.org/streams'

type Rows = typeof rows

/** A registry key: the stanza condition itself, or `stream-` and the stream condition. */
export type Code = keyof Rows
export type StanzaCode = { [K in Code]: Rows[K]['kind'] extends 'stanza' ? K : never }[Code]
export type StreamCode = { [K in Code]: Rows[K]['kind'] extends 'stream' ? K : never }[Code]

/** One registry entry: its row plus the code it is keyed by. */
export type Entry<K extends Code = Code> = K extends Code ? Rows[K] & { readonly code: K } : never
export type StanzaEntry = Entry<StanzaCode>
export type StreamEntry = Entry<StreamCode>

/** The RFC 6120 §8.3.3 element names, e.g. `'item-not-found'`. */
export type StanzaCondition = Rows[StanzaCode]['condition']
/** The RFC 6120 §4.9.3 element names, without the registry's `stream-` prefix. */
export type StreamCondition = Rows[StreamCode]['condition']
/** The five stanza error types of RFC 6120 §8.3.2. */
export type ErrorType = 'auth' | 'cancel' | 'continue' | 'modify' | 'wait'
export type Kind = 'stanza' | 'stream'
export type Blame = 'sender' | 'server'

/** The registry entry of a stanza condition. */
export type StanzaEntryOf<C extends StanzaCondition> = Extract<StanzaEntry, { condition: C }>
type AllowedTypes = { [C in StanzaCondition]: StanzaEntryOf<C>['types'][number] }
/** The error types RFC 6120 allows for a stanza condition. */
export type AllowedType<C extends StanzaCondition> = AllowedTypes[C]
/** Stanza conditions whose element carries an XMPP URI: `gone` and `redirect`. */
export type UriCondition = Extract<StanzaEntry, { characterData: 'xmpp-uri' }>['condition']

export const errorTypes: readonly ErrorType[] = Object.freeze([
  'auth',
  'cancel',
  'continue',
  'modify',
  'wait',
] as const)

/** All 47 entries, keyed by code. */
export const conditions: { readonly [K in Code]: Entry<K> } = Object.freeze(
  Object.fromEntries(
    Object.entries(rows).map(([code, row]) => {
      // `as const` is compile-time only: freeze `types` too, or a caller could widen isAllowedType.
      if ('types' in row) Object.freeze(row.types)
      return [code, Object.freeze({ code, ...row })]
    }),
  ),
) as { readonly [K in Code]: Entry<K> }

const entries = Object.values(conditions) as Entry[]
const stanzaEntries = entries.filter((e): e is StanzaEntry => e.kind === 'stanza')
const streamEntries = entries.filter((e): e is StreamEntry => e.kind === 'stream')

export const stanzaConditions: readonly StanzaCondition[] = Object.freeze(
  stanzaEntries.map((e) => e.condition),
)
export const streamConditions: readonly StreamCondition[] = Object.freeze(
  streamEntries.map((e) => e.condition),
)
export const codes: readonly Code[] = Object.freeze(entries.map((e) => e.code))

const stanzaByCondition = new Map<string, StanzaEntry>(stanzaEntries.map((e) => [e.condition, e]))
const streamByCondition = new Map<string, StreamEntry>(streamEntries.map((e) => [e.condition, e]))
const byCode = new Map<string, Entry>(entries.map((e) => [e.code, e]))

export function isStanzaCondition(value: unknown): value is StanzaCondition {
  return typeof value === 'string' && stanzaByCondition.has(value)
}

export function isStreamCondition(value: unknown): value is StreamCondition {
  return typeof value === 'string' && streamByCondition.has(value)
}

export function isErrorType(value: unknown): value is ErrorType {
  return typeof value === 'string' && (errorTypes as readonly string[]).includes(value)
}

/**
 * Finds an entry by registry code (`'item-not-found'`, `'stream-conflict'`) or by kind and
 * condition (`('stream', 'conflict')`). Unknown names give `undefined`, never a throw.
 */
export function lookup<K extends Code>(code: K): Entry<K>
export function lookup<C extends StanzaCondition>(kind: 'stanza', condition: C): StanzaEntryOf<C>
export function lookup<C extends StreamCondition>(
  kind: 'stream',
  condition: C,
): Extract<StreamEntry, { condition: C }>
export function lookup(code: string): Entry | undefined
export function lookup(kind: Kind, condition: string): Entry | undefined
export function lookup(codeOrKind: string, condition?: string): Entry | undefined {
  if (condition === undefined) return byCode.get(codeOrKind)
  if (codeOrKind === 'stanza') return stanzaByCondition.get(condition)
  if (codeOrKind === 'stream') return streamByCondition.get(condition)
  return undefined
}

/** Whether RFC 6120 allows `type` for the stanza `condition`. */
export function isAllowedType<C extends StanzaCondition>(
  condition: C,
  type: unknown,
): type is AllowedType<C> {
  const entry = stanzaByCondition.get(condition)
  return entry !== undefined && (entry.types as readonly unknown[]).includes(type)
}
