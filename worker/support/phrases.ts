/**
 * The screening phrase list (maintained; how and why in docs/SUPPORT.md). Patterns are regular
 * expressions over NORMALISED text (see screening.ts): lower case, accents removed (ß → ss),
 * apostrophes dropped ("don't" → "dont"), every other non-letter a single space. Each pattern is
 * matched as whole words. Phrases, not single words, so everyday idioms ("this deadline is killing
 * me", "I'm dying to see it") stay out; the tests list both sides.
 *
 * Sources: the warning-sign statements of the 988 Lifeline and the Columbia Suicide Severity Rating
 * Scale (C-SSRS) screener's questions, the phrasings in Samaritans' media guidelines, and their
 * German, French and Spanish counterparts used by TelefonSeelsorge, the 3114 and the 024 line.
 */

export type ScreeningCategory = "suicide" | "self_harm" | "harm_to_others";

export interface PhraseSet {
  language: "en" | "de" | "fr" | "es";
  category: ScreeningCategory;
  patterns: string[];
}

export const phraseSets: PhraseSet[] = [
  {
    language: "en",
    category: "suicide",
    patterns: [
      "suicidal",
      "suicide",
      "(kill|killing|end|ending|take|taking) (myself|my self|my own life|my life)",
      "end it all",
      "(want|wanna|plan|planning|ready|deserve) to die",
      "wish i (was|were|had) (dead|never been born)",
      "better off (dead|without me)",
      "(dont|do not|no longer) want to (live|be alive|be here|exist|wake up)",
      "(no|nothing) (reason|point) (to live|in living|to go on)",
      "(life is )?not worth living",
      "(cant|cannot|can not) go on( living| like this| anymore| any more)",
      "hang myself",
      "(take|taking|took) an overdose",
      "overdose on (pills|tablets|meds|medication|my \\w+)",
      "jump (off|from) (a|the|my) (bridge|building|roof|balcony|cliff)",
    ],
  },
  {
    language: "en",
    category: "self_harm",
    patterns: ["(hurt|hurting|harm|harming|cut|cutting|burn|burning) myself", "self harm(ing)?", "selfharm(ing)?"],
  },
  {
    language: "en",
    category: "harm_to_others",
    patterns: [
      "(want|going|gonna|plan|planning) to (kill|hurt|stab|shoot|strangle) (him|her|them|you|someone|somebody|people|everyone|my (wife|husband|partner|boss|mother|mom|mum|father|dad|brother|sister|son|daughter|family|kids|children|neighbou?r|ex|friend|roommate|flatmate|coworker|colleague|teacher))",
      "(kill|hurt|stab|shoot) (someone|somebody|people|everyone)",
      "shoot up (the|my|a) \\w+",
    ],
  },
  {
    language: "de",
    category: "suicide",
    patterns: [
      "suizid\\w*",
      "selbstmord\\w*",
      "mich (selbst )?(umbringen|toten)",
      "bringe? mich um",
      "(nicht mehr|nicht langer) leben",
      "(mein|meinem) leben (ein ende setzen|beenden)",
      "mir das leben nehmen",
      "(will|mochte|wurde am liebsten) sterben",
      "lieber tot",
    ],
  },
  {
    language: "de",
    category: "self_harm",
    patterns: ["selbstverletz\\w*", "mich (selbst )?(ritzen|verletzen)", "ritze mich"],
  },
  {
    language: "de",
    category: "harm_to_others",
    patterns: ["(ihn|sie|jemanden|dich|euch) (umbringen|toten|erstechen|erschiessen)", "bringe? (ihn|sie|dich|jemanden) um"],
  },
  {
    language: "fr",
    category: "suicide",
    patterns: [
      "suicid\\w*",
      "me (tuer|suicider)",
      "en finir avec (la|ma) vie",
      "(veux|voudrais|vais) en finir",
      "mettre fin a (mes jours|ma vie)",
      "(plus envie de|pas envie de|ne veux plus) vivre",
      "(veux|voudrais|envie de) mourir",
    ],
  },
  {
    language: "fr",
    category: "self_harm",
    patterns: ["me faire du mal", "me (scarifier|mutiler)", "automutil\\w*"],
  },
  {
    language: "fr",
    category: "harm_to_others",
    patterns: ["(vais|veux) (le|la|les|te|vous) tuer", "tuer (quelqu un|tout le monde)"],
  },
  {
    language: "es",
    category: "suicide",
    patterns: [
      "suicid\\w*",
      "matarme",
      "quitarme la vida",
      "acabar con mi vida",
      "no quiero (vivir|seguir viviendo)",
      "(me )?(quiero|quisiera) morir(me)?",
    ],
  },
  {
    language: "es",
    category: "self_harm",
    patterns: ["hacerme dano", "autolesion\\w*", "cortarme (las venas|los brazos|las munecas)"],
  },
  {
    language: "es",
    category: "harm_to_others",
    patterns: ["(voy a|quiero) (matarlo|matarla|matarlos|matarlas|matarte|matar a \\w+)", "matar a (alguien|todos)"],
  },
];

/**
 * Everyday phrases removed before matching: idioms and titles that contain a listed phrase but are
 * not about harm ("killing myself laughing", the film "Suicide Squad").
 */
export const benignPhrases: string[] = [
  "suicide squad",
  "suicide doors",
  "(kill|killing) myself laughing",
  "(take|taking|took) my life back",
];
