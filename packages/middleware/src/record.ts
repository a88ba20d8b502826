import type { Blame, ErrorType } from '@xmpp-errors/conditions'
import { MAX_TEXT_LENGTH, type XmlElement } from '@xmpp-errors/errors'
import { capped, recorded } from './cap.js'
import type { AfterServerStreamError } from './connection-policy.js'
import { generatedIds } from './correlation.js'
import type { Decision, DropReason } from './decide.js'
import { streamErrorLevels } from './levels.js'
import { type Normalized, normalize, type XmppError } from './normalize.js'
import type { Upstream } from './upstream.js'

export type Level = 'debug' | 'warn' | 'error'

/**
 * The one record each handled (or observed) error produces: logged, and given to `onError`.
 *
 * Its own enumerable fields are the log line, one flat object: what no other field of the line
 * tells (bench/README.md weighs each by what pino pays to write it). `level` and `msg` are not
 * enumerable, as pino writes its own `level` and `msg` keys; nor are `xmpp` and `stanza`, which
 * follow from the line (the condition's metadata from its registry row, the stanza's name and
 * type are in `msg`) and are there for `onError` and OpenTelemetry.
 */
export interface ErrorRecord {
  level: Level
  msg: string
  condition: string
  /** The error's type; stream errors have none (RFC 6120 §4.9.3). */
  type: ErrorType | undefined
  /** The error's text, and whether it reached the peer. */
  text: string | undefined
  exposed: boolean
  /** The stanza's `id`, `from` and `to`, capped. */
  id: string | undefined
  from: string | undefined
  to: string | undefined
  /** Unique per record, to find one error across log lines and systems. */
  correlationId: string
  /** reply, close (stream error), drop (RFC forbids a reply), or observe (an incoming error). */
  action: Decision['action'] | 'observe'
  reason?: DropReason
  /** The error with its stack: for records at `error` (server-blame stanza conditions, unknown exceptions, our own stream faults). */
  err?: unknown
  /** The user's `map` threw this; the default mapping applied instead. */
  mapError?: unknown
  /** The error reply a handler's own request got and did not catch, as the peer sent it. */
  upstream?: Upstream
  /** After a stream error from the server: what guard() does next, and why. */
  next?: {
    action: AfterServerStreamError
    hint: string
    /** Before the next reconnect attempt, and which attempt that is (1 first). */
    delayMs?: number
    attempt?: number
    /** Where see-other-host sends the component. */
    host?: string | undefined
  }
  /** The condition's metadata, from the registry: not written to the log. */
  readonly xmpp: {
    kind: 'stanza' | 'stream'
    code: string
    condition: string
    type: ErrorType | undefined
    title: string
    /** Who caused a stanza error; stream errors have no blame. */
    blame: Blame | undefined
  }
  /** The stanza the record is about: not written to the log beyond `id`, `from` and `to`. */
  readonly stanza: StanzaSummary
}

export interface StanzaSummary {
  name: string
  type: string | undefined
  id: string | undefined
  from: string | undefined
  to: string | undefined
}

export function summarize(stanza: XmlElement): StanzaSummary {
  const { attrs } = stanza
  return {
    name: capped(stanza.name),
    type: recorded(attrs.type),
    id: recorded(attrs.id),
    from: recorded(attrs.from),
    to: recorded(attrs.to),
  }
}

/** The error's text as recorded: capped like the stanza's fields, as a peer may have sent it. */
function recordedText(error: XmppError): string | undefined {
  return error.text === undefined ? undefined : capped(error.text, MAX_TEXT_LENGTH)
}

/** The ids of records built without one: by a caller other than errors() and guard(). */
export const correlationId: () => string = generatedIds()

function hasStack(value: unknown): boolean {
  try {
    return typeof value === 'object' && value !== null && typeof (value as Error).stack === 'string'
  } catch {
    return false
  }
}

function describe(error: XmppError): string {
  return error.kind === 'stanza'
    ? `${error.condition} (${error.type})`
    : `stream ${error.condition}`
}

/** Stanza conditions carry a blame; stream conditions have none (the errors package's README). */
function blameOf(error: XmppError): Blame | undefined {
  return error.kind === 'stanza' ? error.blame : undefined
}

/** What a handled error is logged at: by blame for stanza errors, by condition for stream errors. */
function levelOf(error: XmppError, unknown: boolean): Level {
  if (unknown) return 'error'
  if (error.kind === 'stream') return streamErrorLevels[error.condition] ?? 'error'
  return error.blame === 'sender' ? 'warn' : 'error'
}

function metadataOf(error: XmppError): ErrorRecord['xmpp'] {
  return {
    kind: error.kind,
    code: error.code,
    condition: error.condition,
    type: error.kind === 'stanza' ? error.type : undefined,
    title: error.title,
    blame: blameOf(error),
  }
}

/** What every record has besides `level`, `msg` and what follows from the error and the stanza. */
type Fields = Pick<ErrorRecord, 'text' | 'exposed' | 'correlationId' | 'action'>

/**
 * A record whose own enumerable fields are the log line, and whose `level`, `msg`, `xmpp` and
 * `stanza` are accessors on the prototype: pino and JSON see the line, the logger gets the record
 * itself, and `onError` reads all of it. A plain object would need a copy without them for every
 * record; measured in instructions per record built and handed to a logger, that plain object
 * and its copy took 2,430, this class 210–466.
 */
class LoggedRecord implements ErrorRecord {
  #level: Level
  #msg: string
  readonly #error: XmppError
  readonly #stanza: StanzaSummary
  #xmpp: ErrorRecord['xmpp'] | undefined
  // Declared, not class fields: assigned once in the constructor, not defined and then set.
  declare condition: string
  declare type: ErrorType | undefined
  declare text: string | undefined
  declare exposed: boolean
  declare id: string | undefined
  declare from: string | undefined
  declare to: string | undefined
  declare correlationId: string
  declare action: ErrorRecord['action']
  declare reason?: DropReason
  declare err?: unknown
  declare mapError?: unknown
  declare upstream?: Upstream
  declare next?: NonNullable<ErrorRecord['next']>

  constructor(level: Level, msg: string, error: XmppError, stanza: StanzaSummary, fields: Fields) {
    this.#level = level
    this.#msg = msg
    this.#error = error
    this.#stanza = stanza
    this.#xmpp = undefined
    this.condition = error.condition
    this.type = error.kind === 'stanza' ? error.type : undefined
    this.text = fields.text
    this.exposed = fields.exposed
    this.id = stanza.id
    this.from = stanza.from
    this.to = stanza.to
    this.correlationId = fields.correlationId
    this.action = fields.action
  }
  get level(): Level {
    return #level in this ? this.#level : inherited(this, 'level')
  }
  set level(level: Level) {
    if (#level in this) this.#level = level
    else own(this, 'level', level)
  }
  get msg(): string {
    return #msg in this ? this.#msg : inherited(this, 'msg')
  }
  set msg(msg: string) {
    if (#msg in this) this.#msg = msg
    else own(this, 'msg', msg)
  }
  get xmpp(): ErrorRecord['xmpp'] {
    if (!(#error in this)) return inherited(this, 'xmpp')
    // Made when first read: the log line does not need it.
    this.#xmpp ??= metadataOf(this.#error)
    return this.#xmpp
  }
  get stanza(): StanzaSummary {
    return #stanza in this ? this.#stanza : inherited(this, 'stanza')
  }
}

/**
 * An accessor read on an object that only inherits from a record, such as the copy a failing
 * `expect(record).toEqual(…)` makes for its diff, reads the record it inherits from (or nothing),
 * where a private field would throw.
 */
function inherited<K extends keyof ErrorRecord>(receiver: object, key: K): ErrorRecord[K] {
  return Reflect.get(Object.getPrototypeOf(receiver) ?? {}, key)
}

/** The same copy, written to: the value becomes its own. */
function own(receiver: object, key: string, value: unknown): void {
  Object.defineProperty(receiver, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  })
}

/** What the message says the error came from, when it was not a handler's own StanzaError. */
function origin({ unknown, upstream }: Normalized): string {
  if (upstream) {
    const code = upstream.code === undefined ? '' : ` code ${upstream.code}`
    const peer = `${upstream.condition ?? 'no condition'}${code}${
      upstream.from ? ` from ${upstream.from}` : ''
    }`
    return `upstream request failed (${peer}) and was not caught → `
  }
  return unknown ? 'unhandled exception → ' : ''
}

/**
 * Builds the record of an error a handler threw: the single place that shapes it. Its level
 * comes from the error and the outcome: a flood must not become a flood of log lines, so a
 * rate-limited drop, and a `repeated` one of a flood already recorded, go at debug.
 */
export function recordHandled(
  stanza: XmlElement,
  thrown: unknown,
  normalized: Normalized,
  decision: Decision,
  id: string = correlationId(),
  repeated = false,
): ErrorRecord {
  const { error, unknown } = normalized
  const level = levelOf(error, unknown)
  const flood = repeated || (decision.action === 'drop' && decision.reason === 'rate-limited')
  const summary = summarize(stanza)
  const exposed = decision.action === 'close' || (error.kind === 'stanza' && error.expose)
  const what =
    decision.action === 'reply'
      ? 'replied to'
      : decision.action === 'close'
        ? 'closed the stream after'
        : `dropped (${decision.reason}) for`
  const msg = `${origin(normalized)}${describe(error)} ${what} ${summary.name}${
    summary.type ? ` ${summary.type}` : ''
  }${summary.from ? ` from ${summary.from}` : ''}`
  const record = new LoggedRecord(flood ? 'debug' : level, msg, error, summary, {
    text: recordedText(error),
    exposed: exposed && error.text !== undefined,
    correlationId: id,
    action: decision.action,
  })
  if (decision.action === 'drop') record.reason = decision.reason
  if (level === 'error') record.err = unknown && hasStack(thrown) ? thrown : error
  if ('mapError' in normalized) record.mapError = normalized.mapError
  if (normalized.upstream) record.upstream = normalized.upstream
  return record
}

/**
 * Builds the record of an error a peer sent us: an error stanza or a stream error. Observed at
 * debug, unless something follows from it (a server's stream error: `outcome`).
 */
export function recordIncoming(
  element: XmlElement,
  error: XmppError,
  outcome?: { level: Level; msg: string; next: NonNullable<ErrorRecord['next']> },
  id: string = correlationId(),
): ErrorRecord {
  const summary = summarize(element)
  const from = summary.from ? ` from ${summary.from}` : ''
  const record = new LoggedRecord(
    outcome?.level ?? 'debug',
    outcome?.msg ?? `received ${error.kind} error ${describe(error)}${from}`,
    error,
    summary,
    {
      text: recordedText(error),
      exposed: false,
      correlationId: id,
      action: 'observe',
    },
  )
  if (outcome) record.next = outcome.next
  return record
}

/**
 * Builds the record of what happened to the entity itself rather than to a stanza: an error
 * xmpp.js emitted, a listener that threw, a StanzaError that reached xmpp.js's IQ handler. Its
 * `stanza` is `about` (`{ name: 'iq' }` for the IQ handler's), empty when there is none.
 */
export function recordEvent(
  thrown: unknown,
  level: Level,
  msg: string,
  id: string = correlationId(),
  about: Partial<StanzaSummary> = {},
): ErrorRecord {
  const normalized = normalize(thrown)
  const { error } = normalized
  const stanza = {
    name: '',
    type: undefined,
    id: undefined,
    from: undefined,
    to: undefined,
    ...about,
  }
  const record = new LoggedRecord(level, msg, error, stanza, {
    text: recordedText(error),
    exposed: false,
    correlationId: id,
    action: 'observe',
  })
  if (level !== 'debug') record.err = normalized.unknown && hasStack(thrown) ? thrown : error
  return record
}

const RECORDED = Symbol.for('@xmpp-errors/middleware.recorded')

/** Marks an error as recorded where it happened, so that an 'error' listener need not log it. */
export function markRecorded<E extends object>(error: E): E {
  Object.defineProperty(error, RECORDED, { value: true })
  return error
}

/** Whether `error` was recorded where it happened (see `markRecorded`). */
export function wasRecorded(error: unknown): boolean {
  try {
    return typeof error === 'object' && error !== null && (error as never)[RECORDED] === true
  } catch {
    return false
  }
}

/** Hands a record to the logger and to `onError`; what either throws is ignored. */
export function publish(
  record: ErrorRecord,
  logger: { [L in Level]: (object: object, msg: string) => void },
  onError?: (record: ErrorRecord) => void,
): void {
  try {
    logger[record.level](record, record.msg)
  } catch {}
  try {
    onError?.(record)
  } catch {}
}
