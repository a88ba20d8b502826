// Making a case real: the stanza as an element, and the value the handler throws, with a marker
// in its text that says whether the peer may see it (PUBLIC) or must never (SECRET).

import { xml } from '@xmpp/component'
import type { Element } from '@xmpp/xml'
import { lookup, NS_STREAMS, type StanzaCondition } from '@xmpp-errors/conditions'
import {
  StanzaError,
  type StanzaErrorOptions,
  StreamError,
  type StreamErrorOptions,
} from '@xmpp-errors/middleware'
import {
  type Case,
  type ErrorClass,
  NS,
  type StanzaSpec,
  type Thrown,
  type ValueKind,
  wireSafe,
} from './arbitraries.js'

/** The registry-wide brand of StanzaError and StreamError, which a forged value can carry. */
export const BRAND = Symbol.for('@xmpp-errors/errors.kind')

let sequence = 0
const nextMarker = () => (sequence++).toString(36)

/** A thrown value with its secret (must never reach the peer) or public text marked. */
export interface Prepared {
  c: Case
  stanza: Element
  value: unknown
  secret: string
}

class HostileError extends Error {}
class TimeoutLike extends Error {
  override name = 'TimeoutError'
}
class StanzaSub extends StanzaError {}
class StreamSub extends StreamError {}

/**
 * What a handler that makes an error and throws it throws: the error, or, where its options are
 * refused (a disallowed type, uri, lang or host), the constructor's TypeError.
 */
function made(make: () => Error): unknown {
  try {
    return make()
  } catch (refused) {
    return refused
  }
}

function materialise(thrown: Thrown, secret: string, pub: string): unknown {
  switch (thrown.t) {
    case 'none':
      return undefined
    case 'error':
      return errorValue(thrown.cls, `${secret} ${thrown.text}`, thrown.name)
    case 'stanza': {
      const options: StanzaErrorOptions = {}
      if (thrown.type !== undefined) options.type = thrown.type as never
      if (thrown.expose !== undefined) options.expose = thrown.expose
      if (thrown.lang !== undefined) options.lang = thrown.lang
      if (thrown.by !== undefined) options.by = thrown.by
      if (thrown.uri !== undefined) (options as { uri?: string }).uri = thrown.uri
      if (thrown.application) options.application = xml('app', { xmlns: 'urn:x-app' }, 'a')
      const exposed = thrown.expose ?? isSenderBlame(thrown.condition)
      if (thrown.text !== undefined) options.text = `${exposed ? pub : secret} ${thrown.text}`
      options.cause = new Error(`${secret} cause`)
      return made(() =>
        thrown.subclass
          ? new StanzaSub(thrown.condition, options)
          : new StanzaError(thrown.condition, options),
      )
    }
    case 'stream': {
      const options: StreamErrorOptions = {}
      if (thrown.text !== undefined) options.text = `${pub} ${thrown.text}`
      if (thrown.lang !== undefined) options.lang = thrown.lang
      if (thrown.host !== undefined) (options as { host?: string }).host = thrown.host
      if (thrown.application) options.application = xml('app', { xmlns: 'urn:x-app' })
      options.cause = new Error(`${secret} cause`)
      return made(() =>
        thrown.subclass
          ? new StreamSub(thrown.condition, options)
          : new StreamError(thrown.condition, options),
      )
    }
    case 'value':
      return otherValue(thrown.what, `${secret} ${thrown.text}`)
  }
}

/** The registry's blame: a sender's fault is explained to the sender. */
function isSenderBlame(condition: StanzaCondition): boolean {
  return lookup('stanza', condition).blame === 'sender'
}

function errorValue(cls: ErrorClass, message: string, name: string): unknown {
  switch (cls) {
    case 'Error':
      return new Error(message)
    case 'TypeError':
      return new TypeError(message)
    case 'RangeError':
      return new RangeError(message)
    case 'custom': {
      const e = new HostileError(message)
      e.name = name
      return e
    }
    case 'aggregate':
      return new AggregateError([new Error(message), message], message)
    case 'timeout':
      return new TimeoutLike(message)
    case 'cyclic-cause': {
      const e = new Error(message)
      e.cause = e
      return e
    }
    case 'stack-getter-throws': {
      const e = new Error(message)
      Object.defineProperty(e, 'stack', {
        get() {
          throw new Error(message)
        },
      })
      Object.defineProperty(e, 'name', {
        get() {
          throw new Error(message)
        },
      })
      return e
    }
    case 'no-stack': {
      const e = new Error(message)
      Object.defineProperty(e, 'stack', { value: undefined })
      return e
    }
    case 'frozen':
      return Object.freeze(new Error(message))
  }
}

function otherValue(what: ValueKind, text: string): unknown {
  const boom = () => {
    throw new Error(text)
  }
  switch (what) {
    case 'string':
      return text
    case 'number':
      return -0
    case 'nan':
      return Number.NaN
    case 'bigint':
      return 2n ** 80n
    case 'null':
      return null
    case 'undefined':
      return undefined
    case 'symbol':
      return Symbol(text)
    case 'boolean':
      return false
    case 'function':
      return Object.assign(() => text, { message: text })
    case 'plain-object':
      return { message: text, stack: text, name: 'TimeoutErrorNot', code: text }
    case 'null-prototype':
      return Object.assign(Object.create(null), { message: text })
    case 'getters-throw':
      return {
        get name() {
          return boom()
        },
        get message() {
          return boom()
        },
        get stack() {
          return boom()
        },
        get cause() {
          return boom()
        },
        get [BRAND]() {
          return boom()
        },
        toString: boom,
        [Symbol.toPrimitive]: boom,
      }
    case 'proxy-throws':
      return new Proxy(
        {},
        {
          get: boom,
          has: boom,
          ownKeys: boom,
          getPrototypeOf: boom,
          getOwnPropertyDescriptor: boom,
        },
      )
    case 'revoked-proxy': {
      const { proxy, revoke } = Proxy.revocable(new Error(text), {})
      revoke()
      return proxy
    }
    case 'cyclic': {
      const o: Record<string, unknown> = { message: text }
      o.self = o
      o.cause = o
      o.list = [o, [o]]
      return o
    }
    case 'xmppjs-lookalike':
      // @xmpp/error's StanzaError is not ours: it must not be trusted (its text is a peer's).
      return Object.assign(new Error(text), {
        name: 'StanzaError',
        condition: 'item-not-found',
        text,
      })
    case 'forged-stanza-brand':
      // Claims to be one of ours through the registry-wide brand, but has no toElement().
      return { [BRAND]: 'stanza', message: text }
    case 'handled-rejected-promise': {
      const p = Promise.reject(new Error(text))
      p.catch(() => {})
      return p
    }
    case 'array':
      return [text, new Error(text)]
  }
}

function buildStanza(spec: StanzaSpec, id: string): Element {
  const attrs: Record<string, string> = {}
  if (spec.type !== undefined) attrs.type = spec.type
  if (spec.id === 'unique') attrs.id = id
  else if (spec.id === 'empty') attrs.id = ''
  else if (spec.id === 'hostile') attrs.id = `${id}${spec.idText}`
  if (spec.from !== undefined) attrs.from = spec.from
  if (spec.to !== undefined) attrs.to = spec.to
  const children: Element[] = []
  if (spec.kind === 'iq') {
    if (spec.payload === 'ours' || spec.payload === 'two') {
      children.push(
        xml('q', { xmlns: NS, node: wireSafe(spec.content.slice(0, 20)) }, spec.content),
      )
    }
    if (spec.payload === 'foreign' || spec.payload === 'two') {
      children.push(xml('other', { xmlns: 'urn:x-other' }, spec.content))
    }
  } else if (spec.kind === 'message') {
    children.push(xml('body', {}, spec.content))
    if (spec.payload === 'ours') children.push(xml('q', { xmlns: NS }))
  } else if (spec.kind === 'presence') {
    children.push(xml('status', {}, spec.content))
  } else if (spec.name === 'stream:error') {
    children.push(xml('conflict', { xmlns: NS_STREAMS }))
  }
  return xml(spec.name, attrs, ...children)
}

export function prepare(c: Case): Prepared {
  const marker = nextMarker()
  const secret = `SECRET${marker}`
  return {
    c,
    stanza: buildStanza(c.stanza, `a${marker}`),
    value: materialise(c.thrown, secret, `PUBLIC${marker}`),
    secret,
  }
}
