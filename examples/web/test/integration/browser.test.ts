// The notes page in a real headless Chromium (Debian's, driven by puppeteer-core: nothing is
// downloaded), on @xmpp/client over WebSocket to a throwaway Prosody with mod_websocket, against
// the example bot. The browser's language is German; assertions are on the DOM, and a screenshot
// is kept in test-output/ for a person to look at.
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { findExecutable, startProsody, type XmppServer } from '@xmpp-errors/throwaway-servers'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Bot, createBot } from '../../../bot/src/bot.js'
import { loadConfig } from '../../../bot/src/config.js'
import { buildPage } from '../../build.js'

const ROOT = join(import.meta.dirname, '..', '..', '..', '..')
const SCREENSHOT = join(ROOT, 'test-output', 'web', 'notes-page-de.png')
const quiet = { debug() {}, info() {}, warn() {}, error() {} }

describe('the notes page in Chromium, in German', () => {
  let server: XmppServer
  let bot: Bot
  let browser: Browser
  let page: Page
  const console: Array<{ type: string; text: string }> = []

  beforeAll(async () => {
    const chromium = findExecutable('chromium')
    if (!chromium) throw new Error('chromium is not installed: the test setup installs it')
    server = await startProsody({ components: 1, users: 1, websocket: true })
    const [domain] = server.components as [string]
    const user = server.users[0]
    if (!user) throw new Error('startProsody() registered no user')
    bot = createBot(
      loadConfig({
        BOT_SERVICE: `xmpp://${server.host}:${server.componentPort}`,
        BOT_DOMAIN: domain,
        BOT_SECRET: server.componentSecret,
      }),
      quiet,
    )
    const launched = Promise.all([
      bot.start(),
      buildPage(),
      puppeteer.launch({
        executablePath: chromium,
        // Root in CI: Chromium's sandbox needs an unprivileged user.
        // Headless Chromium takes its language from the environment as well as from --lang.
        args: ['--no-sandbox', '--lang=de', '--accept-lang=de'],
        env: { ...process.env, LANGUAGE: 'de', LANG: 'de_DE.UTF-8' },
      }),
    ])
    browser = (await launched)[2]
    page = await browser.newPage()
    await page.setViewport({ width: 900, height: 900 })
    page.on('console', (message) => console.push({ type: message.type(), text: message.text() }))
    const query = new URLSearchParams({
      service: server.websocketUrl ?? '',
      domain: server.domain,
      username: user.username,
      password: user.password,
      bot: domain,
    })
    const url = pathToFileURL(join(import.meta.dirname, '..', '..', 'index.html'))
    await page.goto(`${url.href}?${query}`)
    await page.waitForSelector('#status[data-state="online"]', { timeout: 15_000 })
  })

  afterAll(async () => {
    await browser?.close()
    await bot?.stop()
    await server?.stop()
    if (server) await rm(server.dir, { recursive: true, force: true })
  })

  it('runs in German: the browser says so, and the page speaks it', async () => {
    expect(await page.evaluate('navigator.languages')).toEqual(['de'])
    expect(await page.$eval('html', (html) => html.lang)).toBe('de')
  })

  it("shows the bot's item-not-found in German, with what to do next", async () => {
    await page.$eval('input[name="key"]', (input) => {
      ;(input as unknown as { value: string }).value = 'ananas'
    })
    await page.click('button[type="submit"]')
    const card = await page.waitForSelector('.error[data-condition="item-not-found"]')
    const shown = await card?.evaluate((element) => ({
      condition: element.querySelector('h3')?.textContent,
      type: element.getAttribute('data-type'),
      text: element.querySelector('.text')?.textContent,
      lang: element.querySelector('.text')?.getAttribute('lang'),
      next: element.querySelector('.next')?.textContent,
    }))
    expect(shown).toEqual({
      condition: 'item-not-found',
      type: 'cancel',
      text: 'keine Notiz namens "ananas"',
      lang: 'de',
      next: 'Nicht wiederholen: so kann die Anfrage nicht gelingen.',
    })
  })

  it("answers the bot's disco#info and ping, and its unknown query with service-unavailable", async () => {
    await page.click('#check')
    await page.waitForSelector('#bot:not(:empty)')
    // The bot's chat answer says what it got back from the page, as its iqCaller read the replies.
    expect(await page.$eval('#bot', (pre) => pre.textContent)).toBe(
      'disco#info: ok\nping: ok\nversion: service-unavailable',
    )
    const answered = await page.$$eval('#answered li', (items) =>
      items.map((li) => li.getAttribute('data-query') ?? li.getAttribute('data-condition')),
    )
    // Pings are answered by @xmpp/client itself, before any route of the page.
    expect(answered).toEqual(['disco#info', 'service-unavailable'])
    // errors()' default logger in a browser: the console, once for that one error.
    const logged = console.filter((m) => m.text.startsWith('service-unavailable'))
    expect(logged).toHaveLength(1)
    expect(logged[0]?.type).toBe('warn')
    await mkdir(join(SCREENSHOT, '..'), { recursive: true })
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
    process.stdout.write(`screenshot: ${SCREENSHOT}\n`)
  })
})
