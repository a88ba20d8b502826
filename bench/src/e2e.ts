import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Client } from '@xmpp/client'
import type { Element } from '@xmpp/xml'
import { connectClient, errorsOf, stopAll, xml } from '@xmpp-errors/throwaway-clients'
import type { ServerInfo, XmppUser } from '@xmpp-errors/throwaway-servers'
import { compare, type Throughputs } from './compare.js'
import type { ComponentsArgs } from './e2e-components.js'
import { NS } from './inprocess.js'

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

/** What P3 measures: round trips per second, and the components' CPU per round trip. */
export interface EndToEnd {
  /** Round trips per second of each variant in each round (wall clock). */
  throughput: Throughputs
  /** The components process's CPU time per round trip, µs, of each variant in each round. */
  cpuMicros: Record<'throw' | 'hand-built', number[]>
}

/** The components' process: started, connected, and asked for its CPU time. */
async function components(args: ComponentsArgs) {
  // From the uncompiled module (under vitest) the compiled script is in bench/dist.
  const here = fileURLToPath(import.meta.url)
  const script = here.endsWith('.ts')
    ? fileURLToPath(new URL('../dist/e2e-components.js', import.meta.url))
    : fileURLToPath(new URL('./e2e-components.js', import.meta.url))
  const child: ChildProcess = fork(script, [JSON.stringify(args)], { stdio: 'inherit' })
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onExit = () => reject(new Error('P3 components exited'))
      child.once('exit', onExit)
      child.once('message', (message) => {
        child.off('exit', onExit)
        resolve(message as Record<string, unknown>)
      })
    })
  await next()
  return {
    /** Its CPU time so far, µs (user + system). */
    async cpu(): Promise<number> {
      const reply = next()
      child.send('cpu')
      const { cpu } = (await reply) as { cpu: NodeJS.CpuUsage }
      return cpu.user + cpu.system
    },
    stop(): Promise<void> {
      return new Promise((resolve) => {
        child.once('exit', () => resolve())
        child.send('stop')
      })
    },
  }
}

/**
 * P3: error round trips per second through a real server: a client sends `<iq type=get>` to
 * a component, which answers item-not-found either by throwing through errors() or by
 * returning the same `<error/>` built by hand. The components run in a process of their own,
 * whose CPU time is read around each round: the CPU one round trip costs the component, with
 * errors() and without.
 */
export async function endToEnd(server: ServerInfo, options: EndToEndOptions): Promise<EndToEnd> {
  const [throwing, handBuilt] = options.domains
  const both = await components({ server, domains: options.domains })
  const client = await connectClient(server, options.user, { reconnect: false })
  const cpuMicros: EndToEnd['cpuMicros'] = { throw: [], 'hand-built': [] }
  let round = 0
  const measured = (label: 'throw' | 'hand-built', to: string) => {
    let before = 0
    return {
      label,
      async run(n: number) {
        before = await both.cpu()
        await roundTrips(client, to, n, options.inFlight)
        const used = (await both.cpu()) - before
        // compare() discards the warm-up rounds; so does this.
        if (round++ >= options.warmup * 2) cpuMicros[label].push(used / n)
      },
    }
  }
  try {
    const throughput = await compare(
      [measured('throw', throwing), measured('hand-built', handBuilt)],
      { ...options, clock: 'wall' },
    )
    const failed = errorsOf(client)
    if (failed.length > 0) throw new Error(`client emitted errors: ${failed.join('; ')}`)
    return { throughput, cpuMicros }
  } finally {
    await stopAll()
    await both.stop()
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
