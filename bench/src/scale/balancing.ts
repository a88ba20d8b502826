#!/usr/bin/env node
// Measures ejabberd's `domain_balancing` on this machine's ejabberd, three cases:
//   1. a domain_balancing entry without component_number;
//   2. component_number 4 with 2 of the 4 connections up;
//   3. component_number 2 with 4 connections up.
// Each case runs on a fresh throwaway ejabberd. Not part of CI: `pnpm scale:balancing`.
import { readFile, rm } from 'node:fs/promises'
import type { Client } from '@xmpp/client'
import { connectClient, stopAll } from '@xmpp-errors/throwaway-clients'
import { type DomainBalancing, serverInfo, startEjabberd } from '@xmpp-errors/throwaway-servers'
import { type ComponentProcess, startComponent } from './fleet.js'
import { runLoad } from './load.js'

interface Case {
  title: string
  balancing: DomainBalancing
  connections: number
  requests: number
}

const cases: Case[] = [
  { title: 'no component_number', balancing: { type: 'random' }, connections: 2, requests: 200 },
  {
    title: 'component_number 4, 2 connected',
    balancing: { type: 'random', component_number: 4 },
    connections: 2,
    requests: 206,
  },
  {
    title: 'component_number 2, 4 connected',
    balancing: { type: 'random', component_number: 2 },
    connections: 4,
    requests: 400,
  },
]

const ONLINE_WAIT_MS = 8_000

async function measure(c: Case): Promise<void> {
  console.log(`\n## ${c.title}`)
  const domain = 'c1.localhost'
  const domainBalancing = { [domain]: c.balancing }
  console.log(`domain_balancing: ${JSON.stringify(domainBalancing)}`)
  const server = await startEjabberd({ components: 1, users: 4, domainBalancing })
  const processes: ComponentProcess[] = []
  let clients: Client[] = []
  try {
    for (let i = 0; i < c.connections; i++) {
      processes.push(startComponent(server, domain, String.fromCharCode(97 + i)))
    }
    const online = await Promise.all(
      processes.map((p) =>
        Promise.race([
          p.online.then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ONLINE_WAIT_MS)),
        ]).catch(() => false),
      ),
    )
    console.log(`connections online: ${online.filter(Boolean).length} of ${c.connections}`)
    const log = (await readFile(server.logFile, 'utf8')).split('\n')
    const accepted = log.filter(
      (l) =>
        l.includes(`Accepted connection ${server.host}:`) && l.includes(`:${server.componentPort}`),
    )
    const crashes = log.filter((l) => l.includes('CRASH REPORT'))
    const badkey = log.filter((l) => l.includes('{badkey,component_number}'))
    console.log(
      `component connections accepted: ${accepted.length}; crash reports: ${crashes.length}; ` +
        `lines with {badkey,component_number}: ${badkey.length}`,
    )
    const first = log.findIndex((l) => l.includes('CRASH REPORT'))
    if (first >= 0) console.log(log.slice(first, first + 12).join('\n'))
    if (!online.some(Boolean)) return

    const info = serverInfo(server)
    clients = await Promise.all(
      server.users.map((u) => connectClient(info, u, { reconnect: false, timeoutMs: 30_000 })),
    )
    const { requests } = await runLoad(clients, {
      domain,
      window: 4,
      total: c.requests,
      timeoutMs: 3_000,
    })
    const lost = requests.filter((r) => r.replies.length === 0).length
    const errors = new Map<string, number>()
    for (const r of requests) {
      const reply = r.replies[0]
      if (reply?.type !== 'error') continue
      const condition = reply.condition ?? '?'
      errors.set(condition, (errors.get(condition) ?? 0) + 1)
    }
    const served = processes.map((p) => {
      const results = requests.filter((r) => r.replies[0]?.servedBy === p.name).length
      const records = p.records.filter((r) => r.action === 'reply').length
      return `${p.name}: ${results + records}`
    })
    console.log(`requests: ${requests.length}, lost (no reply within 3 s): ${lost}`)
    console.log(`error replies by condition: ${JSON.stringify(Object.fromEntries(errors))}`)
    console.log(`answered per connection: ${served.join(', ')}`)
  } finally {
    await stopAll()
    await Promise.all(processes.map((p) => p.kill()))
    await server.stop()
    await rm(server.dir, { recursive: true, force: true })
  }
}

for (const c of cases) await measure(c)
