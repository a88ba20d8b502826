import { StreamError, type XmlElement } from '@xmpp-errors/errors'
import { stateOf } from './entity-state.js'
import type { XmppEntity } from './types.js'

export type AfterStreamError = 'reconnect' | 'stop'

/** What `StreamError.toElement` takes: the element class to build with, and the text's language. */
export type StreamElementOptions = { like?: XmlElement | undefined; lang?: string | undefined }

function streamErrorElement(error: StreamError, options: StreamElementOptions) {
  try {
    return error.toElement(options)
  } catch {
    // A subclass or a forged brand whose element cannot be built: the stream still must close.
    return new StreamError('internal-server-error').toElement({ like: options.like })
  }
}

/**
 * Sends `<stream:error/>` and closes the stream (RFC 6120 §4.9.1.1). Then either lets xmpp.js's
 * reconnect plugin bring the component back, as after any disconnect, or stops it for good.
 * Concurrent stream errors on one entity send one `<stream:error/>`, built with the element class
 * of `options.like`, the element that led to it. Never rejects.
 */
export async function closeStream(
  entity: XmppEntity,
  error: StreamError,
  after: AfterStreamError,
  /** The stream's element class and the language of the text, as `toElement` takes them. */
  options: StreamElementOptions = {},
): Promise<void> {
  const state = stateOf(entity)
  if (state.sendingStreamError) return
  state.sendingStreamError = true
  try {
    await entity.send(streamErrorElement(error, options)).catch(() => {})
    if (after === 'stop' || error.condition === 'system-shutdown') {
      // The socket's late 'close' can set the status back to 'disconnect' after stop() set it
      // 'offline', and the reconnect plugin reconnects on 'disconnect': stop the plugin first.
      entity.reconnect?.stop()
      await entity.stop?.().catch(() => {})
    } else {
      await entity.close?.().catch(() => {})
      await entity.disconnect?.().catch(() => {})
    }
  } finally {
    state.sendingStreamError = false
    state.closedAt = Date.now()
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
