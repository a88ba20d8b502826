// Only for bench/tsconfig.json, which maps 'vitest' here: test/src/servers/types.ts augments
// vitest's ProvidedContext, nothing in the bench imports vitest, and `tsc -b` then fails that
// augmentation with TS2664. The bench needs none of vitest's types.
export interface ProvidedContext {
  [key: string]: unknown
}
