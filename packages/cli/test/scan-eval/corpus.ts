/**
 * The labeled scanner corpus: the malicious files of `malicious.ts` and the benign shapes of
 * `benign.ts`. Every file is generated here; nothing is downloaded.
 */
import { benignData, benignOtherFormats, benignSklearn, benignTorch } from './benign.js';
import type { CorpusFile } from './files.js';
import {
  compressed,
  computedGlobals,
  frames,
  kerasExternal,
  knownStyles,
  mutations,
  safetensorsHeaders,
  stdlibGadgets,
} from './malicious.js';

export type { CorpusFile, Label } from './files.js';

/** The whole corpus. */
export function buildCorpus(): CorpusFile[] {
  return [
    ...stdlibGadgets(),
    ...mutations(),
    ...computedGlobals(),
    ...frames(),
    ...compressed(),
    ...kerasExternal(),
    ...safetensorsHeaders(),
    ...knownStyles(),
    ...benignTorch(),
    ...benignSklearn(),
    ...benignData(),
    ...benignOtherFormats(),
  ];
}
