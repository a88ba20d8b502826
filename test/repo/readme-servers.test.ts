import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { ejabberdComponents, prosodyComponents } from '@xmpp-errors/throwaway-servers'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
const example = {
  address: '127.0.0.1',
  port: 5347,
  secrets: { 'notes.example.org': 'a long random secret' },
}

// The quick start's server side is what the suite's servers run with: the same functions write
// the README's lines and every throwaway Prosody's and ejabberd's configuration.
describe("the README's server side", () => {
  it("shows Prosody's component lines as the throwaway Prosody is configured", async () => {
    const readme = await readFile(resolve(ROOT, 'README.md'), 'utf8')
    expect(readme).toContain(`\`\`\`lua\n${prosodyComponents(example)}\`\`\``)
  })

  it("shows ejabberd's component listener as the throwaway ejabberd is configured", async () => {
    const readme = await readFile(resolve(ROOT, 'README.md'), 'utf8')
    expect(readme).toContain(`\`\`\`yaml\nlisten:\n${ejabberdComponents(example)}\`\`\``)
  })
})
