import type { Attributes } from '@opentelemetry/api'
import type { ErrorRecord } from '@xmpp-errors/middleware'

// The top-level names RFC 6120 defines. The name of anything else arrives from the wire, so it is
// counted as 'other': a metric attribute must take few values (every distinct set of attribute
// values is a time series kept for the life of the process).
const STANZA_NAMES: ReadonlySet<string> = new Set(['iq', 'message', 'presence', 'stream:error'])

/** A top-level element's name as an attribute value: one RFC 6120 defines, else 'other'. */
export function stanzaName(name: string): string {
  return name !== 'stream:error' && STANZA_NAMES.has(name) ? name : 'other'
}

/**
 * The counters' attributes: the condition's metadata and what was done, never an address or id.
 * Conditions, types and actions come from the registry and `decide`, so they are bounded too.
 */
export function metricAttributes(record: ErrorRecord): Attributes {
  const attributes: Attributes = {
    // The semantic conventions' error.type: a low-cardinality class of the error. The registry
    // code is one (`item-not-found`, `stream-conflict`) where the condition alone is not, since
    // a stanza and a stream condition may share a name.
    'error.type': record.xmpp.code,
    'xmpp.error.kind': record.xmpp.kind,
    'xmpp.error.condition': record.xmpp.condition,
    'xmpp.error.action': record.action,
    'xmpp.stanza.name': STANZA_NAMES.has(record.stanza.name) ? record.stanza.name : 'other',
  }
  // Stream errors have no type (RFC 6120 §4.9.3 defines none), nor a blame. The stanza error's
  // type (cancel, wait…) is named for the XML it comes from: `xmpp.error.type` would read as the
  // conventions' error.type.
  if (record.xmpp.type !== undefined) attributes['xmpp.stanza.error.type'] = record.xmpp.type
  if (record.xmpp.blame !== undefined) attributes['xmpp.error.blame'] = record.xmpp.blame
  return attributes
}

/**
 * The span event's attributes: a span belongs to one request, so here the record's addresses,
 * ids and text are useful rather than a cardinality problem. Only defined values are set.
 */
export function eventAttributes(record: ErrorRecord): Attributes {
  const attributes: Attributes = {
    ...metricAttributes(record),
    'xmpp.stanza.name': record.stanza.name,
    'xmpp.error.exposed': record.exposed,
    'xmpp.error.correlation_id': record.correlationId,
  }
  const optional: Attributes = {
    'xmpp.error.text': record.text,
    'xmpp.error.reason': record.reason,
    'xmpp.stanza.type': record.stanza.type,
    'xmpp.stanza.id': record.stanza.id,
    'xmpp.stanza.from': record.stanza.from,
    'xmpp.stanza.to': record.stanza.to,
  }
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) attributes[key] = value
  }
  return attributes
}
