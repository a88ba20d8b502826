#!/usr/bin/env node
// `pnpm demo`: starts a throwaway Prosody (or uses yours, see DEMO_* below), runs the bot as a
// child process, walks a scripted client through the bot's error cases and prints, for each
// request, the reply and the log line the bot wrote about it. `--json` prints the rows as JSON.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { type Client, client, type Element, xml } from '@xmpp/client'
import { NS_STANZAS } from '@xmpp-errors/middleware'
import { addressProblem } from './address.js'
import { parseService } from './config.js'
import { NS_DISCO_INFO, NS_DISCO_ITEMS } from './disco.js'
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.js'
import { type Prosody, ProsodyMissing, startProsody } from './prosody.js'
import { NS_NOTES, NS_PING, NS_VERSION } from './service.js'

const json = process.argv.includes('--json')
const started = performance.now()

/** Notes go to stderr when stdout carries JSON. */
function note(line: string): void {
  if (json) process.stderr.write(`${line}\n`)
  else process.stdout.write(`${line}\n`)
}

class SetupError extends Error {
  override name = 'SetupError'
}

// --- where to run -------------------------------------------------------------------------------

interface Account {
  jid: string
  username: string
  password: string
}

interface Target {
  /** xmpp://host:port of the client port. */
  service: string
  /** The users' domain. */
  domain: string
  /** xmpp://host:port of the component port. */
  componentService: string
  /** The bot's domain. */
  bot: string
  secret: string
  user: Account
  admin: Account
  /** Set when the demo started the server itself. */
  prosody?: Prosody
  description: string
}

const DEMO_VARS = [
  'DEMO_SERVICE',
  'DEMO_DOMAIN',
  'DEMO_COMPONENT_SERVICE',
  'DEMO_COMPONENT_DOMAIN',
  'DEMO_SECRET',
  'DEMO_USER',
  'DEMO_PASSWORD',
  'DEMO_ADMIN',
  'DEMO_ADMIN_PASSWORD',
] as const

export const demoUsage = `To use an XMPP server of yours instead of a throwaway Prosody, set:
  DEMO_SERVICE            its client port, xmpp://host:port (plain TCP; SASL PLAIN must be offered)
  DEMO_DOMAIN             the users' domain (default: DEMO_USER's)
  DEMO_COMPONENT_SERVICE  its component port, xmpp://host:port
  DEMO_COMPONENT_DOMAIN   a component domain configured on it, for the bot
  DEMO_SECRET             that component's secret
  DEMO_USER, DEMO_PASSWORD              an account, e.g. alice@example.org
  DEMO_ADMIN, DEMO_ADMIN_PASSWORD       another account, made the bot's admin
                                        (DEMO_ADMIN_PASSWORD defaults to DEMO_PASSWORD)`

function account(jid: string, password: string): Account {
  return { jid, username: jid.slice(0, jid.indexOf('@')), password }
}

/** The server given by DEMO_* variables, or undefined when none is set. */
export function externalTarget(env: NodeJS.ProcessEnv): Target | undefined {
  if (!DEMO_VARS.some((name) => env[name])) return undefined
  const problems: string[] = []
  const get = (name: (typeof DEMO_VARS)[number], fallback?: string) => {
    const value = env[name]?.trim() || fallback
    if (!value) problems.push(`${name} is not set`)
    return value ?? ''
  }
  const service = get('DEMO_SERVICE')
  const componentService = get('DEMO_COMPONENT_SERVICE')
  for (const [name, value] of [
    ['DEMO_SERVICE', service],
    ['DEMO_COMPONENT_SERVICE', componentService],
  ] as const) {
    const parsed = value ? parseService(value) : undefined
    if (typeof parsed === 'string') problems.push(`${name}: ${parsed}`)
  }
  const user = get('DEMO_USER')
  const admin = get('DEMO_ADMIN')
  for (const [name, value] of [
    ['DEMO_USER', user],
    ['DEMO_ADMIN', admin],
  ] as const) {
    if (
      value &&
      (addressProblem(value) !== undefined || !value.includes('@') || value.includes('/'))
    ) {
      problems.push(`${name}: ${JSON.stringify(value)} is not a bare JID like alice@example.org`)
    }
  }
  const domain = get('DEMO_DOMAIN', user.slice(user.indexOf('@') + 1) || undefined)
  const bot = get('DEMO_COMPONENT_DOMAIN')
  const secret = get('DEMO_SECRET')
  const password = get('DEMO_PASSWORD')
  const adminPassword = get('DEMO_ADMIN_PASSWORD', password || undefined)
  if (problems.length > 0) {
    throw new SetupError(`${problems.map((p) => `  - ${p}`).join('\n')}\n\n${demoUsage}`)
  }
  return {
    service,
    domain,
    componentService,
    bot,
    secret,
    user: account(user, password),
    admin: account(admin, adminPassword),
    description: `your server (${service}, component ${componentService})`,
  }
}

async function throwawayTarget(): Promise<Target> {
  const users = [
    { username: 'alice', password: randomUUID() },
    { username: 'admin', password: randomUUID() },
  ] as const
  const prosody = await startProsody({ users, component: 'notes.localhost' }, note)
  const [alice, admin] = users
  return {
    service: `xmpp://${prosody.host}:${prosody.c2sPort}`,
    domain: prosody.domain,
    componentService: `xmpp://${prosody.host}:${prosody.componentPort}`,
    bot: prosody.component,
    secret: prosody.componentSecret,
    user: account(`${alice.username}@${prosody.domain}`, alice.password),
    admin: account(`${admin.username}@${prosody.domain}`, admin.password),
    prosody,
    description: `a throwaway Prosody (pid ${prosody.pid}, ${prosody.host}:${prosody.c2sPort})`,
  }
}

// --- the bot, as a child process ----------------------------------------------------------------

/** One line of the bot's pino log. */
export interface LogRecord {
  /** pino's number; errors()' records also carry their level's name under the same key. */
  level: number | string
  msg: string
  event?: string
  stanza?: { id?: string; name?: string; type?: string }
  xmpp?: { condition?: string; type?: string }
  correlationId?: string
  [key: string]: unknown
}

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
}

/** Demo limits, small so that the limits are reached in a few requests. */
export const demoLimits = {
  maxKeys: 5,
  maxValueLength: 200,
  rate: 20,
  burst: 40,
  errorLimit: 30,
} as const

interface BotProcess {
  child: ChildProcess
  records: LogRecord[]
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<string>
  /** Resolves once stdout is fully read. */
  drained: Promise<void>
  stderr: string[]
}

function startBot(target: Target, metricsEndpoint: string): BotProcess {
  const main = fileURLToPath(new URL('./main.js', import.meta.url))
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      BOT_SERVICE: target.componentService,
      BOT_DOMAIN: target.bot,
      BOT_SECRET: target.secret,
      BOT_ADMINS: target.admin.jid,
      BOT_MAX_KEYS: String(demoLimits.maxKeys),
      BOT_MAX_VALUE_LENGTH: String(demoLimits.maxValueLength),
      BOT_RATE: String(demoLimits.rate),
      BOT_BURST: String(demoLimits.burst),
      BOT_ERROR_LIMIT: String(demoLimits.errorLimit),
      BOT_LOG_LEVEL: 'info',
      // The bot's metrics go to the demo's own OTLP endpoint, read back at the end.
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: metricsEndpoint,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const records: LogRecord[] = []
  const stderr: string[] = []
  const out = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  out.on('line', (line) => {
    try {
      records.push(JSON.parse(line) as LogRecord)
    } catch {
      stderr.push(line)
    }
  })
  const drained = new Promise<void>((resolve) => out.once('close', resolve))
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) =>
    stderr.push(line),
  )
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`))
    child.once('error', (error) => resolve(error.message))
  })
  return { child, records, exited, drained, stderr }
}

async function waitOnline(bot: BotProcess, external: boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let exit: string | undefined
  void bot.exited.then((how) => {
    exit = how
  })
  while (!bot.records.some((r) => r.event === 'online')) {
    if (exit !== undefined) {
      await bot.drained
      const hint = external
        ? '\n(the demo hands the bot DEMO_COMPONENT_SERVICE as BOT_SERVICE, DEMO_COMPONENT_DOMAIN as BOT_DOMAIN and DEMO_SECRET as BOT_SECRET)'
        : ''
      throw new SetupError(
        `the bot exited (${exit}) instead of coming online:\n${bot.stderr.join('\n')}${hint}`,
      )
    }
    if (Date.now() > deadline) throw new SetupError(`the bot was not online after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function stopBot(bot: BotProcess): Promise<void> {
  if (bot.child.exitCode !== null || bot.child.signalCode !== null) return
  bot.child.kill('SIGTERM')
  const timer = setTimeout(() => bot.child.kill('SIGKILL'), 3_000)
  await bot.exited
  clearTimeout(timer)
}

// --- the scripted client ------------------------------------------------------------------------

/** Every client made, so that cleanup stops them whatever failed. */
const clients = new Set<Client>()

async function connect(target: Target, who: Account): Promise<Client> {
  const c = client({
    service: target.service,
    domain: target.domain,
    resource: 'demo',
    // @xmpp/client never picks PLAIN on plain TCP by itself; SCRAM would cost ~1 s per login.
    credentials: async (authenticate, mechanisms) => {
      if (!mechanisms.includes('PLAIN')) {
        throw new SetupError(
          `${target.service} offers no SASL PLAIN (only ${mechanisms.join(', ')})`,
        )
      }
      await authenticate({ username: who.username, password: who.password }, 'PLAIN')
    },
  })
  c.reconnect.stop()
  c.on('error', () => {})
  clients.add(c)
  try {
    await withTimeout(c.start(), 10_000, `${who.jid} could not log in to ${target.service}`)
  } catch (error) {
    await c.stop().catch(() => {})
    const message = error instanceof Error ? error.message : String(error)
    throw new SetupError(`${who.jid} could not log in to ${target.service}: ${message}`)
  }
  return c
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

/** The next stanza matching `predicate`; listen before sending. */
function next(c: Client, predicate: (s: Element) => boolean, ms = 3_000): Promise<Element> {
  let listener: ((s: Element) => void) | undefined
  const found = new Promise<Element>((resolve) => {
    listener = (s: Element) => {
      if (predicate(s)) resolve(s)
    }
    c.on('stanza', listener)
  })
  return withTimeout(found, ms, 'waiting for a reply').finally(() => {
    if (listener) c.off('stanza', listener)
  })
}

// --- the walk-through ---------------------------------------------------------------------------

export interface Outcome {
  /** 'result', 'chat' (a message answer), 'error', 'exit' (the bot stopped) or 'timeout'. */
  kind: 'result' | 'chat' | 'error' | 'exit' | 'timeout'
  condition?: string
  type?: string
  text?: string
  /** For an error: whether the bot (`by` = its domain) or the server generated it. */
  by?: string
  detail?: string
}

export interface Row {
  n: number
  from: 'user' | 'admin'
  request: string
  /** What the request should get: 'result', 'chat', 'exit', or 'condition (type)'. */
  expected: string
  got: string
  ok: boolean
  /** The id of the stanza sent, as the bot's log record has it in `stanza.id`. */
  id: string
  text?: string
  log?: { level: string; msg: string; correlationId?: string }
}

interface Step {
  from: 'user' | 'admin'
  request: string
  expected: string
  /** Requests sent first (their replies awaited), e.g. to fill the store. Not shown. */
  before?: (id: () => string) => Element[]
  send: (id: string) => Element
  /** Special cases: many requests at once, or the shutdown. */
  special?: 'flood' | 'shutdown' | 'after-shutdown'
}

function describe(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'error':
      return `${outcome.condition} (${outcome.type})${outcome.detail ? `: ${outcome.detail}` : ''}`
    case 'result':
    case 'chat':
      return outcome.detail ? `${outcome.kind}: ${outcome.detail}` : outcome.kind
    default:
      return outcome.detail ?? outcome.kind
  }
}

function readError(stanza: Element): Outcome {
  const error = stanza.getChild('error')
  const condition = error
    ?.getChildElements()
    .find((c) => c.attrs.xmlns === NS_STANZAS && c.name !== 'text')
  const text = error?.getChildText('text', NS_STANZAS) ?? undefined
  return {
    kind: 'error',
    condition: condition?.name ?? 'undefined-condition',
    type: error?.attrs.type ?? '?',
    ...(text ? { text } : {}),
    ...(error?.attrs.by ? { by: error.attrs.by } : {}),
    ...((condition?.name === 'redirect' || condition?.name === 'gone') && condition.text()
      ? { detail: `→ ${condition.text()}` }
      : {}),
  }
}

function resultDetail(stanza: Element): string | undefined {
  const [payload] = stanza.getChildElements()
  if (!payload) return undefined
  const xmlns = payload.attrs.xmlns
  if (xmlns === NS_DISCO_INFO) {
    return `${payload.getChildElements().filter((c) => c.name === 'feature').length} features`
  }
  if (xmlns === NS_DISCO_ITEMS) {
    const n = payload.getChildElements().length
    return `${n} ${n === 1 ? 'item' : 'items'}`
  }
  if (xmlns === NS_VERSION) {
    return `${payload.getChildText('name')} ${payload.getChildText('version')}`
  }
  if (xmlns === NS_NOTES) return JSON.stringify(payload.text())
  return undefined
}

function steps(target: Target): Step[] {
  const to = target.bot
  const iq = (type: 'get' | 'set', child: Element) => (id: string) =>
    xml('iq', { type, to, id }, child)
  const chat = (body: string) => (id: string) =>
    xml('message', { type: 'chat', to, id }, xml('body', {}, body))
  const notes = (name: string, attrs: Record<string, string>, value?: string) =>
    xml(name, { xmlns: NS_NOTES, ...attrs }, value)
  const query = (xmlns: string) => xml('query', { xmlns })
  const long = 'x'.repeat(demoLimits.maxValueLength + 100)
  return [
    {
      from: 'user',
      request: 'disco#info',
      expected: 'result',
      send: iq('get', query(NS_DISCO_INFO)),
    },
    {
      from: 'user',
      request: 'software version',
      expected: 'result',
      send: iq('get', query(NS_VERSION)),
    },
    {
      from: 'user',
      request: 'ping',
      expected: 'result',
      send: iq('get', xml('ping', { xmlns: NS_PING })),
    },
    {
      from: 'user',
      request: 'put groceries = "milk, eggs"',
      expected: 'result',
      send: iq('set', notes('put', { key: 'groceries' }, 'milk, eggs')),
    },
    {
      from: 'user',
      request: 'get groceries',
      expected: 'result',
      send: iq('get', notes('get', { key: 'groceries' })),
    },
    {
      from: 'user',
      request: 'disco#items',
      expected: 'result',
      send: iq('get', query(NS_DISCO_ITEMS)),
    },
    {
      from: 'user',
      request: 'get pineapple (no such note)',
      expected: 'item-not-found (cancel)',
      send: iq('get', notes('get', { key: 'pineapple' })),
    },
    {
      from: 'user',
      request: 'get without a key',
      expected: 'bad-request (modify)',
      send: iq('get', notes('get', {})),
    },
    {
      from: 'user',
      request: 'put "Shopping List" (bad key)',
      expected: 'bad-request (modify)',
      send: iq('set', notes('put', { key: 'Shopping List' }, 'x')),
    },
    {
      from: 'user',
      request: `put essay = ${long.length} characters`,
      expected: 'bad-request (modify)',
      send: iq('set', notes('put', { key: 'essay' }, long)),
    },
    {
      from: 'user',
      request: 'create groceries (exists)',
      expected: 'conflict (cancel)',
      send: iq('set', notes('put', { key: 'groceries', mode: 'create' }, 'bread')),
    },
    {
      from: 'user',
      request: 'put sys.motd (admin-only)',
      expected: 'forbidden (auth)',
      send: iq('set', notes('put', { key: 'sys.motd' }, 'hello')),
    },
    {
      from: 'admin',
      request: 'put rules, read-only',
      expected: 'result',
      send: iq('set', notes('put', { key: 'rules', readonly: 'true' }, 'be nice')),
    },
    {
      from: 'user',
      request: 'put rules (read-only)',
      expected: 'not-allowed (cancel)',
      send: iq('set', notes('put', { key: 'rules' }, 'be mean')),
    },
    {
      from: 'user',
      request: 'move groceries to shopping',
      expected: 'result',
      send: iq('set', notes('move', { key: 'groceries', to: 'shopping' })),
    },
    {
      from: 'user',
      request: 'get groceries (moved)',
      expected: 'redirect (modify)',
      send: iq('get', notes('get', { key: 'groceries' })),
    },
    {
      from: 'user',
      request: 'chat "share shopping with bob@@x"',
      expected: 'jid-malformed (modify)',
      send: chat('share shopping with bob@@x'),
    },
    { from: 'user', request: 'chat "get shopping"', expected: 'chat', send: chat('get shopping') },
    {
      from: 'user',
      request: `put a ${demoLimits.maxKeys + 1}th note (limit ${demoLimits.maxKeys})`,
      expected: 'resource-constraint (wait)',
      before: (id) =>
        ['todo', 'ideas', 'books'].map((key) => iq('set', notes('put', { key }, key))(id())),
      send: iq('set', notes('put', { key: 'one-too-many' }, '!')),
    },
    {
      from: 'user',
      request: 'query urn:example:weather',
      expected: 'service-unavailable (cancel)',
      send: iq('get', query('urn:example:weather')),
    },
    {
      from: 'user',
      request: 'chat "frobnicate"',
      expected: 'bad-request (modify)',
      send: chat('frobnicate'),
    },
    {
      from: 'user',
      request: 'chat "shutdown" (not an admin)',
      expected: 'forbidden (auth)',
      send: chat('shutdown'),
    },
    {
      from: 'user',
      request: `${demoLimits.burst + 20} pings at once`,
      expected: 'policy-violation (wait)',
      send: iq('get', xml('ping', { xmlns: NS_PING })),
      special: 'flood',
    },
    {
      from: 'admin',
      request: 'chat "shutdown"',
      expected: 'exit',
      send: chat('shutdown'),
      special: 'shutdown',
    },
    {
      from: 'user',
      request: 'ping, bot gone (server answers)',
      expected: 'error from the server',
      send: iq('get', xml('ping', { xmlns: NS_PING })),
      special: 'after-shutdown',
    },
  ]
}

let sequence = 0
const runTag = randomUUID().slice(0, 6)
const newId = () => `demo-${runTag}-${++sequence}`

async function ask(c: Client, stanza: Element, bot: string): Promise<Outcome> {
  const id = stanza.attrs.id
  const reply = next(
    c,
    (s) =>
      s.attrs.id === id ||
      (s.name === 'message' &&
        s.attrs.from === bot &&
        s.attrs.type !== 'error' &&
        stanza.name === 'message'),
  )
  await c.send(stanza)
  let answer: Element
  try {
    answer = await reply
  } catch {
    return { kind: 'timeout', detail: 'no reply' }
  }
  if (answer.attrs.type === 'error') return readError(answer)
  if (answer.name === 'message') {
    const body = answer.getChildText('body') ?? ''
    return {
      kind: 'chat',
      detail: JSON.stringify(body.length > 40 ? `${body.slice(0, 39)}…` : body),
    }
  }
  const detail = resultDetail(answer)
  return detail ? { kind: 'result', detail } : { kind: 'result' }
}

async function flood(c: Client, step: Step): Promise<{ outcome: Outcome; id: string }> {
  const stanzas = Array.from({ length: demoLimits.burst + 20 }, () => step.send(newId()))
  const ids = new Set(stanzas.map((s) => s.attrs.id))
  const answers = new Map<string, Element>()
  // One listener for all the replies, collected until each has come or time is up.
  const listener = (s: Element) => {
    if (s.attrs.id !== undefined && ids.has(s.attrs.id)) answers.set(s.attrs.id, s)
  }
  c.on('stanza', listener)
  try {
    await Promise.all(stanzas.map((s) => c.send(s)))
    // Past errors()' own cap the bot stops answering: wait until all came, or all went quiet.
    const deadline = Date.now() + 5_000
    let seen = -1
    let quietSince = Date.now()
    while (answers.size < ids.size && Date.now() < deadline && Date.now() - quietSince < 400) {
      if (answers.size !== seen) {
        seen = answers.size
        quietSince = Date.now()
      }
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  } finally {
    c.off('stanza', listener)
  }
  const replies = stanzas.map((s) => answers.get(String(s.attrs.id)))
  const results = replies.filter((a) => a?.attrs.type === 'result').length
  const errors = replies.flatMap((a, i) => (a?.attrs.type === 'error' ? [{ a, i }] : []))
  const unanswered = replies.filter((a) => a === undefined).length
  const first = errors[0]
  if (first === undefined) {
    return { outcome: { kind: 'result', detail: `${results} results, no error` }, id: '' }
  }
  const outcome = readError(first.a)
  const others = errors.filter(({ a }) => {
    const e = readError(a)
    return e.condition !== outcome.condition || e.type !== outcome.type
  }).length
  return {
    outcome: {
      ...outcome,
      detail:
        `${results} results, then ${errors.length - others} errors` +
        (others ? ` (${others} of another kind)` : '') +
        (unanswered ? `, then ${unanswered} unanswered` : ''),
    },
    id: String(stanzas[first.i]?.attrs.id),
  }
}

function levelName(level: number | string): string {
  return typeof level === 'number' ? (LEVELS[level] ?? String(level)) : level
}

function logFor(records: LogRecord[], id: string): Row['log'] {
  const mine = records.filter((r) => r.stanza?.id === id)
  // Prefer the error record; a success may have an info line.
  const record =
    mine.find((r) => ['warn', 'error', 'fatal'].includes(levelName(r.level))) ?? mine[0]
  if (!record) return undefined
  return {
    level: levelName(record.level),
    msg: record.msg,
    ...(record.correlationId ? { correlationId: record.correlationId } : {}),
  }
}

async function walk(target: Target, bot: BotProcess, user: Client, admin: Client): Promise<Row[]> {
  const rows: Row[] = []
  const pending: Array<{ row: Row; step: Step }> = []
  for (const [i, step] of steps(target).entries()) {
    const c = step.from === 'admin' ? admin : user
    for (const stanza of step.before?.(newId) ?? []) await ask(c, stanza, target.bot)
    let outcome: Outcome
    let id = newId()
    if (step.special === 'flood') {
      ;({ outcome, id } = await flood(c, step))
    } else if (step.special === 'shutdown') {
      await c.send(step.send(id))
      const how = await withTimeout(bot.exited, 8_000, 'the bot did not stop').catch(
        (error: Error) => error.message,
      )
      outcome = { kind: 'exit', detail: `bot exited (${how})` }
    } else {
      outcome = await ask(c, step.send(id), target.bot)
    }
    const got = describe(outcome)
    const row: Row = {
      n: i + 1,
      from: step.from,
      request: step.request,
      expected: step.expected,
      got,
      ok: false,
      id,
      ...(outcome.text ? { text: outcome.text } : {}),
    }
    if (step.special === 'shutdown') row.ok = outcome.detail === 'bot exited (code 0)'
    else if (step.special === 'after-shutdown')
      row.ok = outcome.kind === 'error' && outcome.by !== target.bot
    else if (step.expected === 'result' || step.expected === 'chat')
      row.ok = outcome.kind === step.expected
    else
      row.ok =
        outcome.kind === 'error' && `${outcome.condition} (${outcome.type})` === step.expected
    rows.push(row)
    pending.push({ row, step })
  }
  // Every log line is in once the bot has exited and its stdout is read to the end.
  await withTimeout(bot.drained, 5_000, 'reading the bot log').catch(() => {})
  for (const { row, step } of pending) {
    const log = logFor(bot.records, row.id)
    if (log) row.log = log
    // An error the bot answered must have its log record, with the same condition.
    const isBotError = step.expected.includes('(') && step.special !== 'after-shutdown'
    if (isBotError && !log) row.ok = false
    if (step.special === 'shutdown' && !log?.msg.includes('system-shutdown')) row.ok = false
  }
  return rows
}

// --- output -------------------------------------------------------------------------------------

/**
 * Two lines per request: what was sent and what came back (with the error's text, as the peer
 * sees it), then the log line the bot wrote about that very stanza.
 */
function table(rows: Row[]): string {
  const width = (values: string[]) => Math.max(...values.map((v) => [...v].length))
  const nWidth = width(rows.map((r) => String(r.n)))
  const fromWidth = width(['from', ...rows.map((r) => r.from)])
  const requestWidth = width(['request', ...rows.map((r) => r.request)])
  const indent = ' '.repeat(nWidth + fromWidth + 4)
  const lines = [
    `${'#'.padStart(nWidth)}  ${'from'.padEnd(fromWidth)}  ${'request'.padEnd(requestWidth)}  reply`,
    `${indent}└ the bot's log line for that stanza`,
    '',
  ]
  for (const r of rows) {
    const text = r.text ? ` — ${r.text}` : ''
    const reply = `${r.ok ? '✓' : '✗'} ${r.got}${text}${r.ok ? '' : `  (expected ${r.expected})`}`
    lines.push(
      `${String(r.n).padStart(nWidth)}  ${r.from.padEnd(fromWidth)}  ${r.request.padEnd(requestWidth)}  ${reply}`,
    )
    if (r.log) lines.push(`${indent}└ ${r.log.level.padEnd(5)} ${r.log.msg}`)
  }
  return lines.join('\n')
}

// --- main ---------------------------------------------------------------------------------------

/** The bot's xmpp.errors counter by condition and action, as its last OTLP export gave it. */
function errorCounts(receiver: OtlpReceiver): Record<string, Record<string, number>> {
  const counts: Record<string, Record<string, number>> = {}
  const by = ['xmpp.error.condition', 'xmpp.error.action']
  for (const [key, n] of receiver.totals('xmpp.errors', by)) {
    const [condition = '', action = ''] = key.split(' ')
    counts[condition] = { ...counts[condition], [action]: n }
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)))
}

function countsTable(counts: Record<string, Record<string, number>>): string {
  const width = Math.max(9, ...Object.keys(counts).map((c) => c.length))
  const lines = Object.entries(counts).map(([condition, actions]) => {
    const total = Object.values(actions).reduce((sum, n) => sum + n, 0)
    const split = Object.entries(actions).map(([action, n]) => `${action} ${n}`)
    return `  ${condition.padEnd(width)}  ${String(total).padStart(3)}  (${split.join(', ')})`
  })
  return [`The bot's xmpp.errors counter by condition (its OTLP export):`, ...lines].join('\n')
}

async function main(): Promise<number> {
  let target: Target | undefined
  let bot: BotProcess | undefined
  let receiver: OtlpReceiver | undefined
  const cleanup = async () => {
    await Promise.all([...clients].map((c) => c.stop().catch(() => {})))
    clients.clear()
    if (bot) await stopBot(bot)
    await target?.prosody?.stop()
    await receiver?.close()
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void cleanup().finally(() => process.exit(130))
    })
  }
  try {
    target = externalTarget(process.env) ?? (await throwawayTarget())
    note(`xmpp-errors demo: the notes bot at ${target.bot}, on ${target.description}`)
    receiver = await startOtlpReceiver()
    bot = startBot(target, receiver.endpoint)
    const [, user, admin] = await Promise.all([
      waitOnline(bot, target.prosody === undefined),
      connect(target, target.user),
      connect(target, target.admin),
    ])
    note(`user ${target.user.jid}, admin ${target.admin.jid}; bot pid ${bot.child.pid}\n`)
    const rows = await walk(target, bot, user, admin)
    const ok = rows.every((r) => r.ok)
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    // The bot exports its last values as it exits.
    await stopBot(bot)
    const errors = errorCounts(receiver)
    if (json) {
      const report = { ok, bot: target.bot, seconds: Number(seconds), rows, errors }
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    } else {
      note(table(rows))
      const failed = rows.filter((r) => !r.ok).length
      note(
        `\n${ok ? 'All' : `${rows.length - failed} of`} ${rows.length} requests got the expected answer, ` +
          `each error with its log line (matched by stanza id); ${seconds} s.`,
      )
      note(`\n${countsTable(errors)}`)
    }
    return ok ? 0 : 1
  } catch (error) {
    if (error instanceof SetupError || error instanceof ProsodyMissing) {
      process.stderr.write(`demo: ${error.message}\n`)
      return 2
    }
    process.stderr.write(
      `demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    )
    if (bot?.stderr.length) process.stderr.write(`bot stderr:\n${bot.stderr.join('\n')}\n`)
    return 1
  } finally {
    await cleanup()
  }
}

const code = await main()
process.exitCode = code
// Everything is stopped by now; should a socket linger anyway, it must not hold the exit.
setTimeout(() => process.exit(code), 2_000).unref()
