"""Named inputs: specs as people write them, names made up lazily, copies keep the uid."""

from __future__ import annotations

from flopcast.core.inputs import Input


def test_spec_reads_like_the_input():
    assert Input("p", "point", {"value": 989e12}).spec() == "9.9e14"
    ln = {"lo": 0.1, "hi": 0.4, "level": 0.9, "mu": 0.0, "sigma": 1.0}
    assert Input("u", "lognormal", ln).spec() == "0.1 to 0.4"
    assert Input("u", "normal", {**ln, "level": 0.8}).spec() == "0.1 to 0.4, 80% CI, normal"
    assert Input("b", "loguniform", {"lo": 1.0, "hi": 1e4}).spec() == "log-uniform 1 - 1e4"
    assert Input("m", "mixture", {"components": 3}).spec() == "mixture of 3"


def test_a_made_up_name_comes_from_the_bounds():
    inp = Input(None, "lognormal", {"lo": 0.1, "hi": 0.4, "level": 0.9}, named=False)
    assert inp.name == "0.1 to 0.4"
    assert Input(None, "loguniform", {"lo": 1.0, "hi": 10.0}).name == "between 1 and 10"


def test_replace_keeps_the_uid_and_equality_ignores_it():
    a = Input("a", "point", {"value": 1.0})
    b = a.replace(name="b")
    assert b.uid == a.uid and b.name == "b" and a.name == "a"
    assert Input("a", "point", {"value": 1.0}) == a  # another uid, same content
    assert Input("a", "point", {"value": 1.0}).uid != a.uid


def test_to_dict():
    d = Input("p", "point", {"value": 2.0}, "two", "src").to_dict()
    assert d == {
        "name": "p",
        "kind": "point",
        "spec": "2",
        "params": {"value": 2.0},
        "description": "two",
        "source": "src",
    }
