import { fileURLToPath } from 'node:url'
import { cruise, type ICruiseOptions, type ICruiseResult } from 'dependency-cruiser'

const root = fileURLToPath(new URL('../..', import.meta.url))

/**
 * dependency-cruiser's result for `paths`, relative to the repository root: it resolves them
 * from the working directory, so the cruise runs from the root and the directory is restored.
 */
export async function cruiseRepository(
  paths: string[],
  options: ICruiseOptions,
): Promise<ICruiseResult> {
  const cwd = process.cwd()
  process.chdir(root)
  try {
    const { output } = await cruise(paths, options)
    if (typeof output === 'string') throw new Error(output)
    return output
  } finally {
    process.chdir(cwd)
  }
}
