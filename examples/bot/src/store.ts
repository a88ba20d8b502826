import { StanzaError } from '@xmpp-errors/middleware'
import { NotesErrors } from './errors.js'

/**
 * The notes store: a key-value store with owners, read-only notes, an admin-only namespace, a
 * size limit and tombstones for moved notes. Pure (no I/O), so every rule is unit-testable; each
 * refusal is the StanzaError RFC 6120 gives for it, which errors() turns into the reply.
 */

export interface StoreLimits {
  /** Most notes held; creating one more is `resource-constraint`. */
  maxKeys: number
  /** Longest value, in characters. */
  maxValueLength: number
  /** Longest key, in characters. Default 64. */
  maxKeyLength?: number
  /** Most editors a note may be shared with. Default {@link DEFAULT_MAX_EDITORS}. */
  maxEditors?: number
}

/** Editors per note unless configured: enough for a team, and a bound on every write's check. */
export const DEFAULT_MAX_EDITORS = 32

/** Who asks: a bare JID, and whether it is one of the bot's admins. */
export interface Requester {
  jid: string
  admin: boolean
}

export interface Note {
  readonly key: string
  readonly value: string
  /** Bare JID of whoever created it. */
  readonly owner: string
  /** Only admins may change a read-only note. */
  readonly readOnly: boolean
  /** Bare JIDs besides the owner that may change it. */
  readonly editors: readonly string[]
}

export type PutMode = 'create' | 'replace' | 'upsert'

export interface PutOptions {
  /** `create` fails on an existing key (`conflict`), `replace` on a missing one. Default upsert. */
  mode?: PutMode
  /** Make the note read-only; admins only. */
  readOnly?: boolean
}

/**
 * Most keys one list reply holds (chat `keys`, disco#items). A server closes the stream of a
 * component that sends a stanza past its limit (Prosody: 512 KiB), and every stanza in flight with
 * it; 100 keys of 64 characters are about 7 KB as chat text, and 41 KB as disco items on a
 * 253-byte domain.
 */
export const MAX_PAGE = 100

/** Where a page of the sorted keys starts: XEP-0059's after, before (`''`: the last page), index. */
export interface PageRequest {
  max: number
  after?: string
  before?: string
  index?: number
}

/** Up to `max` keys in sorted order, the position of the first, and how many keys there are. */
export interface KeyPage {
  keys: string[]
  index: number
  count: number
}

/** Keys in this namespace are written by admins only. */
export const ADMIN_PREFIX = 'sys.'

const KEY = /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/

function codePoints(value: string): number {
  let n = 0
  for (const _ of value) n++
  return n
}

/** Quotes a peer's input for an error text, shortened so that a long input stays readable. */
function quote(value: string, max = 40): string {
  const short = codePoints(value) > max ? `${[...value].slice(0, max - 1).join('')}…` : value
  return JSON.stringify(short)
}

/** How many of the sorted `keys` are below `key` (or equal to it, with `orEqual`). */
function countBelow(keys: readonly string[], key: string, orEqual: boolean): number {
  let low = 0
  let high = keys.length
  while (low < high) {
    const middle = (low + high) >>> 1
    const k = keys[middle] as string
    if (k < key || (orEqual && k === key)) low = middle + 1
    else high = middle
  }
  return low
}

/** An `xmpp:` URI for a note of this service (RFC 5122), used by `redirect`. */
export function noteUri(domain: string, key: string): string {
  return `xmpp:${domain}?notes;key=${encodeURIComponent(key)}`
}

export class NotesStore {
  readonly domain: string
  readonly maxKeys: number
  readonly maxValueLength: number
  readonly maxKeyLength: number
  readonly maxEditors: number
  readonly #notes = new Map<string, Note>()
  /** Where a moved note went: old key → new key. Bounded like the notes. */
  readonly #moved = new Map<string, string>()

  constructor(domain: string, limits: StoreLimits) {
    this.domain = domain
    this.maxKeys = limits.maxKeys
    this.maxValueLength = limits.maxValueLength
    this.maxKeyLength = limits.maxKeyLength ?? 64
    this.maxEditors = limits.maxEditors ?? DEFAULT_MAX_EDITORS
  }

  get size(): number {
    return this.#notes.size
  }

  keys(): string[] {
    return [...this.#notes.keys()].sort()
  }

  /** A page of the sorted keys; `after` and `before` are positions, whether or not a note. */
  page(request: PageRequest): KeyPage {
    const all = this.keys()
    const max = Math.max(0, request.max)
    let start: number
    let end: number
    if (request.before !== undefined) {
      const before = request.before
      end = before === '' ? all.length : countBelow(all, before, false)
      start = Math.max(0, end - max)
    } else {
      const after = request.after
      start =
        request.index !== undefined
          ? Math.min(request.index, all.length)
          : after === undefined
            ? 0
            : countBelow(all, after, true)
      end = Math.min(all.length, start + max)
    }
    return { keys: all.slice(start, end), index: start, count: all.length }
  }

  has(key: string): boolean {
    return this.#notes.has(key)
  }

  /** `bad-request` unless `key` is lower-case letters, digits and `.-_`, within the length. */
  checkKey(key: string | undefined): string {
    if (key === undefined || key === '') {
      throw new StanzaError('bad-request', { text: 'a key is required' })
    }
    if (codePoints(key) > this.maxKeyLength) {
      throw new StanzaError('bad-request', {
        text: `key ${quote(key)} is longer than ${this.maxKeyLength} characters`,
      })
    }
    if (!KEY.test(key)) {
      throw new StanzaError('bad-request', {
        text: `key ${quote(key)} may hold only a-z, 0-9 and . - _ (not at either end)`,
      })
    }
    return key
  }

  /** The note, `redirect` to where it was moved, or `item-not-found`. */
  get(key: string | undefined): Note {
    const k = this.checkKey(key)
    const note = this.#notes.get(k)
    if (note !== undefined) return note
    const to = this.#moved.get(k)
    if (to !== undefined) {
      throw new StanzaError('redirect', {
        text: `note ${quote(k)} was moved to ${quote(to)}`,
        uri: noteUri(this.domain, to),
      })
    }
    throw NotesErrors.noSuchNote({ key: quote(k) })
  }

  /** Creates or changes a note; tells whether it was created. */
  put(
    key: string | undefined,
    value: string,
    who: Requester,
    options: PutOptions = {},
  ): { created: boolean } {
    const k = this.checkKey(key)
    const length = codePoints(value)
    if (length > this.maxValueLength) {
      throw new StanzaError('bad-request', {
        text: `the value is ${length} characters long; the limit is ${this.maxValueLength}`,
      })
    }
    if (options.readOnly && !who.admin) {
      throw new StanzaError('forbidden', { text: 'only admins may make a note read-only' })
    }
    const existing = this.#notes.get(k)
    const mode = options.mode ?? 'upsert'
    if (existing !== undefined && mode === 'create') {
      throw NotesErrors.noteExists({ key: quote(k) })
    }
    if (existing === undefined && mode === 'replace') {
      throw new StanzaError('item-not-found', { text: `no note named ${quote(k)} to replace` })
    }
    this.#assertWritable(k, existing, who)
    if (existing === undefined) this.#assertRoom()
    this.#notes.set(k, {
      key: k,
      value,
      owner: existing?.owner ?? who.jid,
      readOnly: options.readOnly ?? existing?.readOnly ?? false,
      editors: existing?.editors ?? [],
    })
    this.#moved.delete(k)
    return { created: existing === undefined }
  }

  delete(key: string | undefined, who: Requester): Note {
    const k = this.checkKey(key)
    const note = this.#require(k)
    this.#assertWritable(k, note, who)
    this.#notes.delete(k)
    return note
  }

  /** Renames a note and leaves a tombstone, so that `get` of the old key redirects. */
  move(key: string | undefined, to: string | undefined, who: Requester): Note {
    const from = this.checkKey(key)
    const target = this.checkKey(to)
    if (from === target) {
      throw new StanzaError('bad-request', { text: 'a note cannot be moved onto itself' })
    }
    const note = this.#require(from)
    this.#assertWritable(from, note, who)
    if (this.#notes.has(target)) {
      throw NotesErrors.noteExists({ key: quote(target) })
    }
    this.#assertWritable(target, undefined, who)
    const moved: Note = { ...note, key: target }
    this.#notes.delete(from)
    this.#notes.set(target, moved)
    this.#moved.delete(target)
    this.#moved.set(from, target)
    // Tombstones are bounded too: the oldest goes first.
    for (const old of this.#moved.keys()) {
      if (this.#moved.size <= this.maxKeys) break
      this.#moved.delete(old)
    }
    return moved
  }

  /** Lets `editor` (a bare JID the caller has checked) change the note too. */
  share(key: string | undefined, editor: string, who: Requester): Note {
    const k = this.checkKey(key)
    const note = this.#require(k)
    if (!who.admin && note.owner !== who.jid) {
      throw new StanzaError('forbidden', {
        text: `only the owner of ${quote(k)} may share it`,
      })
    }
    if (editor === note.owner || note.editors.includes(editor)) return note
    // Every write to the note looks its writer up in this list, so it is bounded.
    if (note.editors.length >= this.maxEditors) {
      throw new StanzaError('not-allowed', {
        text: `note ${quote(k)} is shared with ${this.maxEditors} editors already, the most a note may have`,
      })
    }
    const shared: Note = { ...note, editors: [...note.editors, editor] }
    this.#notes.set(k, shared)
    return shared
  }

  #require(key: string): Note {
    const note = this.#notes.get(key)
    if (note !== undefined) return note
    // A moved note is answered with where it went, as `get` does.
    if (this.#moved.has(key)) this.get(key)
    throw NotesErrors.noSuchNote({ key: quote(key) })
  }

  #assertWritable(key: string, note: Note | undefined, who: Requester): void {
    if (who.admin) return
    if (key.startsWith(ADMIN_PREFIX)) {
      throw new StanzaError('forbidden', {
        text: `notes under ${ADMIN_PREFIX} are written by admins only`,
      })
    }
    if (note === undefined) return
    if (note.readOnly) {
      throw NotesErrors.readOnly({ key: quote(key) })
    }
    if (note.owner !== who.jid && !note.editors.includes(who.jid)) {
      throw new StanzaError('forbidden', {
        text: `note ${quote(key)} belongs to ${note.owner}; ask them to share it with you`,
      })
    }
  }

  #assertRoom(): void {
    if (this.#notes.size < this.maxKeys) return
    throw new StanzaError('resource-constraint', {
      text: `the store is full (${this.maxKeys} notes); delete one first`,
      // resource-constraint is the server's fault, so its text is hidden unless exposed; here
      // it tells the sender what to do.
      expose: true,
    })
  }
}
