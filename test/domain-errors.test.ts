import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import {
  defineErrors,
  errors,
  NS_STANZAS,
  StanzaError,
  type XmlElement,
} from '@xmpp-errors/middleware'
import { recordingLogger } from '@xmpp-errors/testing'
import {
  type Client,
  type Component,
  connectClient,
  connectComponent,
  nextStanza,
  request,
  stopAll,
  xml,
} from '@xmpp-errors/throwaway-clients'
import { DEBIAN_PYTHON } from '@xmpp-errors/throwaway-servers'
import { blocking, commands, jingle, pubsub, read, upload, xmppErrors } from '@xmpp-errors/xep'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { type Bot, createBot } from '../examples/bot/src/bot.js'
import { loadConfig } from '../examples/bot/src/config.js'
import { NS_NOTES } from '../examples/bot/src/service.js'
import { componentOf, until, userOf } from './src/suite.js'

// XEP application conditions, texts in the requester's language, a component's catalogue and
// XEP-0086 codes, each through Prosody, read by the xmpp.js client and by Slixmpp (Debian's
// python3-slixmpp). This file uses component c18 and users u18 (xmpp.js) and u19 (Slixmpp).

const server = inject('prosody')
const c18 = componentOf(server, 'c18')
const u18 = userOf(server, 'u18')
const u19 = userOf(server, 'u19')
const NS = 'urn:example:domain-errors'
const PROBE = fileURLToPath(new URL('./slixmpp/probe.py', import.meta.url))

const Catalogue = defineErrors({
  noSuchNote: {
    condition: 'item-not-found',
    text: { en: 'no note named {key}', de: 'keine Notiz namens {key}' },
  },
})

/** What the component throws for `<query kind=…/>`. */
const cases: Record<string, () => StanzaError> = {
  'pubsub-not-subscribed': () => pubsub.error('not-subscribed'),
  'pubsub-unsupported': () => pubsub.error('unsupported', { feature: 'retract-items' }),
  'upload-file-too-large': () => upload.error('file-too-large', { maxFileSize: 1000 }),
  'upload-retry': () => upload.error('retry', { stamp: '2030-01-02T03:04:05Z' }),
  'commands-session-expired': () => commands.error('session-expired'),
  'jingle-unknown-session': () => jingle.error('unknown-session'),
  'blocking-blocked': () => blocking.error('blocked'),
  'xmpp-errors-too-many-stanzas': () => xmppErrors.error('too-many-stanzas'),
  texts: () => new StanzaError('not-acceptable', { text: { en: 'too long', de: 'zu lang' } }),
  catalogue: () => Catalogue.noSuchNote({ key: 'x' }),
}

/** The general condition, type, application condition and options each case must arrive with. */
const expected = {
  'pubsub-not-subscribed': ['unexpected-request', 'cancel', 'not-subscribed', {}, '400'],
  'pubsub-unsupported': [
    'feature-not-implemented',
    'cancel',
    'unsupported',
    { feature: 'retract-items' },
    '501',
  ],
  'upload-file-too-large': [
    'not-acceptable',
    'modify',
    'file-too-large',
    { maxFileSize: 1000 },
    '406',
  ],
  'upload-retry': [
    'resource-constraint',
    'wait',
    'retry',
    { stamp: '2030-01-02T03:04:05Z' },
    '500',
  ],
  'commands-session-expired': ['not-allowed', 'cancel', 'session-expired', {}, '405'],
  'jingle-unknown-session': ['item-not-found', 'cancel', 'unknown-session', {}, '404'],
  'blocking-blocked': ['not-acceptable', 'cancel', 'blocked', {}, '406'],
  'xmpp-errors-too-many-stanzas': ['unexpected-request', 'wait', 'too-many-stanzas', {}, '400'],
} as const

const query = (kind: string, lang?: string) =>
  xml(
    'iq',
    { type: 'get', to: c18, ...(lang === undefined ? {} : { 'xml:lang': lang }) },
    xml('query', { xmlns: NS, kind }),
  )

interface SlixmppError {
  kind: string
  condition: string
  type: string
  text: string
  code: string
  texts: Array<[string | null, string]>
  application: {
    ns: string
    name: string
    attrs: Record<string, string>
    children: Record<string, string>
  } | null
}

/** Runs the Slixmpp probe as u19 and returns what it parsed of each reply. */
async function slixmpp(requests: object[]): Promise<SlixmppError[]> {
  const child = execFile(
    DEBIAN_PYTHON,
    [PROBE, server.host, String(server.c2sPort), u19.jid, u19.password],
    {
      timeout: 60_000,
    },
  )
  child.stdin?.end(JSON.stringify(requests))
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d) => (stdout += d))
  child.stderr?.on('data', (d) => (stderr += d))
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve))
  expect(stderr, stderr).toBe('')
  expect(status).toBe(0)
  const output = JSON.parse(stdout) as { failure: string | null; results: SlixmppError[] }
  expect(output.failure).toBeNull()
  return output.results
}

afterAll(stopAll)

describe('domain errors through Prosody', () => {
  const logger = recordingLogger()
  let component: Component
  let client: Client

  beforeAll(async () => {
    component = await connectComponent(server, c18, (c) => {
      c.middleware.use(errors({ logger, legacyCodes: true }))
      c.iqCallee.get(NS, 'query', ({ element }: { element: XmlElement }) => {
        const make = cases[String(element.attrs.kind)]
        throw make ? make() : new StanzaError('bad-request')
      })
    })
    client = await connectClient(server, u18, { resource: 'domain-errors' })
  })

  afterAll(async () => {
    await component?.stop().catch(() => {})
  })

  describe('XEP application conditions', () => {
    it('arrive with the pair of their XEP, and read back typed with read(fromElement(…))', async () => {
      for (const [kind, [condition, type, app, options]] of Object.entries(expected)) {
        const reply = await request(client, query(kind))
        const error = StanzaError.fromElement(reply)
        expect([error.condition, error.type], kind).toEqual([condition, type])
        const parsed = read(error)
        expect(parsed, kind).toMatchObject({ condition: app, options })
        expect(parsed?.section, kind).toBeDefined()
      }
    })

    it('arrive so that Slixmpp reads the general condition, type and application element', async () => {
      const results = await slixmpp(
        Object.keys(expected).map((kind) => ({ to: c18, xmlns: NS, kind })),
      )
      for (const result of results) {
        const [condition, type, app] = expected[result.kind as keyof typeof expected]
        expect([result.condition, result.type, result.application?.name], result.kind).toEqual([
          condition,
          type,
          app,
        ])
      }
      const byKind = Object.fromEntries(results.map((r) => [r.kind, r]))
      expect(byKind['pubsub-unsupported']?.application).toMatchObject({
        ns: 'http://jabber.org/protocol/pubsub#errors',
        attrs: { feature: 'retract-items' },
      })
      expect(byKind['upload-file-too-large']?.application?.children).toEqual({
        'max-file-size': '1000',
      })
      expect(byKind['upload-retry']?.application?.attrs).toEqual({ stamp: '2030-01-02T03:04:05Z' })
    })
  })

  describe("texts in the requester's language", () => {
    const textOf = (reply: XmlElement) => {
      const error = StanzaError.fromElement(reply)
      return [error.lang, error.text]
    }

    it('follow the xml:lang of the stanza, then its primary subtag, then en', async () => {
      for (const kind of ['texts', 'catalogue']) {
        const en = kind === 'texts' ? 'too long' : 'no note named x'
        const de = kind === 'texts' ? 'zu lang' : 'keine Notiz namens x'
        expect(textOf(await request(client, query(kind, 'de'))), kind).toEqual(['de', de])
        expect(textOf(await request(client, query(kind, 'de-CH'))), kind).toEqual(['de', de])
        expect(textOf(await request(client, query(kind, 'fr'))), kind).toEqual(['en', en])
        expect(textOf(await request(client, query(kind))), kind).toEqual(['en', en])
      }
    })

    it('reach Slixmpp with their xml:lang', async () => {
      const results = await slixmpp([
        { to: c18, xmlns: NS, kind: 'texts', lang: 'de' },
        { to: c18, xmlns: NS, kind: 'catalogue', lang: 'de-AT' },
        { to: c18, xmlns: NS, kind: 'catalogue', lang: 'fr' },
      ])
      expect(results.map((r) => r.texts)).toEqual([
        [['de', 'zu lang']],
        [['de', 'keine Notiz namens x']],
        [['en', 'no note named x']],
      ])
      expect(results.map((r) => [r.condition, r.text])).toEqual([
        ['not-acceptable', 'zu lang'],
        ['item-not-found', 'keine Notiz namens x'],
        ['item-not-found', 'no note named x'],
      ])
    })

    it('are all kept by fromElement when a peer sends several', async () => {
      // Slixmpp sends an error with a text per language through Prosody to the xmpp.js client.
      const to = client.jid?.toString() ?? ''
      const arrived = nextStanza(client, (s) => s.name === 'message' && s.attrs.id === 'several')
      await slixmpp([
        {
          send:
            `<message type="error" to="${to}" id="several"><error type="cancel">` +
            `<item-not-found xmlns="${NS_STANZAS}"/>` +
            `<text xmlns="${NS_STANZAS}" xml:lang="en">gone</text>` +
            `<text xmlns="${NS_STANZAS}" xml:lang="de">weg</text>` +
            `<text xmlns="${NS_STANZAS}" xml:lang="fr">parti</text></error></message>`,
        },
      ])
      const error = StanzaError.fromElement(await arrived)
      expect([error.condition, error.lang, error.text]).toEqual(['item-not-found', 'en', 'gone'])
      expect({ ...error.texts }).toEqual({ en: 'gone', de: 'weg', fr: 'parti' })
    })
  })

  describe('XEP-0086 codes', () => {
    it('are written on error replies with legacyCodes, and read by both clients', async () => {
      for (const [kind, [condition, , , , code]] of Object.entries(expected)) {
        const reply = await request(client, query(kind))
        expect(reply.getChild('error')?.attrs.code, kind).toBe(code)
        expect(StanzaError.fromElement(reply).condition).toBe(condition)
      }
      const results = await slixmpp(
        Object.keys(expected).map((kind) => ({ to: c18, xmlns: NS, kind })),
      )
      for (const result of results) {
        expect(result.code, result.kind).toBe(expected[result.kind as keyof typeof expected][4])
      }
    })

    it('of an old peer that sends only a code are read as their condition', async () => {
      logger.clear()
      const legacy = (id: string) =>
        `<message type="error" to="${c18}" id="${id}"><error code="404">Not Found</error></message>`
      await client.send(
        xml(
          'message',
          { type: 'error', to: c18, id: 'legacy-xmppjs' },
          xml('error', { code: '404' }, 'Not Found'),
        ),
      )
      await slixmpp([{ send: legacy('legacy-slixmpp') }])
      const observed = (id: string) =>
        logger.where(
          (e) => e.object.action === 'observe' && (e.object.stanza as { id?: string })?.id === id,
        )
      await until(
        'both code-only errors to be observed',
        () => observed('legacy-xmppjs').length + observed('legacy-slixmpp').length === 2,
      )
      for (const id of ['legacy-xmppjs', 'legacy-slixmpp']) {
        expect(observed(id)[0]?.object, id).toMatchObject({
          xmpp: { kind: 'stanza', condition: 'item-not-found', type: 'cancel' },
          text: 'Not Found',
        })
      }
    })
  })
})

describe('the example bot in two languages, through Prosody', () => {
  let bot: Bot
  let client: Client

  beforeAll(async () => {
    bot = createBot(
      loadConfig({
        BOT_SERVICE: `xmpp://${server.host}:${server.componentPort}`,
        BOT_DOMAIN: c18,
        BOT_SECRET: server.componentSecret,
        BOT_ERROR_LIMIT: '0',
      }),
      { debug() {}, info() {}, warn() {}, error() {} },
    )
    await bot.start()
    client = await connectClient(server, u18, { resource: 'bot-languages' })
  })

  afterAll(async () => {
    await bot?.stop().catch(() => {})
  })

  const get = (key: string, lang?: string) =>
    xml(
      'iq',
      { type: 'get', to: c18, ...(lang === undefined ? {} : { 'xml:lang': lang }) },
      xml('get', { xmlns: NS_NOTES, key }),
    )

  it("answers a missing note in the requester's language, to xmpp.js and Slixmpp", async () => {
    const de = StanzaError.fromElement(await request(client, get('nope', 'de')))
    expect([de.condition, de.lang, de.text]).toEqual([
      'item-not-found',
      'de',
      'keine Notiz namens "nope"',
    ])
    const en = StanzaError.fromElement(await request(client, get('nope')))
    expect([en.lang, en.text]).toEqual(['en', 'no note named "nope"'])
    const payload = `<get xmlns="${NS_NOTES}" key="nope"/>`
    const results = await slixmpp([
      { to: c18, kind: 'de', payload, lang: 'de' },
      { to: c18, kind: 'en', payload },
    ])
    expect(results.map((r) => [r.condition, r.texts])).toEqual([
      ['item-not-found', [['de', 'keine Notiz namens "nope"']]],
      ['item-not-found', [['en', 'no note named "nope"']]],
    ])
  })
})
