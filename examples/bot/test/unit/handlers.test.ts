import xml from '@xmpp/xml'
import { attach, recordingLogger, type TestEntity } from '@xmpp-errors/testing'
import { afterEach, describe, expect, it } from 'vitest'
import '@xmpp-errors/testing/vitest'
import { type Bot, createBot } from '../../src/bot.js'
import { type Config, defaults } from '../../src/config.js'
import { NS_NOTES } from '../../src/service.js'

// The bot's handlers as createBot() installs them (guard(), errors(), the rate limit, the routes,
// the chat commands, the catch-all), on a socket in memory: no server.

const DOMAIN = 'notes.example.org'
const ALICE = 'alice@example.org/phone'
const BOB = 'bob@example.org/desk'
const ROOT = 'root@example.org/console'

const config: Config = {
  ...defaults,
  service: 'xmpp://in-memory:5347',
  host: 'in-memory',
  port: 5347,
  domain: DOMAIN,
  secret: 'unused',
  admins: new Set(['root@example.org']),
}

let bot: Bot
let t: TestEntity<Bot['component']>

async function online(overrides: Partial<Config> = {}) {
  const logger = recordingLogger()
  bot = createBot({ ...config, ...overrides }, logger)
  t = await attach(bot.component, { domain: DOMAIN, logger })
  return t
}

afterEach(async () => {
  await t.stop()
})

const iq = (type: 'get' | 'set', from: string, child: ReturnType<typeof xml>) =>
  xml('iq', { type, from }, child)
const note = (name: string, attrs: Record<string, string>, text?: string) =>
  xml(name, { xmlns: NS_NOTES, ...attrs }, ...(text === undefined ? [] : [text]))
const chat = (from: string, body: string) =>
  xml('message', { type: 'chat', id: 'c1', from }, xml('body', {}, body))

describe('the notes bot, in memory', () => {
  it('answers item-not-found for a missing note, and logs one warning', async () => {
    await online()
    const exchange = await t.send(iq('get', ALICE, note('get', { key: 'nope' })))
    expect(exchange).toBeErrorReply('item-not-found', {
      type: 'cancel',
      by: DOMAIN,
      text: 'no note named "nope"',
    })
    expect(exchange).toHaveRecorded({ condition: 'item-not-found', level: 'warn', times: 1 })
  })

  it('stores and reads a note, and refuses a read-only one to anyone but an admin', async () => {
    await online()
    const notAdmin = await t.request(iq('set', ALICE, note('put', { key: 'k', readonly: 'true' })))
    expect(notAdmin).toBeErrorReply('forbidden', { type: 'auth', text: /only admins/ })
    const put = await t.request(iq('set', ROOT, note('put', { key: 'k', readonly: 'true' }, 'hi')))
    expect(put.attrs.type).toBe('result')
    const got = await t.request(iq('get', BOB, note('get', { key: 'k' })))
    expect(got.getChild('note', NS_NOTES)?.text()).toBe('hi')
    const refused = await t.send(iq('set', BOB, note('put', { key: 'k' }, 'mine')))
    expect(refused).toBeErrorReply('not-allowed', { text: 'note "k" is read-only' })
  })

  it('answers jid-malformed for a share with a bad JID, and bad-request for a bad flag', async () => {
    await online()
    await t.request(iq('set', ALICE, note('put', { key: 's' }, 'v')))
    const share = await t.request(iq('set', ALICE, note('share', { key: 's', with: 'bob@@x' })))
    expect(share).toBeErrorReply('jid-malformed', { type: 'modify', text: /is not a JID/ })
    const flag = await t.request(iq('set', ALICE, note('put', { key: 'f', readonly: 'maybe' })))
    expect(flag).toBeErrorReply('bad-request', { text: 'readonly must be true or false' })
  })

  it('answers service-unavailable for an unknown namespace, recorded like every error', async () => {
    await online()
    const exchange = await t.send(iq('get', ALICE, xml('query', { xmlns: 'urn:example:unknown' })))
    expect(exchange).toBeErrorReply('service-unavailable', {
      text: "this service does not answer get <query xmlns='urn:example:unknown'/>",
    })
    expect(exchange).toHaveRecorded({ condition: 'service-unavailable', action: 'reply', times: 1 })
  })

  it('answers chat commands, and their errors as error messages', async () => {
    await online()
    const help = await t.request(chat(ALICE, 'help'))
    expect(help.attrs.type).toBe('chat')
    expect(await t.request(chat(ALICE, 'get nope'))).toBeErrorReply('item-not-found')
    expect(await t.request(chat(ALICE, 'frobnicate'))).toBeErrorReply('bad-request', {
      text: /unknown command "frobnicate"/,
    })
  })

  it('limits requests per sender with policy-violation, and leaves other senders alone', async () => {
    await online({ rate: 1, burst: 2 })
    const answers = []
    for (let i = 0; i < 4; i++)
      answers.push(await t.request(iq('get', ALICE, note('get', { key: 'x' }))))
    expect(answers.at(-1)).toBeErrorReply('policy-violation', { type: 'wait' })
    expect(await t.request(iq('get', BOB, note('get', { key: 'x' })))).toBeErrorReply(
      'item-not-found',
    )
  })

  it('shuts down on an admin’s command with system-shutdown, and stays offline', async () => {
    await online()
    expect(await t.send(chat(ALICE, 'shutdown'))).toBeErrorReply('forbidden')
    const shutdown = await t.send(chat(ROOT, 'shutdown'))
    expect(shutdown).toHaveClosedStream('system-shutdown', { by: 'entity', after: 'stop' })
    expect(bot.component.status).toBe('offline')
    await bot.stopped
  })
})
