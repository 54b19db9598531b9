/**
 * Multilingual word classes ("concepts") the phrase rules are written in. A rule says "an override
 * verb, then within three words a word for instructions"; the lexicon says which words, in which
 * languages, are override verbs. Writing rules over concepts rather than phrasings is what lets them
 * catch rewordings they were never shown.
 *
 * Entries are folded like user text (see `normalize.ts`): lower-case, no diacritics. A trailing `*`
 * marks a stem (prefix match, at least 4 characters), so one entry covers inflections.
 * @module
 */

/** Concept ids. Each is one bit of a token's mask. */
export const C = {
  IGNORE: 1 << 0,
  PRIOR: 1 << 1,
  INSTR: 1 << 2,
  ALL: 1 << 3,
  YOUR: 1 << 4,
  REVEAL: 1 << 5,
  SECRET: 1 << 6,
  PERSONA: 1 << 7,
  UNRESTRICT: 1 << 8,
  RESTRICT: 1 << 9,
  NO: 1 << 10,
  AI: 1 << 11,
  NOTE: 1 << 12,
  RESPONSE: 1 << 13,
  EDIT: 1 << 14,
  NEG: 1 << 15,
  WORDS: 1 << 16,
  SEND: 1 << 17,
  PRIVATE: 1 << 18,
  IMPERATIVE: 1 << 19,
  CODEVERB: 1 << 20,
  SNIPPET: 1 << 21,
  NEW: 1 << 22,
  ROT13: 1 << 23,
  HARM: 1 << 24,
  REF: 1 << 25,
  THIS: 1 << 26,
  DOCNOUN: 1 << 27,
  SYSWORD: 1 << 28,
  ROLEWORD: 1 << 29,
  CSSWORD: 1 << 30,
} as const;

export type ConceptName = keyof typeof C;

/**
 * Second concept word (a token's `mask2`): intent-structure concepts that survive rewording, used by
 * the phrase rules (`@NAME` looks in both tables) and by the intent features in `scan-prompt.ts`.
 */
export const C2 = {
  /** Passive "you were told/instructed": instructions someone gave the model, in many languages. */
  TOLD: 1 << 0,
  /** Fiction and role-play framing: novel, screenplay, villain, alternate universe. */
  FICTION: 1 << 1,
  /** A guarded value: password, access code, secret key, PIN. */
  SECRETOBJ: 1 << 2,
  /** Deception and harm-at-scale goals: disinformation, propaganda, phishing, fraud. */
  DECEIVE: 1 << 3,
  /** Demands for operational detail: step-by-step, exact, specific, detailed. */
  DETAIL: 1 << 4,
  /** Words that announce a change of rules: updated, override, restarted, suspended. */
  CHANGE: 1 << 5,
  /** Words that only occur in code: def, return, const, function, import, println. */
  CODEWORD: 1 << 6,
  /** Words of account and payment notifications: balance, invoice, statement, transaction. */
  NOTICE: 1 << 7,
  /** Verbs of compliance: follow, obey, take into account (negated, they drop instructions). */
  FOLLOW: 1 << 8,
  /** "Given/received" (the rules you were given); only meaningful next to a word for rules. */
  GIVEN: 1 << 9,
} as const;

export type Concept2Name = keyof typeof C2;

export const CONCEPT2_WORDS: Record<Concept2Name, string> = {
  TOLD:
    'instructed programmed taught briefed dijeron dicho indicado indico dit dites gesagt gesagte detto dette ' +
    'disseram dito verteld gezegd powiedziano kazano mowiono говорили сказали сказано велели казали сказано ' +
    'söylenen soylenen soylendi diberitahukan dikatakan dan dặn dan قيل बताई बताया बताए tillsagd sagts sagt ' +
    'receno řečeno spus spuse είπαν ειπαν шאמרו שאמרו گفته',
  FICTION:
    'fiction fictional novel novels novelist screenplay screenwriter script chapter scene villain villains ' +
    'character characters layer layers universe dystopian thriller story stories storyline plot roleplaying ' +
    'role-playing tabletop documentary narrator fairy tale playwright theater theatre',
  SECRETOBJ:
    'password passwords passcode passphrase pin credential credentials ' +
    'contrasena senha mot passe passwort wachtwoord haslo пароль пароля parola sifre sifresini sandi ' +
    'khau كلمة पासवर्ड 密码 パスワード 비밀번호 losenord heslo κωδικο סיסמת رمز',
  DECEIVE:
    'disinformation misinformation propaganda hoax hoaxes defamatory defame* slander* phishing scam scams ' +
    'scammer* fraud fraudulent counterfeit* smuggl* trafficking extremist extremism radicaliz* recruit* ' +
    'manipulat* untraceable launder* ransomware botnet keylogger stalk* harass* blackmail* extort* ' +
    'fake forged forge claiming convince persuade',
  DETAIL:
    'step-by-step steps detailed detail details exact exactly precise precisely specific concrete ' +
    'practical thorough complete full tutorial recipe instructions',
  CHANGE:
    'updated update override overridden overrule* restarted restart reset suspended revoked lifted ' +
    'cancelled canceled void invalid obsolete disabled deactivated unlocked',
  CODEWORD:
    'def return const let var function import println printf elif lambda async await struct impl fn ' +
    'void int bool null none self this public private static class interface typeof',
  FOLLOW:
    'follow following obey obeying comply adhere seguir sigas siga sigue seguire segui suivre suis suivez ' +
    'compte caso folgen folge befolge* beachte beachten volg volgen stosuj przestrzegaj следуй следовать ' +
    'соблюдай выполняй обращай виконуй дотримуйся зважай uyma uyun ikuti mengikuti patuhi theo تتبع اتبع ' +
    'पालन folj folja urma respecta ακολουθεις ακολουθησε תמלא תציית پیروی',
  GIVEN:
    'given received dieron dado dados recibiste donnees recues gegeben gegebenen erhalten dato dati ' +
    'recebeu recebidas gekregen gegeven otrzymales otrzymałeś verilen diberikan giao أعطيت दिए 收到 fatt ' +
    'dostal primit δοθηκαν שקיבלת داده',
  NOTICE:
    'balance invoice statement transaction transactions payment payments charged refund deposit ' +
    'withdrawal account ending receipt subscription renews shipped tracking unsubscribe',
};

/** Word lists per concept (space separated). Languages: en es fr de it pt nl pl ru uk tr id vi ar hi. */
export const CONCEPT_WORDS: Record<ConceptName, string> = {
  IGNORE:
    'ignor* disregard* forget forgets forgetting forgot overrid* overwrit* bypass* neglect* dismiss* discard* ' +
    'skip abandon* omit* overlook* overrul* unlearn* scrap erase wipe ' +
    'olvid* descart* oubli* vergiss vergessen vergesst missacht* dimentic* trascur* esquec* ' +
    'negeer* strunta glom glöm ignorera* zapomen* ignoruj uita uitati ignora ignorati ξεχασε αγνοησε שכח התעלם ' +
    'فراموش نادیده ' +
    'desconsider* negeer* vergeet zignoruj* ignoruj* zapomnij* pomin* игнорир* проигнорир* забудь* забуд* ' +
    'пренебре* отбрось ігнор* проігнор* yoksay* unut* abaikan lupakan تجاهل تجاهلي انس انسى अनदेखा भूल',
  PRIOR:
    'previous* prior above earlier preceding former foregoing original initial old existing prev ' +
    'anterior* previa* previo* precedent* anterieur* dessus vorherig* vorig* obig* bisherig* vorangegangen* ' +
    'fruher* sopra precedenti voorgaande vorige eerdere bovenstaande poprzedni* wczesniejsz* powyzsz* ' +
    'предыдущ* прежн* вышеуказан* вышеизложен* ранее попередн* onceki* yukaridaki sebelumnya terdahulu diatas ' +
    'truoc السابقة السابق पिछल* पूर्व tidigare dalsi predchozi* drive drivejsi anterioare anterior ' +
    'προηγουμεν* πριν הקודמות קודם قبلی قبلاً before formerly पहले',
  INSTR:
    'instruction* instruct rules rule guideline* directive* command* prompt* guidance constraint* programming ' +
    'instruccion* regla* indicacion* directriz* directric* consigne* regle* anweisung* regel* vorgabe* ' +
    'befehl* richtlinie* istruzion* regol* indicazion* direttiv* instrucoe* instrucao regra* diretriz* ' +
    'orientacoe* instructie* richtlijn* opdracht* instrukcj* polecen* zasad* wytyczn* инструкц* правил* ' +
    'указани* директив* інструкц* talimat* kural* yonerge* instruksi perintah aturan petunjuk التعليمات ' +
    'تعليمات الاوامر الأوامر निर्देश* नियम direction directions orders briefing settings ' +
    'instruktion* regl* reglerna pokyn* pravidl* instructiun* reguli* regulile οδηγι* κανον* הוראות כללים ' +
    'دستورالعمل* قوانین* قواعد القواعد ההוראות מהכללים नियम*',
  ALL:
    'all everything any every anything todo todos todas tout tous toutes alle alles tutto tutti tutte tudo ' +
    'wszystk* все всех всё вся всі усі tum tumunu butun semua segala جميع كل सभी सब allt alla vsechno ' +
    'všechno tot toate ολα όλα כל همه whatever усе seyi هر',
  YOUR: 'your yours you ur u tu tus tes vos votre vous dein deine deinen ihre tue tuoi tua suas seus je jouw twoj* twoje твои ваши свои свої senin anda kamu dina',
  REVEAL:
    'reveal* show print* repeat* output display* leak* disclose* expose* tell give share dump echo recite ' +
    'write list provide spell translate muestra revela mostrar montre affiche revele zeig* gib nenne ' +
    'mostra rivela покажи* выведи* раскрой* повтори*',
  SECRET:
    'system initial hidden original secret internal confidential developer pre meta sistema systeme системн*',
  PERSONA:
    'act acting pretend* roleplay* role-play impersonat* simulat* embody become emulat* portray* persona ' +
    'character',
  UNRESTRICT:
    'unfiltered uncensored unrestricted unlimited unbound unchained jailbreak* jailbroken amoral immoral ' +
    'unethical lawless limitless unmoderated unshackled',
  RESTRICT:
    // Nouns only: "not ethical" judges an act, "no ethics" drops a restriction.
    'restriction* limitation* limits filter* censorship censor* boundaries constraint* morals ethics ' +
    'principles safeguards guardrails polic* rules guidelines',
  NO: 'no without free zero none never not non',
  AI:
    'ai assistant assistants llm llms model chatbot gpt chatgpt claude bard gemini bot agent agents copilot ' +
    'ki ia ии',
  NOTE: 'note notice message attention reminder memo ps important instruction instructions',
  RESPONSE: 'response responses reply replies answer answers output outputs summary summaries',
  EDIT:
    'add include insert append mention end start begin conclude modify change incorporate embed suggest ' +
    'recommend misspell translate encode rewrite replace remove emphasize highlight promote advertise ' +
    'put use ensure make respond reply format write integrate enhance augment render scramble anagram ' +
    'jumble substitute convert combine introduce shuffle capitalize spell rephrase paraphrase reverse ' +
    'encrypt',
  NEG:
    'not dont don never stop cease no cannot cant won wont ne nicht non nao niet nie не ні jangan dung đừng ' +
    'لا मत inte nu μην אל نکن arrete deja smetti pare przestan перестань berhenti hor',
  WORDS: 'words text everything content lines sentences characters tokens message messages all',
  SEND: 'send sends forward* transmit* upload* post exfiltrat* leak*',
  PRIVATE:
    'conversation chat history data messages credentials password passwords keys key tokens token cookies ' +
    'secrets emails contacts files',
  IMPERATIVE:
    'write explain describe tell provide give list summarize summarise translate create generate compose ' +
    'draft answer calculate name recommend suggest find share discuss outline analyze analyse compare ' +
    'define identify offer include add insert mention modify misspell respond reply remove reverse encode ' +
    'change rewrite recite sing produce design plan show what how why who which when where can could ' +
    'develop craft elaborate brainstorm propose argue solve convert render integrate enhance augment ' +
    'scramble anagram jumble substitute combine introduce shuffle capitalize spell rephrase paraphrase ' +
    'predict classify evaluate rate rank sort count break conclude append embed promote',
  CODEVERB:
    'include use employ deploy integrate incorporate add insert utilize utilise embed run execute install ' +
    'apply implement adopt ensure keep',
  SNIPPET: 'code snippet script excerpt block segment fragment',
  NEW: 'new updated real actual true revised',
  // Override words as they read under ROT13: a cheap trigger for decoding the whole text.
  ROT13: 'vtaber cerivbhf vafgehpgvbaf vafgehpgvbaf flfgrz cebzcg qvfertneq sbetrg ehyrf nyy nobir',
  // A task that points at the supplied content ("summarize the following email") is the user's own
  // request about data, not an instruction smuggled into it.
  REF: 'following given below above attached provided enclosed underneath',
  THIS: 'this these',
  DOCNOUN:
    'email emails text article document table code passage message paragraph sentence sentences letter ' +
    'tweet review story data list snippet function program essay report',
  // Words the delimiter/hidden-style patterns need (structure.ts skips those regexes without them).
  SYSWORD: 'system',
  ROLEWORD: 'role tool function invoke name',
  CSSWORD: 'display visibility font opacity color',
  HARM:
    'bomb bombs explosive* weapon* meth methamphetamine malware ransomware hack hacking hacked kill poison* ' +
    'illegal drugs steal stealing stolen launder* suicide terror* firearm* firearms theft cocaine heroin ' +
    'fentanyl virus viruses trojan spyware exploit exploits exploiting assassinat* kidnap* torture* ' +
    'overdose cyberattack* ddos counterfeit* embezzl* evade evading bypassing',
};

/** CJK phrases (no spaces to tokenize on): [override verbs, instruction words]. */
export const CJK_IGNORE = [
  '忽略',
  '忽视',
  '无视',
  '無視',
  '忘记',
  '忘記',
  '忘掉',
  '不要理会',
  '不要再遵守',
  '不再遵守',
  '従わない',
  '따르지 마',
  '따르지 말',
  '무시',
  '잊어',
  '잊고',
  '忘れ',
];
export const CJK_INSTR = [
  '指令',
  '指示',
  '说明',
  '規則',
  '规则',
  '告诉你',
  '言われた',
  '들은',
  '命令',
  '提示',
  '设定',
  '設定',
  '지시',
  '명령',
  '지침',
  '규칙',
  '프롬프트',
  'プロンプト',
  'ルール',
];
export const CJK_PRIOR = [
  '之前',
  '以前',
  '上面',
  '上述',
  '先前',
  '前面',
  '이전',
  '위의',
  '前の',
  '以上',
  '收到的',
  '与えられた',
  '주어진',
  '言われた',
  'これまで',
  '들은',
];
export const CJK_REVEAL_SYSTEM = ['系统提示', '系統提示', '시스템 프롬프트', 'システムプロンプト'];

/**
 * Override vocabulary matched with one typing error (a dropped, added, swapped or wrong letter), but
 * only next to a correctly spelled override word: "ignore everthing", "ignroe previous instructions".
 * Six letters or more, so short words do not collide ("roles" is not "rules").
 */
export const FUZZY_WORDS =
  'ignore disregard forget previous earlier instructions instruction directions guidelines everything ' +
  'anything bypass override reveal password secret restrictions commands preceding original initial ' +
  'context programming system prompt';
