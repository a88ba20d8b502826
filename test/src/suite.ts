import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ErrorRecord, Logger } from '@xmpp-errors/middleware'
import type { Element } from '@xmpp-errors/throwaway-clients'
import type { ServerInfo, XmppUser } from '@xmpp-errors/throwaway-servers'
import { inject } from 'vitest'

// What the integration test files share: the servers to run against, the users and components
// on them, and waiting for what a server or a component does.

/** The servers the global setup started: Prosody, and ejabberd where it runs too. */
export const servers = [inject('prosody'), inject('ejabberd')].filter(
  (s): s is ServerInfo => s !== undefined,
)

/** The user `name` (e.g. 'u7') of `server`. */
export function userOf(server: ServerInfo, name: string): XmppUser {
  const found = server.users.find((u) => u.username === name)
  if (!found) throw new Error(`the server has no user ${name}`)
  return found
}

/** The domain of component `name` (e.g. 'c7' → 'c7.localhost') of `server`. */
export function componentOf(server: ServerInfo, name: string): string {
  const domain = `${name}.${server.domain}`
  if (!server.components.includes(domain)) throw new Error(`the server has no component ${domain}`)
  return domain
}

/** The domain part of a JID. */
export function domainOf(address: string | undefined): string | undefined {
  return address?.split('/')[0]?.split('@').pop()
}

/** Matches stanzas from `domain` or from any JID at it. */
export const fromDomain = (domain: string) => (s: Element) => domainOf(s.attrs.from) === domain

/** Polls `test` every `pollMs` until it holds; fails after `timeoutMs`. */
export async function until(
  what: string,
  test: () => boolean,
  timeoutMs = 5_000,
  pollMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(pollMs)
  }
}

export interface Recorded {
  /** Keeps the message of every call in `lines`. */
  logger: Logger
  /** For an onError to push to. */
  records: ErrorRecord[]
  lines: string[]
}

export function recorder(): Recorded {
  const records: ErrorRecord[] = []
  const lines: string[] = []
  const log = (_o: object, msg: string) => {
    lines.push(msg)
  }
  return { logger: { debug: log, warn: log, error: log }, records, lines }
}

/** The size of a server log in bytes: the offset for waitForLog() to read on from. */
export async function logSize(logFile: string): Promise<number> {
  return (await readFile(logFile)).length
}

/** Polls the server log, from byte `offset` on, until `pattern` matches; returns the match. */
export async function waitForLog(
  logFile: string,
  offset: number,
  pattern: RegExp,
  timeoutMs = 3_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const log = (await readFile(logFile)).subarray(offset).toString('utf8')
    const match = pattern.exec(log)
    if (match) return match[0]
    if (Date.now() > deadline) {
      throw new Error(`server log has no ${pattern} after offset ${offset}:\n${log.slice(-3000)}`)
    }
    await sleep(25)
  }
}

/**
 * The children that are there, for xml(): it skips an undefined child, which its declarations
 * (@types/xmpp__xml) do not let it be given.
 */
export function present<T>(...children: Array<T | undefined>): T[] {
  return children.filter((child): child is T => child !== undefined)
}
