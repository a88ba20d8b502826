// Scale-out behind ejabberd: one component domain served by two processes at once. ejabberd
// accepts several connections for one domain and routes each stanza to one of them at random
// (ejabberd_router's balancing_route); these tests show what that means for errors() and guard().
import { rm } from 'node:fs/promises'
import type { Client } from '@xmpp/client'
import { connectClient, stopAll } from '@xmpp-errors/throwaway-clients'
import { type EjabberdServer, serverInfo, startEjabberd } from '@xmpp-errors/throwaway-servers'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { type ComponentProcess, type RecordLine, startComponent } from '../src/scale/fleet.js'
import { expectedCondition, type Request, runLoad } from '../src/scale/load.js'

const enabled = inject('ejabberd') !== undefined
const WINDOW = 8

/** Who answered a request: the result names its process; an error reply is found by its record. */
function answeredBy(request: Request, processes: ComponentProcess[]): string[] {
  const [reply] = request.replies
  if (reply?.type === 'result') return reply.servedBy === undefined ? [] : [reply.servedBy]
  return processes
    .filter((p) => p.records.some((r) => r.action === 'reply' && r.id === request.id))
    .map((p) => p.name)
}

/** The records, across processes, of error replies to iqs among `ids`. */
function replyRecords(processes: ComponentProcess[], ids: Set<string>): RecordLine[] {
  return processes.flatMap((p) =>
    p.records.filter((r) => r.action === 'reply' && ids.has(r.id ?? '')),
  )
}

function summary(requests: Request[]) {
  return {
    lost: requests.filter((r) => r.replies.length === 0).length,
    duplicated: requests.filter((r) => r.replies.length > 1).length,
    wrong: requests.filter((r) => {
      const [reply] = r.replies
      if (reply === undefined) return false
      const condition = expectedCondition(r)
      return condition === undefined
        ? reply.type !== 'result'
        : reply.type !== 'error' || reply.condition !== condition
    }).length,
  }
}

describe.skipIf(!enabled)('two component processes for one domain on ejabberd', () => {
  let server: EjabberdServer
  let clients: Client[]
  let domain: string
  const processes: ComponentProcess[] = []
  let first = 0

  const start = async (name: string) => {
    const p = startComponent(server, domain, name)
    processes.push(p)
    await p.online
    return p
  }
  const load = async (options: Omit<Parameters<typeof runLoad>[1], 'domain' | 'window'>) => {
    const result = await runLoad(clients, { domain, window: WINDOW, first, ...options })
    first += result.requests.length
    return result
  }

  beforeAll(async () => {
    // Its own server: the test kills and restarts components, and needs a quiet domain.
    server = await startEjabberd({ components: 2, users: 4 })
    domain = server.components[0] as string
    const info = serverInfo(server)
    clients = await Promise.all(
      server.users.map((u) => connectClient(info, u, { reconnect: false, timeoutMs: 30_000 })),
    )
    await Promise.all([start('a'), start('b')])
  })

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()))
    await stopAll()
    if (!server) return
    await server.stop()
    await rm(server.dir, { recursive: true, force: true })
  })

  it('answers each request exactly once, with its condition, and logs each error once', async () => {
    const { requests } = await load({ total: 300 })
    expect(requests).toHaveLength(300)
    expect(summary(requests)).toEqual({ lost: 0, duplicated: 0, wrong: 0 })

    // Both processes get traffic.
    const served = new Map<string, number>()
    for (const r of requests) {
      const by = answeredBy(r, processes)
      expect(by).toHaveLength(1)
      served.set(by[0] as string, (served.get(by[0] as string) ?? 0) + 1)
    }
    console.info(`300 requests, answered by: ${JSON.stringify(Object.fromEntries(served))}`)
    expect(served.get('a')).toBeGreaterThan(0)
    expect(served.get('b')).toBeGreaterThan(0)

    // The error records across processes are the error replies: one each, same condition.
    const errorReplies = requests.filter((r) => r.replies[0]?.type === 'error')
    expect(errorReplies.length).toBe(180)
    const records = replyRecords(processes, new Set(requests.map((r) => r.id)))
    expect(records.map((r) => r.id).sort()).toEqual(errorReplies.map((r) => r.id).sort())
    const conditionOf = new Map(errorReplies.map((r) => [r.id, r.replies[0]?.condition]))
    for (const record of records) {
      expect(record.condition).toBe(conditionOf.get(record.id ?? ''))
    }
  })

  it('loses at most what was in flight when a process is SIGKILLed, and the survivor answers', async () => {
    const [a, b] = processes as [ComponentProcess, ComponentProcess]
    let inFlightAtKill = -1
    let killed: Promise<void> | undefined
    const { requests } = await load({
      total: 400,
      timeoutMs: 3_000,
      onReply: (answered, outstanding) => {
        if (answered === 150 && killed === undefined) {
          inFlightAtKill = outstanding
          killed = a.kill('SIGKILL')
        }
      },
    })
    await killed
    const { lost, duplicated, wrong } = summary(requests)
    console.info(`SIGKILL with ${inFlightAtKill} in flight: ${lost} lost of ${requests.length}`)
    expect(duplicated).toBe(0)
    expect(wrong).toBe(0)
    expect(lost).toBeLessThanOrEqual(inFlightAtKill)
    // Everything answered after the kill was answered by the survivor... once ejabberd knew.
    const next = await load({ total: 200 })
    expect(summary(next.requests)).toEqual({ lost: 0, duplicated: 0, wrong: 0 })
    for (const r of next.requests) expect(answeredBy(r, [a, b])).toEqual(['b'])
  })

  it('gives a restarted process traffic again', async () => {
    const a2 = await start('a')
    const { requests } = await load({ total: 200 })
    expect(summary(requests)).toEqual({ lost: 0, duplicated: 0, wrong: 0 })
    const byA = requests.filter(
      (r) => answeredBy(r, [a2, processes[1] as ComponentProcess])[0] === 'a',
    )
    console.info(`after the restart, a answered ${byA.length} of 200`)
    expect(byA.length).toBeGreaterThan(0)
  })

  it("applies errors()' rateLimit per process: a sender gets N × max error replies", async () => {
    // Another domain, so that the processes above take no part.
    const limited = server.components[1] as string
    const max = 5
    const pair = [
      startComponent(server, limited, 'x', { errorLimit: max }),
      startComponent(server, limited, 'y', { errorLimit: max }),
    ]
    processes.push(...pair)
    await Promise.all(pair.map((p) => p.online))
    // 60 failing requests from one sender at once: each process answers its first `max`, then
    // one policy-violation, then nothing (an iq past the limit is dropped).
    const { requests } = await runLoad([clients[0] as Client], {
      domain: limited,
      window: 60,
      total: 60,
      first,
      failure: () => 'item-not-found',
      timeoutMs: 1_500,
    })
    first += requests.length
    const count = (condition: string) =>
      requests.filter((r) => r.replies[0]?.condition === condition).length
    console.info(
      `rateLimit max ${max}, 2 processes: ${count('item-not-found')} item-not-found, ` +
        `${count('policy-violation')} policy-violation, ` +
        `${requests.filter((r) => r.replies.length === 0).length} unanswered of 60`,
    )
    expect(count('item-not-found')).toBe(2 * max)
    expect(count('policy-violation')).toBe(2)
  })
})
