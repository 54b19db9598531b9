/**
 * Phrase rules over lexicon concepts (see `lexicon.ts`). Syntax of `p`: space-separated elements;
 * `@NAME` is a concept, a bare word is that exact (folded) word, `~N` lets up to N other words sit
 * before the next element. Scores are the rule's contribution to the risk score when it fires alone;
 * weak signals (0.2-0.45) only matter in combination, so benign role-play that says "act as" or
 * "ignore" once stays below the flag threshold.
 * @module
 */

/** One phrase rule. */
export interface PhraseRule {
  kind: string;
  score: number;
  p: string;
  message: string;
}

const OVERRIDE = 'injection.instruction_override';
const PERSONA = 'jailbreak.persona';
const UNRESTRICT = 'jailbreak.restriction_removal';
const DEV = 'jailbreak.mode_switch';
const EXTRACT = 'extraction.system_prompt';
const INDIRECT = 'injection.indirect';
const MANIPULATE = 'injection.output_manipulation';
const EXFIL = 'exfiltration.request';
const SECRET = 'extraction.secret';
const REASSURE = 'jailbreak.reassurance';
const CHANGE = 'injection.rule_change';

/** The rule table. Order does not matter; per kind the strongest match counts. */
export const PHRASE_RULES: PhraseRule[] = [
  // Instruction override, any language the lexicon covers.
  {
    kind: OVERRIDE,
    score: 0.93,
    p: '@IGNORE ~4 @PRIOR ~3 @INSTR',
    message: 'Instruction to ignore previous instructions',
  },
  {
    kind: OVERRIDE,
    score: 0.92,
    p: '@IGNORE ~3 @INSTR ~3 @PRIOR',
    message: 'Instruction to ignore previous instructions',
  },
  {
    kind: OVERRIDE,
    score: 0.88,
    p: '@IGNORE ~2 @YOUR ~2 @INSTR',
    message: "Instruction to ignore the assistant's instructions",
  },
  {
    kind: OVERRIDE,
    score: 0.7,
    p: '@IGNORE ~2 @ALL ~3 @PRIOR',
    message: 'Instruction to forget everything before',
  },
  {
    kind: OVERRIDE,
    score: 0.85,
    p: '@IGNORE ~2 @ALL ~4 @INSTR',
    message: 'Instruction to ignore all instructions',
  },
  {
    kind: OVERRIDE,
    score: 0.85,
    p: '@IGNORE ~3 @ALL ~3 @RESTRICT',
    message: 'Instruction to drop restrictions',
  },
  { kind: OVERRIDE, score: 0.6, p: '@IGNORE ~1 @ALL', message: 'Instruction to forget everything' },
  // Reworded overrides: "everything you have been told", "what you were instructed", in any language.
  {
    kind: OVERRIDE,
    score: 0.88,
    p: '@IGNORE ~1 @ALL ~6 @TOLD',
    message: 'Instruction to forget everything the assistant was told',
  },
  {
    kind: OVERRIDE,
    score: 0.86,
    p: '@IGNORE ~3 @YOUR ~3 told',
    message: 'Instruction to ignore what the assistant was told',
  },
  {
    kind: OVERRIDE,
    score: 0.8,
    p: '@IGNORE ~4 @TOLD',
    message: 'Instruction to ignore what the assistant was told',
  },
  {
    kind: OVERRIDE,
    score: 0.85,
    p: '@IGNORE ~5 @INSTR ~5 @TOLD',
    message: 'Instruction to ignore given rules',
  },
  {
    kind: OVERRIDE,
    score: 0.82,
    p: '@INSTR ~4 @TOLD ~4 @IGNORE',
    message: 'Instruction to ignore given rules',
  },
  {
    kind: OVERRIDE,
    score: 0.85,
    p: 'pay no attention ~4 @PRIOR',
    message: 'Instruction to ignore previous instructions',
  },
  {
    kind: OVERRIDE,
    score: 0.85,
    p: 'pay no attention ~4 @INSTR',
    message: 'Instruction to ignore instructions',
  },
  { kind: OVERRIDE, score: 0.82, p: 'set aside ~4 @INSTR', message: 'Instruction to set instructions aside' },
  { kind: OVERRIDE, score: 0.82, p: 'put aside ~4 @INSTR', message: 'Instruction to set instructions aside' },
  { kind: OVERRIDE, score: 0.8, p: 'set aside ~3 @PRIOR', message: 'Instruction to set instructions aside' },
  { kind: OVERRIDE, score: 0.8, p: 'put aside ~3 @PRIOR', message: 'Instruction to set instructions aside' },
  {
    kind: OVERRIDE,
    score: 0.82,
    p: 'stop follow* ~4 @INSTR',
    message: 'Instruction to stop following instructions',
  },
  {
    kind: OVERRIDE,
    score: 0.82,
    p: 'stop obey* ~4 @INSTR',
    message: 'Instruction to stop obeying instructions',
  },
  {
    kind: OVERRIDE,
    score: 0.82,
    p: 'quit obey* ~4 @INSTR',
    message: 'Instruction to stop obeying instructions',
  },
  {
    kind: OVERRIDE,
    score: 0.8,
    p: '@NEG ~2 obey* ~4 @INSTR',
    message: 'Instruction to stop obeying instructions',
  },
  {
    kind: OVERRIDE,
    score: 0.8,
    p: '@INSTR ~5 no longer appl*',
    message: 'Declares the instructions no longer valid',
  },
  { kind: OVERRIDE, score: 0.8, p: '@INSTR ~5 no longer matter', message: 'Declares the instructions void' },
  { kind: OVERRIDE, score: 0.8, p: '@NO ~2 bound ~3 @TOLD', message: 'Declares the instructions void' },
  {
    kind: OVERRIDE,
    score: 0.85,
    p: '@PRIOR ~3 @INSTR ~3 @CHANGE',
    message: 'Declares the previous instructions void',
  },
  { kind: OVERRIDE, score: 0.8, p: '@ALL ~2 @PRIOR ~4 @CHANGE', message: 'Declares everything before void' },
  { kind: OVERRIDE, score: 0.75, p: '@PRIOR ~2 prompt ~3 @CHANGE', message: 'Declares the prompt void' },
  { kind: OVERRIDE, score: 0.8, p: 'never received ~2 @INSTR', message: 'Asks to act without instructions' },
  {
    kind: OVERRIDE,
    score: 0.8,
    p: 'never mind ~4 @TOLD',
    message: 'Instruction to ignore what the assistant was told',
  },
  {
    kind: OVERRIDE,
    score: 0.8,
    p: 'never mind ~3 @YOUR ~3 told',
    message: 'Instruction to ignore what the assistant was told',
  },
  {
    kind: OVERRIDE,
    score: 0.8,
    p: '@IGNORE ~3 developer message',
    message: 'Instruction to ignore the developer',
  },
  {
    kind: OVERRIDE,
    score: 0.8,
    p: '@IGNORE ~3 @SECRET ~1 message',
    message: 'Instruction to ignore the system message',
  },
  { kind: OVERRIDE, score: 0.8, p: 'listen only to me', message: 'Claims sole authority over the assistant' },
  { kind: OVERRIDE, score: 0.8, p: '@YOUR ~1 real @INSTR', message: 'Announces the "real" instructions' },
  // Not following the previous rules, in the word orders of many languages.
  {
    kind: OVERRIDE,
    score: 0.84,
    p: '@NEG ~3 @FOLLOW ~4 @PRIOR ~3 @INSTR',
    message: 'Instruction to stop following previous instructions',
  },
  {
    kind: OVERRIDE,
    score: 0.84,
    p: '@NEG ~3 @FOLLOW ~4 @INSTR ~3 @PRIOR',
    message: 'Instruction to stop following previous instructions',
  },
  {
    kind: OVERRIDE,
    score: 0.8,
    p: '@NEG ~3 @FOLLOW ~3 @YOUR ~2 @INSTR',
    message: 'Instruction to stop following instructions',
  },
  {
    kind: OVERRIDE,
    score: 0.84,
    p: '@NEG ~3 @FOLLOW ~4 @INSTR ~4 @TOLD',
    message: 'Instruction to stop following given rules',
  },
  {
    kind: OVERRIDE,
    score: 0.84,
    p: '@NEG ~3 @FOLLOW ~4 @INSTR ~4 @GIVEN',
    message: 'Instruction to stop following given rules',
  },
  {
    kind: OVERRIDE,
    score: 0.82,
    p: '@FOLLOW ~2 @PRIOR ~2 @INSTR ~2 @NEG',
    message: 'Instruction to stop following previous instructions',
  },
  {
    kind: OVERRIDE,
    score: 0.82,
    p: '@FOLLOW ~1 @NEG ~3 @PRIOR ~2 @INSTR',
    message: 'Instruction to stop following previous instructions',
  },
  {
    kind: OVERRIDE,
    score: 0.82,
    p: '@PRIOR ~2 @INSTR ~2 @FOLLOW ~3 @NEG',
    message: 'Instruction to stop following previous instructions',
  },
  {
    kind: OVERRIDE,
    score: 0.82,
    p: '@INSTR ~2 @PRIOR ~2 @FOLLOW ~2 @NEG',
    message: 'Instruction to stop following previous instructions',
  },
  {
    kind: OVERRIDE,
    score: 0.82,
    p: '@NEG ~3 @PRIOR ~2 @INSTR ~2 @FOLLOW',
    message: 'Instruction to stop following previous instructions',
  },
  {
    kind: OVERRIDE,
    score: 0.85,
    p: '@IGNORE ~5 @INSTR ~5 @GIVEN',
    message: 'Instruction to ignore given rules',
  },
  {
    kind: OVERRIDE,
    score: 0.82,
    p: '@INSTR ~5 @GIVEN ~4 @IGNORE',
    message: 'Instruction to ignore given rules',
  },
  {
    kind: OVERRIDE,
    score: 0.82,
    p: '@GIVEN ~3 @INSTR ~3 @IGNORE',
    message: 'Instruction to ignore given rules',
  },
  {
    kind: OVERRIDE,
    score: 0.85,
    p: '@TOLD ~3 @ALL ~3 @IGNORE',
    message: 'Instruction to forget everything the assistant was told',
  },
  {
    kind: OVERRIDE,
    score: 0.85,
    p: '@ALL ~6 @TOLD ~4 @IGNORE',
    message: 'Instruction to forget everything the assistant was told',
  },
  {
    kind: OVERRIDE,
    score: 0.85,
    p: '@GIVEN ~2 @INSTR ~3 yok say',
    message: 'Instruction to ignore given rules (tr)',
  },
  {
    kind: OVERRIDE,
    score: 0.85,
    p: '@PRIOR ~2 @INSTR ~3 uyma',
    message: 'Instruction to stop following previous instructions (tr)',
  },
  {
    kind: OVERRIDE,
    score: 0.85,
    p: 'nerid ~3 @PRIOR ~2 @INSTR',
    message: 'Instruction to stop following previous instructions (cs)',
  },
  {
    kind: OVERRIDE,
    score: 0.85,
    p: '@NEG ~2 lam theo ~4 huong dan',
    message: 'Instruction to stop following instructions (vi)',
  },
  { kind: OVERRIDE, score: 0.85, p: 'bo qua ~4 quy tac', message: 'Instruction to ignore rules (vi)' },
  {
    kind: OVERRIDE,
    score: 0.85,
    p: 'quen moi ~4 dan',
    message: 'Instruction to forget what the assistant was told (vi)',
  },
  { kind: OVERRIDE, score: 0.45, p: '@IGNORE ~3 @INSTR', message: 'Mentions ignoring instructions' },
  {
    kind: OVERRIDE,
    score: 0.75,
    p: '@NEG ~2 follow ~3 @PRIOR ~2 @INSTR',
    message: 'Instruction to stop following instructions',
  },
  {
    kind: OVERRIDE,
    score: 0.7,
    p: '@NEG ~1 follow ~2 @YOUR ~2 @INSTR',
    message: 'Instruction to stop following instructions',
  },
  { kind: OVERRIDE, score: 0.7, p: '@YOUR @NEW @INSTR', message: 'Announces new instructions' },
  { kind: OVERRIDE, score: 0.55, p: '@NEW @INSTR ~2 are', message: 'Announces new instructions' },
  { kind: OVERRIDE, score: 0.5, p: 'instead ~3 @IGNORE', message: 'Redirects the task' },
  {
    kind: OVERRIDE,
    score: 0.9,
    p: 'bo qua ~4 huong dan',
    message: 'Instruction to ignore instructions (vi)',
  },
  {
    kind: OVERRIDE,
    score: 0.9,
    p: 'haz caso omiso ~4 @INSTR',
    message: 'Instruction to ignore instructions (es)',
  },
  {
    kind: OVERRIDE,
    score: 0.9,
    p: 'gormezden gel ~4 @INSTR',
    message: 'Instruction to ignore instructions (tr)',
  },
  {
    kind: OVERRIDE,
    score: 0.9,
    p: '@INSTR ~3 @PRIOR ~3 gormezden',
    message: 'Instruction to ignore instructions (tr)',
  },
  {
    kind: OVERRIDE,
    score: 0.9,
    p: '@PRIOR ~3 @INSTR ~3 yok say',
    message: 'Instruction to ignore instructions (tr)',
  },
  {
    kind: OVERRIDE,
    score: 0.85,
    p: '@INSTR ~3 dikkate alma',
    message: 'Instruction to ignore instructions (tr)',
  },
  {
    kind: OVERRIDE,
    score: 0.88,
    p: '@PRIOR ~3 @INSTR ~3 @IGNORE',
    message: 'Instruction to ignore previous instructions',
  },

  // Persona and jailbreak framing.
  { kind: DEV, score: 0.92, p: 'do anything now', message: 'DAN ("do anything now") jailbreak' },
  { kind: DEV, score: 0.85, p: 'developer mode ~2 enabled', message: 'Fake "developer mode" switch' },
  { kind: DEV, score: 0.45, p: 'developer mode', message: 'Mentions developer mode' },
  { kind: DEV, score: 0.8, p: 'dan mode', message: 'DAN mode jailbreak' },
  { kind: DEV, score: 0.7, p: 'jailbreak mode', message: 'Jailbreak mode' },
  { kind: DEV, score: 0.55, p: 'god mode', message: 'God-mode switch' },
  { kind: DEV, score: 0.55, p: '@UNRESTRICT mode', message: 'Unrestricted mode switch' },
  { kind: DEV, score: 0.5, p: 'mode ~1 enabled', message: 'Fake mode switch' },
  { kind: PERSONA, score: 0.45, p: 'you are now', message: "Reassigns the assistant's identity" },
  { kind: PERSONA, score: 0.3, p: 'from now on', message: 'Persistent behaviour change' },
  { kind: PERSONA, score: 0.3, p: 'stay in character', message: 'Asks to stay in character' },
  { kind: PERSONA, score: 0.25, p: 'role play', message: 'Role-play framing' },
  { kind: PERSONA, score: 0.35, p: 'pretend ~2 you ~1 are', message: 'Pretend framing' },
  { kind: PERSONA, score: 0.4, p: 'you ~2 no longer ~2 @AI', message: 'Denies being the assistant' },
  {
    kind: PERSONA,
    score: 0.55,
    p: '@PERSONA ~4 @UNRESTRICT',
    message: 'Role-play as an unrestricted character',
  },
  {
    kind: PERSONA,
    score: 0.55,
    p: '@PERSONA ~4 @AI ~4 @NO ~2 @RESTRICT',
    message: 'Role-play as an AI without restrictions',
  },
  {
    kind: PERSONA,
    score: 0.45,
    p: 'two ~2 different ~2 responses',
    message: 'Dual-response jailbreak format',
  },
  { kind: PERSONA, score: 0.45, p: 'two ~2 responses', message: 'Dual-response jailbreak format' },
  { kind: PERSONA, score: 0.3, p: 'hypothetical* ~3 scenario', message: 'Hypothetical framing' },
  { kind: PERSONA, score: 0.3, p: 'educational purposes', message: '"Educational purposes" framing' },
  { kind: UNRESTRICT, score: 0.5, p: '@NO ~3 @RESTRICT', message: 'Asks for no restrictions' },
  { kind: UNRESTRICT, score: 0.35, p: '@UNRESTRICT', message: 'Unrestricted/uncensored wording' },
  { kind: UNRESTRICT, score: 0.55, p: '@NEG ~3 refus*', message: 'Forbids refusing' },
  { kind: UNRESTRICT, score: 0.5, p: 'openai ~3 polic*', message: "Targets the provider's content policy" },
  { kind: UNRESTRICT, score: 0.45, p: 'content polic*', message: 'Targets the content policy' },
  { kind: UNRESTRICT, score: 0.5, p: '@NEG ~1 bound by', message: 'Claims not to be bound by rules' },
  { kind: UNRESTRICT, score: 0.45, p: 'break* free', message: '"Break free" framing' },
  { kind: UNRESTRICT, score: 0.45, p: '@NEG ~3 warnings', message: 'Forbids warnings' },
  { kind: UNRESTRICT, score: 0.4, p: 'always ~3 answer', message: 'Demands an answer regardless' },

  // System-prompt extraction.
  { kind: EXTRACT, score: 0.88, p: '@REVEAL ~4 @SECRET ~2 @INSTR', message: 'Asks for the system prompt' },
  {
    kind: EXTRACT,
    score: 0.7,
    p: '@REVEAL ~3 @YOUR ~2 @INSTR',
    message: "Asks for the assistant's instructions",
  },
  { kind: EXTRACT, score: 0.8, p: '@REVEAL ~4 @WORDS ~3 above', message: 'Asks to repeat the text above' },
  {
    kind: EXTRACT,
    score: 0.75,
    p: '@REVEAL ~6 starting with you are',
    message: 'Asks to repeat the prompt verbatim',
  },
  {
    kind: EXTRACT,
    score: 0.5,
    p: 'what ~2 @YOUR ~2 @SECRET ~2 @INSTR',
    message: 'Asks about the system prompt',
  },
  { kind: EXTRACT, score: 0.3, p: '@SECRET prompt', message: 'Mentions a system prompt' },
  { kind: EXTRACT, score: 0.3, p: '@REVEAL ~3 password', message: 'Asks for a password' },
  { kind: EXTRACT, score: 0.7, p: '@REVEAL ~3 @YOUR ~2 secret* ~1 password', message: 'Asks for a secret' },

  // Indirect injection: text addressed to the model inside content it is asked to process.
  { kind: INDIRECT, score: 0.8, p: '@NOTE ~1 to ~2 @AI', message: 'Note addressed to the AI' },
  { kind: INDIRECT, score: 0.8, p: '@NOTE ~1 for ~1 @AI', message: 'Note addressed to the AI' },
  { kind: INDIRECT, score: 0.7, p: 'if you ~2 @AI', message: 'Text addressed to an AI reader' },
  { kind: INDIRECT, score: 0.55, p: 'dear @AI', message: 'Text addressed to the assistant' },
  { kind: INDIRECT, score: 0.6, p: '@AI ~2 reading this', message: 'Text addressed to an AI reader' },
  {
    kind: INDIRECT,
    score: 0.6,
    p: 'when ~2 summarizing this',
    message: 'Instruction for whoever summarizes this',
  },
  {
    kind: MANIPULATE,
    score: 0.4,
    p: '@EDIT ~6 @YOUR @RESPONSE',
    message: 'Tells the model how to shape its response',
  },
  {
    kind: MANIPULATE,
    score: 0.4,
    p: 'in @YOUR @RESPONSE ~4 @EDIT',
    message: 'Tells the model how to shape its response',
  },
  {
    kind: MANIPULATE,
    score: 0.35,
    p: '@CODEVERB ~4 following ~2 @SNIPPET',
    message: 'Asks to include supplied code',
  },
  {
    kind: MANIPULATE,
    score: 0.35,
    p: '@SNIPPET ~4 @YOUR ~2 implementation',
    message: 'Asks to include supplied code',
  },

  // Guarded values, and changes of the rules that guard them (combined in scan-prompt.ts).
  { kind: SECRET, score: 0.35, p: '@REVEAL ~4 @SECRETOBJ', message: 'Asks for a guarded value' },
  { kind: SECRET, score: 0.35, p: 'what ~2 is ~3 @SECRETOBJ', message: 'Asks for a guarded value' },
  ...['access code', 'secret* key', 'api key', 'secret word', 'launch code', 'vault combination'].flatMap(
    (v) => [
      { kind: SECRET, score: 0.35, p: `@REVEAL ~4 ${v}`, message: 'Asks for a guarded value' },
      { kind: SECRET, score: 0.35, p: `what ~2 is ~3 ${v}`, message: 'Asks for a guarded value' },
      { kind: SECRET, score: 0.3, p: `${v} ~3 backwards`, message: 'Asks for a guarded value in disguise' },
      { kind: SECRET, score: 0.3, p: `spell ~3 ${v}`, message: 'Asks to spell a guarded value' },
      { kind: SECRET, score: 0.3, p: `hint ~3 ${v}`, message: 'Asks for a hint about a guarded value' },
    ],
  ),
  { kind: SECRET, score: 0.3, p: 'spell ~3 @SECRETOBJ', message: 'Asks to spell a guarded value' },
  { kind: SECRET, score: 0.3, p: 'hint ~3 @SECRETOBJ', message: 'Asks for a hint about a guarded value' },
  { kind: SECRET, score: 0.3, p: '@SECRETOBJ ~3 backwards', message: 'Asks for a guarded value in disguise' },
  { kind: SECRET, score: 0.3, p: 'encode ~3 @SECRETOBJ', message: 'Asks for a guarded value in disguise' },
  { kind: SECRET, score: 0.3, p: 'translate ~3 @SECRETOBJ', message: 'Asks for a guarded value in disguise' },
  { kind: CHANGE, score: 0.35, p: '@NEW @INSTR', message: 'Announces new rules' },
  { kind: CHANGE, score: 0.35, p: '@INSTR ~3 @CHANGE', message: 'Announces changed rules' },
  { kind: CHANGE, score: 0.35, p: '@CHANGE ~1 mode', message: 'Announces a mode change' },
  { kind: CHANGE, score: 0.4, p: 'debug mode', message: 'Fake debug mode' },
  { kind: CHANGE, score: 0.3, p: 'game ~2 over', message: 'Declares the game over' },
  { kind: CHANGE, score: 0.35, p: 'drop ~2 act', message: 'Asks to drop the act' },
  { kind: CHANGE, score: 0.3, p: 'switch roles', message: 'Swaps roles' },
  { kind: CHANGE, score: 0.3, p: 'end ~2 role play', message: 'Ends the role-play' },
  { kind: CHANGE, score: 0.35, p: 'restrictions ~3 @NEG apply', message: 'Declares restrictions void' },
  { kind: CHANGE, score: 0.35, p: 'allowed ~2 share everything', message: 'Grants itself permission' },
  { kind: CHANGE, score: 0.3, p: '@IGNORE ~2 part about', message: 'Drops part of the instructions' },

  // Reassurances that come with persuasion and fiction jailbreaks ("it is purely fictional").
  { kind: REASSURE, score: 0.35, p: 'purely fictional', message: 'Reassures that the request is fiction' },
  { kind: REASSURE, score: 0.35, p: 'just ~1 fiction', message: 'Reassures that the request is fiction' },
  { kind: REASSURE, score: 0.35, p: 'it is fiction', message: 'Reassures that the request is fiction' },
  { kind: REASSURE, score: 0.35, p: 'it s fiction', message: 'Reassures that the request is fiction' },
  { kind: REASSURE, score: 0.35, p: 'just a story', message: 'Reassures that the request is fiction' },
  { kind: REASSURE, score: 0.35, p: 'only a story', message: 'Reassures that the request is fiction' },
  {
    kind: REASSURE,
    score: 0.35,
    p: 'thought experiment',
    message: 'Reassures that the request is hypothetical',
  },
  { kind: REASSURE, score: 0.4, p: 'no real harm', message: 'Reassures that nothing bad will happen' },
  { kind: REASSURE, score: 0.4, p: 'never be used', message: 'Reassures that nothing bad will happen' },
  { kind: REASSURE, score: 0.4, p: 'nothing here is real', message: 'Reassures that the request is fiction' },
  { kind: REASSURE, score: 0.4, p: 'does not need to be true', message: 'Asks for falsehoods' },
  { kind: REASSURE, score: 0.4, p: '@NO ~1 disclaimers', message: 'Forbids disclaimers' },
  { kind: REASSURE, score: 0.4, p: 'without ~1 moral*', message: 'Asks to answer without morals' },
  { kind: REASSURE, score: 0.35, p: 'make believe', message: 'Reassures that the request is fiction' },
  { kind: REASSURE, score: 0.35, p: 'safe ~2 sandbox', message: 'Claims a safe sandbox' },
  { kind: REASSURE, score: 0.35, p: 'approved by ~2 company', message: 'Claims authorisation' },
  { kind: REASSURE, score: 0.35, p: 'written authorization', message: 'Claims authorisation' },
  { kind: REASSURE, score: 0.35, p: 'never refuses', message: 'Describes a character that never refuses' },
  { kind: REASSURE, score: 0.35, p: 'made-up statistics', message: 'Asks for fabricated evidence' },
  { kind: REASSURE, score: 0.35, p: 'made up statistics', message: 'Asks for fabricated evidence' },

  // Exfiltration.
  { kind: EXFIL, score: 0.65, p: '@SEND ~5 @PRIVATE ~6 to', message: 'Asks to send private data somewhere' },
  { kind: EXFIL, score: 0.4, p: '@SEND ~4 @PRIVATE', message: 'Mentions sending data' },
  { kind: EXFIL, score: 0.5, p: 'email ~2 @PRIVATE ~3 to', message: 'Asks to e-mail private data somewhere' },
];
