// The `prepack` of each published package: lets `pnpm pack` (what scripts/pack.js runs) through
// and stops any other packer. `npm pack` copies the manifest as it stands, `workspace:^` ranges
// included, and npm cannot install the tarball it writes (EUNSUPPORTEDPROTOCOL); pnpm replaces
// those ranges with the versions they point at.
import { basename } from 'node:path'

// Both npm and pnpm set it to themselves for a lifecycle script, whatever the environment held.
const packer = basename(process.env.npm_execpath ?? 'an unknown packer')
if (!packer.startsWith('pnpm')) {
  console.error(
    `Pack this package from the repository's root with \`node scripts/pack.js <dir>\`: it runs pnpm pack, which writes the workspace ranges of the manifest as versions. ${packer} would leave \`workspace:^\` in it, and npm cannot install that.`,
  )
  process.exit(1)
}
