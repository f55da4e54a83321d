// Generates the bundled demo data set: synthetic English (examples/reviews) and Korean (examples/reviews-ko) review
// sentiment corpora in which negation, double negation and contrast clauses decide the label, so a bag-of-words model
// does poorly while a contextual model can learn it. Seeded and deterministic; `--check` exits 1 on drift.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SIZES = { train: 4000, eval: 800, unlabelled: 4000 };

// ---------------------------------------------------------------------------------------------------------------
// Seeded randomness: mulberry32 (a 32-bit PRNG, plenty for picking words) seeded by an FNV-1a hash of a name.

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashString(text) {
  let h = 0x811c9dc5;
  for (const ch of text) h = Math.imul(h ^ ch.codePointAt(0), 0x01000193) >>> 0;
  return h;
}

class Rng {
  constructor(name) {
    this.next = mulberry32(hashString(name));
  }
  int(n) {
    return Math.floor(this.next() * n);
  }
  chance(p) {
    return this.next() < p;
  }
  pick(items) {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)];
  }
  /** entries: [weight, value] pairs. */
  weighted(entries) {
    const total = entries.reduce((sum, [w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [w, value] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    return entries[entries.length - 1][1];
  }
  shuffle(items) {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

const words = (text) => text.split('|');
const capitalise = (text) => text.charAt(0).toUpperCase() + text.slice(1);
const other = (polarity) => (polarity === 'pos' ? 'neg' : 'pos');

// ---------------------------------------------------------------------------------------------------------------
// English lexicon. Each aspect has a class; its adjectives are the class's own list plus (except for money) the
// general list. Flags: `!` ungradable (takes "absolutely", not "very"), `~` reads oddly when negated, `@` a noun
// phrase ("a mess": no intensifier, no negation, no attributive use), `^` predicative only.

const EN_ADJ = {
  general: {
    pos: 'great!|excellent!|wonderful!|fantastic!|brilliant!|impressive|superb!~|amazing!|good|outstanding!~|a highlight@',
    neg: 'terrible!~|awful!~|horrible!~|disappointing|mediocre|poor~|bad|dreadful!~|underwhelming|a letdown@|a disaster@',
  },
  story: {
    pos: 'gripping|engaging|clever|funny|moving|original',
    neg: 'boring|dull|predictable|tedious|confusing|messy|a mess@',
  },
  performance: { pos: 'convincing|natural|powerful|charismatic', neg: 'wooden|stiff|unconvincing|awkward' },
  look: { pos: 'stunning!|gorgeous!|beautiful|striking', neg: 'ugly|cheap-looking|dated|bland' },
  music: { pos: 'haunting|beautiful|memorable|catchy', neg: 'forgettable|grating|bland|repetitive' },
  design: { pos: 'sleek|elegant|stylish|beautiful', neg: 'ugly|bulky|dated|clunky' },
  display: { pos: 'sharp|crisp|bright|vivid', neg: 'dim|blurry|grainy|washed out' },
  sound: { pos: 'crisp|clear|rich|balanced', neg: 'muddy|tinny|harsh|muffled' },
  speed: { pos: 'fast|responsive|smooth|snappy', neg: 'sluggish|slow|laggy|buggy' },
  build: { pos: 'sturdy|solid|durable|well-built', neg: 'flimsy|fragile|cheaply made|wobbly' },
  typing: { pos: 'comfortable|responsive|crisp|quiet', neg: 'mushy|cramped|stiff|noisy' },
  comfort: { pos: 'comfortable|snug|soft|light', neg: 'uncomfortable|loose|stiff|painful' },
  battery: { pos: 'long-lasting|dependable|reliable', neg: 'weak|short-lived|unreliable' },
  noise: { pos: 'quiet|silent|unobtrusive', neg: 'loud|noisy|whiny' },
  function: { pos: 'effective|powerful|reliable|accurate', neg: 'ineffective|weak|unreliable|inaccurate' },
  staff: { pos: 'friendly|helpful|polite|professional', neg: 'rude|unhelpful|dismissive|slow' },
  process: { pos: 'quick|smooth|painless|easy', neg: 'slow|confusing|complicated|a hassle@' },
  price: { pos: 'fair|reasonable|affordable|a bargain@', neg: 'steep|outrageous!~|too high^~|a rip-off@' },
  value: { pos: 'great!|excellent!|good|outstanding!~', neg: 'poor|terrible!~|disappointing|bad' },
  product: { pos: 'reliable|sturdy|fast|well-built', neg: 'flimsy|sluggish|unreliable|buggy' },
};

function parseEnAdj(entry, polarity) {
  return {
    word: entry.replace(/[!~@^]/g, ''),
    polarity,
    extreme: entry.includes('!'),
    negatable: !entry.includes('~') && !entry.includes('@'),
    nominal: entry.includes('@'),
    attributive: !entry.includes('@') && !entry.includes('^'),
  };
}

const EN_LEXICON = Object.fromEntries(
  Object.entries(EN_ADJ).map(([cls, lists]) => [
    cls,
    {
      pos: words(lists.pos).map((e) => parseEnAdj(e, 'pos')),
      neg: words(lists.neg).map((e) => parseEnAdj(e, 'neg')),
    },
  ]),
);

/** An adjective that fits the class: its own list 60% of the time, otherwise the general list (not for money). */
function enAdjective(rng, cls, polarity, accept = () => true) {
  const own = EN_LEXICON[cls][polarity].filter(accept);
  const general = cls === 'price' || cls === 'value' ? [] : EN_LEXICON.general[polarity].filter(accept);
  if (general.length === 0 || (own.length > 0 && rng.chance(0.6))) return rng.pick(own);
  return rng.pick(general);
}

const EN_SHOP = words(
  'delivery:process|setup:process|return process:process|customer service:staff|warranty support:staff|' +
    'price:price|value for money:value',
);

/** Domains. Aspect `name:class[:pl]`; entity `name[:pl]`; kind media|product. */
const EN_DOMAINS = [
  {
    kind: 'media',
    verb: 'watch',
    entities: words(
      'Midnight Orchard|The Silent Harbor|Paper Lanterns|Iron Meadow|The Last Ferry|Glass Kingdom|Northern Lights|' +
        'A Winter Tale|The Quiet Hours|Red Canyon|the film|this movie|the sequel|the new thriller|this comedy|' +
        'the documentary|the series|this drama',
    ),
    aspects: words(
      'plot:story|script:story|dialogue:story|pacing:story|ending:story|humor:story|premise:story|twist:story|' +
        'characters:story:pl|direction:story|editing:story|final act:story|acting:performance|cast:performance|' +
        'lead performance:performance|villain:performance|soundtrack:music|score:music|cinematography:look|' +
        'special effects:look:pl|visuals:look:pl|costumes:look:pl|camera work:look',
    ),
    intros: words(
      'I watched {E} last weekend.|We saw {E} at the cinema on Friday.|My friends and I streamed {E} last night.|' +
        'I finally got around to watching {E}.|I went to see {E} with my sister.|We rented {E} for movie night.',
    ),
  },
  {
    kind: 'media',
    verb: 'play',
    entities: words(
      'Starfall Wars|Dungeon Odyssey|Neon Drift|Kingdom of Ash|the game|this game|the remaster|this shooter',
    ),
    aspects: words(
      'graphics:look:pl|controls:speed:pl|story:story|soundtrack:music|multiplayer:speed|level design:story|' +
        'combat:story|performance:speed|voice acting:performance|quest design:story|art style:look|menus:process:pl',
    ),
    intros: words(
      'I played {E} over the holidays.|I finished {E} last week.|My son and I have been playing {E}.|' +
        'I picked up {E} on sale.',
    ),
  },
  {
    kind: 'product',
    entities: words('the Zentra phone|the Novaphone|the Pixelon Mini|this phone|the handset|my new phone'),
    aspects: words(
      'battery:battery|screen:display|camera:display|speaker:sound|fingerprint sensor:function|build quality:build|' +
        'design:design|software:speed|charging:speed|display:display|face unlock:function|case:build',
    ),
    intros: words(
      'I bought {E} a month ago.|I have been using {E} for two weeks.|My brother gave me {E} for my birthday.|' +
        'I ordered {E} online last month.|I switched to {E} from an older model.',
    ),
  },
  {
    kind: 'product',
    entities: words('the Corvex laptop|the Arlo Air|this laptop|the notebook|my new laptop'),
    aspects: words(
      'keyboard:typing|trackpad:speed|screen:display|battery life:battery|webcam:display|speakers:sound:pl|' +
        'fan:noise|hinge:build|performance:speed|build quality:build|design:design|charger:build',
    ),
    intros: words(
      'I bought {E} for university.|I have used {E} for work for a month.|I picked up {E} during a sale.|' +
        'My company gave me {E} last spring.',
    ),
  },
  {
    kind: 'product',
    entities: words(
      'the Sonar headphones:pl|these headphones:pl|the earbuds:pl|these earphones:pl|the Sonar buds:pl',
    ),
    aspects: words(
      'sound quality:sound|noise cancelling:function|ear cushions:comfort:pl|bluetooth connection:function|' +
        'microphone:sound|battery:battery|carrying case:build|bass:sound|fit:comfort|touch controls:speed:pl',
    ),
    intros: words(
      'I bought {E} for my commute.|I have been wearing {E} at the gym.|I got {E} as a gift.|' +
        'I ordered {E} after reading a few reviews.',
    ),
  },
  {
    kind: 'product',
    entities: words(
      'the Brewmont coffee maker|this blender|the Vortexa blender|this kettle|the toaster|this vacuum',
    ),
    aspects: words(
      'motor:function|lid:build|controls:process:pl|water tank:build|cleaning:process|design:design|' +
        'build quality:build|power cord:build|buttons:build:pl|timer:function|noise level:noise',
    ),
    intros: words(
      'I bought {E} for our new kitchen.|We have had {E} for a few weeks.|I replaced my old one with {E}.|' +
        'My parents recommended {E}.',
    ),
  },
];

const EN_INTENSIFIERS = words('really|very|extremely|incredibly|genuinely|so|truly');
const EN_EXTREME_INTENSIFIERS = words('absolutely|truly|simply');
const EN_DOWNTONERS = {
  pos: words('fairly|pretty|reasonably|quite'),
  neg: words('a bit|slightly|somewhat|a little|rather|kind of'),
};
const EN_PREFIXES = words(
  'Honestly,|In my opinion,|For what it is worth,|I have to say,|Frankly,|To be honest,|Personally,|' +
    'As far as I can tell,|If you ask me,',
);
const EN_SUFFIXES = words(
  'at least for me|in my experience|if you ask me|to be honest|as far as I am concerned',
);
const EN_PARTICIPLES = {
  pos: words('impressed|delighted|amazed|won over|charmed|moved|blown away'),
  neg: words('disappointed|bored|annoyed|frustrated|let down|irritated|put off'),
};
const EN_COMPARATIVES = {
  pos: words('better|more impressive|more satisfying|more enjoyable|stronger|more polished|more remarkable'),
  neg: words('worse|more disappointing|more frustrating|weaker|more annoying|sloppier|more underwhelming'),
};

function parseNamed(entry) {
  const [name, cls, pl] = entry.split(':');
  if (cls === 'pl') return { name, plural: true };
  return { name, cls, plural: pl === 'pl' };
}

// ---------------------------------------------------------------------------------------------------------------
// English review builder. Every function returns text whose sentiment is the `polarity` it was asked for.

function enContext(rng) {
  const domain = rng.pick(EN_DOMAINS);
  const aspects = domain.kind === 'product' ? domain.aspects.concat(EN_SHOP) : domain.aspects;
  return {
    domain,
    entity: parseNamed(rng.pick(domain.entities)),
    aspects: aspects.map(parseNamed),
    past: domain.kind === 'media' ? rng.chance(0.8) : rng.chance(0.45),
  };
}

function enBe(ctx, plural, negated = false) {
  const be = ctx.past ? (plural ? 'were' : 'was') : plural ? 'are' : 'is';
  return negated ? `${be}n't` : be;
}

function enAspect(rng, ctx, not = null) {
  const money = (a) => a.cls === 'price' || a.cls === 'value';
  const pool = ctx.aspects.filter((a) => a !== not && (not === null || !money(a) || !money(not)));
  return rng.pick(pool);
}

function enAdjPhrase(rng, adj, allowDowntoner = true) {
  if (adj.nominal) return adj.word;
  if (adj.extreme) return rng.chance(0.3) ? `${rng.pick(EN_EXTREME_INTENSIFIERS)} ${adj.word}` : adj.word;
  const r = rng.next();
  if (r < 0.3) return `${rng.pick(EN_INTENSIFIERS)} ${adj.word}`;
  if (allowDowntoner && r < 0.45 && !adj.word.includes(' ')) {
    return `${rng.pick(EN_DOWNTONERS[adj.polarity])} ${adj.word}`;
  }
  return adj.word;
}

/** "was really gripping" (polarity as asked) or, negated, "was never boring" (an adjective of the other polarity). */
function enPredicate(rng, ctx, aspect, polarity, negated) {
  if (!negated)
    return `${enBe(ctx, aspect.plural)} ${enAdjPhrase(rng, enAdjective(rng, aspect.cls, polarity))}`;
  const adj = enAdjective(rng, aspect.cls, other(polarity), (a) => a.negatable);
  const be = enBe(ctx, aspect.plural);
  const forms = [
    `${be} not ${adj.word}`,
    `${enBe(ctx, aspect.plural, true)} ${adj.word}`,
    `${be} never ${adj.word}`,
    `${be} not ${adj.word} at all`,
    `${be} far from ${adj.word}`,
    `${be} anything but ${adj.word}`,
    `${be} hardly ${adj.word}`,
    `${be} not remotely ${adj.word}`,
  ];
  if (adj.polarity === 'pos' && !adj.extreme) {
    forms.push(`${be} not particularly ${adj.word}`, `${be} not very ${adj.word}`);
    forms.push(`${enBe(ctx, aspect.plural, true)} all that ${adj.word}`);
  }
  return rng.pick(forms);
}

function enClause(rng, ctx, aspect, polarity, negated) {
  return `the ${aspect.name} ${enPredicate(rng, ctx, aspect, polarity, negated)}`;
}

function enFill(template, ctx, aspect) {
  const entityBe = enBe(ctx, ctx.entity.plural);
  return template
    .replaceAll('{E}', ctx.entity.name)
    .replaceAll('{Ebe}', entityBe)
    .replaceAll('{a}', aspect ? aspect.name : '')
    .replaceAll('{be}', aspect ? enBe(ctx, aspect.plural) : '')
    .replaceAll('{ing}', ctx.domain.verb === 'play' ? 'playing' : 'watching')
    .replaceAll('{verb}', ctx.domain.verb ?? 'use');
}

/** Fixed phrases: `m:` media only, `p:` product only. {pp} is a participle of the slot's polarity. */
const EN_PHRASES = {
  plain: {
    pos: words(
      'I loved the {a}.|I really enjoyed the {a}.|I was {pp} by the {a}.|The {a} exceeded my expectations.|' +
        'The {a} {be} the best part.|I would happily recommend {E}.|p:{E} {Ebe} worth every penny.|' +
        'm:{E} {Ebe} worth every minute.|p:I am glad I bought {E}.|m:I would gladly {verb} {E} again.',
    ),
    neg: words(
      'I hated the {a}.|I really disliked the {a}.|I was {pp} by the {a}.|The {a} fell short of my expectations.|' +
        'The {a} {be} the worst part.|I would steer clear of {E}.|p:{E} {Ebe} a waste of money.|' +
        'm:{E} {Ebe} a waste of time.|p:I regret buying {E}.|m:I wish I had skipped {E}.',
    ),
  },
  // Sentences whose negation makes the slot's polarity (the words alone point the other way).
  negated: {
    pos: words(
      'I was not {ppo} by the {a}.|I was never {ppo} by the {a}.|The {a} did not disappoint.|' +
        'The {a} never let me down.|I could not find a single flaw in the {a}.|I have no complaints about the {a}.|' +
        'p:I do not regret buying {E}.|p:I never regretted buying {E}.|p:{E} {Ebe} not a waste of money.|' +
        'm:{E} {Ebe} not a waste of time.|m:I could not stop {ing}.|I cannot fault the {a}.|' +
        'The {a} did not let me down.|p:I did not regret buying {E}.|I did not find a single flaw in the {a}.|' +
        'I did not expect to love the {a} this much.|m:I did not want it to end.',
    ),
    neg: words(
      'I did not enjoy the {a}.|I did not like the {a} at all.|I was not {ppo} by the {a}.|' +
        'The {a} did not impress me.|The {a} did not live up to the hype.|I would not recommend {E}.|' +
        'I cannot recommend {E}.|p:{E} {Ebe} not worth the money.|m:{E} {Ebe} not worth the time.|' +
        'p:{E} {Ebe} hardly worth it.|m:I could not wait for it to end.|I never warmed to the {a}.',
    ),
  },
  // Two negations that cancel: the sentence means the slot's polarity.
  double: {
    pos: words(
      'The {a} {be} not without {charm/merit/its moments/appeal}.|The {a} never {fail} to {impress/delight/amaze}.|' +
        'I could not help but {admire/love/enjoy/appreciate} the {a}.',
    ),
    neg: words(
      'The {a} {be} not without {its flaws/its problems/a few issues}.|' +
        'The {a} never {fail} to {disappoint/annoy/frustrate/irritate}.|' +
        'I could not help but {feel let down by/roll my eyes at/be annoyed by/wince at} the {a}.',
    ),
  },
};

/** Litotes ("not uninteresting") that suit each class; the rest use "not unimpressive". */
const EN_NOT_UN = {
  story: words('not uninteresting|not unenjoyable|not unimpressive'),
  performance: words('not unconvincing|not unimpressive'),
  look: words('not unattractive|not unappealing'),
  design: words('not unattractive|not unappealing'),
  music: words('not unpleasant|not unappealing'),
  comfort: words('not uncomfortable|not unpleasant'),
  staff: words('not unhelpful|not unfriendly'),
  price: words('not unreasonable'),
};

function enPhrase(rng, ctx, list, polarity) {
  const usable = list.filter((t) => !t.startsWith(ctx.domain.kind === 'media' ? 'p:' : 'm:'));
  let text = rng.pick(usable).replace(/^[mp]:/, '');
  text = text
    .replaceAll('{pp}', rng.pick(EN_PARTICIPLES[polarity]))
    .replaceAll('{ppo}', rng.pick(EN_PARTICIPLES[other(polarity)]))
    .replaceAll('{fail}', ctx.past ? 'failed' : 'fails')
    .replace(/\{([^}]*\/[^}]*)\}/g, (_, alts) => rng.pick(alts.split('/')));
  return enFill(text, ctx, rng.pick(ctx.aspects.filter((a) => a.cls !== 'price' && a.cls !== 'value')));
}

const EN_TEMPLATES = {
  plain(rng, ctx, polarity) {
    if (rng.chance(0.2)) {
      const cls = ctx.domain.kind === 'media' ? 'story' : 'product';
      const adj = enAdjective(rng, cls, polarity);
      return `${ctx.entity.name} ${enBe(ctx, ctx.entity.plural)} ${enAdjPhrase(rng, adj)}.`;
    }
    return `${enClause(rng, ctx, enAspect(rng, ctx), polarity, false)}.`;
  },
  phrase(rng, ctx, polarity) {
    return enPhrase(rng, ctx, EN_PHRASES.plain[polarity], polarity);
  },
  both(rng, ctx, polarity) {
    const a1 = enAspect(rng, ctx);
    const a2 = enAspect(rng, ctx, a1);
    return `${enClause(rng, ctx, a1, polarity, false)} and ${enClause(rng, ctx, a2, polarity, rng.chance(0.2))}.`;
  },
  negated(rng, ctx, polarity) {
    return `${enClause(rng, ctx, enAspect(rng, ctx), polarity, true)}.`;
  },
  negatedPhrase(rng, ctx, polarity) {
    return enPhrase(rng, ctx, EN_PHRASES.negated[polarity], polarity);
  },
  double(rng, ctx, polarity) {
    const aspect = enAspect(rng, ctx);
    // "not ineffective" inside a double negation reads as a puzzle: keep un-/in- words out of it.
    const plainWord = (a) => a.negatable && !/^(un|in(effective|consistent|accurate|competent))/.test(a.word);
    const adj = enAdjective(rng, aspect.cls, polarity, plainWord);
    const be = enBe(ctx, aspect.plural);
    return rng.weighted([
      [3, () => `I can't say the ${aspect.name} ${be} not ${adj.word}.`],
      [2, () => `It would be wrong to say the ${aspect.name} ${be} not ${adj.word}.`],
      [2, () => `No one could call the ${aspect.name} anything but ${adj.word}.`],
      [
        2,
        () =>
          `There is no denying that the ${aspect.name} ${be} ${enAdjPhrase(rng, enAdjective(rng, aspect.cls, polarity))}.`,
      ],
      [
        polarity === 'pos' ? 1.5 : 0,
        () => `The ${aspect.name} ${be} ${rng.pick(EN_NOT_UN[aspect.cls] ?? ['not unimpressive'])}.`,
      ],
      [3, () => enPhrase(rng, ctx, EN_PHRASES.double[polarity], polarity)],
    ])();
  },
  contrast(rng, ctx, polarity) {
    const concession = other(polarity);
    const a1 = enAspect(rng, ctx);
    const a2 = enAspect(rng, ctx, a1);
    const c1 = enClause(rng, ctx, a1, concession, rng.chance(0.3));
    const c2 = enClause(rng, ctx, a2, polarity, rng.chance(0.3));
    const form = rng.weighted([
      [4, () => `${c1}, but ${c2}.`],
      [3, () => `although ${c1}, ${c2}.`],
      [2, () => `${c2}, although ${c1}.`],
      [2, () => `${c2}, even though ${c1}.`],
      [1, () => `${c2}, though ${c1}.`],
      [2, () => `${c1}. However, ${c2}.`],
      [1, () => `${c1}. Still, ${c2}.`],
      [1, () => `${c1}; that said, ${c2}.`],
      [2, () => `while ${c1}, ${c2}.`],
      [1, () => `${c1}, yet ${c2}.`],
      [
        1.5,
        () =>
          `despite the ${enAdjective(rng, a1.cls, concession, (a) => a.attributive).word} ${a1.name}, ${c2}.`,
      ],
      [
        1.5,
        () =>
          `${c2}, despite the ${enAdjective(rng, a1.cls, concession, (a) => a.attributive).word} ${a1.name}.`,
      ],
    ]);
    return form();
  },
  contrastStory(rng, ctx, polarity) {
    const concession = other(polarity);
    if (ctx.domain.kind === 'media') {
      const starts = {
        pos: words('strong|well|brilliantly|promisingly'),
        neg: words('slow|slowly|badly|awkwardly|clumsily'),
      };
      const end = enAdjPhrase(rng, enAdjective(rng, 'story', polarity));
      const half = (p) => `${ctx.past ? 'was' : 'is'} ${enAdjPhrase(rng, enAdjective(rng, 'story', p))}`;
      return rng.weighted([
        [
          2,
          () =>
            `although it starts ${rng.pick(starts[concession])}, it ${rng.pick(words('is|turns out to be|ends up'))} ${end}.`,
        ],
        [2, () => `it starts ${rng.pick(starts[concession])}, but it ends up ${end}.`],
        [2, () => `the first half ${half(concession)}, but the second half ${half(polarity)}.`],
      ])();
    }
    // Only the product's own parts change with use; the shop, the staff and the price do not.
    const aspect = rng.pick(ctx.domain.aspects.map(parseNamed));
    const first = enAdjPhrase(rng, enAdjective(rng, aspect.cls, concession), false);
    const later = enAdjPhrase(rng, enAdjective(rng, aspect.cls, polarity), false);
    const after = rng.pick(words('after a few weeks|after a month|after daily use|after a while'));
    return `at first the ${aspect.name} seemed ${first}, but ${after} it turned out to be ${later}.`;
  },
  contrastOverall(rng, ctx, polarity) {
    const concession = other(polarity);
    const a1 = enAspect(rng, ctx);
    const a2 = enAspect(rng, ctx, a1);
    const verdict = {
      pos: words(
        'I enjoyed it|I loved it|I am happy with it|it won me over|I was not disappointed|I do not regret it|' +
          'it did not let me down',
      ),
      neg: words(
        'I did not enjoy it|I hated it|I am not happy with it|it left me cold|I was disappointed|I regret it|' +
          'it let me down',
      ),
    };
    const pair = `${enClause(rng, ctx, a1, concession, false)} and ${enClause(rng, ctx, a2, concession, false)}`;
    return rng.chance(0.5)
      ? `${pair}, but overall ${rng.pick(verdict[polarity])}.`
      : `overall ${rng.pick(verdict[polarity])}, even though ${pair}.`;
  },
  escalation(rng, ctx, polarity) {
    const a1 = enAspect(rng, ctx);
    const a2 = rng.pick(ctx.aspects.filter((a) => a !== a1 && a.cls !== 'price' && a.cls !== 'value'));
    const more = rng.pick(EN_COMPARATIVES[polarity]);
    return `${enClause(rng, ctx, a1, polarity, false)}, but the ${a2.name} ${enBe(ctx, a2.plural)} even ${more}.`;
  },
};

// Template mix. Negation, double negation and contrast make up most of it: their words point both ways.
const EN_MIX = [
  [32, 'plain'],
  [6, 'phrase'],
  [10, 'both'],
  [11, 'negated'],
  [4, 'negatedPhrase'],
  [6, 'double'],
  [18, 'contrast'],
  [3, 'contrastStory'],
  [4, 'contrastOverall'],
  [6, 'escalation'],
];

function englishReview(rng, polarity) {
  const ctx = enContext(rng);
  const template = rng.weighted(EN_MIX);
  let core = EN_TEMPLATES[template](rng, ctx, polarity);
  const singleSentence = !core.slice(0, -1).includes('.');
  if (singleSentence && rng.chance(0.12)) core = `${core.slice(0, -1)}, ${rng.pick(EN_SUFFIXES)}.`;
  else if (rng.chance(0.18) && !/^(I |overall|although|while|despite|at first|it |the first)/i.test(core)) {
    const lead = core.startsWith(ctx.entity.name)
      ? core
      : core.replace(/^(The|There|No) /, (w) => w.toLowerCase());
    core = `${rng.pick(EN_PREFIXES)} ${lead}`;
  }
  core = capitalise(core).replace(/(\. )([a-z])/g, (_, p, c) => p + c.toUpperCase());
  if (rng.chance(0.25)) core = `${enFill(rng.pick(ctx.domain.intros), ctx, null)} ${core}`;
  return capitalise(core);
}

// ---------------------------------------------------------------------------------------------------------------
// Korean lexicon. Adjective entries `dictionary,past stem,polite present,flags[,stem]`; flags: `a` takes the short
// negation 안, `!` ungradable, `~` reads oddly when negated, `@` a noun + copula (엉망이다: no negation), `c` a
// -적이다 copula adjective, `v` a verb (늘어진다). The stem defaults to the dictionary form minus 다.

const KO_ADJ = {
  general: {
    pos:
      '좋다,좋았,좋아요,a|훌륭하다,훌륭했,훌륭해요,|괜찮다,괜찮았,괜찮아요,a|만족스럽다,만족스러웠,만족스러워요,|' +
      '완벽하다,완벽했,완벽해요,!~|인상적이다,인상적이었,인상적이에요,c|뛰어나다,뛰어났,뛰어나요,|' +
      '탁월하다,탁월했,탁월해요,|최고다,최고였,최고예요,@!|대단하다,대단했,대단해요,|' +
      '수준급이다,수준급이었,수준급이에요,@',
    neg:
      '나쁘다,나빴,나빠요,a|별로다,별로였,별로예요,@|실망스럽다,실망스러웠,실망스러워요,|' +
      '형편없다,형편없었,형편없어요,!~|엉망이다,엉망이었,엉망이에요,@!|최악이다,최악이었,최악이에요,@!|' +
      '아쉽다,아쉬웠,아쉬워요,|부실하다,부실했,부실해요,|불만스럽다,불만스러웠,불만스러워요,|' +
      '실망이다,실망이었,실망이에요,@',
  },
  story: {
    pos:
      '재미있다,재미있었,재미있어요,a|흥미진진하다,흥미진진했,흥미진진해요,|탄탄하다,탄탄했,탄탄해요,|' +
      '신선하다,신선했,신선해요,|감동적이다,감동적이었,감동적이에요,c|유쾌하다,유쾌했,유쾌해요,|' +
      '참신하다,참신했,참신해요,|기발하다,기발했,기발해요,|흥미롭다,흥미로웠,흥미로워요,|' +
      '짜임새 있다,짜임새 있었,짜임새 있어요,|긴장감 넘치다,긴장감 넘쳤,긴장감 넘쳐요,',
    neg:
      '지루하다,지루했,지루해요,a|뻔하다,뻔했,뻔해요,a|유치하다,유치했,유치해요,a|지겹다,지겨웠,지겨워요,a|' +
      '산만하다,산만했,산만해요,|밋밋하다,밋밋했,밋밋해요,|억지스럽다,억지스러웠,억지스러워요,|' +
      '답답하다,답답했,답답해요,a|늘어진다,늘어졌,늘어져요,va,늘어지|혼란스럽다,혼란스러웠,혼란스러워요,|' +
      '식상하다,식상했,식상해요,|느슨하다,느슨했,느슨해요,|허무하다,허무했,허무해요,|엉성하다,엉성했,엉성해요,',
  },
  performance: {
    pos:
      '자연스럽다,자연스러웠,자연스러워요,|강렬하다,강렬했,강렬해요,|섬세하다,섬세했,섬세해요,|' +
      '매력적이다,매력적이었,매력적이에요,c|실감 난다,실감 났,실감 나요,v,실감 나|멋지다,멋졌,멋져요,a',
    neg:
      '어색하다,어색했,어색해요,a|과하다,과했,과해요,a|부자연스럽다,부자연스러웠,부자연스러워요,|' +
      '뻣뻣하다,뻣뻣했,뻣뻣해요,|어설프다,어설펐,어설퍼요,|밋밋하다,밋밋했,밋밋해요,',
  },
  look: {
    pos:
      '아름답다,아름다웠,아름다워요,|화려하다,화려했,화려해요,|생생하다,생생했,생생해요,|' +
      '웅장하다,웅장했,웅장해요,|압도적이다,압도적이었,압도적이에요,c!|멋지다,멋졌,멋져요,a|' +
      '근사하다,근사했,근사해요,',
    neg:
      '촌스럽다,촌스러웠,촌스러워요,a|조잡하다,조잡했,조잡해요,|싸구려 같다,싸구려 같았,싸구려 같아요,|' +
      '조악하다,조악했,조악해요,|엉성하다,엉성했,엉성해요,|어설프다,어설펐,어설퍼요,',
  },
  music: {
    pos: '아름답다,아름다웠,아름다워요,|웅장하다,웅장했,웅장해요,|감미롭다,감미로웠,감미로워요,|인상적이다,인상적이었,인상적이에요,c',
    neg: '시끄럽다,시끄러웠,시끄러워요,a|과하다,과했,과해요,a|밋밋하다,밋밋했,밋밋해요,|촌스럽다,촌스러웠,촌스러워요,a',
  },
  design: {
    pos:
      '세련되다,세련됐,세련돼요,|예쁘다,예뻤,예뻐요,a|깔끔하다,깔끔했,깔끔해요,a|' +
      '고급스럽다,고급스러웠,고급스러워요,|멋지다,멋졌,멋져요,a',
    neg:
      '촌스럽다,촌스러웠,촌스러워요,a|투박하다,투박했,투박해요,|밋밋하다,밋밋했,밋밋해요,|조잡하다,조잡했,조잡해요,|' +
      '싸구려 같다,싸구려 같았,싸구려 같아요,',
  },
  display: {
    pos: '선명하다,선명했,선명해요,a|밝다,밝았,밝아요,a|생생하다,생생했,생생해요,|또렷하다,또렷했,또렷해요,',
    neg: '흐릿하다,흐릿했,흐릿해요,a|어둡다,어두웠,어두워요,a|탁하다,탁했,탁해요,a|뿌옇다,뿌옜,뿌예요,',
  },
  sound: {
    pos: '깨끗하다,깨끗했,깨끗해요,a|풍부하다,풍부했,풍부해요,|또렷하다,또렷했,또렷해요,|선명하다,선명했,선명해요,a',
    neg: '탁하다,탁했,탁해요,a|먹먹하다,먹먹했,먹먹해요,|답답하다,답답했,답답해요,a|약하다,약했,약해요,a',
  },
  speed: {
    pos:
      '빠르다,빨랐,빨라요,a|부드럽다,부드러웠,부드러워요,a|쾌적하다,쾌적했,쾌적해요,|' +
      '안정적이다,안정적이었,안정적이에요,c|매끄럽다,매끄러웠,매끄러워요,',
    neg:
      '느리다,느렸,느려요,a|버벅거린다,버벅거렸,버벅거려요,va,버벅거리|불안정하다,불안정했,불안정해요,|' +
      '답답하다,답답했,답답해요,a',
  },
  build: {
    pos: '튼튼하다,튼튼했,튼튼해요,a|견고하다,견고했,견고해요,|단단하다,단단했,단단해요,a|깔끔하다,깔끔했,깔끔해요,a',
    neg:
      '허술하다,허술했,허술해요,|헐겁다,헐거웠,헐거워요,a|약하다,약했,약해요,a|조잡하다,조잡했,조잡해요,|' +
      '허접하다,허접했,허접해요,',
  },
  typing: {
    pos: '편하다,편했,편해요,a|부드럽다,부드러웠,부드러워요,a|경쾌하다,경쾌했,경쾌해요,|조용하다,조용했,조용해요,a',
    neg: '불편하다,불편했,불편해요,a|뻑뻑하다,뻑뻑했,뻑뻑해요,a|답답하다,답답했,답답해요,a|시끄럽다,시끄러웠,시끄러워요,a',
  },
  comfort: {
    pos: '편하다,편했,편해요,a|편안하다,편안했,편안해요,a|가볍다,가벼웠,가벼워요,',
    neg: '불편하다,불편했,불편해요,a|답답하다,답답했,답답해요,a|헐겁다,헐거웠,헐거워요,a|뻑뻑하다,뻑뻑했,뻑뻑해요,a',
  },
  battery: {
    pos: '든든하다,든든했,든든해요,|오래간다,오래갔,오래가요,v,오래가|넉넉하다,넉넉했,넉넉해요,',
    neg: '약하다,약했,약해요,a|빨리 닳는다,빨리 닳았,빨리 닳아요,v,빨리 닳|부족하다,부족했,부족해요,',
  },
  function: {
    pos: '정확하다,정확했,정확해요,|안정적이다,안정적이었,안정적이에요,c|확실하다,확실했,확실해요,|강력하다,강력했,강력해요,',
    neg:
      '부정확하다,부정확했,부정확해요,|불안정하다,불안정했,불안정해요,|약하다,약했,약해요,a|' +
      '들쭉날쭉하다,들쭉날쭉했,들쭉날쭉해요,',
  },
  staff: {
    pos: '친절하다,친절했,친절해요,a|신속하다,신속했,신속해요,|꼼꼼하다,꼼꼼했,꼼꼼해요,|세심하다,세심했,세심해요,',
    neg: '불친절하다,불친절했,불친절해요,|무성의하다,무성의했,무성의해요,|느리다,느렸,느려요,a|답답하다,답답했,답답해요,a',
  },
  process: {
    pos: '빠르다,빨랐,빨라요,a|간편하다,간편했,간편해요,a|원활하다,원활했,원활해요,|신속하다,신속했,신속해요,|쉽다,쉬웠,쉬워요,a',
    neg: '느리다,느렸,느려요,a|복잡하다,복잡했,복잡해요,a|번거롭다,번거로웠,번거로워요,a|까다롭다,까다로웠,까다로워요,',
  },
  price: {
    pos: '합리적이다,합리적이었,합리적이에요,c|저렴하다,저렴했,저렴해요,|착하다,착했,착해요,|적당하다,적당했,적당해요,',
    neg:
      '비싸다,비쌌,비싸요,a|터무니없다,터무니없었,터무니없어요,!~|부담스럽다,부담스러웠,부담스러워요,|과하다,과했,과해요,a|' +
      '비싼 편이다,비싼 편이었,비싼 편이에요,@',
  },
  value: {
    pos: '좋다,좋았,좋아요,a|훌륭하다,훌륭했,훌륭해요,|최고다,최고였,최고예요,@!|뛰어나다,뛰어났,뛰어나요,',
    neg: '나쁘다,나빴,나빠요,a|별로다,별로였,별로예요,@|떨어진다,떨어졌,떨어져요,v,떨어지|최악이다,최악이었,최악이에요,@!',
  },
  product: {
    pos: '편리하다,편리했,편리해요,|튼튼하다,튼튼했,튼튼해요,a|안정적이다,안정적이었,안정적이에요,c',
    neg: '불편하다,불편했,불편해요,a|불안정하다,불안정했,불안정해요,|투박하다,투박했,투박해요,|허술하다,허술했,허술해요,',
  },
};

function parseKoAdj(entry, polarity) {
  const [d, past, pol, flags, stem] = entry.split(',');
  return {
    d,
    past,
    pol,
    stem: stem || d.slice(0, -1),
    polarity,
    short: flags.includes('a'),
    extreme: flags.includes('!') || flags.includes('@'),
    negatable: !flags.includes('~') && !flags.includes('@'),
    copula: flags.includes('@') || flags.includes('c'),
    verb: flags.includes('v'),
  };
}

const KO_LEXICON = Object.fromEntries(
  Object.entries(KO_ADJ).map(([cls, lists]) => [
    cls,
    {
      pos: words(lists.pos).map((e) => parseKoAdj(e, 'pos')),
      neg: words(lists.neg).map((e) => parseKoAdj(e, 'neg')),
    },
  ]),
);

/** As enAdjective: the class's own list 60% of the time, otherwise the general list (not for money). */
function koAdjective(rng, cls, polarity, accept = () => true) {
  const own = KO_LEXICON[cls][polarity].filter(accept);
  const general = cls === 'price' || cls === 'value' ? [] : KO_LEXICON.general[polarity].filter(accept);
  if (general.length === 0 || (own.length > 0 && rng.chance(0.6))) return rng.pick(own);
  return rng.pick(general);
}

const KO_SHOP = words(
  '배송:process|설치:process|교환 절차:process|고객센터 응대:staff|판매자 응대:staff|가격:price|가성비:value',
);

const KO_DOMAINS = [
  {
    kind: 'media',
    watch: '보',
    watched: '봤',
    entities: words(
      "'고요한 항구'|'한밤의 과수원'|'마지막 기차'|'푸른 계절'|'그림자 도시'|'여름의 끝'|'별이 지는 밤'|" +
        "'잃어버린 편지'|'붉은 언덕'|'바람의 노래'|이 영화|이 작품|그 영화|이번 속편|이 드라마|이 다큐멘터리",
    ),
    aspects: words(
      '줄거리:story|대사:story|전개:story|결말:story|각본:story|유머:story|반전:story|설정:story|캐릭터:story|' +
        '연출:story|편집:story|연기:performance|배우들 연기:performance|주연 배우 연기:performance|' +
        '악역 연기:performance|음악:music|영상미:look|촬영:look|특수효과:look|액션:look|의상:look',
    ),
    intros: words(
      '지난 주말에 {E을} 봤다.|친구랑 {E을} 보고 왔다.|{E을} 극장에서 봤다.|가족이랑 {E을} 같이 봤다.|' +
        '드디어 {E을} 봤다.|동생이랑 {E을} 보러 갔다.',
    ),
  },
  {
    kind: 'media',
    watch: '하',
    watched: '했',
    entities: words(
      "'별빛 전쟁'|'던전 오디세이'|'네온 드리프트'|'잿빛 왕국'|이 게임|이번 리마스터판|이 슈팅 게임",
    ),
    aspects: words(
      '그래픽:look|조작감:speed|스토리:story|음악:music|멀티플레이:speed|레벨 디자인:story|전투:story|최적화:speed|' +
        '성우 연기:performance|퀘스트:story|아트 스타일:look|메뉴 구성:process',
    ),
    intros: words(
      '연휴 동안 {E을} 했다.|지난주에 {E을} 다 깼다.|아들이랑 {E을} 같이 하고 있다.|세일할 때 {E을} 샀다.',
    ),
  },
  {
    kind: 'product',
    entities: words('노바폰|젠트라폰|픽셀론 미니|이 폰|새 휴대폰|이 스마트폰'),
    aspects: words(
      '배터리:battery|화면:display|카메라:display|스피커:sound|지문 인식:function|마감:build|디자인:design|' +
        '소프트웨어:speed|충전 속도:speed|디스플레이:display|얼굴 인식:function|케이스:build',
    ),
    intros: words(
      '한 달 전에 {E을} 샀다.|{E을} 2주째 쓰고 있다.|생일 선물로 {E을} 받았다.|온라인으로 {E을} 주문했다.|' +
        '예전 폰에서 {E으로} 바꿨다.',
    ),
  },
  {
    kind: 'product',
    entities: words('코르벡스 노트북|아를로 에어|이 노트북|새 노트북'),
    aspects: words(
      '키보드:typing|트랙패드:speed|화면:display|배터리:battery|웹캠:display|스피커:sound|힌지:build|성능:speed|' +
        '마감:build|디자인:design|충전기:build',
    ),
    intros: words(
      '학교 때문에 {E을} 샀다.|{E으로} 한 달째 일하고 있다.|할인할 때 {E을} 샀다.|회사에서 {E을} 받았다.',
    ),
  },
  {
    kind: 'product',
    entities: words('소나 헤드폰|이 헤드폰|이 이어폰|소나 버즈|새 이어폰'),
    aspects: words(
      '음질:sound|노이즈 캔슬링:function|착용감:comfort|블루투스 연결:function|마이크:sound|배터리:battery|' +
        '케이스:build|저음:sound|터치 조작:speed',
    ),
    intros: words(
      '출퇴근용으로 {E을} 샀다.|운동할 때 {E을} 쓰고 있다.|선물로 {E을} 받았다.|후기를 보고 {E을} 주문했다.',
    ),
  },
  {
    kind: 'product',
    entities: words('브루몬트 커피머신|이 블렌더|볼텍사 블렌더|이 전기포트|이 토스터|이 청소기'),
    aspects: words(
      '모터:function|뚜껑:build|버튼:build|물통:build|세척:process|디자인:design|마감:build|전원 선:build|' +
        '타이머:function|조작:process',
    ),
    intros: words(
      '새 주방에 두려고 {E을} 샀다.|{E을} 몇 주째 쓰고 있다.|쓰던 걸 {E으로} 바꿨다.|부모님 추천으로 {E을} 샀다.',
    ),
  },
];

const KO_INTENSIFIERS = words('정말|너무|아주|진짜|매우|무척|굉장히|엄청');
const KO_EXTREME_INTENSIFIERS = words('정말|진짜|완전');
const KO_DOWNTONERS = { pos: words('꽤|제법|나름'), neg: words('조금|약간|좀|다소|살짝') };
const KO_PREFIXES = {
  plain: words('솔직히|개인적으로는|일단|내 생각에는|사실|내 기준에서는|내가 보기에는'),
  polite: words('솔직히|개인적으로는|일단|제 생각에는|사실|제 기준에서는|제가 보기에는'),
};

// ---------------------------------------------------------------------------------------------------------------
// Korean grammar helpers: particles by final consonant (받침), sentence endings by register.

function finalConsonant(word) {
  const ch = word.replace(/['\s]+$/, '').at(-1);
  const code = ch.codePointAt(0);
  if (code < 0xac00 || code > 0xd7a3) throw new Error(`no Hangul syllable at the end of "${word}"`);
  return (code - 0xac00) % 28;
}

/** josa('화면', '이/가') -> '화면이'; '으로/로' also takes 로 after a final ㄹ. */
function josa(word, pair) {
  const [withFinal, without] = pair.split('/');
  const final = finalConsonant(word);
  if (pair === '으로/로') return word + (final === 0 || final === 8 ? without : withFinal);
  return word + (final === 0 ? without : withFinal);
}

const KO_POLITE_ENDINGS = [
  ['않는다', '않아요'],
  ['한다', '해요'],
  ['없다', '없어요'],
  ['있다', '있어요'],
  ['않다', '않아요'],
  ['싶다', '싶어요'],
  ['어렵다', '어려워요'],
  ['힘들다', '힘들어요'],
];

/** Turns a plain (한다체) sentence-final predicate into the polite 해요체. */
function koPolite(sentence) {
  const body = sentence.slice(0, -1);
  for (const [plain, polite] of KO_POLITE_ENDINGS) {
    if (body.endsWith(plain)) return body.slice(0, -plain.length) + polite + '.';
  }
  // Past and future endings (-았다, -었다, -했다, -겠다): the syllable before 다 ends in ㅆ.
  if (body.endsWith('다') && finalConsonant(body.slice(0, -1)) === 20) return body.slice(0, -1) + '어요.';
  throw new Error(`no polite form for "${sentence}"`);
}

/** The predicate of an adjective entry in one of the clause shapes. */
function koForm(adj, mode, ctx) {
  switch (mode) {
    case 'decl':
      if (ctx.past) return adj.past + (ctx.polite ? '어요' : '다');
      return ctx.polite ? adj.pol : adj.d;
    case 'jiman':
      return (ctx.past ? adj.past : adj.stem) + '지만';
    case 'neunde':
      return adj.past + '는데';
    case 'go':
      return (ctx.past ? adj.past : adj.stem) + '고';
    case 'kineun':
      return adj.stem + (ctx.past ? '긴 했지만' : '긴 하지만');
    case 'quote':
      if (ctx.past) return adj.past + '다';
      return adj.copula ? adj.stem.replace(/이$/, '') + (adj.stem.endsWith('이') ? '이라' : '라') : adj.d;
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

function koIntensify(rng, adj, text) {
  if (adj.extreme) return rng.chance(0.3) ? `${rng.pick(KO_EXTREME_INTENSIFIERS)} ${text}` : text;
  const r = rng.next();
  if (r < 0.35) return `${rng.pick(KO_INTENSIFIERS)} ${text}`;
  if (r < 0.5) return `${rng.pick(KO_DOWNTONERS[adj.polarity])} ${text}`;
  return text;
}

/** A negated entry behaves like an adjective of the other polarity: 좋지 않다 / 안 좋다 / 좋지는 않다. */
function koNegate(rng, adj) {
  const shape = rng.weighted([
    [3, 'long'],
    [adj.short ? 3 : 0, 'short'],
    [1.5, 'contrastive'],
  ]);
  if (shape === 'short') {
    const adverb = rng.weighted([
      [3, ''],
      [1, '전혀 '],
      [1, '하나도 '],
    ]);
    const prefix = `${adverb}안 `;
    return {
      ...adj,
      d: prefix + adj.d,
      past: prefix + adj.past,
      pol: prefix + adj.pol,
      stem: prefix + adj.stem,
    };
  }
  const neg = shape === 'long' ? '지 않' : '지는 않';
  const adverbs = [
    [3, ''],
    [1, '전혀 '],
    [0.5, '결코 '],
  ];
  if (adj.polarity === 'pos' && !adj.extreme) adverbs.push([1.5, '별로 '], [1, '그다지 ']);
  const adverb = shape === 'long' ? rng.weighted(adverbs) : '';
  const s = adverb + adj.stem + neg;
  return { ...adj, d: s + '다', past: s + '았', pol: s + '아요', stem: s, copula: false };
}

/** Predicate with the asked polarity; negated ones use an adjective of the other polarity. */
function koPredicate(rng, ctx, aspect, polarity, negated, mode) {
  if (!negated) {
    const adj = koAdjective(rng, aspect.cls, polarity);
    return koIntensify(rng, adj, koForm(adj, mode, ctx));
  }
  const adj = koAdjective(rng, aspect.cls, other(polarity), (a) => a.negatable);
  return koForm(koNegate(rng, adj), mode, ctx);
}

function koClause(rng, ctx, aspect, polarity, negated, mode, particle) {
  return `${josa(aspect.name, particle)} ${koPredicate(rng, ctx, aspect, polarity, negated, mode)}`;
}

function koTopicOrSubject(rng) {
  return rng.chance(0.5) ? '은/는' : '이/가';
}

const KO_PAIRS = { 이: '이/가', 은: '은/는', 을: '을/를', 으로: '으로/로' };

/** Fills {E을}, {a이}, {a에}, ... with particles that fit the noun, then applies the review's register. */
function koFill(template, ctx, aspect) {
  let text = template
    .replace(/\{E(이|은|을|으로)\}/g, (_, p) => josa(ctx.entity.name, KO_PAIRS[p]))
    .replace(/\{a(이|은|을|도|에|에서)\}/g, (_, p) =>
      KO_PAIRS[p] ? josa(aspect.name, KO_PAIRS[p]) : aspect.name + p,
    )
    .replaceAll('{E}', ctx.entity.name)
    .replaceAll('{a}', aspect ? aspect.name : '')
    .replaceAll('{watch}', ctx.domain.watch ?? '쓰')
    .replaceAll('{watched}', ctx.domain.watched ?? '썼');
  if (ctx.polite) text = koPolite(text);
  return text;
}

const KO_PHRASES = {
  plain: {
    pos: words(
      '{a이} 정말 마음에 들었다.|{a이} 기대 이상이었다.|{a에} 크게 만족했다.|{a에} 감탄했다.|' +
        'p:{E은} 돈값을 제대로 했다.|{E을} 주변에 적극 추천하고 싶다.|m:{E은} 꼭 다시 {watch}고 싶다.|' +
        'p:{E을} 사길 정말 잘했다.|{a이} 가장 큰 장점이었다.|{a} 덕분에 기분이 좋았다.',
    ),
    neg: words(
      '{a에} 크게 실망했다.|{a이} 기대 이하였다.|{a} 때문에 짜증이 났다.|p:{E은} 돈이 아까웠다.|' +
        'p:{E을} 산 걸 후회했다.|m:{E은} 시간이 아까웠다.|{a이} 가장 큰 단점이었다.|m:{E을} {watch}다가 졸았다.',
    ),
  },
  negated: {
    pos: words(
      '{a에} 실망하지 않았다.|{a에} 전혀 실망하지 않았다.|p:{E을} 산 걸 후회하지 않는다.|' +
        'p:{E은} 돈이 하나도 아깝지 않았다.|m:{E은} 시간이 전혀 아깝지 않았다.|{a에서} 단점을 하나도 못 찾았다.|' +
        '{a은} 흠잡을 데가 없었다.|{a에} 불만이 전혀 없었다.|m:한순간도 지루하지 않았다.|' +
        'm:{E에서} 눈을 뗄 수가 없었다.|m:시간 가는 줄 몰랐다.|{a이} 기대를 저버리지 않았다.|' +
        '{a} 때문에 불편했던 적이 한 번도 없다.',
    ),
    neg: words(
      '{a이} 마음에 들지 않았다.|{a이} 마음에 안 들었다.|{a에} 만족하지 못했다.|{a이} 기대에 못 미쳤다.|' +
        '{E은} 추천하고 싶지 않다.|{E은} 절대 추천 못 하겠다.|p:{E은} 돈값을 못 했다.|' +
        'm:결국 {E을} 끝까지 못 {watched}다.|m:{a에} 전혀 감동하지 못했다.',
    ),
  },
  double: {
    pos: words(
      '{a에} {감탄하/감동하/반하}지 않을 수 없었다.|{a은} 나름의 매력이 없지는 않았다.|' +
        '{a에} 만족하지 않을 수 없었다.',
    ),
    neg: words(
      '{a에} {실망하/질리}지 않을 수 없었다.|{a} 때문에 한숨을 쉬지 않을 수 없었다.|{a은} 문제가 없지는 않았다.|' +
        '{a에} 아쉬운 점이 없지는 않았다.',
    ),
  },
};

function koPhrase(rng, ctx, list) {
  const usable = list.filter((t) => !t.startsWith(ctx.domain.kind === 'media' ? 'p:' : 'm:'));
  const text = rng
    .pick(usable)
    .replace(/^[mp]:/, '')
    .replace('{E에서}', `${ctx.entity.name}에서`)
    .replace(/\{([^}]*\/[^}]*)\}/g, (_, alts) => rng.pick(alts.split('/')));
  return koFill(text, ctx, rng.pick(ctx.aspects.filter((a) => a.cls !== 'price' && a.cls !== 'value')));
}

function koContext(rng) {
  const domain = rng.pick(KO_DOMAINS);
  const aspects = domain.kind === 'product' ? domain.aspects.concat(KO_SHOP) : domain.aspects;
  return {
    domain,
    entity: parseNamed(rng.pick(domain.entities)),
    aspects: aspects.map(parseNamed),
    past: rng.chance(0.75),
    polite: rng.chance(0.5),
  };
}

function koAspect(rng, ctx, not = null) {
  const money = (a) => a.cls === 'price' || a.cls === 'value';
  return rng.pick(ctx.aspects.filter((a) => a !== not && (not === null || !money(a) || !money(not))));
}

const KO_TEMPLATES = {
  plain(rng, ctx, polarity) {
    if (rng.chance(0.2)) {
      const adj = koAdjective(rng, ctx.domain.kind === 'media' ? 'story' : 'product', polarity);
      const lead = rng.chance(0.3) ? '전체적으로 ' : '';
      return `${lead}${josa(ctx.entity.name, '은/는')} ${koIntensify(rng, adj, koForm(adj, 'decl', ctx))}.`;
    }
    return `${koClause(rng, ctx, koAspect(rng, ctx), polarity, false, 'decl', koTopicOrSubject(rng))}.`;
  },
  phrase(rng, ctx, polarity) {
    return koPhrase(rng, ctx, KO_PHRASES.plain[polarity]);
  },
  both(rng, ctx, polarity) {
    const a1 = koAspect(rng, ctx);
    const a2 = koAspect(rng, ctx, a1);
    const c1 = koClause(rng, ctx, a1, polarity, false, 'go', koTopicOrSubject(rng));
    return `${c1} ${koClause(rng, ctx, a2, polarity, rng.chance(0.2), 'decl', '도/도')}.`;
  },
  negated(rng, ctx, polarity) {
    const aspect = koAspect(rng, ctx);
    if (rng.chance(0.2)) {
      // "연기가 훌륭했다고 하기는 어렵다": judging the claim, not the adjective, negates.
      const adj = koAdjective(rng, aspect.cls, other(polarity), (a) => a.negatable);
      const tail = rng.pick(words('고 하기는 어렵다|고 할 수는 없다|고 말하기는 힘들다'));
      const text = `${josa(aspect.name, '이/가')} ${koForm(adj, 'quote', ctx)}${tail}.`;
      return ctx.polite ? koPolite(text) : text;
    }
    return `${koClause(rng, ctx, aspect, polarity, true, 'decl', koTopicOrSubject(rng))}.`;
  },
  negatedPhrase(rng, ctx, polarity) {
    return koPhrase(rng, ctx, KO_PHRASES.negated[polarity]);
  },
  double(rng, ctx, polarity) {
    const aspect = koAspect(rng, ctx);
    // 불친절하지 않았다고는 can be parsed but reads as a puzzle: keep 불-/부- words out of the double negation.
    const adj = koAdjective(rng, aspect.cls, polarity, (a) => a.negatable && !/^(불|부정|부자)/.test(a.d));
    const subject = josa(aspect.name, '이/가');
    const negatedPast = `${adj.stem}지 ${ctx.past ? '않았다' : '않다'}`;
    const text = rng.weighted([
      [3, () => `${subject} ${negatedPast}고는 할 수 없다.`],
      [2, () => `${subject} ${negatedPast}고는 못 하겠다.`],
      [2, () => `누구도 ${subject} ${negatedPast}고 말할 수는 없다.`],
      [
        2,
        () =>
          `${subject} ${koForm(koAdjective(rng, aspect.cls, polarity), 'quote', ctx)}는 건 부정할 수 없다.`,
      ],
      [3, () => koPhrase(rng, { ...ctx, polite: false }, KO_PHRASES.double[polarity])],
    ])();
    return ctx.polite ? koPolite(text) : text;
  },
  contrast(rng, ctx, polarity) {
    const concession = other(polarity);
    const a1 = koAspect(rng, ctx);
    const a2 = koAspect(rng, ctx, a1);
    const c1 = (mode, negated = rng.chance(0.3)) =>
      koClause(rng, ctx, a1, concession, negated, mode, '은/는');
    const c2 = koClause(rng, ctx, a2, polarity, rng.chance(0.3), 'decl', rng.chance(0.7) ? '은/는' : '이/가');
    return rng.weighted([
      [3, () => `${c1('jiman')} ${c2}.`],
      [ctx.past ? 2 : 0, () => `${c1('neunde')} ${c2}.`],
      [3, () => `${c1('decl')}. 하지만 ${c2}.`],
      [1.5, () => `${c1('decl')}. 그러나 ${c2}.`],
      [1.5, () => `${c1('decl')}. 그렇지만 ${c2}.`],
      [2.5, () => `${c1('decl')}. 그래도 ${c2}.`],
      [1, () => `${c1('decl')}. 그런데 ${c2}.`],
      [1, () => `비록 ${c1('jiman')} ${c2}.`],
      [1.5, () => `${c1('kineun', false)} ${c2}.`],
      [2, () => `${c2}. 물론 ${c1('kineun', false)}.`],
    ])();
  },
  contrastStory(rng, ctx, polarity) {
    const concession = other(polarity);
    if (ctx.domain.kind === 'media') {
      const story = (p, mode) => {
        const adj = koAdjective(rng, 'story', p);
        return koIntensify(rng, adj, koForm(adj, mode, ctx));
      };
      return rng.weighted([
        [2, () => `초반은 ${story(concession, 'jiman')} 후반은 ${story(polarity, 'decl')}.`],
        [2, () => `처음에는 ${story(concession, 'jiman')} 갈수록 ${story(polarity, 'decl')}.`],
        [2, () => `초반은 ${story(concession, 'decl')}. 하지만 후반은 ${story(polarity, 'decl')}.`],
        [1, () => `처음에는 ${story(concession, 'decl')}. 그래도 갈수록 ${story(polarity, 'decl')}.`],
      ])();
    }
    // Only the product's own parts change with use; the shop, the staff and the price do not.
    const aspect = rng.pick(ctx.domain.aspects.map(parseNamed));
    const first = koAdjective(rng, aspect.cls, concession, (a) => !a.copula && !a.verb);
    const later = koPredicate(rng, { ...ctx, past: true }, aspect, polarity, false, 'decl');
    const after = rng.pick(words('몇 주 써 보니|한 달쯤 써 보니|오래 써 보니|계속 써 보니'));
    return `처음에는 ${josa(aspect.name, '이/가')} ${first.pol.slice(0, -1)} 보였지만 ${after} ${later}.`;
  },
  contrastOverall(rng, ctx, polarity) {
    const concession = other(polarity);
    const a1 = koAspect(rng, ctx);
    const a2 = koAspect(rng, ctx, a1);
    const verdict = {
      pos: words('만족스러웠다|마음에 들었다|괜찮았다|나쁘지 않았다|후회하지 않는다|m:재미있게 {watched}다'),
      neg: words('실망스러웠다|마음에 안 들었다|별로였다|좋지 않았다|후회했다|m:시간이 아까웠다'),
    };
    const usable = verdict[polarity].filter((t) => !t.startsWith(ctx.domain.kind === 'media' ? 'p:' : 'm:'));
    const end = koFill(`${rng.pick(usable).replace(/^[mp]:/, '')}.`, ctx, null);
    const first = koClause(rng, ctx, a1, concession, false, 'go', '은/는');
    return rng.chance(0.5)
      ? `${first} ${koClause(rng, ctx, a2, concession, false, 'decl', '도/도')}. 그래도 전체적으로는 ${end}`
      : `${first} ${koClause(rng, ctx, a2, concession, false, 'jiman', '도/도')} 전체적으로는 ${end}`;
  },
  escalation(rng, ctx, polarity) {
    const a1 = koAspect(rng, ctx);
    const a2 = rng.pick(ctx.aspects.filter((a) => a !== a1 && a.cls !== 'price' && a.cls !== 'value'));
    const adj = koAdjective(rng, a2.cls, polarity, (a) => !a.extreme);
    const more = rng.pick(words('더|훨씬 더|한층 더'));
    const c1 = koClause(rng, ctx, a1, polarity, false, 'jiman', '도/도');
    return `${c1} ${josa(a2.name, '은/는')} ${more} ${koForm(adj, 'decl', ctx)}.`;
  },
};

// Korean fuses negation and clause links into the word (좋지, 좋았지만), which a bag of words can read, so more of
// the mix goes to forms that share words across labels (안 좋았다, two sentences joined by 하지만).
const KO_MIX = [
  [20, 'plain'],
  [4, 'phrase'],
  [8, 'both'],
  [13, 'negated'],
  [4, 'negatedPhrase'],
  [8, 'double'],
  [28, 'contrast'],
  [4, 'contrastStory'],
  [4, 'contrastOverall'],
  [7, 'escalation'],
];

function koreanReview(rng, polarity) {
  const ctx = koContext(rng);
  const template = rng.weighted(KO_MIX);
  let core = KO_TEMPLATES[template](rng, ctx, polarity);
  if (rng.chance(0.15) && !/^(누구도|비록|처음에는|초반은|전체적으로)/.test(core)) {
    core = `${rng.pick(KO_PREFIXES[ctx.polite ? 'polite' : 'plain'])} ${core}`;
  }
  if (rng.chance(0.25)) core = `${koFill(rng.pick(ctx.domain.intros), ctx, null)} ${core}`;
  return core;
}

// ---------------------------------------------------------------------------------------------------------------
// Splits. Labels are balanced exactly; every text is unique across train, eval and unlabelled (compared after
// lower-casing and dropping punctuation), so no eval sentence is in train.

const LANGUAGES = [
  { dir: 'examples/reviews', review: englishReview, labels: { pos: 'positive', neg: 'negative' } },
  { dir: 'examples/reviews-ko', review: koreanReview, labels: { pos: '긍정', neg: '부정' } },
];

const dedupeKey = (text) =>
  text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

function generateSplit(language, split, count, seen) {
  const rng = new Rng(`${language.dir}/${split}`);
  const polarities = Array.from({ length: count }, (_, i) => (i % 2 === 0 ? 'pos' : 'neg'));
  const rows = polarities.map((polarity) => {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const text = language.review(rng, polarity);
      if (/[\t\n\r]/.test(text)) throw new Error(`control character in "${text}"`);
      const key = dedupeKey(text);
      if (seen.has(key)) continue;
      seen.add(key);
      return { text, polarity };
    }
    throw new Error(`could not find a new ${polarity} text for ${language.dir}/${split}`);
  });
  return rng.shuffle(rows);
}

/** Map of repository-relative path -> file text, for both languages. */
export function generateReviewFiles() {
  const files = new Map();
  for (const language of LANGUAGES) {
    const seen = new Set();
    for (const split of ['train', 'eval']) {
      const rows = generateSplit(language, split, SIZES[split], seen);
      const lines = rows.map((r) => `${r.text}\t${language.labels[r.polarity]}`);
      files.set(`${language.dir}/${split}.tsv`, ['text\tlabel', ...lines].join('\n') + '\n');
    }
    const unlabelled = generateSplit(language, 'unlabelled', SIZES.unlabelled, seen);
    files.set(`${language.dir}/unlabelled.txt`, unlabelled.map((r) => r.text).join('\n') + '\n');
  }
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = generateReviewFiles();
  if (process.argv.includes('--check')) {
    let stale = false;
    for (const [path, text] of files) {
      let current = null;
      try {
        current = readFileSync(join(root, path), 'utf8');
      } catch {
        // A missing file is reported like a changed one.
      }
      if (current !== text) {
        console.error(`${path} differs from what scripts/generateReviews.mjs generates`);
        stale = true;
      }
    }
    process.exit(stale ? 1 : 0);
  }
  for (const [path, text] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
    console.log(`wrote ${path} (${Buffer.byteLength(text)} bytes)`);
  }
}
