#!/usr/bin/env node
// `pnpm demo`: starts a throwaway Prosody (or uses yours, see DEMO_* in demo/target.ts), runs
// the bot as a child process, walks a scripted client through the bot's error cases and prints,
// for each request, the reply and the log line the bot wrote about it. `--json` prints the rows
// as JSON.
//
// The pieces, in the order they run: demo/target.ts (the server), demo/bot-process.ts (the bot),
// demo/client.ts (the user and the admin), demo/walk.ts (the requests of demo/script.ts, their
// answers read by demo/replies.ts and judged by demo/checks.ts), demo/report.ts (the table) and
// demo/counts.ts (the bot's error counter, read back from its OTLP export).
import { type BotProcess, startBot, stopBot, waitOnline } from './demo/bot-process.js'
import { connect, stopClients } from './demo/client.js'
import { countsTable, errorCounts, stanzaCount } from './demo/counts.js'
import { type OtlpReceiver, startOtlpReceiver } from './demo/otlp-receiver.js'
import { ProsodyMissing } from './demo/prosody.js'
import { summary, table } from './demo/report.js'
import { SetupError } from './demo/setup-error.js'
import { demoUsage, externalTarget, type Target, throwawayTarget } from './demo/target.js'
import { walk } from './demo/walk.js'

const usage = `usage: pnpm demo [--json]      (or: node examples/bot/dist/demo.js [--json])

Starts a throwaway Prosody, runs the example bot against it, walks a scripted client through
every error the bot can produce and prints, for each request, the reply and the log line the bot
wrote about that stanza, then the bot's error counters.

  --json   the rows and the counts as JSON on stdout; the notes go to stderr
  --help   this text

${demoUsage}
`
const args = process.argv.slice(2)
const unknown = args.filter((arg) => arg !== '--json' && arg !== '--help' && arg !== '-h')
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(usage)
  process.exit(0)
}
if (unknown.length > 0) {
  process.stderr.write(`demo: unknown argument ${unknown.join(' ')}

${usage}`)
  process.exit(2)
}
const json = args.includes('--json')
const started = performance.now()

/** Notes go to stderr when stdout carries JSON. */
function note(line: string): void {
  if (json) process.stderr.write(`${line}\n`)
  else process.stdout.write(`${line}\n`)
}

async function main(): Promise<number> {
  let target: Target | undefined
  let bot: BotProcess | undefined
  let receiver: OtlpReceiver | undefined
  const cleanup = async () => {
    await stopClients()
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
    target = externalTarget(process.env) ?? (await throwawayTarget(note))
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
    const stanzas = stanzaCount(receiver)
    if (json) {
      const report = { ok, bot: target.bot, seconds: Number(seconds), rows, errors, stanzas }
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    } else {
      note(table(rows))
      note(`\n${summary(rows, seconds)}`)
      note(`\n${countsTable(errors, stanzas)}`)
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
