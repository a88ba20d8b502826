import type { Component } from '@xmpp/component'
import xml from '@xmpp/xml'
import {
  type Context,
  type Middleware,
  type Next,
  StanzaError,
  StreamError,
} from '@xmpp-errors/middleware'
import { type BotLogger, type Sender, senderOf, stanzaSummary } from './context.js'
import { requireAddress } from './service.js'
import { MAX_PAGE, type NotesStore } from './store.js'

export type Command =
  | { name: 'help' }
  | { name: 'keys'; after?: string }
  | { name: 'get'; key: string }
  | { name: 'put' | 'new'; key: string; value: string }
  | { name: 'del'; key: string }
  | { name: 'move'; key: string; to: string }
  | { name: 'share'; key: string; with: string }
  | { name: 'shutdown' }
  | { name: 'check' }

export const help = `Commands:
  get KEY             show a note
  put KEY VALUE       create or change a note
  new KEY VALUE       create a note (fails if it exists)
  del KEY             delete a note
  move KEY NEWKEY     rename a note (the old key then redirects)
  share KEY with JID  let someone else change a note
  keys [AFTER]        list the notes, ${MAX_PAGE} at a time (those after AFTER)
  check               ask your client what it answers (disco#info, ping, version)
  help                this text
  shutdown            stop the bot (admins only)`

const USAGE: Record<string, string> = {
  get: 'get KEY',
  put: 'put KEY VALUE',
  new: 'new KEY VALUE',
  del: 'del KEY',
  move: 'move KEY NEWKEY',
  share: 'share KEY with JID',
  keys: 'keys [AFTER]',
  check: 'check',
}

function usage(name: string): never {
  throw new StanzaError('bad-request', { text: `usage: ${USAGE[name] ?? name}` })
}

/**
 * Parses a chat line. The key is the first word after the command and a value is the rest of
 * the line, spaces and all. `bad-request` for an unknown command or missing arguments.
 */
export function parseCommand(body: string): Command {
  const line = body.trim()
  const match = /^(\S+)(?:\s+(\S+))?(?:\s+([\s\S]*))?$/.exec(line)
  const name = match?.[1]?.toLowerCase() ?? ''
  const key = match?.[2]
  const rest = match?.[3]
  switch (name) {
    case 'help':
    case '?':
      return { name: 'help' }
    case 'keys':
    case 'list':
      if (rest !== undefined) usage('keys')
      return key === undefined ? { name: 'keys' } : { name: 'keys', after: key }
    case 'shutdown':
      return { name: 'shutdown' }
    case 'check':
      if (key !== undefined) usage(name)
      return { name: 'check' }
    case 'get':
    case 'del':
      if (key === undefined || rest !== undefined) usage(name)
      return { name, key }
    case 'put':
    case 'new':
      if (key === undefined || rest === undefined) usage(name)
      return { name, key, value: rest }
    case 'move': {
      const to = rest?.trim()
      if (key === undefined || !to || /\s/.test(to)) usage(name)
      return { name, key, to }
    }
    case 'share': {
      const parts = rest?.trim().split(/\s+/) ?? []
      const [word, address] = parts
      if (key === undefined || word?.toLowerCase() !== 'with' || parts.length !== 2 || !address) {
        usage(name)
      }
      return { name, key, with: address }
    }
    default:
      throw new StanzaError('bad-request', {
        text: `unknown command ${JSON.stringify(name.slice(0, 32))}; send "help" for the list`,
      })
  }
}

export interface CommandOptions {
  store: NotesStore
  admins: ReadonlySet<string>
  log: BotLogger
  /** What `check` asks the sender's client with. */
  iqCaller: Pick<Component['iqCaller'], 'request'>
}

/** What `check` asks a client, each a request its own client library may or may not answer. */
const CHECKS = [
  ['disco#info', 'http://jabber.org/protocol/disco#info', 'query'],
  ['ping', 'urn:xmpp:ping', 'ping'],
  ['version', 'jabber:iq:version', 'query'],
] as const

const CHECK_TIMEOUT_MS = 5_000

/**
 * Asks the client at `to` each of CHECKS in turn, and says how it answered: `ok`, the condition
 * of its error reply, or why there was none (a timeout).
 */
export async function checkClient(
  iqCaller: Pick<Component['iqCaller'], 'request'>,
  from: string,
  to: string,
): Promise<string> {
  const lines: string[] = []
  for (const [label, xmlns, name] of CHECKS) {
    try {
      await iqCaller.request(
        xml('iq', { type: 'get', from, to }, xml(name, { xmlns })),
        CHECK_TIMEOUT_MS,
      )
      lines.push(`${label}: ok`)
    } catch (reason) {
      const error = StanzaError.fromRequest(reason)
      lines.push(`${label}: ${error ? error.condition : (reason as Error).name}`)
    }
  }
  return lines.join('\n')
}

/**
 * One page of the keys, MAX_PAGE at most, after `after` (a key, whether or not a note: `keys m`
 * starts at m). A cut list ends with how many are left and the command for the next page.
 */
function keyList(store: NotesStore, after: string | undefined): string {
  const page = store.page({
    max: MAX_PAGE,
    ...(after === undefined ? {} : { after: store.checkKey(after) }),
  })
  if (page.count === 0) return 'no notes yet'
  const last = page.keys.at(-1)
  if (last === undefined) return `no notes after ${after}`
  const left = page.count - page.index - page.keys.length
  if (left === 0) return page.keys.join('\n')
  return `${page.keys.join('\n')}\n… ${left} more; send "keys ${last}" for the next ${Math.min(left, MAX_PAGE)}`
}

/** Runs a command for `who` and returns the text to answer, or throws the error to answer. */
export function runCommand(
  command: Exclude<Command, { name: 'check' }>,
  who: Sender,
  store: NotesStore,
): string {
  switch (command.name) {
    case 'help':
      return help
    case 'keys':
      return keyList(store, command.after)
    case 'get': {
      const note = store.get(command.key)
      return `${note.key}: ${note.value}`
    }
    case 'put':
    case 'new': {
      const mode = command.name === 'new' ? 'create' : 'upsert'
      const { created } = store.put(command.key, command.value, who, { mode })
      return `${created ? 'created' : 'updated'} ${command.key}`
    }
    case 'del':
      store.delete(command.key, who)
      return `deleted ${command.key}`
    case 'move': {
      const note = store.move(command.key, command.to, who)
      return `moved ${command.key} to ${note.key}`
    }
    case 'share': {
      const editor = requireAddress(command.with, 'a JID')
      store.share(command.key, editor, who)
      return `${editor} may now change ${command.key}`
    }
    case 'shutdown':
      if (!who.admin) {
        throw new StanzaError('forbidden', { text: 'only admins may shut the bot down' })
      }
      // errors() sends <stream:error><system-shutdown/>, closes the stream and, for this
      // condition, stops the component for good.
      throw new StreamError('system-shutdown', { text: `shut down by ${who.jid}` })
  }
}

/**
 * Chat commands by message. A message without a body (a chat state, a receipt) is ignored, as
 * are groupchat and headline messages; errors are the errors() middleware's to observe.
 */
export function commands(options: CommandOptions): Middleware {
  return async (ctx: Context, next: Next) => {
    if (ctx.name !== 'message') return next()
    if (ctx.type !== 'chat' && ctx.type !== 'normal') return undefined
    const body = ctx.stanza.getChild('body')
    if (body === undefined) return undefined
    const who = senderOf(ctx, options.admins)
    const command = parseCommand(body.text())
    const { from, to, id } = ctx.stanza.attrs
    const answer =
      command.name === 'check'
        ? await checkClient(options.iqCaller, String(to), String(from))
        : runCommand(command, who, options.store)
    options.log.info(
      { stanza: stanzaSummary(ctx.stanza), sender: who.jid, command: command.name },
      `${command.name} for ${who.jid}`,
    )
    // The request's id comes back, as on an error reply, so that a client can match the answer.
    return xml(
      'message',
      {
        type: ctx.type,
        to: typeof from === 'string' ? from : undefined,
        from: typeof to === 'string' ? to : undefined,
        id: typeof id === 'string' ? id : undefined,
      },
      xml('body', {}, answer),
    )
  }
}
