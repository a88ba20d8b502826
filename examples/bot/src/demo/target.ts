import { randomUUID } from 'node:crypto'
import { addressProblem } from '../address.js'
import { parseService } from '../config.js'
import { type Prosody, startProsody } from './prosody.js'
import { SetupError } from './setup-error.js'

// Where the demo runs: the XMPP server given by DEMO_* variables, or a throwaway Prosody that
// the demo starts itself, with the two accounts it logs in with.

export interface Account {
  jid: string
  username: string
  password: string
}

export interface Target {
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

/** A throwaway Prosody on loopback, with a user and an admin; `note` is told of an install. */
export async function throwawayTarget(note: (line: string) => void): Promise<Target> {
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
