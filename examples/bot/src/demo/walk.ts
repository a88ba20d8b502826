import { randomUUID } from 'node:crypto'
import type { Client } from '@xmpp/client'
import { type BotProcess, type LogLine, logFor } from './bot-process.js'
import { hasExpectedLog, isExpectedAnswer } from './checks.js'
import { ask, describe, flood, type Outcome } from './replies.js'
import { type Step, steps } from './script.js'
import type { Target } from './target.js'
import { withTimeout } from './timeout.js'

// The walk-through: the script's steps in order, each sent by the user or the admin, its answer
// checked, then, once the bot has exited, the log line it wrote about each request.

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
  log?: LogLine
}

/** Stanza ids unique to one run: the bot's log lines are matched to the requests by id. */
function idsOfOneRun(): () => string {
  const runTag = randomUUID().slice(0, 6)
  let sequence = 0
  return () => `demo-${runTag}-${++sequence}`
}

/** Runs the script against the bot at `target.bot`: a row per step. */
export async function walk(
  target: Target,
  bot: BotProcess,
  user: Client,
  admin: Client,
): Promise<Row[]> {
  const newId = idsOfOneRun()
  const rows: Row[] = []
  const pending: Array<{ row: Row; step: Step }> = []
  for (const [i, step] of steps(target).entries()) {
    const c = step.from === 'admin' ? admin : user
    for (const stanza of step.before?.(newId) ?? []) await ask(c, stanza, target.bot)
    const { outcome, id } = await send(c, step, newId, bot, target.bot)
    const row: Row = {
      n: i + 1,
      from: step.from,
      request: step.request,
      expected: step.expected,
      got: describe(outcome),
      ok: isExpectedAnswer(step, outcome, target.bot),
      id,
      ...(outcome.text ? { text: outcome.text } : {}),
    }
    rows.push(row)
    pending.push({ row, step })
  }
  // Every log line is in once the bot has exited and its stdout is read to the end.
  await withTimeout(bot.drained, 5_000, 'reading the bot log').catch(() => {})
  for (const { row, step } of pending) {
    const log = logFor(bot.records, row.id)
    if (log) row.log = log
    if (!hasExpectedLog(step, log)) row.ok = false
  }
  return rows
}

/** Sends the step's request and reads its outcome; `id` is the stanza id the log is read by. */
async function send(
  c: Client,
  step: Step,
  newId: () => string,
  bot: BotProcess,
  botDomain: string,
): Promise<{ outcome: Outcome; id: string }> {
  const id = newId()
  if (step.special === 'flood') return flood(c, step, newId)
  if (step.special === 'shutdown') {
    await c.send(step.send(id))
    const how = await withTimeout(bot.exited, 8_000, 'the bot did not stop').catch(
      (error: Error) => error.message,
    )
    return { outcome: { kind: 'exit', detail: `bot exited (${how})` }, id }
  }
  return { outcome: await ask(c, step.send(id), botDomain), id }
}
