// The default logger when nobody reads stderr: a stalled pipe (a journal, `| slow-reader`) must
// not turn every handled error into memory held until the process dies.
import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'

const child = `
import { MAX_PENDING_STDERR, stderrLogger } from '@xmpp-errors/middleware'
const log = stderrLogger()
let most = 0
// A turn of the event loop every 50 errors, as stanzas arriving over a socket would give.
for (let i = 0; i < 20000; i++) {
  log.warn({ xmpp: { code: 'item-not-found' }, text: 'x'.repeat(300) }, 'item-not-found')
  most = Math.max(most, process.stderr.writableLength)
  if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve))
}
process.stdout.write(JSON.stringify({ most, cap: MAX_PENDING_STDERR }))
// Let what is queued (and the count of what was dropped) reach the reader, if there is one.
while (process.env.READ && process.stderr.writableLength > 0) {
  await new Promise((resolve) => process.stderr.once('drain', resolve))
}
process.exit(0)
`

function run(read: boolean): Promise<{ most: number; cap: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--input-type=module', '-e', child], {
      cwd: new URL('.', import.meta.url),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, READ: read ? '1' : '' },
    })
    let out = ''
    let err = ''
    proc.stdout.on('data', (data: Buffer) => {
      out += data
    })
    if (read) proc.stderr.on('data', (data: Buffer) => (err += data))
    else proc.stderr.pause()
    proc.on('error', reject)
    proc.on('exit', (code) => {
      try {
        resolve({ ...JSON.parse(out), stderr: err })
      } catch {
        reject(new Error(`child exited ${code} without a result: ${err}`))
      }
    })
  })
}

describe('the default logger', () => {
  it('holds at most about MAX_PENDING_STDERR when stderr is not read', async () => {
    const { most, cap } = await run(false)
    // Without the cap, 20,000 lines of ~400 bytes would queue ~8 MB.
    expect(most).toBeLessThan(cap + 4096)
  })

  it('accounts for every line when stderr is read: written, or counted as dropped', async () => {
    const { stderr } = await run(true)
    const lines = stderr.trim().split('\n')
    const written = lines.filter((line) => line.includes('"msg":"item-not-found"')).length
    const dropped = lines
      .map((line) => /dropped (\d+) log lines/.exec(line)?.[1])
      .reduce((sum, n) => sum + Number(n ?? 0), 0)
    expect(written).toBeGreaterThan(0)
    expect(written + dropped).toBe(20000)
  })
})
