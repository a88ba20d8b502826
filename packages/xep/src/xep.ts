import xml, { type Element } from '@xmpp/xml'
import type { ErrorType, StanzaCondition } from '@xmpp-errors/conditions'
import {
  attribute,
  childElements,
  isStanzaError,
  localName,
  namespaceOf,
  StanzaError,
  type StanzaErrorBaseOptions,
  type StanzaErrorOptions,
  textOf,
  type XmlElement,
} from '@xmpp-errors/errors'
import { type ConditionRow, type OptionRow, type XepRow, xeps } from './registry.js'

type Xeps = typeof xeps
/** The export names: `pubsub`, `commands`, `upload`, `jingle`, `blocking`, `xmppErrors`. */
export type XepName = keyof Xeps
/** The application conditions of one XEP, e.g. `'not-subscribed'` for `pubsub`. */
export type XepConditionName<N extends XepName> = keyof Xeps[N]['conditions'] & string
type Row<N extends XepName, C extends XepConditionName<N>> = Xeps[N]['conditions'][C]
type PairOf<N extends XepName, C extends XepConditionName<N>> =
  Row<N, C> extends { pairs: readonly (infer P)[] } ? P : never
/** The general conditions the XEP pairs the application condition with. */
export type GeneralConditionOf<N extends XepName, C extends XepConditionName<N>> =
  PairOf<N, C> extends { condition: infer G extends StanzaCondition } ? G : never
type TypeOf<N extends XepName, C extends XepConditionName<N>> =
  PairOf<N, C> extends { type: infer T extends ErrorType } ? T : never
/** A pair the XEP gives for the condition: `{ condition, type }`. */
export type GeneralOf<N extends XepName, C extends XepConditionName<N>> =
  PairOf<N, C> extends infer P
    ? P extends { condition: infer G; type: infer T }
      ? { readonly condition: G; readonly type: T }
      : never
    : never

type Specs<N extends XepName, C extends XepConditionName<N>> =
  Row<N, C> extends { options: infer O } ? O : Record<never, never>
type RequiredKeys<O> = { [K in keyof O]: O[K] extends { required: true } ? K : never }[keyof O]
type Value<S> = S extends { values: readonly (infer V)[] }
  ? V
  : S extends { value: 'integer' }
    ? number
    : S extends { value: 'date-time' }
      ? Date | string
      : string
type ParsedValue<S> = S extends { values: readonly (infer V)[] }
  ? V
  : S extends { value: 'integer' }
    ? number
    : string
type Simplify<T> = { [K in keyof T]: T[K] } & {}

/** What the condition element carries, e.g. `{ feature: 'retract-items' }`; required where the XEP says MUST. */
export type ConditionOptions<N extends XepName, C extends XepConditionName<N>> = Simplify<
  { -readonly [K in RequiredKeys<Specs<N, C>>]: Value<Specs<N, C>[K]> } & {
    -readonly [K in Exclude<keyof Specs<N, C>, RequiredKeys<Specs<N, C>>>]?: Value<Specs<N, C>[K]>
  }
>

/** The condition's options, which general condition and type to pair it with, and the error's own. */
export type XepErrorOptions<N extends XepName, C extends XepConditionName<N>> = ConditionOptions<
  N,
  C
> &
  Omit<StanzaErrorBaseOptions<GeneralConditionOf<N, C>>, 'type' | 'application' | 'specifiedBy'> & {
    /** One of the pairs the XEP gives; the first one it gives by default. */
    general?: GeneralOf<N, C>
  }

type OptionsArgument<N extends XepName, C extends XepConditionName<N>> = [
  RequiredKeys<Specs<N, C>>,
] extends [never]
  ? [options?: XepErrorOptions<N, C>]
  : [options: XepErrorOptions<N, C>]

/** The StanzaError of an application condition: its general condition and type are the XEP's. */
export type XepError<N extends XepName, C extends XepConditionName<N>> = StanzaError & {
  readonly condition: GeneralConditionOf<N, C>
  readonly type: TypeOf<N, C>
}

/** An application condition read from an error: which XEP, which condition, what it carries. */
export type XepConditionOf<N extends XepName> = {
  [C in XepConditionName<N>]: {
    readonly name: N
    readonly xep: Xeps[N]['xep']
    readonly namespace: Xeps[N]['namespace']
    readonly condition: C
    /** What the element carried and the XEP defines; a value the XEP does not allow is left out. */
    readonly options: Partial<{ [K in keyof Specs<N, C>]: ParsedValue<Specs<N, C>[K]> }>
    /** The section giving the error's general condition and type for it; undefined when none does. */
    readonly section: string | undefined
  }
}[XepConditionName<N>]
export type XepCondition = { [N in XepName]: XepConditionOf<N> }[XepName]

/** One XEP's application conditions: build errors with them, read them back. */
export interface Xep<N extends XepName> {
  readonly name: N
  readonly xep: Xeps[N]['xep']
  readonly namespace: Xeps[N]['namespace']
  readonly conditions: readonly XepConditionName<N>[]
  /** The StanzaError carrying the condition, its general condition and its type. */
  error<C extends XepConditionName<N>>(
    condition: C,
    ...options: OptionsArgument<N, C>
  ): XepError<N, C>
  /** The typed condition of an error (or an `<error/>`, or a stanza carrying one) if it is one of this XEP's. */
  read(error: unknown): XepConditionOf<N> | undefined
}

// The table as its row shapes: the typed surface above is derived from the data itself.
const rows: Readonly<Record<XepName, XepRow>> = xeps
const byNamespace = new Map<string, XepName>(
  (Object.keys(rows) as XepName[]).map((name) => [rows[name].namespace, name]),
)

// XEP-0082 DateTime; XEP-0363 §6 wants the retry stamp in UTC.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?Z$/

/**
 * A UTC date-time of XEP-0082 that names a real instant: the one check of a stamp, for what we
 * write and what we read. `Date.parse` alone is not it: V8 takes `2026-02-30` for March 2nd.
 * Year 0000 is refused, as XML Schema 1.0's dateTime (which XEP-0082 follows) has no year zero;
 * so are hour 24 and second 60, which it does not allow either.
 */
function isDateTime(value: string): boolean {
  const match = DATE_TIME.exec(value)
  if (match === null) return false
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  if (year === 0 || hour > 23 || minute > 59 || second > 59) return false
  // setUTCFullYear, not Date.UTC, which reads years 0–99 as 1900–1999.
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

function conditionData(xep: XepRow, condition: unknown): ConditionRow | undefined {
  return typeof condition === 'string' && Object.hasOwn(xep.conditions, condition)
    ? xep.conditions[condition]
    : undefined
}

/** The option's value as written in XML, or a TypeError saying what is wrong with it. */
function serialize(key: string, spec: OptionRow, value: unknown): string {
  if (spec.value === 'integer') {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value)
    throw new TypeError(`${key} must be a non-negative integer, not ${JSON.stringify(value)}`)
  }
  if (spec.value === 'date-time') {
    // A Date past year 9999 or before year 1 writes a stamp XEP-0082 has no form for.
    const text =
      value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : value
    if (typeof text === 'string' && isDateTime(text)) return text
    throw new TypeError(
      `${key} must be a Date or a UTC date-time (XEP-0082), e.g. 2026-01-01T00:00:00Z`,
    )
  }
  if (typeof value === 'string' && (spec.values === undefined || spec.values.includes(value))) {
    return value
  }
  throw new TypeError(
    spec.values === undefined
      ? `${key} must be a string`
      : `${key} must be one of ${spec.values.join(', ')}, not ${JSON.stringify(value)}`,
  )
}

/** A value read from a peer, or undefined when the XEP does not allow it. */
function deserialise(spec: OptionRow, raw: string | undefined): string | number | undefined {
  if (raw === undefined) return undefined
  if (spec.value === 'integer') {
    return /^\d{1,15}$/.test(raw) ? Number(raw) : undefined
  }
  if (spec.value === 'date-time') return isDateTime(raw) ? raw : undefined
  return spec.values === undefined || spec.values.includes(raw) ? raw : undefined
}

function conditionElement(
  xep: XepRow,
  condition: string,
  data: ConditionRow,
  options: Record<string, unknown>,
): XmlElement {
  const attrs: Record<string, string> = { xmlns: xep.namespace }
  const children: Element[] = []
  for (const [key, spec] of Object.entries(data.options ?? {})) {
    const value = options[key]
    if (value === undefined) {
      if (spec.required) {
        throw new TypeError(`${xep.xep} <${condition}/> needs ${key}`)
      }
      continue
    }
    const text = serialize(`${xep.xep} <${condition}/> ${key}`, spec, value)
    if (spec.in === 'attribute') attrs[spec.name] = text
    else children.push(xml(spec.name, {}, text))
  }
  return xml(condition, attrs, ...children)
}

const ERROR_OPTIONS = ['text', 'lang', 'by', 'expose', 'stack'] as const

function buildError(name: XepName, condition: unknown, options: Record<string, unknown> = {}) {
  const xep = rows[name]
  const data = conditionData(xep, condition)
  if (data === undefined) {
    throw new TypeError(`${xep.xep}: unknown condition ${JSON.stringify(condition)}`)
  }
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${xep.xep} <${condition}/>: options must be an object`)
  }
  const general = options.general as { condition?: unknown; type?: unknown } | undefined
  const pair =
    general === undefined
      ? data.pairs[0]
      : data.pairs.find((p) => p.condition === general.condition && p.type === general.type)
  if (pair === undefined) {
    throw new TypeError(
      `${xep.xep} does not pair <${condition}/> with ${JSON.stringify(general)}; it gives ${data.pairs
        .map((p) => `${p.condition} (${p.type}, §${p.section})`)
        .join(', ')}`,
    )
  }
  const element = conditionElement(xep, condition as string, data, options)
  const errorOptions: Record<string, unknown> = {
    type: pair.type,
    application: element,
    specifiedBy: `${xep.xep} §${pair.section}`,
  }
  for (const key of ERROR_OPTIONS) if (options[key] !== undefined) errorOptions[key] = options[key]
  if ('cause' in options) errorOptions.cause = options.cause
  return new StanzaError<StanzaCondition>(pair.condition, errorOptions as StanzaErrorOptions)
}

/** The application element of an error, a stanza or an `<error/>`. */
function applicationOf(error: unknown): XmlElement | undefined {
  return isStanzaError(error) ? error.application : StanzaError.fromElement(error).application
}

function readCondition(error: unknown, only?: XepName): XepCondition | undefined {
  const parsed = isStanzaError(error) ? error : StanzaError.fromElement(error)
  const element = applicationOf(parsed)
  if (element === undefined) return undefined
  const namespace = namespaceOf(element)
  const name = namespace === undefined ? undefined : byNamespace.get(namespace)
  if (name === undefined || (only !== undefined && name !== only)) return undefined
  const xep = rows[name]
  const condition = localName(element)
  const data = conditionData(xep, condition)
  if (data === undefined) return undefined
  const options: Record<string, string | number> = {}
  for (const [key, spec] of Object.entries(data.options ?? {})) {
    const raw =
      spec.in === 'attribute'
        ? attribute(element, spec.name)
        : (() => {
            const child = childElements(element).find((c) => localName(c) === spec.name)
            return child && textOf(child).trim()
          })()
    const value = deserialise(spec, raw)
    if (value !== undefined) options[key] = value
  }
  const pair = data.pairs.find((p) => p.condition === parsed.condition && p.type === parsed.type)
  return {
    name,
    xep: xep.xep,
    namespace: xep.namespace,
    condition,
    options,
    section: pair?.section,
  } as XepCondition
}

function define<N extends XepName>(name: N): Xep<N> {
  const xep = rows[name]
  return Object.freeze({
    name,
    xep: xep.xep,
    namespace: xep.namespace,
    conditions: Object.freeze(Object.keys(xep.conditions)),
    error: (condition: unknown, options?: Record<string, unknown>) =>
      buildError(name, condition, options),
    read: (error: unknown) => read(error, name),
  }) as unknown as Xep<N>
}

/** XEP-0060 `http://jabber.org/protocol/pubsub#errors`. */
export const pubsub: Xep<'pubsub'> = define('pubsub')
/** XEP-0050 `http://jabber.org/protocol/commands`. */
export const commands: Xep<'commands'> = define('commands')
/** XEP-0363 `urn:xmpp:http:upload:0`. */
export const upload: Xep<'upload'> = define('upload')
/** XEP-0166 `urn:xmpp:jingle:errors:1`. */
export const jingle: Xep<'jingle'> = define('jingle')
/** XEP-0191 `urn:xmpp:blocking:errors`. */
export const blocking: Xep<'blocking'> = define('blocking')
/** XEP-0205 `urn:xmpp:errors`. */
export const xmppErrors: Xep<'xmppErrors'> = define('xmppErrors')

/**
 * The application condition of any of these XEPs that an error carries, typed: read it from
 * `StanzaError.fromElement(reply)`, from the `<error/>` or from the reply itself.
 */
export function read(error: unknown): XepCondition | undefined
export function read<N extends XepName>(error: unknown, only: N): XepConditionOf<N> | undefined
export function read(error: unknown, only?: XepName): XepCondition | undefined {
  try {
    return readCondition(error, only)
  } catch {
    // Only objects no XML parser makes get here (getters that throw, say).
    return undefined
  }
}
