// A real @xmpp/component 0.13.1 (its middleware, iqCallee and iqCaller, its send()) with the
// socket replaced by an array: what the component would write is collected in `written`, and
// elements are fed with `emit('element', …)` as the stream parser would. No server, no timers.

import { type Component, component, jid } from '@xmpp/component'
import type { Element } from '@xmpp/xml'

export interface InProcess {
  readonly c: Component
  /** Everything written to the mocked socket, in order. */
  readonly written: string[]
  /** Calls of the stubbed stream lifecycle: 'close', 'disconnect', 'stop'. */
  readonly lifecycle: string[]
  /**
   * Emits `el` as the parser would. Returns what the emit threw, if anything: on a real socket
   * that throw escapes the socket's 'data' handler and kills the process.
   */
  feed(el: Element): { threw: true; error: unknown } | { threw: false }
  /** Lets pending promise chains and immediate callbacks run (`rounds` setImmediate turns). */
  settle(rounds?: number): Promise<void>
  /** Forgets what was written and the lifecycle calls. */
  clear(): void
}

const immediate = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * A component for `domain`, online on a mocked socket. `setup` installs middleware and routes
 * (after component() has installed xmpp.js's own IQ handler, as in real use).
 *
 * A StreamError makes errors() and guard() close the stream: close(), disconnect() and stop() are
 * stubbed to record the call and leave the component 'online' again, as if it had reconnected, so
 * one harness serves many cases. While a close is in progress the status is 'closing', so that
 * writes fail as they do on a real closing connection.
 */
export function inProcess(domain: string, setup?: (c: Component) => void): InProcess {
  const c = component({ service: 'xmpp://127.0.0.1:9', domain, password: 'unused' })
  c.reconnect.stop()
  const written: string[] = []
  const lifecycle: string[] = []
  c.jid = jid(domain)
  c.status = 'online'
  Object.assign(c, {
    socket: {
      write(data: string, callback: (error?: Error) => void) {
        written.push(data)
        callback()
      },
      end() {},
      removeListener() {},
    },
    close: async () => {
      lifecycle.push('close')
      c.status = 'closing'
      await immediate()
      c.status = 'online'
    },
    disconnect: async () => {
      lifecycle.push('disconnect')
      c.status = 'online'
    },
    stop: async () => {
      lifecycle.push('stop')
      c.status = 'online'
    },
  })
  setup?.(c)
  return {
    c,
    written,
    lifecycle,
    feed(el) {
      try {
        c.emit('element', el)
        return { threw: false }
      } catch (error) {
        return { threw: true, error }
      }
    },
    async settle(rounds = 3) {
      for (let i = 0; i < rounds; i++) await immediate()
    },
    clear() {
      written.length = 0
      lifecycle.length = 0
    },
  }
}
