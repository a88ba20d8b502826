import { randomUUID } from 'node:crypto'
import { type Client, client, xml } from '@xmpp/client'
import type { Element } from '@xmpp/xml'
import { SetupError } from './setup-error.js'
import type { Account, Target } from './target.js'
import { withTimeout } from './timeout.js'

// The demo's clients: a user and an admin, logged in with SASL PLAIN, and waiting for a reply.

/** Every client made, so that cleanup stops them whatever failed. */
const clients = new Set<Client>()

/** `who`, logged in to the target's client port. */
export async function connect(target: Target, who: Account): Promise<Client> {
  const c = client({
    service: target.service,
    domain: target.domain,
    resource: 'demo',
    // @xmpp/client never picks PLAIN on plain TCP by itself; SCRAM would cost ~1 s per login.
    credentials: async (authenticate, mechanisms) => {
      if (!mechanisms.includes('PLAIN')) {
        throw new SetupError(
          `${target.service} offers no SASL PLAIN (only ${mechanisms.join(', ')})`,
        )
      }
      // The user agent matters only to SASL2 (XEP-0388), which a credentials function must pass.
      const userAgent = xml('user-agent', { id: randomUUID() })
      await authenticate({ username: who.username, password: who.password }, 'PLAIN', userAgent)
    },
  })
  c.reconnect.stop()
  c.on('error', () => {})
  clients.add(c)
  try {
    await withTimeout(c.start(), 10_000, `${who.jid} could not log in to ${target.service}`)
  } catch (error) {
    await c.stop().catch(() => {})
    const message = error instanceof Error ? error.message : String(error)
    throw new SetupError(`${who.jid} could not log in to ${target.service}: ${message}`)
  }
  return c
}

/** The next stanza matching `predicate`; listen before sending. */
export function next(c: Client, predicate: (s: Element) => boolean, ms = 3_000): Promise<Element> {
  let listener: ((s: Element) => void) | undefined
  const found = new Promise<Element>((resolve) => {
    listener = (s: Element) => {
      if (predicate(s)) resolve(s)
    }
    c.on('stanza', listener)
  })
  return withTimeout(found, ms, 'waiting for a reply').finally(() => {
    if (listener) c.off('stanza', listener)
  })
}

/** Stops every client made, ignoring errors. */
export async function stopClients(): Promise<void> {
  await Promise.all([...clients].map((c) => c.stop().catch(() => {})))
  clients.clear()
}
