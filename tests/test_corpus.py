"""The command corpus: coverage of ACTIONS.md, split hygiene, determinism, shape, user data."""
import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from exporter import corpus as C
from exporter.actions import EXAMPLES, INTENTS, KINDS, NONE, SLOT_KEYS, format_action, parse_action


@pytest.fixture(scope="module")
def splits():
    return C.generate(seed=0)


def slot_values(rows, key):
    return {parse_action(r["action"]).slots[key] for r in rows if key in parse_action(r["action"]).slots}


def test_default_sizes():
    s = C.generate(seed=0)
    assert list(s) == ["train", "dev", "test"]
    assert (len(s["train"]), len(s["dev"]), len(s["test"])) == (320000, 2000, 2000)
    assert all(set(r) == {"text", "action"} for rows in s.values() for r in rows)


def test_deterministic_per_seed_and_different_across_seeds():
    a = C.generate(seed=1, n_train=3000, n_dev=300, n_test=300)
    b = C.generate(seed=1, n_train=3000, n_dev=300, n_test=300)
    c = C.generate(seed=2, n_train=3000, n_dev=300, n_test=300)
    assert a == b
    for split in C.SPLITS:
        assert a[split] != c[split]


def test_every_intent_and_slot_occurs_in_train(splits):
    seen = Counter()
    for r in splits["train"]:
        a = parse_action(r["action"])
        seen[a.intent] += 1
        seen.update((a.intent, k) for k in a.slots)
    for intent, keys in INTENTS.items():
        assert seen[intent] >= 200, intent
        for k in keys:
            assert seen[(intent, k)] >= 20, (intent, k)
    assert seen[NONE] > 0
    assert slot_values(splits["train"], "kind") == set(KINDS)


def test_dev_and_test_cover_every_intent(splits):
    for split in ("dev", "test"):
        intents = {parse_action(r["action"]).intent for r in splits[split]}
        assert intents == set(INTENTS) | {NONE}, split


def test_every_action_parses_and_is_canonical(splits):
    for split, rows in splits.items():
        for r in rows:
            a = parse_action(r["action"])
            assert format_action(a.intent, a.slots) == r["action"], (split, r)


def test_no_dev_or_test_utterance_occurs_in_train(splits):
    train = {C.normalize(r["text"]) for r in splits["train"]}
    dev = [C.normalize(r["text"]) for r in splits["dev"]]
    test = [C.normalize(r["text"]) for r in splits["test"]]
    assert not train & set(dev)
    assert not train & set(test)
    assert not set(dev) & set(test)
    assert len(set(dev)) == len(dev) and len(set(test)) == len(test)


def test_splits_use_disjoint_phrasings():
    """Each template belongs to one split: no expanded phrasing is shared between splits."""
    tr, dv, te = (C.skeletons(s) for s in C.SPLITS)
    assert tr and dv and te
    assert not tr & dv and not tr & te and not dv & te


def frames(split):
    """Expanded templates with every placeholder the same: a phrasing whatever slot it has."""
    return {C._frame(s) for s in C.skeletons(split)}


def test_splits_do_not_share_frames_with_another_slot():
    """Not even a train phrasing with another kind of slot in it ("dim the {name:light}" in train
    would make "dim the {area}" in test a copy)."""
    tr, dv, te = (frames(s) for s in C.SPLITS)
    assert not tr & dv and not tr & te and not dv & te


# A template's content words: what it says, minus slot placeholders and these function words
# (articles, pronouns, auxiliaries and modals, prepositions, conjunctions, clitics, "please").
FUNCTION_WORDS = set("""a an the this that these those some any my your its our their
    i me you we us it they them is are was were be been am do does did have has had
    can could would will should shall may might must to of in at for from with by into about as
    and or but if so than here there now please s d m ve ll re""".split())


def content_words(phrase):
    """"what's" -> what, "can't" -> can not; slot placeholders are left out (names are copied)."""
    e = re.sub(r"\{[a-z_]+:[a-z_]+\}", " ", phrase.lower())
    e = re.sub(r"n't\b", " not", e.replace("can't", "can not").replace("won't", "will not"))
    return {w for w in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", e) if w not in FUNCTION_WORDS}


def words_of(template):
    """The content words one template can say."""
    return {w for e in C.expand(C.parse_template(C._text(template))) for w in content_words(e)}


def template_words(intent, split):
    """The content words an intent's templates of one split can say."""
    return set().union(*map(words_of, C.TEMPLATES[intent][split]))


TRAIN_FRAMES_PER_WORD = 3


def test_dev_and_test_words_are_known_from_training():
    """Dev/test phrasings are new, their words are not: every content word of an intent's dev or
    test templates also occurs in at least TRAIN_FRAMES_PER_WORD of that intent's train templates
    (in other frames, see above). A ~1M-parameter model cannot guess the meaning of a word it never
    saw ("soften the lamps"), nor learn it from one frame, so dev/test measure new combinations of
    known words and frames, and the copying of unseen names."""
    assert {"flip", "power", "like", "on", "lights"} <= template_words("light.on", "test")
    assert "soften" in template_words("light.dim", "test") and "open" in template_words(NONE, "test")
    assert content_words("I can't see the {name:light}, it's e-stop time") == {"not", "see", "e-stop", "time"}
    unknown = {}
    for intent in C.TEMPLATES:
        known = template_words(intent, "train")
        for split in ("dev", "test"):
            if missing := template_words(intent, split) - known:
                unknown[f"{intent} {split}"] = sorted(missing)
    assert not unknown, unknown
    rare = {}
    for intent in C.TEMPLATES:
        train = [words_of(t) for t in C.TEMPLATES[intent]["train"]]
        held = template_words(intent, "dev") | template_words(intent, "test")
        counts = {w: sum(w in words for words in train) for w in held}
        if few := sorted(w for w, n in counts.items() if n < TRAIN_FRAMES_PER_WORD):
            rare[intent] = few
    assert not rare, rare


def test_none_training_covers_many_kinds_of_requests():
    """`none` is learned from apps, search, shopping, travel, calendar, messages, trivia, opinions,
    small talk, maths, shop-floor questions and commands for other domains, not only the weather."""
    none = [s.split(": ", 1)[1] for s in C.skeletons("train") if s.startswith(NONE + ": ")]
    assert len(C.TEMPLATES[NONE]["train"]) >= 120
    for phrase in ("open the camera app", "launch the netflix app", "look up", "search the web",
                   "order a taxi", "buy", "flights to", "book a", "my calendar", "send a message",
                   "how tall is", "do you think", "tell me a joke", "square root", "who is on shift",
                   "start the car", "record a video", "take a photo", "the shift report"):
        assert any(phrase in s for s in none), phrase


def test_test_split_has_names_never_seen_in_training(splits):
    train, test = splits["train"], splits["test"]
    for key in ("area", "device", "name", "color", "type"):
        unseen = slot_values(test, key) - slot_values(train, key)
        assert unseen, key
    # the ACTIONS.md promise: a room the model has never seen
    train_areas = slot_values(train, "area")
    assert "sunroom" not in train_areas and "sunroom" in C.NAMES["area"][2]
    test_areas = [parse_action(r["action"]).slots.get("area") for r in test]
    test_areas = [a for a in test_areas if a]
    assert sum(a not in train_areas for a in test_areas) >= 0.2 * len(test_areas)


def test_made_up_names_are_pseudo_words_or_english_words_of_no_held_out_name():
    """A made-up training name is pseudo-words ("brolo hall") or, P_WORD_NAME of the time, everyday
    English words ("party studio"), so copying an English name is learnt too; none of those words
    is part of a dev/test name, which would then no longer be unseen."""
    rng = random.Random(0)
    for kind, suffixes in C.SYNTH_SUFFIX.items():
        names = [C.synth_name(kind, rng) for _ in range(2000)]
        cores = [n.removesuffix(max((s for s in suffixes if s and n.endswith(s)), key=len, default=""))
                 for n in names]
        english = [c.split() for c in cores if set(c.split()) <= set(C.NAME_WORDS) | set(C._lexicon())]
        assert 0.43 < len(english) / len(names) < 0.57, kind  # a pseudo-word may be English ("tea")
        words = {w for words in english for w in words}
        assert words.isdisjoint(C._HELD_OUT_WORDS), kind
        assert len(words & set(C._lexicon())) > 200 and len(words & set(C.NAME_WORDS)) > 50, kind


def test_other_assistants_wake_words_only_in_training(splits):
    """ "ok google dim the lights" trains as a light command; dev and test keep the wake words of
    earlier corpus versions, so their rows stay comparable across versions."""
    other = [w for w in C.WAKE_TRAIN if w not in C.WAKE]
    assert other and "google" not in C._lexicon() and "alexa" not in C._lexicon()

    def starts(rows):
        return Counter(w for r in rows for w in other if C.normalize(r["text"]).startswith(w + " "))
    train = starts(splits["train"])
    assert set(train) == set(other) and min(train.values()) > 100
    google = [r for r in splits["train"] if C.normalize(r["text"]).startswith("ok google ")]
    assert sum(r["action"] != NONE for r in google) > 0.7 * len(google) > 1000
    # "hey google ..." counts under "hey": only the names themselves must stay out of dev and test
    # (out of domain, "google the news" is a template)
    names = {w for p in other for w in p.split()} - {w for p in C.WAKE for w in p.split()}
    assert names == {"alexa", "google", "siri", "olly", "jarvis"}
    assert not any(names & set(C.normalize(r["text"]).split()) and r["action"] != NONE
                   for split in ("dev", "test") for r in splits[split])


def test_lexicon_words_are_no_command_words():
    """The wordfreq words never say what a template, a number or a filler says ("off", "half",
    "please"), so a made-up name never reads as part of the command around it."""
    assert len(C._lexicon()) > 4000
    said = set(re.findall(r"[a-z]+", " ".join(C._text(t) for ts in C.TEMPLATES["light.on"].values()
                                              for t in ts)))
    assert said and said.isdisjoint(C._lexicon())
    assert {"off", "half", "please", "hundred", "percent", "the", "lights"}.isdisjoint(C._lexicon())
    assert C.OFFENSIVE.isdisjoint(C._lexicon()) and "kitchen" not in C._lexicon()


def test_held_out_name_pools_are_disjoint():
    for kind, (train, dev, test) in C.NAMES.items():
        tr, dv, te = ({C.to_value(n) for n in pool} for pool in (train, dev, test))
        assert not tr & dv and not tr & te and not dv & te, kind


def test_none_fraction(splits):
    for split, rows in splits.items():
        frac = sum(r["action"] == NONE for r in rows) / len(rows)
        assert 0.10 <= frac <= 0.15, (split, frac)


def test_utterances_are_short_ascii_single_lines(splits):
    for split, rows in splits.items():
        lengths = [len(r["text"]) for r in rows]
        assert max(lengths) <= C.MAX_CHARS
        assert sum(n < 60 for n in lengths) >= 0.9 * len(rows), split
        for r in rows:
            assert r["text"].isascii() and r["text"] == r["text"].strip() and "\n" not in r["text"]


def copy_text(text):
    return " " + " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower().replace("'", "")).split()) + " "


def test_named_slot_values_are_copied_from_the_utterance(splits):
    """Nothing invented: every name-like value is literally in the text (numbers may be spoken,
    and `kind` is an enum whose words differ: "temp", "flow rate")."""
    for rows in splits.values():
        for r in rows:
            for k, v in parse_action(r["action"]).slots.items():
                if k != "kind" and not v.isdigit():
                    assert " " + v.replace("_", " ") + " " in copy_text(r["text"]), r


def test_variety(splits):
    rows = splits["train"]
    texts = [r["text"] for r in rows]
    lower = " ".join(copy_text(t) for t in texts)
    assert any(t != t.lower() for t in texts) and any(re.fullmatch(r"[a-z0-9 ']+", t) for t in texts)
    for phrase in ("twenty", "please", "could you", " hey ", " um ", "half", "line", "motor", "conveyor",
                   "valve", "alarm", "machine", "sensor"):
        assert phrase in lower, phrase
    by_action = Counter(r["action"] for r in rows)
    assert by_action["light.brighten"] > 0 and by_action["climate.warmer"] > 0
    # spoken numbers and "half" become plain integers
    assert any("twenty one degrees" in copy_text(r["text"]) and r["action"].endswith("temperature=21")
               for r in rows)
    assert any(" half " in copy_text(r["text"]) and r["action"].endswith("=50") for r in rows)
    # indirect commands
    assert any(copy_text(r["text"]).strip().startswith(("its too dark", "it is really dark"))
               and r["action"].startswith("light.brighten") for r in rows)
    assert any("cold in here" in r["text"].lower() and r["action"] == "climate.warmer" for r in rows)


def test_the_demo_command_is_well_covered(splits):
    rows = splits["train"]
    assert sum(r["action"] == "light.on area=kitchen" for r in rows) >= 25
    pattern = re.compile(r" (turn|switch) on the (\w+( \w+)?) lights? ")
    same_shape = [r for r in rows if (m := pattern.search(copy_text(r["text"])))
                  and r["action"] == f"light.on area={m.group(2).replace(' ', '_')}"]
    assert len(same_shape) >= 60  # 68 with 1,701 train templates; the e2e test checks the device gets it right


def test_actions_md_examples_are_in_train_and_match_train_phrasings(splits):
    train = {C.normalize(r["text"]): r["action"] for r in splits["train"]}
    for text, action in EXAMPLES:
        assert train.get(C.normalize(text)) == action, text
    # and they are not one-offs: each is a phrasing of some training template of its intent
    for text, action in EXAMPLES:
        intent = parse_action(action).intent
        regexes = [re.escape(s.split(": ", 1)[1]).replace(r"\ ", " ") for s in C.skeletons("train")
                   if s.startswith(intent + ": ")]
        regexes = [re.sub(r"\\\{[a-z_]+:[a-z_]+\\\}", "(.+)", rx) for rx in regexes]
        assert any(re.fullmatch(rx, text.replace(" an ", " a ")) for rx in regexes), text


def test_templates_are_well_formed():
    filler_vocabs = set(C.FILLERS) | {"num", "coffee", "duration", "duration_adj"}
    for intent, by_split in C.TEMPLATES.items():
        assert set(by_split) == set(C.SPLITS)
        for split, templates in by_split.items():
            assert templates, (intent, split)
            for t in templates:
                text, fixed = t if isinstance(t, tuple) else (t, {})
                assert set(fixed) <= set(INTENTS.get(intent, ())), t
                for e in C.expand(C.parse_template(text)):
                    for key, vocab in re.findall(r"\{([a-z_]+):([a-z_]+)\}", e):
                        assert vocab in C.VOCABS, (t, vocab)
                        # a placeholder is either a slot of this intent or a plain filler word
                        assert key in INTENTS.get(intent, ()) or (key not in SLOT_KEYS and
                                                                  vocab in filler_vocabs), (intent, t)
    for bad in ("turn on (the|a lights", "lights [on", "{area", "x)y"):
        with pytest.raises(ValueError):
            C.parse_template(bad)


def test_spoken_numbers():
    rng = random.Random(0)
    assert C.spoken(7, rng) == "seven"
    assert C.spoken(21, rng) in ("twenty one", "twenty-one")
    assert C.spoken(40, rng) == "forty"
    assert C.spoken(100, rng) in ("a hundred", "one hundred")
    assert C.spoken(115, rng) in ("a hundred fifteen", "one hundred fifteen", "a hundred and fifteen",
                                  "one hundred and fifteen")


def test_jsonl_round_trip_and_errors(tmp_path, splits):
    rows = splits["dev"][:50]
    path = tmp_path / "sub" / "dev.jsonl"
    C.write_jsonl(rows, path)
    assert C.read_jsonl(path) == rows
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "lights on", "action": "light.on"}\n\n{"text": "x", "action": "none"\n')
    with pytest.raises(ValueError, match=r"bad.jsonl:3: not JSON"):
        C.read_jsonl(bad)
    bad.write_text('{"text": "lights on", "action": "light.on"}\n{"text": "x"}\n')
    with pytest.raises(ValueError, match=r":2: missing field `action`"):
        C.read_jsonl(bad)
    bad.write_text('{"text": "lights on", "action": "light.shine"}\n')
    with pytest.raises(ValueError, match=r":1: bad `action`.*unknown intent"):
        C.read_jsonl(bad)
    assert C.read_jsonl(bad, validate=False) == [{"text": "lights on", "action": "light.shine"}]


def test_mix_user_data(splits):
    rows = splits["train"][:100]
    user = [{"text": "Küche Licht an", "action": "light.on area=kitchen"},
            {"text": "start the big press", "action": "motor.start id=1"}]
    mixed = C.mix_user_data(rows, user, repeat=3)
    assert len(mixed) == 106 and mixed == C.mix_user_data(rows, user, repeat=3)
    assert Counter(r["text"] for r in mixed)["start the big press"] == 3
    for bad, msg in [({"text": "x", "action": "light.on area=Kitchen"}, "user row 2: bad `action`"),
                     ({"text": "x"}, "user row 2: missing field `action`"),
                     ({"text": "", "action": "none"}, "user row 2: empty"),
                     ({"text": "x" * 200, "action": "none"}, "longer than"),
                     ("light.on", "expected an object")]:
        with pytest.raises(ValueError, match=re.escape(msg)):
            C.mix_user_data(rows, [user[0], bad])


def test_demo_commands():
    demo = C.DEMO_COMMANDS
    assert 25 <= len(demo) <= 40
    assert ("turn on the kitchen lights", "light.on area=kitchen") in demo
    assert set(EXAMPLES) <= set(demo)
    intents = {parse_action(a).intent for _, a in demo}
    assert len(intents - {NONE}) >= 20
    for text, action in demo:
        assert len(text) < 60 and text.isascii()
        parse_action(action)


def test_copy_key_values_are_spans_of_the_prompt_words():
    """What the constrained decoder's copy rule assumes (exporter.actions.COPY_KEYS): every
    value of a copy key is a run of whole words of the utterance as the device reads it. In
    dev and test (real names) none begins or ends with an edge word ("the", "in", ...); made-up
    training names may ("to_slunzorsoo_room"), which only costs the decoder those rare rows."""
    from exporter.actions import COPY_KEYS
    from exporter.grammar import EDGE_WORDS, Copy
    from exporter.reference import prompt_words
    n = 0
    for split, rows in C.generate(seed=0, n_train=3000).items():
        for r in rows:
            words = Copy(prompt_words(r["text"]), () if split == "train" else
                         [w.encode() for w in EDGE_WORDS])
            for k, v in parse_action(r["action"]).slots.items():
                if k in COPY_KEYS:
                    assert words.is_span(v.encode()), (r, words.s)
                    n += 1
    assert n > 2000


def test_area_variants(splits):
    """Train templates of intents with an area also come with " in the {area}" at the end
    (before a closing please), unless that phrasing is a dev/test one."""
    assert C.area_variant("media.next", "<pol>skip a (track|song)<pls>") == \
        "<pol>skip a (track|song) in the {area}<pls>"
    assert C.area_variant("media.next", "next one[ please]") == "next one in the {area}[ please]"
    assert C.area_variant("vacuum.stop", "<pol>stop the vacuum") is None       # no area slot
    assert C.area_variant("light.on", "turn on the lights in here") is None    # says where already
    assert C.area_variant("media.next", "<pol>change the song") is None        # a test phrasing
    nexts = [r for r in splits["train"] if r["action"].startswith("media.next")]
    with_area = [r for r in nexts if "area=" in r["action"]]
    assert 0.15 < len(with_area) / len(nexts) < 0.6, (len(with_area), len(nexts))


def _probe(name: str) -> list[dict]:
    """The rows of docs/<name>, validated as read_jsonl validates a user's file."""
    return C.read_jsonl(Path(__file__).resolve().parents[1] / "docs" / name)


def test_probe_set_is_valid():
    """docs/probe.jsonl, hand-written commands kept apart from the templates (docs/model.md):
    every action parses and is canonical (read_jsonl checks), every intent has a few, and no
    utterance is there twice."""
    rows = _probe("probe.jsonl")
    per_intent = Counter(r["action"].split(" ")[0] for r in rows)
    assert set(per_intent) == set(INTENTS) | {NONE}
    assert min(per_intent.values()) >= 3 and per_intent[NONE] >= 30
    assert len({C.normalize(r["text"]) for r in rows}) == len(rows)


def test_public_style_probe_is_valid():
    """docs/probe_public.jsonl, 300 commands in the style of public crowd-sourced and assistant
    data (docs/model.md), written without reading the templates: actions parse and are
    canonical, every intent is there, 15 % are `none`, no utterance is there twice."""
    rows = _probe("probe_public.jsonl")
    per_intent = Counter(r["action"].split(" ")[0] for r in rows)
    assert set(per_intent) == set(INTENTS) | {NONE} and per_intent[NONE] == 45 and len(rows) == 300
    assert len({C.normalize(r["text"]) for r in rows}) == len(rows)


def test_fsc_style_probe_is_valid():
    """docs/probe_fsc.jsonl, commands in the way of Fluent Speech Commands (docs/model.md): the
    actions parse and are canonical, the language and fetch requests are `none`."""
    rows = _probe("probe_fsc.jsonl")
    assert len({C.normalize(r["text"]) for r in rows}) == len(rows) == 27
    assert all(r["action"] == NONE for r in rows if re.search(r"language|bring|fetch|socks", r["text"]))


def test_wake_word_probe_is_valid():
    """docs/probe_wake.jsonl: 16 commands, each bare and behind 14 wake words of this corpus and
    of other assistants (docs/model.md): actions parse and are canonical, every command has
    every wake word and keeps its action behind it."""
    rows = _probe("probe_wake.jsonl")
    bare = rows[:16]
    assert len(rows) == 15 * len(bare) and len({C.normalize(r["text"]) for r in rows}) == len(rows)
    for i, r in enumerate(rows):
        assert r["action"] == bare[i % len(bare)]["action"] and r["text"].endswith(bare[i % len(bare)]["text"])
