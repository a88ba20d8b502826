import type { LogLine } from './bot-process.js'
import type { Outcome } from './replies.js'
import type { Step } from './script.js'

// What makes a row ✓: the answer the script expects, and the bot's log line about the request.

/** Whether `outcome` is the answer `step` expects; `bot` is the bot's domain. */
export function isExpectedAnswer(step: Step, outcome: Outcome, bot: string): boolean {
  if (step.special === 'shutdown') return outcome.detail === 'bot exited (code 0)'
  // With the bot gone, the server answers in its place: an error, and not one by the bot.
  if (step.special === 'after-shutdown') return outcome.kind === 'error' && outcome.by !== bot
  if (step.expected === 'result' || step.expected === 'chat') return outcome.kind === step.expected
  return outcome.kind === 'error' && `${outcome.condition} (${outcome.type})` === step.expected
}

/** Whether the bot logged what it must about the step's request. */
export function hasExpectedLog(step: Step, log: LogLine | undefined): boolean {
  // An error the bot answered must have its log record.
  const isBotError = step.expected.includes('(') && step.special !== 'after-shutdown'
  if (isBotError && !log) return false
  // The shutdown closes the stream with system-shutdown, and says so.
  if (step.special === 'shutdown' && !log?.msg.includes('system-shutdown')) return false
  return true
}
