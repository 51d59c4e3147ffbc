// Where server children come from and where they run: the tree whose @strands packages they load
// (the current one, or a baseline worktree), and the CPUs they may use in pinned mode.
import { fileURLToPath } from 'node:url';

/** Which tree a server's @strands packages come from. */
export type TreeName = 'current' | 'baseline';

/** How to start server children. */
export interface Launch {
  tree: TreeName;
  /** In words: 'current tree' or 'baseline 527f090'. */
  label: string;
  /** tsconfig whose `paths` map @strands/* to that tree's packages/<name>/dist (tsx reads it). */
  tsconfig: string;
  /** taskset -c CPU list of server children, or undefined to leave them unpinned. */
  cpus: string | undefined;
}

/** bench/tsconfig.servers.json of this tree: @strands/* from ../packages/<name>/dist, as users get them (built-packages.ts). */
export const CURRENT_TSCONFIG = fileURLToPath(new URL('../../tsconfig.servers.json', import.meta.url));

/** The current tree, unpinned: what tests and a plain run use. */
export const CURRENT_LAUNCH: Launch = { tree: 'current', label: 'current tree', tsconfig: CURRENT_TSCONFIG, cpus: undefined };
