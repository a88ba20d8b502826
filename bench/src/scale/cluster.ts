#!/usr/bin/env node
// Two ejabberd nodes clustered on one machine, a component process on each for one domain, and a
// client on each node. Shows that each client is served by its own node's component, that when
// one component dies its node's client is served by the other node's, and that the restarted
// component takes its node's traffic back. Not part of CI: `pnpm scale:cluster`.
//
// The recipe: two loopback addresses (127.0.0.1 and 127.0.0.2, no setup needed on Linux), one
// Erlang distribution port for both (ERL_DIST_PORT: each node listens on it at its own address,
// and finds the other there without epmd), one cookie, then `ejabberdctl join_cluster` on the
// second node.
import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import type { Client } from '@xmpp/client'
import { connectClient, stopAll } from '@xmpp-errors/throwaway-clients'
import {
  type EjabberdServer,
  freePorts,
  serverInfo,
  startEjabberd,
} from '@xmpp-errors/throwaway-servers'
import { type ComponentProcess, startComponent } from './fleet.js'
import { runLoad } from './load.js'

const DOMAIN = 'c1.localhost'
const REQUESTS = 100

async function main(): Promise<void> {
  const [distPort] = (await freePorts(1)) as [number]
  const cookie = randomBytes(16).toString('hex')
  const nodes: EjabberdServer[] = []
  const processes: ComponentProcess[] = []
  try {
    const options = { distPort, cookie, components: 1, users: 2, logLevel: 'info' } as const
    const [first, second] = await Promise.all([
      startEjabberd({ ...options, address: '127.0.0.1' }),
      startEjabberd({ ...options, address: '127.0.0.2' }),
    ])
    nodes.push(first, second)
    console.log(
      `node 1: ${first.node}, c2s ${first.host}:${first.c2sPort}, component port ${first.componentPort}`,
    )
    console.log(
      `node 2: ${second.node}, c2s ${second.host}:${second.c2sPort}, component port ${second.componentPort}`,
    )
    console.log(`both: ERL_DIST_PORT ${distPort}, one cookie`)

    const t0 = performance.now()
    console.log(`node 2: ejabberdctl join_cluster ${first.node}`)
    process.stdout.write(await second.ctl('join_cluster', first.node))
    // join_cluster restarts ejabberd on the joining node: wait for its listeners again.
    await waitListening(second)
    console.log(`joined in ${Math.round(performance.now() - t0)} ms`)
    process.stdout.write(`node 1: list_cluster\n${await first.ctl('list_cluster')}`)

    const one = startComponent(first, DOMAIN, 'component@node1')
    const two = startComponent(second, DOMAIN, 'component@node2')
    processes.push(one, two)
    await Promise.all([one.online, two.online])

    // u1 is on node 1 and u2 on node 2: both accounts live in the shared Mnesia database.
    const [u1, u2] = first.users as [(typeof first.users)[0], (typeof first.users)[0]]
    const client1 = await connectClient(serverInfo(first), u1, { reconnect: false })
    const client2 = await connectClient(serverInfo(second), u2, { reconnect: false })
    const clients = [client1, client2]

    await report('both components up', clients)
    await one.kill('SIGKILL')
    console.log('\ncomponent@node1 SIGKILLed')
    await report('component@node1 down', clients)
    const back = startComponent(first, DOMAIN, 'component@node1')
    processes.push(back)
    await back.online
    console.log('\ncomponent@node1 restarted')
    await report('component@node1 back', clients)
  } finally {
    await stopAll()
    await Promise.all(processes.map((p) => p.kill()))
    // The joined node first, so that the other does not wait on it.
    for (const node of nodes.reverse()) {
      await node.stop()
      await rm(node.dir, { recursive: true, force: true })
    }
  }
}

let first = 0

/** Sends REQUESTS iqs from each client, and prints which component answered them. */
async function report(title: string, clients: Client[]): Promise<void> {
  const { requests } = await runLoad(clients, {
    domain: DOMAIN,
    window: 4,
    total: REQUESTS * clients.length,
    failure: () => undefined,
    first,
    timeoutMs: 5_000,
  })
  first += requests.length
  console.log(`\n${title}:`)
  for (const [index] of clients.entries()) {
    const mine = requests.filter((r) => r.client === index)
    const by = new Map<string, number>()
    for (const r of mine) {
      const who = r.replies[0]?.servedBy ?? (r.replies[0] ? r.replies[0].type : 'no reply')
      by.set(who, (by.get(who) ?? 0) + 1)
    }
    const counts = [...by].map(([who, n]) => `${who} ${n}`).join(', ')
    console.log(`  client on node ${index + 1}: ${mine.length} requests, answered by ${counts}`)
  }
}

async function waitListening(node: EjabberdServer, timeoutMs = 20_000): Promise<void> {
  const { connect } = await import('node:net')
  const deadline = Date.now() + timeoutMs
  for (const port of [node.c2sPort, node.componentPort]) {
    for (;;) {
      const up = await new Promise<boolean>((resolve) => {
        const socket = connect({ host: node.host, port })
        socket.once('connect', () => {
          socket.destroy()
          resolve(true)
        })
        socket.once('error', () => resolve(false))
      })
      if (up) break
      if (Date.now() > deadline) throw new Error(`${node.node} is not listening on ${port}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

await main()
