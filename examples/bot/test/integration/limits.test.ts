import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defaultOutgoing } from '@xmpp-errors/middleware'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { type Bot, createBot } from '../../src/bot.js'
import { loadConfig, MAX_VALUE_CEILING } from '../../src/config.js'
import { NS_DISCO_INFO, NS_DISCO_ITEMS, NS_RSM } from '../../src/disco.js'
import { NS_NOTES, NS_PING } from '../../src/service.js'
import {
  type Client,
  type Element,
  errorOf,
  login,
  logoutAll,
  repliesTo,
  request,
  say,
  xml,
} from './helpers.js'

const server = inject('prosody')
const DOMAIN = 'c17.localhost'
const user = { username: 'u17', password: 'p', jid: 'u17@localhost' }
/** What Prosody takes from a component in one stanza (component_stanza_size_limit). */
const SERVER_LIMIT = 512 * 1024
const silent = { debug() {}, info() {}, warn() {}, error() {} }

const bytes = (stanza: Element) => Buffer.byteLength(stanza.toString(), 'utf8')

describe('replies stay within what the server takes from the bot', () => {
  let bot: Bot
  let alice: Client
  // 8,200 keys of 64 characters: as one chat answer, 533,000 bytes, past Prosody's 512 KiB.
  const keys = Array.from({ length: 8_200 }, (_, i) =>
    `${String(i).padStart(5, '0')}`.padEnd(64, 'k'),
  )
  const owner = { jid: user.jid, admin: false }

  beforeAll(async () => {
    const config = loadConfig({
      BOT_SERVICE: `xmpp://${server.host}:${server.componentPort}`,
      BOT_DOMAIN: DOMAIN,
      BOT_SECRET: server.componentSecret,
      BOT_MAX_KEYS: '10000',
      BOT_MAX_VALUE_LENGTH: String(MAX_VALUE_CEILING),
      BOT_RATE: '100000',
      BOT_BURST: '100000',
      BOT_ERROR_LIMIT: '0',
    })
    bot = createBot(config, silent)
    for (const key of keys) bot.store.put(key, 'x', owner)
    await bot.start()
    alice = await login(`xmpp://${server.host}:${server.c2sPort}`, server.domain, user, 'limits')
  })

  afterAll(async () => {
    await logoutAll()
    await bot?.stop()
  })

  const iq = (type: 'get' | 'set', child: Element) => xml('iq', { type, to: DOMAIN }, child)
  const items = (set?: Element) =>
    iq('get', xml('query', { xmlns: NS_DISCO_ITEMS }, ...(set ? [set] : [])))
  const rsm = (...children: Element[]) => xml('set', { xmlns: NS_RSM }, ...children)
  const nodes = (reply: Element) =>
    reply
      .getChild('query', NS_DISCO_ITEMS)
      ?.getChildren('item')
      .map((i) => i.attrs.node) ?? []
  const resultSet = (reply: Element) => {
    const set = reply.getChild('query', NS_DISCO_ITEMS)?.getChild('set', NS_RSM)
    return {
      first: set?.getChildText('first') ?? undefined,
      index: set?.getChild('first')?.attrs.index,
      last: set?.getChildText('last') ?? undefined,
      count: set?.getChildText('count') ?? undefined,
    }
  }

  it('answers `keys` with one page while 300 IQs are in flight, and loses none of them', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `inflight-${i}`)
    const listing = say(alice, DOMAIN, 'keys', 'keys-1')
    const pings = repliesTo(alice, ids, 20_000, () =>
      Promise.all(
        ids.map((id) =>
          alice.send(xml('iq', { type: 'get', to: DOMAIN, id }, xml('ping', { xmlns: NS_PING }))),
        ),
      ),
    )
    const [answers, answer] = await Promise.all([pings, listing])
    expect(answers.filter((a) => a.attrs.type === 'result')).toHaveLength(300)
    const lines = answer.getChildText('body')?.split('\n') ?? []
    expect(lines.slice(0, 100)).toEqual(keys.slice(0, 100))
    expect(lines[100]).toBe(`… 8100 more; send "keys ${keys[99]}" for the next 100`)
    expect(bytes(answer)).toBeLessThan(SERVER_LIMIT / 64)
    const next = await say(alice, DOMAIN, `keys ${keys[99]}`)
    expect(next.getChildText('body')?.split('\n')[0]).toBe(keys[100])
    expect(bot.component.status).toBe('online')
  })

  it('pages disco#items with XEP-0059, 100 items at most, and says so unasked', async () => {
    const info = await request(alice, iq('get', xml('query', { xmlns: NS_DISCO_INFO })))
    const features = info.getChild('query', NS_DISCO_INFO)?.getChildren('feature')
    expect(features?.map((f) => f.attrs.var)).toContain(NS_RSM)

    const unasked = await request(alice, items())
    expect(nodes(unasked)).toEqual(keys.slice(0, 100))
    expect(resultSet(unasked)).toEqual({
      first: keys[0],
      index: '0',
      last: keys[99],
      count: '8200',
    })
    expect(bytes(unasked)).toBeLessThan(SERVER_LIMIT / 8)

    const asked = await request(
      alice,
      items(rsm(xml('max', {}, '1000'), xml('after', {}, String(keys[99])))),
    )
    expect(nodes(asked)).toEqual(keys.slice(100, 200))
    expect(resultSet(asked)).toMatchObject({ index: '100', last: keys[199] })

    const last = await request(alice, items(rsm(xml('max', {}, '10'), xml('before'))))
    expect(nodes(last)).toEqual(keys.slice(8_190))
    expect(resultSet(last)).toMatchObject({ index: '8190', count: '8200' })

    const back = await request(
      alice,
      items(rsm(xml('max', {}, '10'), xml('before', {}, String(keys[8_190])))),
    )
    expect(nodes(back)).toEqual(keys.slice(8_180, 8_190))

    const jump = await request(alice, items(rsm(xml('max', {}, '5'), xml('index', {}, '5000'))))
    expect(nodes(jump)).toEqual(keys.slice(5_000, 5_005))

    const count = await request(alice, items(rsm(xml('max', {}, '0'))))
    expect(nodes(count)).toEqual([])
    expect(resultSet(count)).toEqual({ count: '8200' })

    const gone = await request(alice, items(rsm(xml('after', {}, 'no-such-note'))))
    expect(errorOf(gone)).toMatchObject({ condition: 'item-not-found', type: 'cancel' })
    const bad = await request(alice, items(rsm(xml('max', {}, 'lots'))))
    expect(errorOf(bad)).toMatchObject({
      condition: 'bad-request',
      text: '<max/> must be a whole number',
    })
  })

  it('sends the longest note there may be in one stanza, within the limit', async () => {
    // Every character escaped to five bytes (&amp;): the most a note can weigh.
    const value = '&'.repeat(MAX_VALUE_CEILING)
    bot.store.put('heavy', value, owner)
    const reply = await request(alice, iq('get', xml('get', { xmlns: NS_NOTES, key: 'heavy' })))
    expect(reply.getChildText('note', NS_NOTES)).toBe(value)
    expect(bytes(reply)).toBeLessThan(SERVER_LIMIT)
    expect(bytes(reply)).toBeLessThanOrEqual(defaultOutgoing.maxStanzaSize)
    const pong = await request(alice, iq('get', xml('ping', { xmlns: NS_PING })))
    expect(pong.attrs.type).toBe('result')
  })
})

describe('main.js with a stdout that nobody reads', () => {
  const main = fileURLToPath(new URL('../../dist/main.js', import.meta.url))
  let child: ChildProcess | undefined
  // Even when the test fails or times out, the process it started does not outlive it.
  afterAll(() => {
    child?.kill('SIGKILL')
  })
  const rss = (pid: number) => {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) * 1024
  }

  it('holds what waits for stdout within a bound, keeps answering, and exits within 2 s of SIGTERM', {
    timeout: 60_000,
  }, async () => {
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`corepack pnpm build\` first`)
    child = spawn(process.execPath, [main], {
      env: {
        PATH: process.env.PATH ?? '',
        BOT_SERVICE: `xmpp://${server.host}:${server.componentPort}`,
        BOT_DOMAIN: DOMAIN,
        BOT_SECRET: server.componentSecret,
        BOT_RATE: '100000',
        BOT_BURST: '100000',
        BOT_ERROR_LIMIT: '0',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    // The pipe is never read: once its buffer is full, every write to it waits.
    child.stdout?.pause()
    const running = child
    const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
      running.once('exit', (code) => resolve({ code, at: Date.now() })),
    )
    const alice = await login(
      `xmpp://${server.host}:${server.c2sPort}`,
      server.domain,
      user,
      'stdout',
    )
    const ping = () =>
      request(alice, xml('iq', { type: 'get', to: DOMAIN }, xml('ping', { xmlns: NS_PING })))
    // Online once the component, not the server, answers the ping.
    for (let i = 0; (await ping()).attrs.type !== 'result'; i++) {
      if (i > 100) throw new Error('main.js did not come online')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const pid = running.pid as number
    // Each refused get is logged with its stanza's id: 1,000 ids of 8 KB make 8 MB of log. The
    // first two rounds fill the pipe and warm the process up; growth is measured from there.
    const id = 'i'.repeat(8_000)
    let before = 0
    for (let round = 0; round < 10; round++) {
      const ids = Array.from({ length: 100 }, (_, i) => `${id}-${round}-${i}`)
      const get = xml('get', { xmlns: NS_NOTES, key: 'no.such' })
      const answers = await repliesTo(alice, ids, 20_000, () =>
        Promise.all(
          ids.map((one) => alice.send(xml('iq', { type: 'get', to: DOMAIN, id: one }, get))),
        ),
      )
      expect(answers.map((a) => errorOf(a).condition)).toEqual(ids.map(() => 'item-not-found'))
      if (round === 1) before = rss(pid)
    }
    // Before, pino held every line: 8 MB more here (+13 to +20 MB measured); now +1 to +2 MB.
    expect(rss(pid) - before).toBeLessThan(6 * 1024 * 1024)
    const sent = Date.now()
    running.kill('SIGTERM')
    const { code, at } = await Promise.race([
      exited,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('no exit within 5 s of SIGTERM')), 5_000),
      ),
    ])
    expect(code).toBe(0)
    expect(at - sent).toBeLessThan(2_000)
  })
})
