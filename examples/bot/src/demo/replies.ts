import type { Client } from '@xmpp/client'
import type { Element } from '@xmpp/xml'
import { NS_STANZAS } from '@xmpp-errors/middleware'
import { NS_DISCO_INFO, NS_DISCO_ITEMS } from '../disco.js'
import { NS_NOTES, NS_VERSION } from '../service.js'
import { demoLimits } from './bot-process.js'
import { next } from './client.js'
import type { Step } from './script.js'

// Sending a request and reading what came back as an Outcome: one request, or the flood.

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

/** The outcome in a few words, as the report's reply column shows it. */
export function describe(outcome: Outcome): string {
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

/** Sends `stanza` and reads its reply (for a chat message: the bot's next message). */
export async function ask(c: Client, stanza: Element, bot: string): Promise<Outcome> {
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

/**
 * Sends the step's request burst + 20 times at once and sums up the replies; the id is that of
 * the first request answered with an error.
 */
export async function flood(
  c: Client,
  step: Step,
  newId: () => string,
): Promise<{ outcome: Outcome; id: string }> {
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
