// The published packages as a user gets them: packed with `pnpm pack`, installed with npm in a
// project outside the workspace beside @xmpp/component 0.13.1 and @xmpp/client 0.14.0, and run
// through a real Prosody in three layouts. Inside the workspace there is one ltx, so only here can
// the suite see what happens when our `@xmpp/xml` and `ltx` are other copies than xmpp.js's.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { NS_STANZAS } from '@xmpp-errors/conditions'
import {
  type Client,
  connectClient,
  type Element,
  nextStanza,
  request,
  stopAll,
  xml,
} from '@xmpp-errors/throwaway-clients'
import { startProsody, type XmppServer } from '@xmpp-errors/throwaway-servers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { logSize, userOf, waitForLog } from '../src/suite.js'
import {
  COMPONENT,
  CONSUMER,
  type Command,
  compile,
  copyIn,
  elementClasses,
  exec,
  giveOwnCopies,
  npmProject,
  type Published,
  pack,
  ROOT,
  XMPP_JS,
} from './project.js'

const NS = 'urn:xmpp-errors:install'
const QUICKSTART = 'examples/quickstart/index.js'
const C2S = 'examples/c2s/index.js'
/**
 * Each step runs npm, tsc or a whole application in a child process, and tsc with skipLibCheck
 * off checks every declaration it loads, @types/node's included: on a loaded machine that takes
 * well over the suite's default 30 s.
 */
const SLOW = 120_000
const REPOSITORY = 'https://github.com/xmpp-errors/xmpp-errors'

let work: string
let server: XmppServer
let published: Published[]
/** The project as npm lays it out. */
let npmLayout: string
/** A project with what the README's quick start installs, and nothing else. */
let quickstartLayout: string
/** The same project, each of our packages that builds XML with its own @xmpp/xml and ltx. */
let ownCopies: string
let peer: Client
const apps: ChildProcess[] = []
/** The checks that need no server, started early to run while the others wait on npm or XMPP. */
let lint: Promise<Settled<Command>>
let compiled: Record<string, Promise<Settled<string>>>

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown }
/** A promise that never rejects, so that one started early and awaited late is never unhandled. */
const settle = <T>(promise: Promise<T>): Promise<Settled<T>> =>
  promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  )
async function settled<T>(promise: Promise<Settled<T>>): Promise<T> {
  const result = await promise
  if (!result.ok) throw result.error
  return result.value
}

/**
 * tsc, strict, over the quick start as `index.ts` (and, but for `bundler`, `require.cts`) with the
 * declarations npm installed: ours, `@types/xmpp__component` and DefinitelyTyped's.
 */
async function compileQuickstart(project: string, module: string): Promise<string> {
  const tsconfig = `tsconfig.${module}.json`
  await copyIn(project, `test/install/fixtures/${tsconfig}`, tsconfig)
  return compile(project, tsconfig)
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'xmpp-errors-install-'))
  let declarations: string[]
  ;[server, { published, declarations }] = await Promise.all([
    startProsody({ components: 3, users: 3 }),
    pack(join(work, 'tarballs')),
  ])
  lint = settle(
    exec(process.execPath, ['scripts/lint-packages.js', ...published.map((p) => p.tarball)], {
      cwd: ROOT,
      // It runs beside two npm installs and three tsc runs: on a loaded machine, minutes.
      timeout: 300_000,
    }),
  )
  npmLayout = join(work, 'npm')
  quickstartLayout = join(work, 'quickstart')
  await Promise.all([
    npmProject(
      npmLayout,
      [...published.map((p) => p.tarball), ...declarations],
      [...XMPP_JS, ...CONSUMER],
    ),
    // The README's install line alone: no @xmpp/client, whose @xmpp/xml 0.14 would hide a copy
    // our packages bring.
    npmProject(quickstartLayout, quickstartTarballs(), [COMPONENT, 'pino@9']),
  ])
  ownCopies = join(work, 'own-copies')
  await exec('cp', ['-R', npmLayout, ownCopies], { cwd: work })
  for (const dir of [npmLayout, ownCopies]) {
    await copyIn(dir, 'test/install/fixtures/app.mjs', 'app.mjs')
  }
  await copyIn(npmLayout, QUICKSTART, 'quickstart.js')
  await copyIn(npmLayout, C2S, 'c2s.js')
  await copyIn(npmLayout, QUICKSTART, 'index.ts')
  await copyIn(npmLayout, 'test/install/fixtures/require.cts', 'require.cts')
  compiled = Object.fromEntries(
    ['node16', 'nodenext', 'bundler'].map((module) => [
      module,
      settle(compileQuickstart(npmLayout, module)),
    ]),
  )
  peer = await connectClient(server, userOf(server, 'u2'), { resource: 'peer' })
}, 300_000)

/** What the quick start's `npm i @xmpp-errors/middleware` installs: it and its dependencies. */
function quickstartTarballs(): string[] {
  const middleware = published.find((p) => p.name === '@xmpp-errors/middleware')
  const wanted = new Set([
    '@xmpp-errors/middleware',
    ...Object.keys(middleware?.dependencies ?? {}),
  ])
  return published.filter((p) => wanted.has(p.name)).map((p) => p.tarball)
}

afterAll(async () => {
  for (const app of apps) app.kill('SIGTERM')
  await stopAll()
  await server?.stop()
  if (work) await rm(work, { recursive: true, force: true })
})

interface App {
  process: ChildProcess
  /** Everything the app wrote, `sent <xml>` lines included. */
  stdout: () => string
  stderr: () => string
  /**
   * Resolves with stdout once `done` holds for it. The app writes after its reply has left, and
   * the peer may read the reply through the server before the pipe has brought the line here.
   */
  until: (done: (stdout: string) => boolean, timeoutMs?: number) => Promise<string>
}

/** Runs `node <script>` in `project` and resolves once its output matches `ready`. */
function start(
  project: string,
  script: string,
  env: NodeJS.ProcessEnv,
  ready = /^online /m,
): Promise<App> {
  const child = spawn(process.execPath, [script], {
    cwd: project,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  apps.push(child)
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const until = (done: (stdout: string) => boolean, timeoutMs = 5_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (!done(stdout)) return false
        clearTimeout(timer)
        child.stdout.off('data', check)
        resolve(stdout)
        return true
      }
      const timer = setTimeout(() => {
        child.stdout.off('data', check)
        reject(new Error(`${script} never wrote what was awaited; stdout:\n${stdout}`))
      }, timeoutMs)
      if (!check()) child.stdout.on('data', check)
    })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} not online:\n${stderr}`)), 20_000)
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      if (ready.test(stdout)) {
        clearTimeout(timer)
        resolve({ process: child, stdout: () => stdout, stderr: () => stderr, until })
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${script} exited with ${code}:\n${stdout}\n${stderr}`))
    })
  })
}

/** An error reply as `type condition "text"`, or what came instead. */
function summary(reply: Element): string {
  if (reply.attrs.type !== 'error')
    return `${reply.name} type=${reply.attrs.type} ${reply.toString()}`
  const error = reply.getChild('error')
  const condition = error
    ?.getChildElements()
    .find((c) => c.getNS() === NS_STANZAS && c.name !== 'text')
  const text = error?.getChildText('text', NS_STANZAS)
  return `${reply.name} error ${error?.attrs.type} ${condition?.name}${text ? ` "${text}"` : ''}`
}

const iq = (to: string, type: 'get' | 'set', payload: Element) => xml('iq', { type, to }, payload)

async function ask(stanza: Element, match: (s: Element) => boolean): Promise<string> {
  const reply = nextStanza(peer, match, 10_000)
  await peer.send(stanza)
  return summary(await reply)
}

/**
 * What the peer gets back from the app at `target` for each kind of throw, through Prosody.
 * Every IQ of these must be answered with an error, never with an empty result.
 */
async function replies(target: string): Promise<Record<string, string>> {
  const fromTarget = (name: string, id: string) => (s: Element) =>
    s.name === name && s.attrs.id === id && s.attrs.from === target
  return {
    'iq, StanzaError thrown in a middleware': summary(
      await request(peer, iq(target, 'get', xml('throw', { xmlns: NS, what: 'stanza' })), 10_000),
    ),
    'iq, unknown exception': summary(
      await request(peer, iq(target, 'set', xml('throw', { xmlns: NS, what: 'unknown' })), 10_000),
    ),
    'iq, StanzaError thrown in an iqCallee route': summary(
      await request(peer, iq(target, 'get', xml('route', { xmlns: NS })), 10_000),
    ),
    'iq, a route that answers': (
      await request(peer, iq(target, 'get', xml('ping', { xmlns: NS })), 10_000)
    ).getChild('pong', NS)
      ? 'result with <pong/>'
      : 'no <pong/>',
    'message, StanzaError': await ask(
      xml('message', { to: target, id: 'm1' }, xml('body', {}, 'stanza')),
      fromTarget('message', 'm1'),
    ),
    'message, unknown exception': await ask(
      xml('message', { to: target, id: 'm2' }, xml('body', {}, 'unknown')),
      fromTarget('message', 'm2'),
    ),
    'presence, StanzaError': await ask(
      xml('presence', { to: target, id: 'p1' }, xml('status', {}, 'stanza')),
      fromTarget('presence', 'p1'),
    ),
    "guard(), a stanza to the malformed 'foo@'": await ask(
      xml('message', { to: target, id: 'g1' }, xml('body', {}, 'guard')),
      (s) => s.name === 'iq' && s.attrs.id === 'guarded',
    ),
  }
}

/** What each throw must be answered with, from `by`. */
const answered = {
  'iq, StanzaError thrown in a middleware': 'iq error cancel item-not-found "no such item"',
  'iq, unknown exception': 'iq error cancel internal-server-error',
  'iq, StanzaError thrown in an iqCallee route': 'iq error cancel not-allowed "route says no"',
  'iq, a route that answers': 'result with <pong/>',
  'message, StanzaError': 'message error cancel item-not-found "no such item"',
  'message, unknown exception': 'message error cancel internal-server-error',
  'presence, StanzaError': 'presence error cancel item-not-found "no such item"',
  "guard(), a stanza to the malformed 'foo@'":
    'iq error modify jid-malformed "malformed \'to\' address"',
}

/** The complete JSON lines of `stdout` that are records of an error (they have `xmpp`). */
const errorRecords = (stdout: string): unknown[] =>
  stdout
    .split('\n')
    .slice(0, -1)
    .filter((line) => line.includes('"condition":'))
    .map((line) => JSON.parse(line))

/** A thrown StreamError: no reply, the server receives the stream error and closes the session. */
async function streamError(target: string, app: App): Promise<void> {
  const offset = await logSize(server.logFile)
  const id = `stream-${Date.now()}`
  const noReply = nextStanza(peer, (s) => s.attrs.id === id, 1_500).then(
    (s) => `a reply: ${s.toString()}`,
    () => 'no reply',
  )
  await peer.send(
    xml('iq', { type: 'get', to: target, id }, xml('throw', { xmlns: NS, what: 'stream' })),
  )
  await waitForLog(
    server.logFile,
    offset,
    /Session closed by remote with error: policy-violation \(install test\)/,
    10_000,
  )
  expect(await noReply).toBe('no reply')
  const sent =
    'sent <stream:error><policy-violation xmlns="urn:ietf:params:xml:ns:xmpp-streams"/>' +
    '<text xmlns="urn:ietf:params:xml:ns:xmpp-streams">install test</text></stream:error>'
  expect(await app.until((stdout) => stdout.includes(sent))).toContain(sent)
}

const componentEnv = (domain: string) => ({
  XMPP_KIND: 'component',
  XMPP_SERVICE: `xmpp://${server.host}:${server.componentPort}`,
  XMPP_DOMAIN: domain,
  XMPP_SECRET: server.componentSecret,
})

describe('installed from the packed tarballs with npm', { timeout: SLOW }, () => {
  it('as npm lays them out, a component answers every throw with its error', async () => {
    const target = `c1.${server.domain}`
    const app = await start(npmLayout, 'app.mjs', componentEnv(target))
    expect(await replies(target)).toEqual(answered)
    await streamError(target, app)
  })

  it('with its own copies of @xmpp/xml and ltx in each package, a component still answers errors, never an empty result', async () => {
    // Every package with dependencies: those that build XML with @xmpp/xml, and those that
    // reach it through them.
    const builders = published
      .filter((p) => Object.keys(p.dependencies).length > 0)
      .map((p) => p.name)
    expect(builders).toEqual(
      expect.arrayContaining(['@xmpp-errors/errors', '@xmpp-errors/middleware']),
    )
    await giveOwnCopies(ownCopies, builders)
    // The layout is what it claims: each package builds with a class xmpp.js does not know.
    const classes = await elementClasses(ownCopies, builders)
    for (const name of builders) {
      expect(classes[name]?.xml).toContain(join('node_modules', name, 'node_modules', '@xmpp'))
      expect(classes[name]?.sameClassAsXmppJs).toBe(false)
    }
    expect(await elementClasses(npmLayout, builders)).toMatchObject(
      Object.fromEntries(builders.map((name) => [name, { sameClassAsXmppJs: true }])),
    )
    const target = `c2.${server.domain}`
    const app = await start(ownCopies, 'app.mjs', componentEnv(target))
    expect(await replies(target)).toEqual(answered)
    await streamError(target, app)
  })

  it('a bot logged in with @xmpp/client 0.14.0 (c2s) answers IQs from another user with their errors', async () => {
    const bot = userOf(server, 'u1')
    const target = `${bot.jid}/bot`
    const app = await start(npmLayout, 'app.mjs', {
      XMPP_KIND: 'client',
      XMPP_SERVICE: `xmpp://${server.host}:${server.c2sPort}`,
      XMPP_DOMAIN: server.domain,
      XMPP_USERNAME: bot.username,
      XMPP_PASSWORD: bot.password,
    })
    expect(await replies(target)).toEqual(answered)
    await streamError(target, app)
  })
})

describe('the packed packages', { timeout: SLOW }, () => {
  it('pass publint (strict) and attw (ESM profile), and each carries the LICENSE', async () => {
    const { stdout } = await settled(lint)
    console.log(stdout)
    for (const p of published) expect(stdout).toContain(`ok attw ${p.tarball.split('/').pop()}`)
  })

  it('say, once installed, where their source, home page and issues are, and which Node.js they need', async () => {
    for (const p of published) {
      const installed = join(npmLayout, 'node_modules', p.name)
      const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'))
      const directory = relative(ROOT, p.dir)
      expect(manifest).toMatchObject({
        license: 'ISC',
        repository: { type: 'git', url: `git+${REPOSITORY}.git`, directory },
        homepage: `${REPOSITORY}/tree/main/${directory}#readme`,
        bugs: { url: `${REPOSITORY}/issues` },
        // require() of an ES module works without a flag from Node.js 20.19 and 22.12 on.
        engines: { node: '^20.19.0 || ^22.12.0 || >=24.0.0' },
      })
      expect(await readFile(join(installed, 'LICENSE'), 'utf8')).toBe(
        await readFile(join(ROOT, 'LICENSE'), 'utf8'),
      )
    }
  })

  it('load with require() from a CommonJS file', async () => {
    await copyIn(npmLayout, 'test/install/fixtures/require.cjs', 'require.cjs')
    const names = published.map((p) => p.name)
    const { stdout } = await exec(process.execPath, ['require.cjs', ...names], { cwd: npmLayout })
    const loaded = JSON.parse(stdout) as Record<string, string[]>
    expect(Object.keys(loaded)).toEqual(names)
    expect(loaded['@xmpp-errors/middleware']).toEqual(
      expect.arrayContaining(['errors', 'guard', 'StanzaError', 'StreamError']),
    )
  })

  it.each(['nodenext', 'bundler'])(
    'compile the README quick start in a strict TypeScript project with @types/xmpp__component (module %s)',
    async (module) => {
      expect(await settled(compiled[module] ?? Promise.reject(module))).toBe('')
    },
  )

  it('compile the quick start under module node16 too, where only a .cts file that requires them fails', async () => {
    const output = await settled(compiled.node16 ?? Promise.reject('node16'))
    // require() of an ES module type-checks from module node20 on (Node.js 20.19 loads it):
    // node16 says TS1471 for `import x = require()`, TS1479 for an `import` compiled to require().
    expect(output.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^require\.cts\(\d+,\d+\): error TS14(71|79): .*'@xmpp-errors\/middleware'/,
      ),
    ])
  })

  it.each([
    ['the quick start installs', () => quickstartLayout],
    ['beside @xmpp/client 0.14 too', () => npmLayout],
  ])('add no copy of @xmpp/xml beyond those xmpp.js brings (npm ls), as %s', async (_, project) => {
    const { stdout } = await exec('npm', ['ls', '@xmpp/xml', '--all', '--long', '--json'], {
      cwd: project(),
    })
    const copies = xmlCopies(JSON.parse(stdout))
    const ours = [...copies].filter(([, users]) => users.some((u) => u.startsWith('@xmpp-errors/')))
    expect(ours.length).toBeGreaterThan(0)
    for (const [path, users] of ours) {
      expect(path).not.toContain(join('node_modules', '@xmpp-errors'))
      expect(
        users.filter((u) => u.startsWith('@xmpp/')),
        path,
      ).not.toEqual([])
    }
  })
})

interface NpmNode {
  path?: string
  dependencies?: Record<string, NpmNode>
}

/** Each installed @xmpp/xml, by path, with the packages that use it (npm ls's tree, walked). */
function xmlCopies(root: NpmNode): Map<string, string[]> {
  const copies = new Map<string, string[]>()
  const pending: [string, NpmNode][] = [['', root]]
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [name, node] = next
    for (const [dependency, child] of Object.entries(node.dependencies ?? {})) {
      if (dependency === '@xmpp/xml' && child.path) {
        copies.set(child.path, [...(copies.get(child.path) ?? []), name])
      }
      pending.push([dependency, child])
    }
  }
  return copies
}

describe('the README quick start', { timeout: SLOW }, () => {
  it('is examples/quickstart/index.js, word for word', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8')
    const code = await readFile(join(ROOT, QUICKSTART), 'utf8')
    expect(readme).toContain(`\`\`\`js\n${code}\`\`\``)
  })

  it('runs in a fresh `npm init -y` project of type module and answers as the README shows', async () => {
    const domain = `c3.${server.domain}`
    const app = await start(
      npmLayout,
      'quickstart.js',
      {
        XMPP_SERVICE: `xmpp://${server.host}:${server.componentPort}`,
        XMPP_DOMAIN: domain,
        XMPP_SECRET: server.componentSecret,
      },
      /"msg":"online as /,
    )
    const get = (attrs: Record<string, string>) =>
      request(peer, iq(domain, 'get', xml('get', { xmlns: 'urn:example:notes', ...attrs })), 10_000)
    expect(summary(await get({ key: 'pineapple' }))).toBe(
      'iq error cancel item-not-found "no note named pineapple"',
    )
    expect(summary(await get({}))).toBe('iq error modify bad-request "a key is required"')
    // Prosody writes attributes in no fixed order: compare the parts, not the string.
    const note = (await get({ key: 'groceries' })).getChild('note', 'urn:example:notes')
    expect([note?.attrs.key, note?.text()]).toEqual(['groceries', 'milk, eggs'])
    // pino's JSON lines: one record for each error, as the README shows.
    const records = errorRecords(await app.until((stdout) => errorRecords(stdout).length >= 2))
    expect(records).toMatchObject([
      {
        level: 40,
        msg: `item-not-found (cancel) replied to iq get from ${userOf(server, 'u2').jid}/peer`,
        condition: 'item-not-found',
        type: 'cancel',
        action: 'reply',
      },
      { level: 40, condition: 'bad-request', action: 'reply' },
    ])
  })
})

describe("the README's c2s bot", { timeout: SLOW }, () => {
  it('is examples/c2s/index.js, word for word', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8')
    const code = await readFile(join(ROOT, C2S), 'utf8')
    expect(readme).toContain(`\`\`\`js\n${code}\`\`\``)
  })

  it('logs in with @xmpp/client 0.14.0 and answers as the README says, with one record each', async () => {
    const bot = userOf(server, 'u3')
    const app = await start(
      npmLayout,
      'c2s.js',
      {
        XMPP_SERVICE: `xmpp://${server.host}:${server.c2sPort}`,
        XMPP_DOMAIN: server.domain,
        XMPP_USERNAME: bot.username,
        XMPP_PASSWORD: bot.password,
      },
      /"msg":"online as /,
    )
    const target = `${bot.jid}/bot`
    const get = (key: string) =>
      request(peer, iq(target, 'get', xml('get', { xmlns: 'urn:example:notes', key })), 10_000)
    expect(summary(await get('pineapple'))).toBe('iq error cancel item-not-found "no such note"')
    expect((await get('groceries')).getChildText('note', 'urn:example:notes')).toBe('milk, eggs')
    expect(
      await ask(
        xml('message', { to: target, id: 'c2s-save', type: 'chat' }, xml('body', {}, 'save')),
        (s) => s.name === 'message' && s.attrs.id === 'c2s-save',
      ),
    ).toBe('message error cancel internal-server-error')
    const records = errorRecords(await app.until((stdout) => errorRecords(stdout).length >= 2))
    expect(records).toMatchObject([
      { level: 40, condition: 'item-not-found', action: 'reply' },
      {
        level: 50,
        condition: 'internal-server-error',
        err: { message: 'the disk is full' },
        action: 'reply',
      },
    ])
  })
})
