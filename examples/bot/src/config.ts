import { defaultOutgoing } from '@xmpp-errors/middleware'
import { addressProblem, bareAddress, isDomain } from './address.js'
import { DEFAULT_MAX_EDITORS } from './store.js'

/**
 * The longest note that may be configured. A note goes out whole in one stanza, and guard()
 * refuses a stanza over its `maxStanzaSize` (256,000 bytes, below the 512 KiB Prosody takes from
 * a component): each character is at most 5 bytes once escaped (`&amp;`), and the rest of the
 * reply (two addresses of at most 3,071 bytes, a key, the markup) stays under 10 KiB.
 */
export const MAX_VALUE_CEILING = Math.floor((defaultOutgoing.maxStanzaSize - 10 * 1024) / 5)

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'

export interface Config {
  /** `xmpp://host:port` of the server's component port (XEP-0114). */
  service: string
  host: string
  port: number
  /** The component's domain, as configured on the server. */
  domain: string
  /** The component's shared secret. */
  secret: string
  /** Bare JIDs allowed to write anywhere and to shut the bot down. */
  admins: ReadonlySet<string>
  maxKeys: number
  maxValueLength: number
  /** Most editors a note may be shared with. */
  maxEditors: number
  /** Requests per second each sender may make in the long run. */
  rate: number
  /** Requests a sender may make at once after a quiet spell. */
  burst: number
  /** Error replies a sender may receive per 10 seconds (errors()' own limit); 0 for no limit. */
  errorLimit: number
  logLevel: LogLevel
}

/** Every problem found in the environment, each naming its variable and what is expected. */
export class ConfigError extends Error {
  readonly problems: readonly string[]

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

export const defaults = {
  maxKeys: 100,
  maxValueLength: 1024,
  maxEditors: DEFAULT_MAX_EDITORS,
  rate: 5,
  burst: 20,
  errorLimit: 20,
  logLevel: 'info',
} as const

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']

export const usage = `Environment:
  BOT_SERVICE           xmpp://host:port of the server's component port, e.g. xmpp://127.0.0.1:5347
  BOT_DOMAIN            the component's domain, e.g. notes.example.org
  BOT_SECRET            the component's shared secret
  BOT_ADMINS            comma-separated bare JIDs of admins (optional)
  BOT_MAX_KEYS          most notes held (default ${defaults.maxKeys})
  BOT_MAX_VALUE_LENGTH  longest note, in characters (default ${defaults.maxValueLength})
  BOT_MAX_EDITORS       most editors a note may be shared with (default ${defaults.maxEditors})
  BOT_RATE              requests per second per sender (default ${defaults.rate})
  BOT_BURST             requests at once per sender (default ${defaults.burst})
  BOT_ERROR_LIMIT       error replies per sender per 10 s, 0 for no limit (default ${defaults.errorLimit})
  BOT_LOG_LEVEL         ${LEVELS.join(', ')} (default ${defaults.logLevel})`

type Env = Readonly<Record<string, string | undefined>>

/** `xmpp://host:port` → its parts, or why it is not that. */
export function parseService(value: string): { host: string; port: number } | string {
  const expected = 'expected xmpp://host:port, e.g. xmpp://127.0.0.1:5347'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return `${JSON.stringify(value)} is not a URL; ${expected}`
  }
  if (url.protocol !== 'xmpp:') {
    return `${JSON.stringify(value)} uses ${url.protocol.slice(0, -1)}:, not xmpp:; ${expected}`
  }
  if (url.hostname === '') return `${JSON.stringify(value)} names no host; ${expected}`
  if (url.username || url.password || (url.pathname !== '' && url.pathname !== '/')) {
    return `${JSON.stringify(value)} has more than a host and port; ${expected}`
  }
  if (url.search || url.hash) return `${JSON.stringify(value)} has a query or fragment; ${expected}`
  const port = url.port === '' ? 5347 : Number(url.port)
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return `${JSON.stringify(value)} has no valid port; ${expected}`
  }
  return { host: url.hostname, port }
}

/**
 * Reads the configuration from the environment. Throws a ConfigError listing every problem at
 * once, so that one run shows all there is to fix.
 */
export function loadConfig(env: Env): Config {
  const problems: string[] = []

  function required(name: string, what: string): string {
    const value = env[name]?.trim()
    if (!value) {
      problems.push(`${name} is not set: ${what}`)
      return ''
    }
    return value
  }

  function whole(name: string, fallback: number, max: number, min = 1): number {
    const raw = env[name]?.trim()
    if (!raw) return fallback
    const n = Number(raw)
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
      problems.push(
        `${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(raw)}`,
      )
      return fallback
    }
    return n
  }

  const service = required(
    'BOT_SERVICE',
    "the server's component port as xmpp://host:port, e.g. xmpp://127.0.0.1:5347",
  )
  let host = ''
  let port = 0
  if (service) {
    const parsed = parseService(service)
    if (typeof parsed === 'string') problems.push(`BOT_SERVICE: ${parsed}`)
    else ({ host, port } = parsed)
  }

  const domain = required('BOT_DOMAIN', "the component's domain, e.g. notes.example.org")
  if (domain && !isDomain(domain)) {
    problems.push(`BOT_DOMAIN: ${JSON.stringify(domain)} is not a domain name`)
  }

  const secret = required('BOT_SECRET', "the component's shared secret, as in the server config")

  const admins = new Set<string>()
  for (const entry of (env.BOT_ADMINS ?? '').split(',')) {
    const address = entry.trim()
    if (address === '') continue
    const problem = addressProblem(address)
    const bare = bareAddress(address)
    if (problem !== undefined || bare === undefined) {
      problems.push(`BOT_ADMINS: ${JSON.stringify(address)} is not a JID (${problem})`)
    } else if (!address.includes('@') || address.includes('/')) {
      problems.push(`BOT_ADMINS: ${JSON.stringify(address)} is not a bare JID like user@domain`)
    } else {
      admins.add(bare)
    }
  }

  const maxKeys = whole('BOT_MAX_KEYS', defaults.maxKeys, 1_000_000)
  const maxValueLength = whole('BOT_MAX_VALUE_LENGTH', defaults.maxValueLength, MAX_VALUE_CEILING)
  const maxEditors = whole('BOT_MAX_EDITORS', defaults.maxEditors, 1_000)
  const rate = whole('BOT_RATE', defaults.rate, 100_000)
  const burst = whole('BOT_BURST', defaults.burst, 100_000)
  const errorLimit = whole('BOT_ERROR_LIMIT', defaults.errorLimit, 100_000, 0)

  const level = (env.BOT_LOG_LEVEL?.trim() || defaults.logLevel) as LogLevel
  if (!LEVELS.includes(level)) {
    problems.push(`BOT_LOG_LEVEL must be one of ${LEVELS.join(', ')}, not ${JSON.stringify(level)}`)
  }

  if (problems.length > 0) throw new ConfigError(problems)
  return {
    service: `xmpp://${host}:${port}`,
    host,
    port,
    domain: domain.toLowerCase(),
    secret,
    admins,
    maxKeys,
    maxValueLength,
    maxEditors,
    rate,
    burst,
    errorLimit,
    logLevel: level,
  }
}
