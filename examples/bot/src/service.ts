import type { Component } from '@xmpp/component'
import xml from '@xmpp/xml'
import { type Context, type Middleware, type Next, StanzaError } from '@xmpp-errors/middleware'
import { addressProblem, bareAddress } from './address.js'
import {
  attr,
  type BotLogger,
  type IqContext,
  type Sender,
  senderOf,
  stanzaSummary,
} from './context.js'
import { discoInfo, discoItems, NS_DISCO_INFO, NS_DISCO_ITEMS, NS_RSM } from './disco.js'
import type { TokenBuckets } from './ratelimit.js'
import type { Note, NotesStore, PutMode } from './store.js'

/** The bot's own protocol: `<get/>`, `<put/>`, `<delete/>`, `<move/>` and `<share/>`. */
export const NS_NOTES = 'urn:xmpp-errors:notes:0'
export const NS_VERSION = 'jabber:iq:version'
export const NS_PING = 'urn:xmpp:ping'

export interface ServiceOptions {
  store: NotesStore
  admins: ReadonlySet<string>
  log: BotLogger
  /** XEP-0092 answer. */
  software: { name: string; version: string }
}

const MODES: readonly PutMode[] = ['create', 'replace', 'upsert']

function flag(ctx: IqContext, name: string): boolean {
  const value = attr(ctx.element, name)
  if (value === undefined || value === 'false' || value === '0') return false
  if (value === 'true' || value === '1') return true
  throw new StanzaError('bad-request', { text: `${name} must be true or false` })
}

/** `jid-malformed` unless `value` is an address; its bare form otherwise. */
export function requireAddress(value: string | undefined, what: string): string {
  if (value === undefined || value === '') {
    throw new StanzaError('bad-request', { text: `${what} is required` })
  }
  const problem = addressProblem(value)
  const bare = bareAddress(value)
  if (problem !== undefined || bare === undefined) {
    throw new StanzaError('jid-malformed', {
      text: `${JSON.stringify(value.slice(0, 64))} is not a JID: ${problem}`,
    })
  }
  return bare
}

function noteElement(note: Note) {
  const attrs = { xmlns: NS_NOTES, key: note.key, owner: note.owner }
  return xml('note', note.readOnly ? { ...attrs, readonly: 'true' } : attrs, note.value)
}

/**
 * Installs every IQ route. Must run after `errors()` is in place, as every route is a
 * middleware and only what runs after errors() has its throws answered with their condition.
 */
export function installRoutes(component: Component, options: ServiceOptions): void {
  const { store, admins, log } = options
  const audit = (ctx: IqContext, who: Sender, msg: string, extra: object = {}) =>
    log.info({ stanza: stanzaSummary(ctx.stanza), sender: who.jid, ...extra }, msg)

  // XEP-0030 (with XEP-0059 paging of its items), XEP-0092, XEP-0199.
  const features = [NS_NOTES, NS_VERSION, NS_PING, NS_RSM]
  const disco = { store, name: options.software.name, features }
  component.iqCallee.get(NS_DISCO_INFO, 'query', (ctx) => discoInfo(ctx, disco))
  component.iqCallee.get(NS_DISCO_ITEMS, 'query', (ctx) => discoItems(ctx, disco))
  component.iqCallee.get(NS_VERSION, 'query', () =>
    xml(
      'query',
      { xmlns: NS_VERSION },
      xml('name', {}, options.software.name),
      xml('version', {}, options.software.version),
    ),
  )
  // Any truthy value that is no element makes iqCallee send an empty result.
  component.iqCallee.get(NS_PING, 'ping', () => true)

  component.iqCallee.get(NS_NOTES, 'get', (ctx) => {
    return noteElement(store.get(attr(ctx.element, 'key')))
  })

  component.iqCallee.set(NS_NOTES, 'put', (ctx) => {
    const who = senderOf(ctx, admins)
    const mode = attr(ctx.element, 'mode') ?? 'upsert'
    if (!(MODES as readonly string[]).includes(mode)) {
      throw new StanzaError('bad-request', { text: `mode must be one of ${MODES.join(', ')}` })
    }
    // A note's value is text: elements inside <put/> would be dropped from it without a word.
    const child = ctx.element.getChildElements()[0]
    if (child !== undefined) {
      throw new StanzaError('bad-request', {
        text: `a note's value is text; <put/> may not hold <${child.name.slice(0, 32)}/>`,
      })
    }
    const key = attr(ctx.element, 'key')
    const { created } = store.put(key, ctx.element.text(), who, {
      mode: mode as PutMode,
      readOnly: flag(ctx, 'readonly'),
    })
    audit(ctx, who, `${created ? 'created' : 'updated'} note ${key} for ${who.jid}`, { key })
    return true
  })

  component.iqCallee.set(NS_NOTES, 'delete', (ctx) => {
    const who = senderOf(ctx, admins)
    const note = store.delete(attr(ctx.element, 'key'), who)
    audit(ctx, who, `deleted note ${note.key} for ${who.jid}`, { key: note.key })
    return true
  })

  component.iqCallee.set(NS_NOTES, 'move', (ctx) => {
    const who = senderOf(ctx, admins)
    const from = attr(ctx.element, 'key')
    const note = store.move(from, attr(ctx.element, 'to'), who)
    audit(ctx, who, `moved note ${from} to ${note.key} for ${who.jid}`, { key: from, to: note.key })
    return true
  })

  component.iqCallee.set(NS_NOTES, 'share', (ctx) => {
    const who = senderOf(ctx, admins)
    const editor = requireAddress(attr(ctx.element, 'with'), 'with')
    const note = store.share(attr(ctx.element, 'key'), editor, who)
    audit(ctx, who, `shared note ${note.key} with ${editor}`, { key: note.key, editor })
    return true
  })
}

/**
 * The last middleware: an IQ request that no route took. errors() would answer it
 * `service-unavailable` (RFC 6120 §8.2.3) and record it without this; throwing the same condition
 * here adds a text that names the payload the bot does not serve.
 */
export function unhandledIq(): Middleware {
  return async (ctx: Context, next: Next) => {
    if (ctx.name !== 'iq' || ctx.element === undefined) return next()
    const payload = ctx.element
    const ns = payload.getNS()
    throw new StanzaError('service-unavailable', {
      text: `this service does not answer ${ctx.type} <${payload.name}${ns ? ` xmlns='${ns}'` : ''}/>`,
    })
  }
}

/**
 * A token bucket per bare JID over requests (IQ get/set, messages): past it, `policy-violation`
 * of type wait, with how long to wait. Replies and errors are not counted.
 */
export function rateLimit(buckets: TokenBuckets, admins: ReadonlySet<string>): Middleware {
  return async (ctx: Context, next: Next) => {
    const request =
      (ctx.name === 'iq' && (ctx.type === 'get' || ctx.type === 'set')) ||
      (ctx.name === 'message' && ctx.type !== 'error')
    if (!request) return next()
    const who = senderOf(ctx, admins)
    const taken = buckets.take(who.jid)
    if (!taken.ok) {
      throw new StanzaError('policy-violation', {
        type: 'wait',
        text: `too many requests (${buckets.rate} per second, ${buckets.burst} at once); retry in ${taken.retryAfterMs} ms`,
      })
    }
    return next()
  }
}
