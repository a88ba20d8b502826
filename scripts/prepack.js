// The `prepack` of each published package: lets `pnpm pack` (what scripts/pack.js runs) through
// and stops any other packer. `npm pack` copies the manifest as it stands, `workspace:^` ranges
// included, and npm cannot install the tarball it writes (EUNSUPPORTEDPROTOCOL); pnpm replaces
// those ranges with the versions they point at.
const agent = process.env.npm_config_user_agent ?? ''
if (!agent.startsWith('pnpm/')) {
  console.error(
    `This package is packed from the repository's root with \`node scripts/pack.js <dir>\` (pnpm pack, which writes its workspace ranges as versions): ${agent.split(' ')[0] || 'this packer'} would write \`workspace:^\` into the manifest, and npm cannot install that.`,
  )
  process.exit(1)
}
