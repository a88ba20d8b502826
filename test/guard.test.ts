// guard(): what xmpp.js does before any middleware runs. It parses `from` and `to` of every
// incoming stanza, and an address with an empty domain ('foo@', '/r', '@') throws out of the
// socket's data handler and ends the process. Which such stanzas reach a component through
// Prosody 0.12, what guard() makes of them, and proof, in a child process, that the crash is real.
// What Prosody does not let through is fed to guard() in process in guard-in-process.test.ts.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import { xml } from '@xmpp/component'
import type { Element } from '@xmpp/xml'
import { type ErrorRecord, errors, guard } from '@xmpp-errors/middleware'
import {
  collect,
  connectClient,
  connectComponent,
  errorsOf,
  request,
  stopAll,
} from '@xmpp-errors/throwaway-clients'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { addressChecker } from '../packages/middleware/src/guard.js'
import { logSize, recorder, until, userOf, waitForLog } from './src/suite.js'

const server = inject('prosody')
const NS = 'urn:xmpp-errors:guard'
const C11 = 'c11.localhost'
const C13 = 'c13.localhost'

afterEach(stopAll)

/** Whether xmpp.js (and so guard()) can parse the address; the empty string it skips. */
const addressFault = addressChecker()
const crashes = (address: string) => addressFault({ attrs: { from: address } }) === 'from'

describe('through Prosody 0.12', () => {
  it("lets no malformed 'to' reach a component: it answers jid-malformed or routes the prepped address", async () => {
    const arrived: string[] = []
    const component = await connectComponent(server, C11, (c) => {
      const { logger } = recorder()
      guard(c, { logger })
      c.middleware.use(errors({ logger }))
      c.on('stanza', (s: Element) => {
        if (s.attrs.id?.startsWith('to-')) arrived.push(s.toString())
      })
    })
    // Prosody answers a malformed address with from = that address: unguarded, that reply would
    // crash this xmpp.js client. guard() with 'drop' records it instead.
    const bounced: ErrorRecord[] = []
    const client = await connectClient(server, userOf(server, 'u9'), { resource: 'guard' })
    const { logger } = recorder()
    guard(client, { logger, malformedFrom: 'drop', onError: (r) => bounced.push(r) })
    const replies = collect(client, (s) => s.attrs.id?.startsWith('to-') === true)

    const forms = [
      'foo@c11.localhost',
      '@c11.localhost',
      'c11.localhost/',
      'foo@c11.localhost/',
      'c11.localhost@',
      '/c11.localhost',
      'foo@/c11.localhost',
      'a@b@c11.localhost',
      'C11.LOCALHOST',
      'c11.localhost.',
      'c11.local\u00adhost',
      'c11.localhost//',
      'c11.localhost/a@',
      'FOO@C11.LOCALHOST/R',
      ' c11.localhost',
      '',
      'foo@',
      '@',
    ]
    const ids = forms.map((_, i) => `to-${i}`)
    for (const [i, to] of forms.entries()) {
      await client.write(
        `<iq type='get' id='${ids[i]}' to='${to.replace(/'/g, '&apos;')}'><q xmlns='${NS}'/></iq>`,
      )
    }
    await until(
      'an answer or an arrival for every form',
      () =>
        ids.every(
          (id) =>
            replies.stanzas.some((s) => s.attrs.id === id) ||
            bounced.some((r) => r.stanza.id === id) ||
            arrived.some((s) => s.includes(`id="${id}"`)),
        ),
      8_000,
    )
    const table = forms.map((to, i) => {
      const id = ids[i] ?? ''
      const reached = arrived.find((s) => s.includes(`id="${id}"`))
      const reply = replies.stanzas.find((s) => s.attrs.id === id)
      const dropped = bounced.find((r) => r.stanza.id === id)
      const condition = reply?.getChild('error')?.getChildElements()[0]?.name
      const outcome = reached
        ? `reached ${C11} as to='${/ to="([^"]*)"/.exec(reached)?.[1]}'`
        : dropped
          ? `Prosody answered from='${dropped.stanza.from}' (guard dropped it on the client)`
          : `Prosody answered ${condition} from='${reply?.attrs.from}'`
      return { to, xmppJsParses: to === '' || !crashes(to), outcome }
    })
    console.log(
      `malformed 'to' through Prosody 0.12:\n${table
        .map((r) => `  ${JSON.stringify(r.to).padEnd(24)} ${r.outcome}`)
        .join('\n')}`,
    )
    // Nothing xmpp.js cannot parse ever reaches the component.
    for (const s of arrived) {
      const to = / to="([^"]*)"/.exec(s)?.[1] ?? ''
      expect(crashes(to), s).toBe(false)
    }
    // What reaches the component is well-formed as Prosody rewrote it (nameprep, trailing dot).
    expect(table.filter((r) => r.outcome.startsWith('reached')).map((r) => r.to)).toEqual([
      'foo@c11.localhost',
      'C11.LOCALHOST',
      'c11.localhost.',
      'c11.local\u00adhost',
      'c11.localhost//',
      'c11.localhost/a@',
      'FOO@C11.LOCALHOST/R',
    ])
    // Every other form was refused by Prosody itself, with jid-malformed where it is malformed.
    for (const r of table)
      if (!r.outcome.startsWith('reached')) expect(r.outcome).toMatch(/^Prosody/)
    expect(errorsOf(component)).toEqual([])
  })

  it("delivers a malformed 'from' to a component: the bounce of its own stanza, dropped, the stream kept", async () => {
    const guarded = recorder()
    let onlines = 0
    const component = await connectComponent(server, C11, (c) => {
      guard(c, { logger: guarded.logger, onError: (r) => guarded.records.push(r) })
      c.middleware.use(errors({ logger: guarded.logger }))
      c.iqCallee.get(NS, 'q', () => xml('q', { xmlns: NS }, 'alive'))
      c.on('online', () => {
        onlines++
      })
      c.reconnect.delay = 50
    })
    const client = await connectClient(server, userOf(server, 'u9'), { resource: 'bounce' })

    // Prosody's jid-malformed bounce carries from='foo@': xmpp.js would throw parsing it. It is an
    // error about our own stanza, so guard() drops it rather than close the stream: closing would
    // let anyone who can make us address a JID force us to reconnect at will.
    await component.send(xml('message', { to: 'foo@', id: 'bounce-1' }, xml('body', {}, 'x')))
    await until('the bounce to be recorded', () => guarded.records.length >= 1)
    const [record] = guarded.records
    expect(record).toMatchObject({
      action: 'drop',
      reason: 'malformed-address',
      xmpp: { kind: 'stream', condition: 'improper-addressing' },
      stanza: { name: 'message', type: 'error', id: 'bounce-1', from: 'foo@' },
    })

    // The stream stayed up and the component answers.
    const reply = await request(
      client,
      xml('iq', { type: 'get', to: C11 }, xml('q', { xmlns: NS })),
    )
    expect(reply.attrs.type).toBe('result')
    expect(reply.getChildText('q', NS)).toBe('alive')
    expect(onlines).toBe(1)
    console.log("bounce with from='foo@': guard() dropped it; the stream stayed up and answers")
  })

  it("with malformedFrom: 'drop' the bounce is logged and the stream stays up", async () => {
    const guarded = recorder()
    const statuses: string[] = []
    const component = await connectComponent(server, C11, (c) => {
      guard(c, {
        logger: guarded.logger,
        malformedFrom: 'drop',
        onError: (r) => guarded.records.push(r),
      })
      c.middleware.use(errors({ logger: guarded.logger }))
      c.iqCallee.get(NS, 'q', () => xml('q', { xmlns: NS }, 'alive'))
    })
    component.on('status', (s: string) => statuses.push(s))
    const client = await connectClient(server, userOf(server, 'u9'), { resource: 'drop' })
    const bounces = ['foo@', '/c11.localhost', 'c11.localhost@', '@', 'foo@/bar']
    for (const [i, to] of bounces.entries()) {
      await component.write(
        `<presence to='${to}' from='${C11}' id='drop-${i}' type='unavailable'/>` +
          `<iq to='${to}' from='${C11}' id='drop-iq-${i}' type='get'><q xmlns='${NS}'/></iq>`,
      )
    }
    await until('every bounce dropped', () => guarded.records.length >= bounces.length * 2)
    expect(guarded.records.map((r) => [r.action, r.reason, r.stanza.type, r.stanza.from])).toEqual(
      bounces.flatMap((from) => [
        ['drop', 'malformed-address', 'error', from],
        ['drop', 'malformed-address', 'error', from],
      ]),
    )
    expect(statuses).toEqual([])
    const reply = await request(
      client,
      xml('iq', { type: 'get', to: C11 }, xml('q', { xmlns: NS })),
    )
    expect(reply.attrs.type).toBe('result')
  })

  it("lets no component forge a malformed 'from': Prosody closes the forger's stream", async () => {
    const arrived: Element[] = []
    await connectComponent(server, C11, (c) => {
      const { logger } = recorder()
      guard(c, { logger })
      c.middleware.use(errors({ logger }))
      c.on('stanza', (s: Element) => arrived.push(s))
    })
    const forger = await connectComponent(server, C13, undefined, { reconnect: false })
    const statuses: string[] = []
    forger.on('status', (s: string) => statuses.push(s))
    const before = await logSize(server.logFile)
    await forger.write(`<message to='${C11}' from='foo@' id='forged'><body>x</body></message>`)
    await until('the forger to be disconnected', () => statuses.includes('disconnect'))
    await sleep(100)
    expect(arrived.filter((s) => s.attrs.id === 'forged')).toEqual([])
    await waitForLog(server.logFile, before, /invalid 'from' address/, 2_000)
  })
})

// ---- a child process: the crash is real, and guard() prevents it ------------------------------

const require_ = createRequire(import.meta.url)
const CHILD = `
const { component, xml } = (await import(process.env.COMPONENT_URL)).default
const { errors, guard } = await import(process.env.MIDDLEWARE_URL)
const info = JSON.parse(process.env.XMPP_SERVER)
const say = (event, extra = {}) => process.stdout.write(JSON.stringify({ event, ...extra }) + '\\n')
const c = component({
  service: 'xmpp://' + info.host + ':' + info.componentPort,
  domain: process.env.XMPP_DOMAIN,
  password: info.componentSecret,
})
c.reconnect.delay = 50
const logger = { debug() {}, warn(_o, msg) { say('log', { msg }) }, error(_o, msg) { say('log', { msg }) } }
if (process.env.GUARD) guard(c, { logger, malformedFrom: process.env.GUARD })
c.middleware.use(errors({ logger }))
c.iqCallee.get('${NS}', 'q', () => xml('q', { xmlns: '${NS}' }, 'alive ' + process.pid))
c.on('error', (err) => say('error', { message: String(err) }))
let onlines = 0
c.on('online', () => {
  onlines++
  say('online', { onlines })
  // Addressed to a malformed JID: Prosody bounces it with from='foo@'.
  if (onlines === 1) c.send(xml('message', { to: 'foo@', id: 'trigger' }, xml('body', {}, 'x')))
})
await c.start()
`

interface Child {
  proc: ChildProcess
  events: Array<{ event: string; [k: string]: unknown }>
  stderr: string[]
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

async function spawnChild(dir: string, guardMode: '' | 'stream-error' | 'drop'): Promise<Child> {
  const file = join(dir, 'component.mjs')
  await writeFile(file, CHILD)
  const proc = spawn(process.execPath, [file], {
    env: {
      ...process.env,
      XMPP_SERVER: JSON.stringify(server),
      XMPP_DOMAIN: C13,
      GUARD: guardMode,
      COMPONENT_URL: pathToFileURL(require_.resolve('@xmpp/component')).href,
      MIDDLEWARE_URL: pathToFileURL(require_.resolve('@xmpp-errors/middleware')).href,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const child: Child = {
    proc,
    events: [],
    stderr: [],
    exit: new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal }))),
  }
  let buffered = ''
  proc.stdout?.on('data', (data: Buffer) => {
    buffered += data.toString()
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) if (line) child.events.push(JSON.parse(line))
  })
  proc.stderr?.on('data', (data: Buffer) => child.stderr.push(data.toString()))
  return child
}

describe('in a child process', () => {
  it('dies on the bounce without guard(); with guard() it survives and answers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xmpp-errors-guard-'))
    const client = await connectClient(server, userOf(server, 'u11'), { resource: 'child' })
    try {
      // Unguarded: the first stanza with from='foo@' ends the process.
      const bare = await spawnChild(dir, '')
      const exit = await Promise.race([bare.exit, sleep(8_000).then(() => 'timeout' as const)])
      if (exit === 'timeout') bare.proc.kill('SIGKILL')
      expect(exit).toEqual({ code: 1, signal: null })
      expect(bare.events.map((e) => e.event)).toEqual(['online'])
      expect(bare.stderr.join('')).toMatch(/TypeError: Invalid domain/)

      for (const mode of ['stream-error', 'drop'] as const) {
        const child = await spawnChild(dir, mode)
        try {
          // A bounce is dropped in either mode: no stream error, no reconnection.
          const want = 1
          await until(
            `the ${mode} child online ${want} time(s) after the bounce`,
            () =>
              child.events.filter((e) => e.event === 'online').length >= want &&
              child.events.some((e) => e.event === 'log'),
            8_000,
          )
          const reply = await request(
            client,
            xml('iq', { type: 'get', to: C13 }, xml('q', { xmlns: NS })),
          )
          expect(reply.getChildText('q', NS)).toBe(`alive ${child.proc.pid}`)
          expect(child.proc.exitCode).toBeNull()
          const logged = child.events.filter((e) => e.event === 'log').map((e) => e.msg)
          expect(logged[0]).toMatch(
            /^stream improper-addressing dropped \(malformed-address\) for message error from foo@$/,
          )
          console.log(`child with guard(${mode}): survived the bounce (${logged[0]}) and answered`)
        } finally {
          child.proc.kill('SIGTERM')
          await child.exit
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 20_000)
})
