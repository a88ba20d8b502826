// Proves the throwaway ejabberd (tools/servers) works with xmpp.js as the tests use it.
// Runs whenever the suite runs against ejabberd (always in CI; see global-setup.ts).
import { readdirSync, readFileSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { type Client, client, xml } from '@xmpp/client'
import { type Component, component } from '@xmpp/component'
import type { Element } from '@xmpp/xml'
import { type EjabberdServer, startEjabberd, type XmppUser } from '@xmpp-errors/throwaway-servers'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'

const enabled = inject('ejabberd') !== undefined
const NS = 'urn:xmpp-errors:test:harness'
const STANZAS_NS = 'urn:ietf:params:xml:ns:xmpp-stanzas'

describe.skipIf(!enabled)('ejabberd test server', () => {
  let server: EjabberdServer
  const entities = new Set<Client | Component>()
  const errors: Error[] = []

  beforeAll(async () => {
    const t0 = performance.now()
    server = await startEjabberd()
    console.info(`ejabberd ready in ${Math.round(performance.now() - t0)} ms (pid ${server.pid})`)
    // The PID to signal is the VM's own, not a wrapper's (erl and erlexec exec() into beam.smp).
    expect(readFileSync(`/proc/${server.pid}/comm`, 'utf8').trim()).toBe('beam.smp')
  })

  afterAll(async () => {
    await Promise.all([...entities].map(quietStop))
    if (!server) return
    const { pid, node } = server
    const helpers = descendants(pid)
    expect(helpers.length).toBeGreaterThan(0) // erl_child_setup at least
    const t0 = performance.now()
    await server.stop()
    console.info(`ejabberd stopped in ${Math.round(performance.now() - t0)} ms`)
    // Nothing of this server may outlive it: not the VM, its port helpers, nor an epmd.
    expect(alive(pid)).toBe(false)
    // Helpers exit once the VM's pipes close; orphans may be zombies for a moment until reaped.
    await waitFor(() => helpers.every((h) => !alive(h)), 2_000)
    expect(helpers.filter(alive)).toEqual([])
    expect(processesMatching((cmd) => cmd.includes(node))).toEqual([])
    expect(processesMatching((cmd) => /(^|\/)epmd(\s|$)/.test(cmd))).toEqual([])
    // Set XMPP_ERRORS_KEEP_SERVER_DIR=1 to read the config and debug log after a run.
    if (process.env.XMPP_ERRORS_KEEP_SERVER_DIR) console.info(`ejabberd dir kept: ${server.dir}`)
    else await rm(server.dir, { recursive: true, force: true })
  })

  function track<E extends Client | Component>(entity: E): E {
    entities.add(entity)
    // An 'error' without a listener would crash the test process.
    entity.on('error', (err) => errors.push(err))
    return entity
  }

  async function login(user: XmppUser): Promise<Client> {
    const c = track(
      client({
        service: `xmpp://${server.host}:${server.c2sPort}`,
        domain: server.domain,
        // @xmpp/client never picks PLAIN on plain TCP by itself (and SCRAM is slow): force it.
        credentials: async (authenticate, mechanisms) => {
          expect(mechanisms).toContain('PLAIN')
          const userAgent = xml('user-agent', { id: user.username })
          await authenticate(
            { username: user.username, password: user.password },
            'PLAIN',
            userAgent,
          )
        },
      }),
    )
    c.reconnect.stop()
    await c.start()
    return c
  }

  async function connectComponent(domain: string, setup?: (c: Component) => void) {
    const c = track(
      component({
        service: `xmpp://${server.host}:${server.componentPort}`,
        domain,
        password: server.componentSecret,
      }),
    )
    setup?.(c)
    await c.start()
    return c
  }

  const answer = (c: Component) => c.iqCallee.get(NS, 'query', () => xml('query', { xmlns: NS }))
  const query = (to: string) => xml('iq', { type: 'get', to }, xml('query', { xmlns: NS }))

  it('registers users, authenticates with SASL PLAIN and routes iqs to a component', async () => {
    expect(server.users.length).toBeGreaterThanOrEqual(8)
    expect(server.components).toHaveLength(32)
    const [user] = server.users as [XmppUser]
    const [domain] = server.components as [string]

    const comp = await connectComponent(domain, (c) => {
      c.iqCallee.get(NS, 'query', (ctx) =>
        xml('query', { xmlns: NS }, xml('from', {}, String(ctx.from))),
      )
    })
    const cli = await login(user)
    expect(cli.jid?.bare().toString()).toBe(user.jid)

    const reply = await request(cli, query(domain))
    expect(reply.attrs.type).toBe('result')
    expect(reply.attrs.from).toBe(domain)
    expect(reply.getChild('query', NS)?.getChildText('from')).toBe(cli.jid?.toString())
    expect(errors).toEqual([])
    await Promise.all([quietStop(comp), quietStop(cli)])
  })

  it('logs the stream error a component sends', async () => {
    const comp = await connectComponent(server.components[1] as string)
    comp.reconnect.stop()
    await comp.write(
      "<stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>" +
        "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>bye</text></stream:error>",
    )
    // ejabberd_service logs nothing of its own about it: only the raw XML, at loglevel debug.
    const line = await waitForLogLine(
      server.logFile,
      (l) => l.includes('Received XML on stream') && l.includes('<stream:error>'),
    )
    console.info(`ejabberd logged: ${line}`)
    expect(line).toContain('policy-violation')
    expect(line).toContain('>bye</text>')
    await quietStop(comp)
  })

  it('routes a component only its own domain, and bounces iqs to an offline one', async () => {
    // Another component is online: with ejabberd's default global_routes it would get the iq.
    const [c4, c5] = server.components.slice(3, 5) as [string, string]
    const comp = await connectComponent(c4, answer)
    const cli = await login(server.users[2] as XmppUser)
    const reply = await request(cli, query(c5))
    console.info(`offline component bounce: ${reply.toString()}`)
    expect(reply.attrs.type).toBe('error')
    expect(reply.attrs.from).toBe(c5)
    const error = reply.getChild('error')
    expect(error?.attrs.type).toBe('auth')
    expect(error?.getChild('forbidden', STANZAS_NS)).toBeDefined()
    await Promise.all([quietStop(comp), quietStop(cli)])
  })

  it('runs ejabberdctl commands against its node', async () => {
    const out = await server.ctl('registered_users', server.domain)
    expect(out.split('\n').filter(Boolean).sort()).toEqual(
      server.users.map((u) => u.username).sort(),
    )
  })

  it('restarts on the same ports with the same data', async () => {
    const { pid, c2sPort, componentPort } = server
    const t0 = performance.now()
    await server.restart()
    console.info(`ejabberd restarted in ${Math.round(performance.now() - t0)} ms`)
    expect(alive(pid)).toBe(false)
    expect(server.pid).not.toBe(pid)
    expect([server.c2sPort, server.componentPort]).toEqual([c2sPort, componentPort])

    const domain = server.components[0] as string
    await connectComponent(domain, answer)
    const cli = await login(server.users[7] as XmppUser)
    expect((await request(cli, query(domain))).attrs.type).toBe('result')
  })

  it('kill() stops it at once and restart() brings it back', async () => {
    await Promise.all([...entities].map(quietStop))
    const pid = server.pid
    await server.kill()
    expect(alive(pid)).toBe(false)
    await server.restart()
    const cli = await login(server.users[0] as XmppUser)
    expect(cli.status).toBe('online')
  })
})

async function request(
  entity: Client | Component,
  iq: Element,
  timeoutMs = 5_000,
): Promise<Element> {
  const id = `h${Math.random().toString(36).slice(2)}`
  iq.attrs.id = id
  const reply = new Promise<Element>((resolve, reject) => {
    const timer = setTimeout(() => {
      entity.off('stanza', onStanza)
      reject(new Error(`no reply to iq ${id} within ${timeoutMs} ms`))
    }, timeoutMs)
    const onStanza = (stanza: Element) => {
      if (stanza.name !== 'iq' || stanza.attrs.id !== id) return
      clearTimeout(timer)
      entity.off('stanza', onStanza)
      resolve(stanza)
    }
    entity.on('stanza', onStanza)
  })
  await entity.send(iq)
  return reply
}

async function quietStop(entity: Client | Component): Promise<void> {
  entity.reconnect.stop()
  try {
    await entity.stop()
  } catch {}
}

async function waitForLogLine(file: string, match: (line: string) => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const line = (await readFile(file, 'utf8')).split('\n').find(match)
    if (line) return line
    if (Date.now() > deadline) throw new Error(`no matching line in ${file} within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
}

/** The state letter of /proc/PID/stat ('R', 'S', 'Z'...), or undefined if there is no such PID. */
function procState(pid: number | string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0]
  } catch {
    return undefined
  }
}

/** Whether `pid` is a live process (a zombie is dead: it only waits to be reaped). */
function alive(pid: number): boolean {
  const state = procState(pid)
  return state !== undefined && state !== 'Z'
}

/** PIDs of the descendants of `pid` (erl_child_setup, inet_gethost...). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
    } catch {}
  }
  const out: number[] = []
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c)
      walk(c)
    }
  }
  walk(pid)
  return out
}

/** `pid cmdline` of live processes whose command line matches (a pgrep -af without pgrep). */
function processesMatching(match: (cmdline: string) => boolean): string[] {
  const found: string[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()
      if (cmd && procState(entry) !== 'Z' && match(cmd)) found.push(`${entry} ${cmd}`)
    } catch {}
  }
  return found
}
