import type { StreamError } from '@xmpp-errors/errors'
import type { XmppEntity } from './types.js'

export type AfterStreamError = 'reconnect' | 'stop'

const closing = new WeakSet<object>()

/**
 * Sends `<stream:error/>` and closes the stream (RFC 6120 §4.9.1.1). Then either lets xmpp.js's
 * reconnect plugin bring the component back, as after any disconnect, or stops it for good.
 * Concurrent stream errors on one entity send one `<stream:error/>`. Never rejects.
 */
export async function closeStream(
  entity: XmppEntity,
  error: StreamError,
  after: AfterStreamError,
): Promise<void> {
  if (closing.has(entity)) return
  closing.add(entity)
  try {
    await entity.send(error.toElement()).catch(() => {})
    if (after === 'stop' || error.condition === 'system-shutdown') {
      await entity.stop?.().catch(() => {})
    } else {
      await entity.close?.().catch(() => {})
      await entity.disconnect?.().catch(() => {})
    }
  } finally {
    closing.delete(entity)
  }
}

/**
 * A promise that settles never. After a stream error nothing may follow on that stream, yet
 * xmpp.js sends whatever the middleware chain resolves to, and its IQ handler turns even
 * `undefined` into a reply. It holds no timer or listener, so it is garbage once the chain lets
 * go of it; a fresh one each time, as a shared one would keep every chain that awaited it.
 */
export function nothingMore(): Promise<never> {
  return new Promise<never>(() => {})
}
