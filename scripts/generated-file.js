// The --write and --check modes shared by the scripts that generate docs from data.
import { readFileSync, writeFileSync } from 'node:fs'

/**
 * `--write` writes `content` to `file`; `--check` exits 1 when `file` differs (a missing file
 * is stale too), naming `command` to regenerate it. Returns the exit code, or undefined when
 * neither flag is given.
 */
export function writeOrCheck(args, file, content, command) {
  if (args.includes('--check')) {
    let current = ''
    try {
      current = readFileSync(file, 'utf8')
    } catch {}
    if (current !== content) {
      process.stderr.write(`${file} is stale: run \`${command}\`\n`)
      return 1
    }
    process.stdout.write(`${file} is up to date\n`)
    return 0
  }
  if (args.includes('--write')) {
    writeFileSync(file, content)
    process.stdout.write(`wrote ${file}\n`)
    return 0
  }
  return undefined
}
