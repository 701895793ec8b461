"""The action language: the grammar read from docs/ACTIONS.md, parser, formatter, equality."""
import pytest
from hypothesis import given, strategies as st

from exporter.actions import (ACTIONS_MD, AREAS, EXAMPLES, INTENTS, KINDS, NONE, Action, actions_equal,
                              format_action, is_valid, load_spec, parse_action, to_value)


def test_spec_is_read_from_the_repo_document():
    assert ACTIONS_MD.name == "ACTIONS.md" and ACTIONS_MD.parent.name == "exporter"
    assert (ACTIONS_MD.parents[1] / "docs" / "ACTIONS.md").resolve() == ACTIONS_MD  # docs links to it
    assert len(INTENTS) == 38
    assert INTENTS["light.set"] == ("area", "name", "brightness", "color")
    assert INTENTS["motor.start"] == ("line", "id")
    assert INTENTS["sensor.get"] == ("area", "line", "kind")
    assert INTENTS["vacuum.stop"] == () and INTENTS["timer.cancel"] == ()
    assert KINDS == ("temperature", "humidity", "pressure", "flow", "level", "vibration", "power")
    assert NONE == "none"
    assert {"kitchen", "living_room", "kids_room", "laundry_room"} <= set(AREAS)
    assert len(EXAMPLES) == 30  # two for light.set, one for each other row that has an example


@pytest.mark.parametrize("text,line", EXAMPLES)
def test_every_example_parses_and_formats_back(text, line):
    a = parse_action(line)
    assert a.intent in INTENTS
    assert format_action(a.intent, a.slots) == line
    assert str(a) == line
    assert is_valid(line)


def test_none_and_slotless_intents():
    assert parse_action("none") == Action("none", {})
    assert parse_action("vacuum.dock") == Action("vacuum.dock", {})
    assert format_action("none") == "none"
    assert format_action("timer.cancel", {}) == "timer.cancel"


@pytest.mark.parametrize("line,reason", [
    ("", "empty"),
    ("light.explode", "unknown intent"),
    ("lights.on area=kitchen", "unknown intent"),
    ("Light.on", "unknown intent"),
    ("light.on color=red", "unknown slot 'color' for light.on"),
    ("lock.lock area=hallway", "unknown slot 'area' for lock.lock"),
    ("vacuum.stop area=kitchen", "unknown slot 'area' for vacuum.stop"),
    ("light.on name=desk_lamp area=office", "out of order"),
    ("motor.start id=3 line=2", "out of order"),
    ("light.on area=kitchen area=office", "duplicate slot 'area'"),
    ("light.on area=Kitchen", "bad value 'Kitchen'"),
    ("light.on area=living room", "not key=value"),
    ("light.on area=living-room", "bad value"),
    ("light.on area=", "bad value ''"),
    ("climate.set temperature=21.5", "bad value '21.5'"),
    ("light.on area", "not key=value"),
    ("sensor.get kind=noise", "unknown kind 'noise'"),
    ("none area=kitchen", "takes no slots"),
    (" light.on", "whitespace"),
    ("light.on  area=kitchen", "whitespace"),
    ("light.on area=kitchen\n", "whitespace"),
    ("light.on\tarea=kitchen", "whitespace"),
])
def test_invalid_lines_are_rejected_with_a_reason(line, reason):
    with pytest.raises(ValueError) as e:
        parse_action(line)
    assert reason in str(e.value)
    assert not is_valid(line)


def test_non_strings_are_rejected():
    for bad in (None, 3, b"light.on"):
        assert not is_valid(bad)
        with pytest.raises(ValueError):
            parse_action(bad)


def test_format_orders_slots_and_converts():
    line = format_action("light.set", {"color": "red", "area": "hallway"})
    assert line == "light.set area=hallway color=red"
    assert format_action("motor.start", {"id": 3, "line": 2}) == "motor.start line=2 id=3"
    assert format_action("timer.start", {"seconds": 30, "hours": 1}) == "timer.start hours=1 seconds=30"
    assert format_action("light.on", {"area": None}) == "light.on"  # None: not stated, left out
    with pytest.raises(ValueError, match="unknown slot"):
        format_action("light.on", {"color": "red"})
    with pytest.raises(ValueError, match="unknown intent"):
        format_action("light.explode", {})
    with pytest.raises(ValueError, match="bad value"):
        format_action("light.on", {"area": "Living Room"})


def test_to_value():
    assert to_value("Living Room") == "living_room"
    assert to_value("kid's room") == "kids_room"
    assert to_value("  3d printer ") == "3d_printer"
    assert to_value(21) == "21"


def test_equality_is_intent_plus_set_of_slots():
    a = Action("light.set", {"area": "hallway", "color": "red"})
    b = Action("light.set", {"color": "red", "area": "hallway"})  # other order, same set
    assert a == b and hash(a) == hash(b) and actions_equal(a, b)
    assert actions_equal("light.set area=hallway color=red", b)
    assert actions_equal("none", "none")
    assert not actions_equal("light.on area=kitchen", "light.on")            # missing slot
    assert not actions_equal("light.on area=kitchen", "light.off area=kitchen")
    assert not actions_equal("light.on area=kitchen", "light.on area=office")
    # a malformed prediction is simply wrong, never an exception
    assert not actions_equal("light.on area=kitchen garbage", "light.on area=kitchen")
    assert not actions_equal("", "none")


VALUE = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=12)


@st.composite
def actions(draw):
    intent = draw(st.sampled_from(sorted(INTENTS)))
    keys = [k for k in INTENTS[intent] if draw(st.booleans())]
    slots = {k: (draw(st.sampled_from(KINDS)) if k == "kind" else draw(VALUE)) for k in keys}
    return intent, slots


@given(actions())
def test_format_parse_round_trip(action):
    intent, slots = action
    line = format_action(intent, slots)
    a = parse_action(line)
    assert a.intent == intent and a.slots == slots
    assert list(a.slots) == [k for k in INTENTS[intent] if k in slots]  # table order


@given(st.text(alphabet="lightonarea=._ kitchenmotr1230\n", max_size=40))
def test_parser_never_crashes_and_accepts_only_canonical_lines(line):
    try:
        a = parse_action(line)
    except ValueError:
        return
    assert str(a) == line  # what parses is exactly the canonical form


def test_grammar_follows_the_document(tmp_path):
    doc = ACTIONS_MD.read_text(encoding="utf-8").replace(
        "| machine.status | line, id |", "| robot.wave | arm |  |\n| machine.status | line, id |")
    (tmp_path / "ACTIONS.md").write_text(doc, encoding="utf-8")
    spec = load_spec(tmp_path / "ACTIONS.md")
    assert spec.intents["robot.wave"] == ("arm",)
    assert len(spec.intents) == len(INTENTS) + 1


def test_broken_document_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_spec(tmp_path / "missing.md")
    (tmp_path / "ACTIONS.md").write_text("# nothing here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot find"):
        load_spec(tmp_path / "ACTIONS.md")
