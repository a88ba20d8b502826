import { xml } from '@xmpp/xml'
import {
  type Context,
  type Middleware,
  type Next,
  StanzaError,
  StreamError,
} from '@xmpp-errors/middleware'
import { type BotLogger, type Sender, senderOf, stanzaSummary } from './context.js'
import { requireAddress } from './service.js'
import type { NotesStore } from './store.js'

export type Command =
  | { name: 'help' }
  | { name: 'keys' }
  | { name: 'get'; key: string }
  | { name: 'put' | 'new'; key: string; value: string }
  | { name: 'del'; key: string }
  | { name: 'move'; key: string; to: string }
  | { name: 'share'; key: string; with: string }
  | { name: 'shutdown' }

export const help = `Commands:
  get KEY             show a note
  put KEY VALUE       create or change a note
  new KEY VALUE       create a note (fails if it exists)
  del KEY             delete a note
  move KEY NEWKEY     rename a note (the old key then redirects)
  share KEY with JID  let someone else change a note
  keys                list the notes
  help                this text
  shutdown            stop the bot (admins only)`

const USAGE: Record<string, string> = {
  get: 'get KEY',
  put: 'put KEY VALUE',
  new: 'new KEY VALUE',
  del: 'del KEY',
  move: 'move KEY NEWKEY',
  share: 'share KEY with JID',
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
      return { name: 'keys' }
    case 'shutdown':
      return { name: 'shutdown' }
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
}

/** Runs a command for `who` and returns the text to answer, or throws the error to answer. */
export function runCommand(command: Command, who: Sender, store: NotesStore): string {
  switch (command.name) {
    case 'help':
      return help
    case 'keys': {
      const keys = store.keys()
      return keys.length === 0 ? 'no notes yet' : keys.join('\n')
    }
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
    const answer = runCommand(command, who, options.store)
    options.log.info(
      { stanza: stanzaSummary(ctx.stanza), sender: who.jid, command: command.name },
      `${command.name} for ${who.jid}`,
    )
    const { from, to, id } = ctx.stanza.attrs
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
