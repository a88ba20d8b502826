import type { Client } from '@xmpp/client'
import type { Element } from '@xmpp/xml'
import { errors } from '@xmpp-errors/middleware'
import {
  connectClient,
  connectComponent,
  errorsOf,
  stopAll,
  xml,
} from '@xmpp-errors/throwaway-clients'
import type { ServerInfo, XmppUser } from '@xmpp-errors/throwaway-servers'
import { compare, type Throughputs } from './compare.js'
import { NS, noopLogger, routes } from './inprocess.js'

export interface EndToEndOptions {
  rounds: number
  warmup: number
  /** Round trips per variant per round. */
  perRound: number
  /** Requests sent and not yet answered at any time. */
  inFlight: number
  /** Component domains: the first answers via errors() + throw, the second by hand. */
  domains: readonly [string, string]
  user: XmppUser
}

/**
 * P3: error round trips per second through a real server: a client sends `<iq type=get>` to
 * a component, which answers item-not-found either by throwing through errors() or by
 * returning the same `<error/>` built by hand. Client and components share this process.
 */
export async function endToEnd(server: ServerInfo, options: EndToEndOptions): Promise<Throughputs> {
  const [throwing, handBuilt] = options.domains
  try {
    await connectComponent(
      server,
      throwing,
      (c) => {
        c.middleware.use(errors({ logger: noopLogger }))
        c.iqCallee.get(NS, 'query', routes.throw)
      },
      { reconnect: false },
    )
    await connectComponent(
      server,
      handBuilt,
      (c) => {
        c.iqCallee.get(NS, 'query', routes['hand-built'])
      },
      { reconnect: false },
    )
    const client = await connectClient(server, options.user, { reconnect: false })
    const result = await compare(
      [
        {
          label: 'throw',
          run: (n) => roundTrips(client, throwing, n, options.inFlight),
        },
        {
          label: 'hand-built',
          run: (n) => roundTrips(client, handBuilt, n, options.inFlight),
        },
      ],
      { ...options, clock: 'wall' },
    )
    const failed = errorsOf(client)
    if (failed.length > 0) throw new Error(`client emitted errors: ${failed.join('; ')}`)
    return result
  } finally {
    await stopAll()
  }
}

let sequence = 0
const ROUND_TRIP_TIMEOUT_MS = 30_000

/**
 * Sends `n` requests to `to`, keeping `inFlight` unanswered, and resolves once every one has
 * come back as item-not-found; rejects on any other answer or when the round stalls.
 */
function roundTrips(client: Client, to: string, n: number, inFlight: number): Promise<void> {
  const prefix = `p3-${(sequence++).toString(36)}-`
  return new Promise((resolve, reject) => {
    let sent = 0
    let answered = 0
    const send = () => {
      const iq = xml(
        'iq',
        { type: 'get', to, id: `${prefix}${sent++}` },
        xml('query', { xmlns: NS }),
      )
      client.send(iq).catch(fail)
    }
    const onStanza = (stanza: Element) => {
      if (stanza.name !== 'iq' || !stanza.attrs.id?.startsWith(prefix)) return
      if (stanza.attrs.type !== 'error' || !stanza.getChild('error')?.getChild('item-not-found')) {
        fail(new Error(`unexpected answer from ${to}: ${stanza.toString()}`))
        return
      }
      answered++
      if (sent < n) send()
      else if (answered === n) finish()
    }
    const timer = setTimeout(
      () => fail(new Error(`${to}: ${answered}/${n} answered after ${ROUND_TRIP_TIMEOUT_MS} ms`)),
      ROUND_TRIP_TIMEOUT_MS,
    )
    const cleanup = () => {
      clearTimeout(timer)
      client.off('stanza', onStanza)
    }
    const finish = () => {
      cleanup()
      resolve()
    }
    function fail(error: unknown) {
      cleanup()
      reject(error)
    }
    client.on('stanza', onStanza)
    while (sent < Math.min(inFlight, n)) send()
  })
}
