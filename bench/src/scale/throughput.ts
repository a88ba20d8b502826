#!/usr/bin/env node
import { rm } from 'node:fs/promises'
// Throughput of one component domain served by 1, 2 and 4 processes behind one ejabberd, with
// cheap handlers and with handlers that spend 2 ms of CPU, and the CPU each round trip costs.
// Not part of CI: `pnpm scale:throughput` (SCALE_SECONDS per cell, default 10).
import { availableParallelism, loadavg } from 'node:os'
import { connectClient, stopAll } from '@xmpp-errors/throwaway-clients'
import { serverInfo, startEjabberd } from '@xmpp-errors/throwaway-servers'
import { type ComponentProcess, processCpuMs, startComponent } from './fleet.js'
import { runLoad } from './load.js'

const SECONDS = Number(process.env.SCALE_SECONDS ?? 10)
const WARMUP_SECONDS = 2
const CLIENTS = 4
/** Requests outstanding per client: enough to keep 4 processes busy, few enough not to queue. */
const WINDOW = 16
const PROCESSES = [1, 2, 4]
const HANDLER_MS = [0, 2]

interface Cell {
  processes: number
  handlerMs: number
  roundTrips: number
  perSecond: number
  lost: number
  duplicated: number
  /** CPU per round trip, in microseconds: ejabberd, the component processes, the clients. */
  cpu: { server: number; components: number; clients: number }
  load: string
}

const load1 = () => loadavg()[0]?.toFixed(1) ?? '?'

async function main(): Promise<void> {
  console.log(
    `# scale-out throughput: ${availableParallelism()} CPUs, node ${process.version}, ` +
      `${CLIENTS} clients × ${WINDOW} outstanding, ${SECONDS} s per cell after ${WARMUP_SECONDS} s warm-up`,
  )
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  )
  // At ejabberd's default debug level it would log every stanza it routes.
  const server = await startEjabberd({ components: 1, users: CLIENTS, logLevel: 'info' })
  const domain = server.components[0] as string
  const info = serverInfo(server)
  const cells: Cell[] = []
  try {
    const clients = await Promise.all(
      server.users.map((u) => connectClient(info, u, { reconnect: false, timeoutMs: 30_000 })),
    )
    let first = 0
    for (const handlerMs of HANDLER_MS) {
      for (const n of PROCESSES) {
        const processes: ComponentProcess[] = Array.from({ length: n }, (_, i) =>
          startComponent(server, domain, `p${i + 1}`, { handlerMs }),
        )
        try {
          await Promise.all(processes.map((p) => p.online))
          const loadFor = async (seconds: number) => {
            const result = await runLoad(clients, {
              domain,
              window: WINDOW,
              durationMs: seconds * 1000,
              first,
            })
            first += result.requests.length
            return result
          }
          await loadFor(WARMUP_SECONDS)
          const before = {
            server: processCpuMs(server.pid),
            components: processes.reduce((sum, p) => sum + p.cpuMs(), 0),
            clients: process.cpuUsage(),
          }
          const run = await loadFor(SECONDS)
          const clientsUs = process.cpuUsage(before.clients)
          const answered = run.requests.filter((r) => r.replies.length > 0).length
          const perTrip = (ms: number) => Math.round((ms * 1000) / answered)
          const cell: Cell = {
            processes: n,
            handlerMs,
            roundTrips: answered,
            perSecond: Math.round((answered * 1000) / run.elapsedMs),
            lost: run.requests.length - answered,
            duplicated: run.requests.filter((r) => r.replies.length > 1).length,
            cpu: {
              server: perTrip(processCpuMs(server.pid) - before.server),
              components: perTrip(
                processes.reduce((sum, p) => sum + p.cpuMs(), 0) - before.components,
              ),
              clients: Math.round((clientsUs.user + clientsUs.system) / answered),
            },
            load: load1(),
          }
          cells.push(cell)
          console.log(JSON.stringify(cell))
        } finally {
          await Promise.all(processes.map((p) => p.kill()))
        }
      }
    }
  } finally {
    await stopAll()
    await server.stop()
    await rm(server.dir, { recursive: true, force: true })
  }
  console.log(
    `load average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  )
  console.log(table(cells))
}

function table(cells: Cell[]): string {
  const rows = cells.map((c) => {
    const total = c.cpu.server + c.cpu.components + c.cpu.clients
    return (
      `| ${c.handlerMs === 0 ? 'cheap' : `${c.handlerMs} ms CPU`} | ${c.processes} | ` +
      `${c.perSecond} | ${total} µs | ${c.cpu.server} µs | ${c.cpu.components} µs | ` +
      `${c.cpu.clients} µs | ${c.lost} / ${c.duplicated} | ${c.load} |`
    )
  })
  return [
    '| handler | processes | round trips/s | CPU per round trip | ejabberd | components | clients | lost / duplicated | load (1 min) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n')
}

await main()
