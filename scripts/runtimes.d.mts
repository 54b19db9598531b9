/** Types of scripts/runtimes.mjs for the TypeScript tests that import it. */
export declare const RUNTIMES_DIR: string;
/** Executables of the installed runtimes (`node22`, `node24`, `bun`, `deno`), only those present. */
export declare function runtimePaths(
  dir?: string,
): Partial<Record<'node22' | 'node24' | 'bun' | 'deno', string>>;
