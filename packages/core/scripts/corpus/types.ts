/**
 * The row format of every file under `data/detection/`.
 * @module
 */

/** One labelled text. `family` and `lang` are optional (the original dev corpus has neither). */
export interface CorpusRow {
  text: string;
  label: 'attack' | 'benign';
  /** `jailbreak`, `injection`, `adversarial_suffix`, `benign` or `hard_negative`. */
  category: string;
  /** Where the row comes from: a public repository or one of our generators (`synth-*`). */
  source: string;
  /** Finer kind: `code`, `email`, `override-typo`, `roleplay-persuasion`, ... */
  family?: string;
  /** BCP 47 language tag when not English (or when the generator knows it). */
  lang?: string;
}
