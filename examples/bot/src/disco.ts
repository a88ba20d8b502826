import xml, { type Element } from '@xmpp/xml'
import { StanzaError, type XmlElement } from '@xmpp-errors/middleware'
import { attr, type IqContext } from './context.js'
import { type KeyPage, MAX_PAGE, type NotesStore, type PageRequest } from './store.js'

export const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info'
export const NS_DISCO_ITEMS = 'http://jabber.org/protocol/disco#items'
/** XEP-0059 Result Set Management, which pages disco#items. */
export const NS_RSM = 'http://jabber.org/protocol/rsm'

export interface DiscoOptions {
  store: NotesStore
  /** The service's name, shown by clients' service browsers. */
  name: string
  /** Namespaces the service answers, besides disco itself. */
  features: readonly string[]
}

/**
 * XEP-0030 disco#info: the service as a whole, or one note as a node. A node that is no note
 * is `item-not-found` (or `redirect` for a moved note), straight from the store.
 */
export function discoInfo(ctx: IqContext, options: DiscoOptions): XmlElement {
  const node = attr(ctx.element, 'node')
  if (node === undefined) {
    const features = [NS_DISCO_INFO, NS_DISCO_ITEMS, ...options.features]
    return xml(
      'query',
      { xmlns: NS_DISCO_INFO },
      xml('identity', { category: 'store', type: 'memory', name: options.name }),
      ...[...new Set(features)].sort().map((v) => xml('feature', { var: v })),
    )
  }
  const note = options.store.get(node)
  return xml(
    'query',
    { xmlns: NS_DISCO_INFO, node },
    xml('identity', { category: 'hierarchy', type: 'leaf', name: note.key }),
    xml('feature', { var: NS_DISCO_INFO }),
  )
}

/**
 * XEP-0059's request in a disco#items query: `<max/>` (at most MAX_PAGE whatever is asked),
 * `<after/>`, `<before/>` (empty: the last page) or `<index/>`. `bad-request` for a `<max/>` or
 * `<index/>` that is no whole number; `item-not-found` for an `<after/>` or `<before/>` that names
 * no note, as the set has no such item to page from.
 */
export function pageRequest(query: XmlElement, store: NotesStore): PageRequest {
  const set = query.getChild('set', NS_RSM)
  if (set === undefined) return { max: MAX_PAGE }
  const whole = (name: string): number | undefined => {
    const text = set.getChild(name)?.text()
    if (text === undefined) return undefined
    if (!/^\d{1,9}$/.test(text.trim())) {
      throw new StanzaError('bad-request', { text: `<${name}/> must be a whole number` })
    }
    return Number(text.trim())
  }
  const max = Math.min(whole('max') ?? MAX_PAGE, MAX_PAGE)
  const index = whole('index')
  const named = (name: 'after' | 'before'): string | undefined => {
    const uid = set.getChild(name)?.text()
    if (uid === undefined || uid === '') return uid
    if (!store.has(uid)) {
      throw new StanzaError('item-not-found', {
        text: `no note ${JSON.stringify(uid.slice(0, 64))} to page from`,
      })
    }
    return uid
  }
  const before = named('before')
  if (before !== undefined) return { max, before }
  const after = named('after')
  if (after !== undefined) return { max, after }
  return index === undefined ? { max } : { max, index }
}

/** XEP-0059's answer: where the page sits in the whole set, and how many there are. */
function resultSet(page: KeyPage): Element {
  const first = page.keys[0]
  const last = page.keys.at(-1)
  return xml(
    'set',
    { xmlns: NS_RSM },
    ...(first === undefined || last === undefined
      ? []
      : [xml('first', { index: String(page.index) }, first), xml('last', {}, last)]),
    xml('count', {}, String(page.count)),
  )
}

/**
 * XEP-0030 disco#items: one item per note, as a node of the service, MAX_PAGE at most. The result
 * carries XEP-0059's `<set/>` when it was asked for, or when the list was cut: a responder that
 * limits a result set says so, unasked.
 */
export function discoItems(ctx: IqContext, options: DiscoOptions): XmlElement {
  const node = attr(ctx.element, 'node')
  const domain = options.store.domain
  if (node !== undefined) {
    // A note has no items below it, but a node that is no note must say so.
    options.store.get(node)
    return xml('query', { xmlns: NS_DISCO_ITEMS, node })
  }
  const page = options.store.page(pageRequest(ctx.element, options.store))
  const items = page.keys.map((key) => xml('item', { jid: domain, node: key, name: key }))
  const asked = ctx.element.getChild('set', NS_RSM) !== undefined
  const cut = page.keys.length < page.count
  return xml(
    'query',
    { xmlns: NS_DISCO_ITEMS },
    ...items,
    ...(asked || cut ? [resultSet(page)] : []),
  )
}
