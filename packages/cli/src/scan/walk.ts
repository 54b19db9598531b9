/**
 * Discovery: walks a folder (or git checkout) honouring `.gitignore` files at every level and
 * `.git/info/exclude`, skipping `node_modules` and `.git`, and classifies files by name and magic bytes.
 * @module
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, extname, join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { FileSource, MemorySource } from './bytes.js';
import { depsFormat } from './deps/advisories.js';
import { COMPRESSED, type Magic, sniff } from './dispatch.js';
import { peekInflated } from './formats/zip.js';
import type { FileKind } from './types.js';

/** A file selected for scanning. */
export interface DiscoveredFile {
  /** Path relative to the scan root, forward slashes. */
  path: string;
  abs: string;
  size: number;
  kind: FileKind;
  magic?: Magic;
  /** Set when the content does not match what the extension claims. */
  mismatch?: string;
}

const ALWAYS_SKIP = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__']);

const BY_EXT: Record<string, FileKind> = {
  '.pkl': 'pickle',
  '.pickle': 'pickle',
  '.joblib': 'pickle',
  '.dill': 'pickle',
  '.sav': 'pickle',
  '.pt': 'pytorch',
  '.pth': 'pytorch',
  '.bin': 'pytorch',
  '.ckpt': 'pytorch',
  '.npy': 'numpy',
  '.npz': 'numpy',
  '.keras': 'keras',
  '.h5': 'hdf5',
  '.hdf5': 'hdf5',
  '.pb': 'tensorflow',
  '.onnx': 'onnx',
  '.safetensors': 'safetensors',
  '.gguf': 'gguf',
  '.ipynb': 'notebook',
  '.py': 'python',
  '.yaml': 'config',
  '.yml': 'config',
  '.toml': 'config',
  '.ini': 'config',
  '.cfg': 'config',
  '.conf': 'config',
  '.json': 'config',
  '.properties': 'config',
};

/** Magic values each extension may legitimately have (`undefined` = no magic, e.g. protobuf). */
const EXPECTED: Partial<Record<FileKind, Array<Magic | undefined>>> = {
  pickle: ['pickle', 'zlib', 'gzip', 'bz2', 'xz', undefined],
  pytorch: ['zip', 'pickle'],
  numpy: ['numpy', 'zip'],
  keras: ['zip'],
  hdf5: ['hdf5'],
  safetensors: ['safetensors'],
  gguf: ['gguf'],
  tensorflow: [undefined],
  onnx: [undefined],
};

const MAGIC_KIND: Record<Magic, FileKind | undefined> = {
  pickle: 'pickle',
  zip: 'zip',
  numpy: 'numpy',
  hdf5: 'hdf5',
  gguf: 'gguf',
  safetensors: 'safetensors',
  gzip: undefined,
  zlib: undefined,
  bz2: undefined,
  xz: undefined,
};

/** Suffixes of compressed files: `model.pkl.gz` is a pickle, `weights.pt.xz` a PyTorch file. */
const COMPRESSION_SUFFIX = /\.(?:gz|gzip|z|zlib|bz2|xz|lzma)$/i;

/**
 * What a compressed file holds: by the name under the compression suffix (`model.pkl.gz`), else, for
 * gzip and zlib, by the magic bytes of its first decompressed kilobytes (`archive.gz`). Only model
 * formats are kept; compressed source tarballs and logs are not models.
 */
function classifyCompressed(
  abs: string,
  name: string,
  size: number,
  magic: Magic,
): Omit<DiscoveredFile, 'path' | 'abs' | 'size'> | undefined {
  const inner = BY_EXT[extname(name.replace(COMPRESSION_SUFFIX, '')).toLowerCase()];
  if (inner && inner !== 'notebook' && inner !== 'python' && inner !== 'config')
    return { kind: inner, magic };
  if (magic !== 'gzip' && magic !== 'zlib') return undefined;
  const src = new FileSource(abs, size);
  try {
    const head = peekInflated(src, magic, 64 * 1024);
    const innerMagic = head ? sniff(new MemorySource(head)) : undefined;
    const kind =
      innerMagic && (MAGIC_KIND[innerMagic] ?? (COMPRESSED.has(innerMagic) ? 'pickle' : undefined));
    return kind ? { kind, magic } : undefined;
  } finally {
    src.close();
  }
}

function sniffFile(abs: string, size: number): Magic | undefined {
  if (size < 4) return undefined;
  const fd = openSync(abs, 'r');
  try {
    const buf = new Uint8Array(16);
    const n = readSync(fd, buf, 0, 16, 0);
    // `sniff` checks the safetensors length against the size, so give it a view that knows the size.
    const src = new MemorySource(buf.subarray(0, n));
    return sniff({ size, read: (p, l) => src.read(p, l) });
  } finally {
    closeSync(fd);
  }
}

/** Classifies one file; `undefined` when it is not something we scan. */
export function classify(
  abs: string,
  size: number,
): Omit<DiscoveredFile, 'path' | 'abs' | 'size'> | undefined {
  const name = basename(abs);
  if (depsFormat(name)) return { kind: 'requirements' };
  if (name === '.env' || name.startsWith('.env.')) return { kind: 'config' };
  const byExt = BY_EXT[extname(name).toLowerCase()];
  if (byExt === 'notebook' || byExt === 'python' || byExt === 'config') return { kind: byExt };
  const magic = sniffFile(abs, size);
  if (byExt) {
    const expected = EXPECTED[byExt];
    if (expected && !expected.includes(magic)) {
      if (magic === undefined) return byExt === 'pytorch' ? undefined : { kind: byExt };
      return {
        kind: MAGIC_KIND[magic] ?? byExt,
        magic,
        mismatch: `${extname(name)} file contains ${magic} data`,
      };
    }
    return magic ? { kind: byExt, magic } : { kind: byExt };
  }
  if (!magic) return undefined;
  if (COMPRESSED.has(magic)) return classifyCompressed(abs, name, size, magic);
  const kind = MAGIC_KIND[magic]!;
  return magic === 'pickle'
    ? { kind, magic, mismatch: `pickle data under the name "${name}"` }
    : { kind, magic };
}

/** Options for `walk`. */
export interface WalkOptions {
  gitignore: boolean;
  exclude: string[];
}

/** Lists scannable files below `root` (or `root` itself when it is a file). */
export function walk(
  root: string,
  opts: WalkOptions,
  onSkip?: (path: string, why: string) => void,
): DiscoveredFile[] {
  const out: DiscoveredFile[] = [];
  const st = statSync(root);
  if (st.isFile()) {
    const c = classify(root, st.size);
    if (c) out.push({ path: basename(root), abs: root, size: st.size, ...c });
    return out;
  }
  const rules: Array<{ base: string; ig: Ignore }> = [];
  const user = ignore().add(opts.exclude);
  rules.push({ base: root, ig: user });
  const info = join(root, '.git', 'info', 'exclude');
  if (opts.gitignore && existsSync(info))
    rules.push({ base: root, ig: ignore().add(readFileSync(info, 'utf8')) });

  const visit = (dir: string) => {
    let pushed = false;
    const gi = join(dir, '.gitignore');
    if (opts.gitignore && existsSync(gi)) {
      rules.push({ base: dir, ig: ignore().add(readFileSync(gi, 'utf8')) });
      pushed = true;
    }
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      onSkip?.(relative(root, dir), (e as Error).message);
      entries = [];
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      if (ALWAYS_SKIP.has(e.name)) continue;
      const abs = join(dir, e.name);
      const isDir = e.isDirectory();
      const ignored = rules.some((r) => {
        const rel = relative(r.base, abs).split(sep).join('/');
        return rel !== '' && r.ig.ignores(isDir ? `${rel}/` : rel);
      });
      if (ignored) continue;
      if (e.isSymbolicLink()) {
        onSkip?.(relative(root, abs), 'symbolic link not followed');
        continue;
      }
      if (isDir) visit(abs);
      else if (e.isFile()) {
        const size = statSync(abs).size;
        const c = classify(abs, size);
        if (c) out.push({ path: relative(root, abs).split(sep).join('/'), abs, size, ...c });
      }
    }
    if (pushed) rules.pop();
  };
  visit(root);
  return out;
}
