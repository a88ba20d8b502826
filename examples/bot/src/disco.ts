import { xml } from '@xmpp/xml'
import type { XmlElement } from '@xmpp-errors/middleware'
import { attr, type IqContext } from './context.js'
import type { NotesStore } from './store.js'

export const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info'
export const NS_DISCO_ITEMS = 'http://jabber.org/protocol/disco#items'

/** Items listed at most in one disco#items answer (no XEP-0059 paging here). */
export const MAX_ITEMS = 200

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

/** XEP-0030 disco#items: one item per note, as a node of the service. */
export function discoItems(ctx: IqContext, options: DiscoOptions): XmlElement {
  const node = attr(ctx.element, 'node')
  const domain = options.store.domain
  if (node !== undefined) {
    // A note has no items below it, but a node that is no note must say so.
    options.store.get(node)
    return xml('query', { xmlns: NS_DISCO_ITEMS, node })
  }
  const items = options.store
    .keys()
    .slice(0, MAX_ITEMS)
    .map((key) => xml('item', { jid: domain, node: key, name: key }))
  return xml('query', { xmlns: NS_DISCO_ITEMS }, ...items)
}
