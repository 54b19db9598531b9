/**
 * Public, licensed sources of the detection corpus: where each comes from (repository, commit, file,
 * licence) and how its rows are chosen. Read from git snapshots of the repositories (`git show
 * <commit>:<path>`), so a rebuild gives the same rows as long as the commits are reachable.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { sampleByHash } from './rand.js';
import type { CorpusRow } from './types.js';

export interface PublicSource {
  source: string;
  repository: string;
  commit: string;
  paths: string[];
  licence: string;
  selection: string;
  rows: (read: (path: string) => string) => CorpusRow[];
}

type Json = any;

const SUMMARY_PREFIX = 'Summarize the following text:\n\n';

export const PUBLIC_SOURCES: PublicSource[] = [
  {
    source: 'gpteacher-roleplay',
    repository: 'teknium1/GPTeacher',
    commit: '481075123c29854bddb82655badeef6a438f2436',
    paths: ['Roleplay/roleplay-simple-deduped-roleplay-instruct.json'],
    licence: 'MIT',
    selection:
      'instruction (+ "\\n\\n" + input when present) of 300 rows with the smallest FNV-1a hash of the instruction; role-play and creative-writing requests, labelled hard_negative (they say "imagine you are", "pretend", "act as")',
    rows: (read) =>
      sampleByHash(
        JSON.parse(read('Roleplay/roleplay-simple-deduped-roleplay-instruct.json')) as Json[],
        300,
        (x) => String(x.instruction),
      ).map((x) => ({
        text: x.input ? `${x.instruction}\n\n${x.input}` : String(x.instruction),
        label: 'benign',
        category: 'hard_negative',
        source: 'gpteacher-roleplay',
        family: 'roleplay',
        lang: 'en',
      })),
  },
  {
    source: 'gpteacher-code',
    repository: 'teknium1/GPTeacher',
    commit: '481075123c29854bddb82655badeef6a438f2436',
    paths: ['Codegen/codegen-instruct.json'],
    licence: 'MIT',
    selection:
      '300 rows with the smallest FNV-1a hash of the instruction: 150 as "instruction\\n\\ninput" (code-generation requests), 150 as a code-review request wrapping the row\'s response code ("Can you review this code?" + fenced code)',
    rows: (read) => {
      const all = sampleByHash(JSON.parse(read('Codegen/codegen-instruct.json')) as Json[], 300, (x) =>
        String(x.instruction),
      );
      return all.map((x, i) => ({
        text:
          i % 2 === 0
            ? x.input
              ? `${x.instruction}\n\n${x.input}`
              : String(x.instruction)
            : `Can you review this code?\n\n\`\`\`\n${x.response}\n\`\`\``,
        label: 'benign',
        category: 'benign',
        source: 'gpteacher-code',
        family: i % 2 === 0 ? 'code' : 'code-review',
        lang: 'en',
      }));
    },
  },
  {
    source: 'xquad',
    repository: 'google-deepmind/xquad',
    commit: '7d30520c717524000f0d9d2f9c10a069acd9d285',
    paths: ['xquad.{ar,de,el,en,es,hi,ro,ru,th,tr,vi,zh}.json'],
    licence: 'CC-BY-SA-4.0 (rows in data/detection/public.jsonl with source xquad stay under CC BY-SA 4.0)',
    selection:
      'per language (12): 20 questions with the smallest FNV-1a hash (multilingual chat), and 6 paragraphs (context) as "Summarize the following text:" + paragraph (documents to summarise)',
    rows: (read) => {
      const out: CorpusRow[] = [];
      for (const lang of ['ar', 'de', 'el', 'en', 'es', 'hi', 'ro', 'ru', 'th', 'tr', 'vi', 'zh']) {
        const data = JSON.parse(read(`xquad.${lang}.json`)) as Json;
        const questions: string[] = [];
        const contexts: string[] = [];
        for (const art of data.data)
          for (const p of art.paragraphs) {
            contexts.push(p.context);
            for (const qa of p.qas) questions.push(qa.question);
          }
        for (const q of sampleByHash(questions, 20, (x) => x))
          out.push({
            text: q,
            label: 'benign',
            category: 'benign',
            source: 'xquad',
            family: 'multilingual',
            lang,
          });
        for (const c of sampleByHash(contexts, 6, (x) => x))
          out.push({
            text: SUMMARY_PREFIX + c,
            label: 'benign',
            category: 'benign',
            source: 'xquad',
            family: 'document',
            lang,
          });
      }
      return out;
    },
  },
  {
    source: 'svamp',
    repository: 'arkilpatel/SVAMP',
    commit: '689d7ccac74b9983a2ac7cc3b264f441b99e7c53',
    paths: ['SVAMP.json'],
    licence: 'MIT',
    selection: 'Body + " " + Question of 250 problems with the smallest FNV-1a hash of the ID',
    rows: (read) =>
      sampleByHash(JSON.parse(read('SVAMP.json')) as Json[], 250, (x) => String(x.ID)).map((x) => ({
        text: `${String(x.Body).trim()}. ${String(x.Question).trim()}`
          .replace(/\.\./g, '.')
          .replace(/ \./g, '.'),
        label: 'benign',
        category: 'benign',
        source: 'svamp',
        family: 'math',
        lang: 'en',
      })),
  },
  {
    source: 'deepinception',
    repository: 'tmlr-group/DeepInception',
    commit: 'fc5689e76c4dd87a14babf1eadf890532f2b6880',
    paths: [
      'res/data_main.json',
      'res/data_further_q.json',
      'res/data_multi_scene.json',
      'res/data_abl_c.json',
      'res/data_abl_layers.json',
    ],
    licence: 'MIT',
    selection:
      'every distinct nested-fiction jailbreak prompt: inception_attack fields and questions[] entries containing "layer i create layer i+1" (plain harmful questions are left out)',
    rows: (read) => {
      const seen = new Set<string>();
      for (const f of [
        'res/data_main.json',
        'res/data_further_q.json',
        'res/data_multi_scene.json',
        'res/data_abl_c.json',
        'res/data_abl_layers.json',
      ]) {
        for (const x of JSON.parse(read(f)) as Json[]) {
          if (typeof x.inception_attack === 'string') seen.add(x.inception_attack);
          for (const q of x.questions ?? [])
            if (typeof q === 'string' && q.includes('layer i create layer i+1')) seen.add(q);
        }
      }
      return [...seen].map((text) => ({
        text,
        label: 'attack',
        category: 'jailbreak',
        source: 'deepinception',
        family: 'nested-fiction',
        lang: 'en',
      }));
    },
  },
  {
    source: 'greshake-llm-security',
    repository: 'greshake/llm-security',
    commit: '87f4b7ffa568b7261a79b31573068d8113319212',
    paths: ['scenarios/common/albert_einstein.md', 'scenarios/puzzle/puzzles/*'],
    licence: 'MIT',
    selection: 'every file: indirect-injection payloads written to be planted in web pages and documents',
    rows: (read) =>
      [
        'scenarios/common/albert_einstein.md',
        ...[
          'ai-box',
          'cnc',
          'leave-a-message',
          'monkeypawdan',
          'rickroll',
          'social-engineer',
          'sqlserver',
          'terminal-musk',
        ].map((p) => `scenarios/puzzle/puzzles/${p}`),
      ].map((p) => ({
        text: read(p).trim(),
        label: 'attack',
        category: 'injection',
        source: 'greshake-llm-security',
        family: 'indirect-document',
        lang: 'en',
      })),
  },
  {
    source: 'hwchase17-adversarial',
    repository: 'hwchase17/adversarial-prompts',
    commit: 'deaa46686dea8a4534abe2aacaffe171981dfad7',
    paths: ['prompts/*.txt'],
    licence: 'MIT',
    selection: 'the prompt: section of every file (goal-hijacking and prompt-leak attacks)',
    rows: (read) =>
      ['haha-pwned-acrostic', 'haha-pwned-advanced', 'haha-pwned-basic', 'translation-leakage'].map((p) => {
        const raw = read(`prompts/${p}.txt`);
        const at = raw.indexOf('prompt:');
        return {
          text: (at >= 0 ? raw.slice(at + 7) : raw).trim(),
          label: 'attack',
          category: 'injection',
          source: 'hwchase17-adversarial',
          family: 'override',
          lang: 'en',
        };
      }),
  },
  {
    source: 'persuasion-taxonomy',
    repository: 'CHATS-lab/persuasive_jailbreaker',
    commit: '11f8e8e89e5fcb2aaeb9d05b9570495d004b499d',
    paths: ['persuasion_taxonomy.jsonl'],
    licence: 'MIT',
    selection:
      'every ss_example: benign persuasive writing (the technique examples, not attacks), as hard negatives',
    rows: (read) =>
      read('persuasion_taxonomy.jsonl')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Json)
        .map((x) => ({
          text: String(x.ss_example),
          label: 'benign',
          category: 'hard_negative',
          source: 'persuasion-taxonomy',
          family: 'persuasive-writing',
          lang: 'en',
        })),
  },
];

/** The AdvBench goals the persuasion generator wraps (harmful requests, not attacks on their own). */
export const ADVBENCH: Omit<PublicSource, 'rows' | 'source'> & { source: string } = {
  source: 'advbench-goals',
  repository: 'NJUNLP/ReNeLLM',
  commit: '522d8e1df7d6ee9cfba4b09caa9990c613b0a4a6',
  paths: ['data/advbench/harmful_behaviors.csv'],
  licence: 'MIT (AdvBench, Zou et al. 2023, llm-attacks/llm-attacks)',
  selection: 'the goal column, used only as the harmful task inside synth-persuasion rows',
};

/** Reads the goal column of the AdvBench CSV (goals contain no quotes or commas-in-quotes issues we need). */
export function advbenchGoals(read: (path: string) => string): string[] {
  return read('data/advbench/harmful_behaviors.csv')
    .split('\n')
    .slice(1)
    .map((line) => (line.startsWith('"') ? line.slice(1, line.indexOf('"', 1)) : line.split(',')[0]!))
    .filter((g) => g && g.length > 10);
}

/** A reader for one repository snapshot (`<mirror>/<owner>+<name>/repo`, a bare git directory). */
export function snapshotReader(mirror: string, repository: string, commit: string): (path: string) => string {
  const gitDir = join(mirror, repository.replace('/', '+'), 'repo');
  return (path) =>
    execFileSync('git', ['--git-dir', gitDir, 'show', `${commit}:${path}`], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
}
