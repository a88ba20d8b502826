import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { findExecutable } from '@xmpp-errors/throwaway-servers'
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { type Bot, createBot, StartupError } from '../../src/bot.js'
import { type Config, loadConfig } from '../../src/config.js'
import type { BotLogger } from '../../src/context.js'
import { NS_DISCO_INFO, NS_DISCO_ITEMS, NS_RSM } from '../../src/disco.js'
import { NS_NOTES, NS_PING, NS_VERSION } from '../../src/service.js'
import {
  type Client,
  type Element,
  errorOf,
  login,
  logoutAll,
  nothing,
  repliesTo,
  request,
  say,
  xml,
} from './helpers.js'

const server = inject('prosody')
const DOMAIN = 'c16.localhost'
const user = { username: 'u15', password: 'p', jid: 'u15@localhost' }
const admin = { username: 'u16', password: 'p', jid: 'u16@localhost' }
// Two accounts that XEP-0106 escaping would take for one: `v\w` escapes to `v\5cw`.
const backslash = { username: 'v\\w', password: 'p', jid: 'v\\w@localhost' }
const escaped = { username: 'v\\5cw', password: 'p', jid: 'v\\5cw@localhost' }
const componentService = `xmpp://${server.host}:${server.componentPort}`
const c2sService = `xmpp://${server.host}:${server.c2sPort}`

interface Logged {
  level: 'debug' | 'info' | 'warn' | 'error'
  object: Record<string, unknown>
  msg: string
}

function recorder(): BotLogger & { records: Logged[] } {
  const records: Logged[] = []
  const at = (level: Logged['level']) => (object: object, msg: string) => {
    records.push({ level, object: object as Record<string, unknown>, msg })
  }
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

function config(env: Record<string, string> = {}): Config {
  return loadConfig({
    BOT_SERVICE: componentService,
    BOT_DOMAIN: DOMAIN,
    BOT_SECRET: server.componentSecret,
    BOT_ADMINS: admin.jid,
    BOT_MAX_KEYS: '6',
    BOT_MAX_VALUE_LENGTH: '50',
    BOT_RATE: '1',
    BOT_BURST: '30',
    // errors()' own cap on error replies is off here: these tests make many errors on purpose.
    BOT_ERROR_LIMIT: '0',
    ...env,
  })
}

/** Registers an account on the shared Prosody, which reads accounts at login. */
async function register(account: { username: string; password: string }): Promise<void> {
  const prosodyctl = findExecutable('prosodyctl')
  if (!prosodyctl) throw new Error('prosodyctl is not installed')
  const configFile = join(server.dir, 'prosody.cfg.lua')
  await promisify(execFile)(prosodyctl, [
    '--config',
    configFile,
    'register',
    account.username,
    server.domain,
    account.password,
  ])
}

async function closedPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const address = s.address()
  await new Promise((resolve) => s.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

async function startupError(bot: Bot): Promise<string> {
  try {
    await bot.start()
  } catch (error) {
    expect(error).toBeInstanceOf(StartupError)
    return (error as Error).message
  }
  await bot.stop()
  throw new Error('the bot came online')
}

const main = fileURLToPath(new URL('../../dist/main.js', import.meta.url))

function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`corepack pnpm build\` first`)
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [main],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 15_000 },
      (_error, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
    )
  })
}

describe('startup problems, in plain words', () => {
  it('says when the secret is wrong', async () => {
    const message = await startupError(createBot(config({ BOT_SECRET: 'wrong' }), recorder()))
    expect(message).toBe(
      `the component secret was rejected by ${componentService}: check BOT_SECRET (the server said: Given token does not match calculated token)`,
    )
  })

  it('says which address refused the connection', async () => {
    const port = await closedPort()
    const bot = createBot(config({ BOT_SERVICE: `xmpp://127.0.0.1:${port}` }), recorder())
    expect(await startupError(bot)).toBe(
      `connection refused at 127.0.0.1:${port}: is the XMPP server running, with its component port there? check BOT_SERVICE`,
    )
  })

  it('says when the server does not serve the domain', async () => {
    const bot = createBot(config({ BOT_DOMAIN: 'nowhere.localhost' }), recorder())
    expect(await startupError(bot)).toMatch(
      /does not serve the component domain nowhere\.localhost.*check BOT_DOMAIN/,
    )
  })

  it('main.js lists every configuration problem and exits 2', async () => {
    const { code, stderr } = await runMain({ BOT_SERVICE: '127.0.0.1:5347' })
    expect(code).toBe(2)
    expect(stderr).toContain(
      'BOT_SERVICE: "127.0.0.1:5347" is not a URL; expected xmpp://host:port',
    )
    expect(stderr).toContain('BOT_DOMAIN is not set')
    expect(stderr).toContain('BOT_SECRET is not set')
  })

  it('main.js explains a rejected secret and exits 1', async () => {
    const { code, stderr } = await runMain({
      BOT_SERVICE: componentService,
      BOT_DOMAIN: DOMAIN,
      BOT_SECRET: 'wrong',
    })
    expect(code).toBe(1)
    expect(stderr.trim()).toMatch(
      `xmpp-errors bot: the component secret was rejected by ${componentService}: check BOT_SECRET`,
    )
  })
})

describe('the bot through Prosody', () => {
  let bot: Bot
  let log: ReturnType<typeof recorder>
  let alice: Client
  let root: Client
  let vw: Client
  let v5cw: Client
  let now = 0

  beforeAll(async () => {
    log = recorder()
    bot = createBot(config(), log, { now: () => now })
    await Promise.all([bot.start(), register(backslash), register(escaped)])
    ;[alice, root, vw, v5cw] = await Promise.all([
      login(c2sService, server.domain, user, 'bot-test'),
      login(c2sService, server.domain, admin, 'bot-test'),
      login(c2sService, server.domain, backslash, 'bot-test'),
      login(c2sService, server.domain, escaped, 'bot-test'),
    ])
  })

  afterAll(async () => {
    await logoutAll()
    await bot?.stop()
  })

  // A full token bucket for each test; the flood test empties it on purpose.
  beforeEach(() => {
    now += 3_600_000
  })

  const iq = (type: 'get' | 'set', child: Element, id?: string) =>
    xml('iq', { type, to: DOMAIN, ...(id ? { id } : {}) }, child)
  const notes = (name: string, attrs: Record<string, string> = {}, value?: string) =>
    xml(name, { xmlns: NS_NOTES, ...attrs }, ...(value === undefined ? [] : [value]))

  /** The log records the bot wrote about the stanza with this id. */
  const recordsFor = (id: string) =>
    log.records.filter((r) => (r.object.stanza as { id?: string } | undefined)?.id === id)

  /** Sends the request and checks the error reply and its single log record. */
  async function expectError(
    c: Client,
    stanza: Element,
    condition: string,
    type: string,
    level: 'warn' | 'error' = 'warn',
  ) {
    const id = `t-${Math.random().toString(36).slice(2)}`
    stanza.attrs.id = id
    const reply = await request(c, stanza)
    expect(reply.attrs.type).toBe('error')
    const error = errorOf(reply)
    expect([error.condition, error.type]).toEqual([condition, type])
    expect(error.by).toBe(DOMAIN)
    const records = recordsFor(id)
    expect(records).toHaveLength(1)
    expect(records[0]?.level).toBe(level)
    expect(records[0]?.object).toMatchObject({ xmpp: { condition, type }, action: 'reply' })
    return { reply, error }
  }

  it('answers disco#info with its identity and features', async () => {
    const reply = await request(alice, iq('get', xml('query', { xmlns: NS_DISCO_INFO })))
    expect(reply.attrs.type).toBe('result')
    const query = reply.getChild('query', NS_DISCO_INFO)
    expect(query?.getChild('identity')?.attrs).toMatchObject({ category: 'store', type: 'memory' })
    const features = query?.getChildren('feature').map((f) => f.attrs.var)
    expect(features).toEqual(
      [NS_DISCO_INFO, NS_DISCO_ITEMS, NS_VERSION, NS_PING, NS_NOTES, NS_RSM].sort(),
    )
  })

  it('answers disco#items with one item per note, and disco on nodes', async () => {
    await request(alice, iq('set', notes('put', { key: 'disco.a' }, 'x')))
    const reply = await request(alice, iq('get', xml('query', { xmlns: NS_DISCO_ITEMS })))
    const items = reply.getChild('query', NS_DISCO_ITEMS)?.getChildren('item') ?? []
    expect(items.map((i) => i.attrs)).toContainEqual({
      jid: DOMAIN,
      node: 'disco.a',
      name: 'disco.a',
    })
    const node = await request(
      alice,
      iq('get', xml('query', { xmlns: NS_DISCO_INFO, node: 'disco.a' })),
    )
    expect(node.getChild('query', NS_DISCO_INFO)?.getChild('identity')?.attrs.type).toBe('leaf')
    await expectError(
      alice,
      iq('get', xml('query', { xmlns: NS_DISCO_INFO, node: 'no.such' })),
      'item-not-found',
      'cancel',
    )
    await expectError(
      alice,
      iq('get', xml('query', { xmlns: NS_DISCO_ITEMS, node: 'no.such' })),
      'item-not-found',
      'cancel',
    )
    await request(alice, iq('set', notes('delete', { key: 'disco.a' })))
  })

  it('answers software version and ping', async () => {
    const version = await request(alice, iq('get', xml('query', { xmlns: NS_VERSION })))
    const query = version.getChild('query', NS_VERSION)
    expect(query?.getChildText('name')).toBe('xmpp-errors example bot')
    expect(query?.getChildText('version')).toMatch(/^\d+\.\d+\.\d+/)
    const pong = await request(alice, iq('get', xml('ping', { xmlns: NS_PING })))
    expect(pong.attrs.type).toBe('result')
    expect(pong.getChildElements()).toEqual([])
  })

  it('stores, reads, moves and deletes notes over IQ', async () => {
    const put = await request(alice, iq('set', notes('put', { key: 'iq.note' }, 'hello')))
    expect(put.attrs.type).toBe('result')
    const got = await request(alice, iq('get', notes('get', { key: 'iq.note' })))
    const note = got.getChild('note', NS_NOTES)
    expect(note?.attrs).toMatchObject({ key: 'iq.note', owner: user.jid })
    expect(note?.text()).toBe('hello')
    const id = 'audit-1'
    await request(alice, iq('set', notes('move', { key: 'iq.note', to: 'iq.moved' }), id))
    expect(recordsFor(id)).toMatchObject([
      { level: 'info', object: { key: 'iq.note', to: 'iq.moved' } },
    ])
    const { error } = await expectError(
      alice,
      iq('get', notes('get', { key: 'iq.note' })),
      'redirect',
      'modify',
    )
    expect(error.uri).toBe(`xmpp:${DOMAIN}?notes;key=iq.moved`)
    expect(error.text).toBe('note "iq.note" was moved to "iq.moved"')
    await request(alice, iq('set', notes('delete', { key: 'iq.moved' })))
    await expectError(
      alice,
      iq('get', notes('get', { key: 'iq.moved' })),
      'item-not-found',
      'cancel',
    )
  })

  it('answers bad-request for malformed input', async () => {
    const cases = [
      iq('get', notes('get')),
      iq('set', notes('put', { key: 'Bad Key' }, 'x')),
      iq('set', notes('put', { key: 'long' }, 'x'.repeat(51))),
      iq('set', notes('put', { key: 'k', mode: 'sometimes' }, 'x')),
      iq('set', notes('put', { key: 'k', readonly: 'maybe' }, 'x')),
      iq('set', notes('move', { key: 'a' })),
      iq('set', notes('share', { key: 'a' })),
      iq('set', xml('put', { xmlns: NS_NOTES, key: 'k' }, 'a', xml('b', {}, 'bold'), 'c')),
    ]
    const texts: Array<string | undefined> = []
    for (const stanza of cases) {
      texts.push((await expectError(alice, stanza, 'bad-request', 'modify')).error.text)
    }
    expect(texts).toEqual([
      'a key is required',
      'key "Bad Key" may hold only a-z, 0-9 and . - _ (not at either end)',
      'the value is 51 characters long; the limit is 50',
      'mode must be one of create, replace, upsert',
      'readonly must be true or false',
      'a key is required',
      'with is required',
      "a note's value is text; <put/> may not hold <b/>",
    ])
    // Nothing was stored from the refused put.
    await expectError(alice, iq('get', notes('get', { key: 'k' })), 'item-not-found', 'cancel')
  })

  it('answers conflict, forbidden and not-allowed from the store’s rules', async () => {
    await request(alice, iq('set', notes('put', { key: 'rules.a' }, 'mine')))
    await expectError(
      alice,
      iq('set', notes('put', { key: 'rules.a', mode: 'create' }, 'x')),
      'conflict',
      'cancel',
    )
    await expectError(alice, iq('set', notes('put', { key: 'sys.x' }, 'x')), 'forbidden', 'auth')
    const ro = await request(
      root,
      iq('set', notes('put', { key: 'rules.ro', readonly: 'true' }, 'x')),
    )
    expect(ro.attrs.type).toBe('result')
    await expectError(
      alice,
      iq('set', notes('put', { key: 'rules.ro' }, 'y')),
      'not-allowed',
      'cancel',
    )
    await expectError(
      alice,
      iq('set', notes('delete', { key: 'rules.ro' })),
      'not-allowed',
      'cancel',
    )
    // Another user's note: forbidden until shared.
    await request(root, iq('set', notes('put', { key: 'rules.root' }, 'x')))
    await expectError(
      alice,
      iq('set', notes('put', { key: 'rules.root' }, 'y')),
      'forbidden',
      'auth',
    )
    await request(root, iq('set', notes('share', { key: 'rules.root', with: `${user.jid}/any` })))
    const shared = await request(alice, iq('set', notes('put', { key: 'rules.root' }, 'y')))
    expect(shared.attrs.type).toBe('result')
    for (const key of ['rules.a', 'rules.ro', 'rules.root']) {
      await request(root, iq('set', notes('delete', { key })))
    }
  })

  it('tells v\\w and v\\5cw apart: one may not change, share or delete the other’s note', async () => {
    // Prosody delivers each account's address as registered: no XEP-0106 escaping on the way.
    const seen = log.records.length
    await request(vw, iq('set', notes('put', { key: 'vw.note' }, 'mine')))
    expect(log.records.slice(seen).map((r) => (r.object.stanza as { from?: string }).from)).toEqual(
      [`${backslash.jid}/bot-test`],
    )
    const got = await request(v5cw, iq('get', notes('get', { key: 'vw.note' })))
    expect(got.getChild('note', NS_NOTES)?.attrs.owner).toBe(backslash.jid)
    await expectError(
      v5cw,
      iq('set', notes('put', { key: 'vw.note' }, 'theirs')),
      'forbidden',
      'auth',
    )
    await expectError(
      v5cw,
      iq('set', notes('share', { key: 'vw.note', with: escaped.jid })),
      'forbidden',
      'auth',
    )
    await expectError(v5cw, iq('set', notes('delete', { key: 'vw.note' })), 'forbidden', 'auth')
    expect(errorOf(await say(v5cw, DOMAIN, 'del vw.note'))).toMatchObject({
      condition: 'forbidden',
    })
    // Shared with v\5cw as typed, the note is theirs to change, and still not v\w's to share.
    await request(v5cw, iq('set', notes('put', { key: 'v5cw.note' }, 'mine')))
    const share = await say(v5cw, DOMAIN, `share v5cw.note with ${escaped.jid}`)
    expect(share.getChildText('body')).toBe(`${escaped.jid} may now change v5cw.note`)
    await expectError(vw, iq('set', notes('put', { key: 'v5cw.note' }, 'x')), 'forbidden', 'auth')
    await request(vw, iq('set', notes('share', { key: 'vw.note', with: escaped.jid })))
    const changed = await request(v5cw, iq('set', notes('put', { key: 'vw.note' }, 'shared')))
    expect(changed.attrs.type).toBe('result')
    await request(vw, iq('set', notes('delete', { key: 'vw.note' })))
    await request(v5cw, iq('set', notes('delete', { key: 'v5cw.note' })))
  })

  it('grants a share typed full-width or with a final dot to the account it names', async () => {
    // The server delivers u15@localhost; ｕ１５@ＬＯＣＡＬＨＯＳＴ and u15@localhost. name that account.
    for (const typed of ['ｕ１５@ＬＯＣＡＬＨＯＳＴ', 'U15@localhost.']) {
      await request(root, iq('set', notes('put', { key: 'typed.share' }, 'x')))
      const reply = await say(root, DOMAIN, `share typed.share with ${typed}`)
      expect(reply.getChildText('body')).toBe(`${user.jid} may now change typed.share`)
      const changed = await request(alice, iq('set', notes('put', { key: 'typed.share' }, 'y')))
      expect(changed.attrs.type).toBe('result')
      await request(root, iq('set', notes('delete', { key: 'typed.share' })))
    }
    // A full-width ＠ becomes an @, which a local part may not hold: refused, not granted.
    await request(root, iq('set', notes('put', { key: 'typed.share' }, 'x')))
    await expectError(
      root,
      iq('set', notes('share', { key: 'typed.share', with: 'u15＠evil@localhost' })),
      'jid-malformed',
      'modify',
    )
    await request(root, iq('set', notes('delete', { key: 'typed.share' })))
  })

  it('answers jid-malformed for a bad JID, over IQ and by chat', async () => {
    await request(alice, iq('set', notes('put', { key: 'share.me' }, 'x')))
    const { error } = await expectError(
      alice,
      iq('set', notes('share', { key: 'share.me', with: 'bob@@localhost' })),
      'jid-malformed',
      'modify',
    )
    expect(error.text).toBe('"bob@@localhost" is not a JID: "@localhost" is not a valid domain')
    const reply = await say(alice, DOMAIN, 'share share.me with a b@localhost')
    expect(errorOf(reply)).toMatchObject({ condition: 'bad-request' })
    const bad = await say(alice, DOMAIN, 'share share.me with <x>@localhost', 'chat-jid')
    expect(bad.attrs.type).toBe('error')
    expect(bad.attrs.id).toBe('chat-jid')
    expect(errorOf(bad)).toMatchObject({ condition: 'jid-malformed', type: 'modify' })
    // Messages are not echoed: the error carries no body.
    expect(bad.getChild('body')).toBeUndefined()
    await request(alice, iq('set', notes('delete', { key: 'share.me' })))
  })

  it('answers resource-constraint when the store is full, logged at error', async () => {
    const keys = ['full.1', 'full.2', 'full.3', 'full.4', 'full.5', 'full.6']
    for (const key of keys) await request(alice, iq('set', notes('put', { key }, key)))
    expect(bot.store.size).toBe(6)
    const { error } = await expectError(
      alice,
      iq('set', notes('put', { key: 'full.7' }, 'x')),
      'resource-constraint',
      'wait',
      'error',
    )
    expect(error.text).toBe('the store is full (6 notes); delete one first')
    for (const key of keys) await request(alice, iq('set', notes('delete', { key })))
  })

  it('answers service-unavailable for unknown namespaces, logged like every error', async () => {
    const { error } = await expectError(
      alice,
      iq('get', xml('query', { xmlns: 'urn:example:unknown' })),
      'service-unavailable',
      'cancel',
    )
    expect(error.text).toBe("this service does not answer get <query xmlns='urn:example:unknown'/>")
    // A known element under the wrong IQ type is not routed either.
    await expectError(alice, iq('set', notes('get', { key: 'x' })), 'service-unavailable', 'cancel')
    await expectError(alice, iq('get', notes('put', { key: 'x' })), 'service-unavailable', 'cancel')
  })

  it('answers chat commands', async () => {
    const help = await say(alice, DOMAIN, 'help', 'chat-help')
    expect(help.attrs.type).toBe('chat')
    // The answer carries the request's id, as an error reply does.
    expect(help.attrs.id).toBe('chat-help')
    expect(help.getChildText('body')).toContain('share KEY with JID')
    expect((await say(alice, DOMAIN, 'put chat.k hello there')).getChildText('body')).toBe(
      'created chat.k',
    )
    expect((await say(alice, DOMAIN, 'get chat.k')).getChildText('body')).toBe(
      'chat.k: hello there',
    )
    expect((await say(alice, DOMAIN, 'keys')).getChildText('body')).toContain('chat.k')
    expect(errorOf(await say(alice, DOMAIN, 'new chat.k again'))).toMatchObject({
      condition: 'conflict',
    })
    expect((await say(alice, DOMAIN, 'del chat.k')).getChildText('body')).toBe('deleted chat.k')
    expect(errorOf(await say(alice, DOMAIN, 'get chat.k'))).toMatchObject({
      condition: 'item-not-found',
      text: 'no note named "chat.k"',
    })
    const unknown = await say(alice, DOMAIN, 'frobnicate', 'chat-unknown')
    expect(errorOf(unknown)).toMatchObject({ condition: 'bad-request', type: 'modify' })
    expect(recordsFor('chat-unknown')).toMatchObject([
      { level: 'warn', object: { xmpp: { condition: 'bad-request' } } },
    ])
  })

  it('ignores messages it must not answer', async () => {
    const fromBot = (s: Element) => s.name === 'message' && s.attrs.from === DOMAIN
    const silent = nothing(alice, fromBot, 400)
    // A chat state without a body, a groupchat message, and an error.
    await alice.send(
      xml(
        'message',
        { type: 'chat', to: DOMAIN },
        xml('active', { xmlns: 'http://jabber.org/protocol/chatstates' }),
      ),
    )
    await alice.send(xml('message', { type: 'groupchat', to: DOMAIN }, xml('body', {}, 'help')))
    await alice.send(
      xml(
        'message',
        { type: 'error', to: DOMAIN, id: 'peer-error' },
        xml(
          'error',
          { type: 'cancel' },
          xml('item-not-found', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }),
        ),
      ),
    )
    await silent
    // The error from the peer is observed, at debug.
    expect(recordsFor('peer-error')).toMatchObject([
      { level: 'debug', object: { action: 'observe' } },
    ])
  })

  it('answers policy-violation (wait) to a sender that floods, from its token bucket', async () => {
    const count = 40
    const ids = Array.from({ length: count }, (_, i) => `flood-${i}`)
    const answers = await repliesTo(alice, ids, 5_000, () =>
      Promise.all(ids.map((id) => alice.send(iq('get', xml('ping', { xmlns: NS_PING }), id)))),
    )
    const results = answers.filter((a) => a.attrs.type === 'result')
    const errors = answers.filter((a) => a.attrs.type === 'error').map(errorOf)
    // The clock stands still: the burst of 30 passes, the rest is refused.
    expect(results).toHaveLength(30)
    expect(errors).toHaveLength(10)
    for (const error of errors) {
      expect(error).toMatchObject({ condition: 'policy-violation', type: 'wait' })
      expect(error.text).toMatch(
        /^too many requests \(1 per second, 30 at once\); retry in \d+ ms$/,
      )
    }
    // Another sender has a bucket of its own.
    expect((await request(root, iq('get', xml('ping', { xmlns: NS_PING })))).attrs.type).toBe(
      'result',
    )
    // Tokens come back with time.
    now += 1_000
    expect((await request(alice, iq('get', xml('ping', { xmlns: NS_PING })))).attrs.type).toBe(
      'result',
    )
  })

  it('refuses shutdown from a non-admin', async () => {
    const reply = await say(alice, DOMAIN, 'shutdown')
    expect(errorOf(reply)).toMatchObject({ condition: 'forbidden', type: 'auth' })
    expect(bot.component.status).toBe('online')
  })

  it('shuts down for an admin with system-shutdown, and stays down', async () => {
    const before = (await readFile(server.logFile, 'utf8')).length
    await root.send(
      xml('message', { type: 'chat', to: DOMAIN, id: 'bye' }, xml('body', {}, 'shutdown')),
    )
    await bot.stopped
    // xmpp.js may report 'disconnect' after 'offline' when the socket's close comes late; what
    // matters is that it never connects again, checked below.
    expect(['offline', 'disconnect']).toContain(bot.component.status)
    // A planned shutdown is logged at warn: nothing failed, no one is paged.
    expect(recordsFor('bye')).toMatchObject([
      {
        level: 'warn',
        object: {
          xmpp: { kind: 'stream', condition: 'system-shutdown' },
          action: 'close',
          text: `shut down by ${admin.jid}`,
        },
      },
    ])
    expect(log.records.at(-1)).toMatchObject({ level: 'info', object: { event: 'offline' } })
    // Prosody saw the stream error.
    let serverLog = ''
    for (let i = 0; i < 50 && !serverLog.includes('error: system-shutdown'); i++) {
      serverLog = (await readFile(server.logFile, 'utf8')).slice(before)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(serverLog).toContain(
      `Session closed by remote with error: system-shutdown (shut down by ${admin.jid})`,
    )
    // No reconnect: the server now answers for the absent component.
    await new Promise((resolve) => setTimeout(resolve, 1_200))
    expect(['offline', 'disconnect']).toContain(bot.component.status)
    const gone = await request(alice, iq('get', xml('ping', { xmlns: NS_PING })))
    expect(gone.attrs.type).toBe('error')
    expect(errorOf(gone).by).not.toBe(DOMAIN)
  })
})
