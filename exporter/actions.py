"""The action language: one line per utterance, e.g. `light.on area=kitchen` or `none`.

The grammar is read from ACTIONS.md (the contract, shipped in the package; docs/ links to it) instead of being re-typed here, so the
document, the parser, the corpus and the tests cannot drift apart: edit the table, and every
tool follows. What is read from the document:

    INTENTS   {intent: (slot keys in the order the table lists them)}
    KINDS     the allowed values of the `kind` slot
    AREAS     the example area names the document lists
    EXAMPLES  [(utterance, action)] from the table's example column
    NONE      the literal that means "not a command for this device"
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ACTIONS_MD = Path(__file__).resolve().parent / "ACTIONS.md"  # docs/ACTIONS.md links here


@dataclass(frozen=True)
class Spec:
    intents: dict[str, tuple[str, ...]]
    kinds: tuple[str, ...]
    areas: tuple[str, ...]
    examples: tuple[tuple[str, str], ...]
    none: str
    value_re: re.Pattern


def load_spec(path: Path | str = ACTIONS_MD) -> Spec:
    """Parse ACTIONS.md. Raises ValueError when the document does not have the expected parts."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the action-language contract is missing")
    doc = path.read_text(encoding="utf-8")

    def find(pattern, what):
        m = re.search(pattern, doc)
        if not m:
            raise ValueError(f"{path}: cannot find {what} (pattern {pattern!r})")
        return m.group(1)

    none = find(r'action\s*:=\s*"([a-z]+)"', "the `action := \"none\" | ...` rule")
    value_re = re.compile(find(r"value\s*:=\s*(\[[^\]]+\][+*])", "the `value := [...]+` rule"))
    kinds = tuple(k.strip() for k in find(r"`kind` is one of ([a-z_, ]+)\.", "the `kind` values").split(","))
    areas = tuple(a.strip() for a in find(r"`area` values are[^(]*\(([^)]*)\)", "the `area` examples")
                  .split(",") if value_re.fullmatch(a.strip()))

    intents, examples = {}, []
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) != 3 or not re.fullmatch(r"[a-z]+\.[a-z_]+", cells[0]):
            continue  # header, separator, or not a table row
        intent, slots, example = cells
        keys = tuple(k.strip() for k in slots.split(",") if k.strip())
        bad_keys = any(not re.fullmatch(r"[a-z_]+", k) for k in keys) or len(set(keys)) != len(keys)
        if intent in intents or bad_keys:
            raise ValueError(f"{path}: bad intent row {line!r}")
        intents[intent] = keys
        examples += re.findall(r'"([^"]+)"\s*→\s*`([^`]+)`', example)
    if not intents:
        raise ValueError(f"{path}: no intent table found")
    return Spec(intents, kinds, areas, tuple(examples), none, value_re)


SPEC = load_spec()
INTENTS, KINDS, AREAS, EXAMPLES, NONE = SPEC.intents, SPEC.kinds, SPEC.areas, SPEC.examples, SPEC.none
SLOT_KEYS = tuple(sorted({k for keys in INTENTS.values() for k in keys}))

# Slots whose value is copied from the utterance, a run of its words joined by "_" ("turn on
# the pump house lights" -> area=pump_house). ACTIONS.md says area names are copied from the
# utterance; name, device, scene, type and color are free-text names too. Numeric slots (which
# may be spoken: "twenty one" -> 21) and `kind` (an enum whose words differ: "temp") are not
# copied. The constrained decoder's copy rule holds these values to spans of the prompt's words
# (docs/numerics.md, "Constrained decoding").
COPY_KEYS = ("area", "name", "device", "scene", "type", "color")


@dataclass(frozen=True)
class Action:
    intent: str              # "none" or a key of INTENTS
    slots: dict[str, str]    # in table order; dict equality ignores order, as ACTIONS.md asks

    def __str__(self):
        return " ".join([self.intent] + [f"{k}={v}" for k, v in self.slots.items()])

    def __hash__(self):
        return hash((self.intent, frozenset(self.slots.items())))


def parse_action(line: str) -> Action:
    """Parse one action line (without the newline). Raises ValueError saying what is wrong."""
    if not isinstance(line, str):
        raise ValueError(f"action must be a string, not {type(line).__name__}")
    if not line:
        raise ValueError("empty action")
    if line != line.strip() or "  " in line or any(c in line for c in "\t\r\n"):
        raise ValueError(f"{line!r}: stray whitespace (fields are separated by single spaces)")
    intent, *fields = line.split(" ")
    if intent == NONE:
        if fields:
            raise ValueError(f"{line!r}: `{NONE}` takes no slots")
        return Action(NONE, {})
    if intent not in INTENTS:
        raise ValueError(f"{line!r}: unknown intent {intent!r}")
    allowed = INTENTS[intent]
    slots: dict[str, str] = {}
    for field in fields:
        key, eq, value = field.partition("=")
        if not eq:
            raise ValueError(f"{line!r}: slot {field!r} is not key=value")
        if key not in allowed:
            have = ", ".join(allowed) if allowed else "none"
            raise ValueError(f"{line!r}: unknown slot {key!r} for {intent} (allowed: {have})")
        if key in slots:
            raise ValueError(f"{line!r}: duplicate slot {key!r}")
        if slots and allowed.index(key) < allowed.index(list(slots)[-1]):
            raise ValueError(f"{line!r}: slots out of order: {key!r} must come before "
                             f"{list(slots)[-1]!r} (order: {', '.join(allowed)})")
        if not SPEC.value_re.fullmatch(value):
            raise ValueError(f"{line!r}: bad value {value!r} for slot {key!r} "
                             f"(must match {SPEC.value_re.pattern}: lowercase, digits, _)")
        if key == "kind" and value not in KINDS:
            raise ValueError(f"{line!r}: unknown kind {value!r} (one of: {', '.join(KINDS)})")
        slots[key] = value
    return Action(intent, slots)


def format_action(intent: str, slots: dict | None = None) -> str:
    """Write an action line with the slots in table order. Ints become plain integers and
    slots whose value is None are left out (not stated); other values must already be valid
    (see to_value). Raises ValueError like parse_action."""
    slots = {k: v for k, v in (slots or {}).items() if v is not None}
    if intent not in INTENTS and intent != NONE:
        raise ValueError(f"unknown intent {intent!r}")
    unknown = [k for k in slots if k not in INTENTS.get(intent, ())]
    if unknown:
        raise ValueError(f"unknown slot {unknown[0]!r} for {intent} "
                         f"(allowed: {', '.join(INTENTS.get(intent, ())) or 'none'})")
    order = INTENTS.get(intent, ())
    fields = [f"{k}={v}" for k, v in sorted(slots.items(), key=lambda kv: order.index(kv[0]))]
    line = " ".join([intent] + fields)
    parse_action(line)  # the one place that decides what is valid
    return line


def to_value(text) -> str:
    """A spoken name or number as a slot value: "Living Room" -> living_room, "kid's room" -> kids_room."""
    if isinstance(text, bool):
        raise ValueError("a slot value cannot be a bool")
    if isinstance(text, int):
        return str(text)
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower().replace("'", "")).strip("_")


def is_valid(line) -> bool:
    try:
        parse_action(line)
        return True
    except ValueError:
        return False


def actions_equal(a, b) -> bool:
    """Equal intent and equal set of slots (ACTIONS.md). Accepts lines or Actions; a line that
    does not parse equals nothing, so a malformed prediction simply counts as wrong."""
    try:
        a = a if isinstance(a, Action) else parse_action(a)
        b = b if isinstance(b, Action) else parse_action(b)
    except ValueError:
        return False
    return a.intent == b.intent and a.slots == b.slots
