"""Every promise of the privacy notice has a test, and every test names a real promise.

The notice (resources/privacy/notice.*.md) marks each promise with `{promise:id}`;
tests here carry `@pytest.mark.promise("id")` (on a test function, a test class, or a
module's `pytestmark`). The markers are read from the test files' source with `ast`,
so a test that fails to import still counts against its promise only by failing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from crasme_desktop.services import privacy_notice

PRIVACY_TESTS = Path(__file__).resolve().parent


def _promise_of(decorator: ast.expr) -> str | None:
    """The id of a `pytest.mark.promise("id")` (or `mark.promise("id")`) decorator;
    "" when it is a promise marker without one literal id; None when it is another."""
    if not isinstance(decorator, ast.Call):
        return None
    func = decorator.func
    if not (isinstance(func, ast.Attribute) and func.attr == "promise"):
        return None
    owner = func.value
    if not (isinstance(owner, ast.Attribute) and owner.attr == "mark") and not (
        isinstance(owner, ast.Name) and owner.id == "mark"
    ):
        return None
    if len(decorator.args) == 1 and not decorator.keywords:
        arg = decorator.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
    return ""


def _marks(value: ast.expr) -> list[ast.expr]:
    """The markers of `pytestmark = marker` or `pytestmark = [marker, ...]`."""
    return list(value.elts) if isinstance(value, ast.List | ast.Tuple) else [value]


def markers_in(source: str, filename: str = "<test>") -> Iterator[tuple[str, str]]:
    """(promise id, test name) for every promise marker in one test file's source."""
    tree = ast.parse(source, filename)
    module_ids: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            module_ids += [p for p in map(_promise_of, _marks(node.value)) if p is not None]
    tests: list[str] = []

    def visit(body: list[ast.stmt], prefix: str) -> Iterator[tuple[str, str]]:
        for node in body:
            if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                ids = [p for p in map(_promise_of, node.decorator_list) if p is not None]
                inner = list(visit(node.body, f"{prefix}{node.name}::"))
                yield from inner
                for promise in ids:
                    yield from ((promise, name) for _, name in inner or [("", node.name)])
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (
                node.name.startswith("test")
            ):
                name = prefix + node.name
                tests.append(name)
                for promise in map(_promise_of, node.decorator_list):
                    if promise is not None:
                        yield promise, name

    found = list(visit(tree.body, f"{filename}::"))
    yield from found
    for promise in module_ids:
        yield from ((promise, name) for name in tests)


def promise_tests() -> dict[str, list[str]]:
    """{promise id: [tests proving it]} over every test file in tests/privacy."""
    found: dict[str, list[str]] = {}
    for path in sorted(PRIVACY_TESTS.rglob("test_*.py")):
        source = path.read_text(encoding="utf-8")
        for promise, test in markers_in(source, str(path.relative_to(PRIVACY_TESTS))):
            found.setdefault(promise, []).append(test)
    return found


def test_the_notice_makes_promises():
    ids = privacy_notice.promise_ids()
    assert len(ids) >= 20
    assert all(p == p.lower() and " " not in p for p in ids)


def test_every_promise_of_the_notice_has_a_test():
    tested = promise_tests()
    missing = [p for p in privacy_notice.promise_ids() if p not in tested]
    assert not missing, (
        f"the privacy notice promises {missing} but no test in tests/privacy is marked "
        "@pytest.mark.promise(...) for them"
    )


def test_every_promise_marker_names_a_promise_of_the_notice():
    known = set(privacy_notice.promise_ids())
    tested = promise_tests()
    unknown = {p: tests for p, tests in tested.items() if p not in known}
    assert not unknown, (
        f"tests are marked with promises the privacy notice does not make: {unknown}"
    )


def test_the_marker_reader_finds_every_form():
    """The check can fail: it reads markers on functions, classes and modules, and
    takes a marker without one literal id as naming no promise."""
    source = '''
import pytest
from pytest import mark

pytestmark = [pytest.mark.promise("whole-module"), pytest.mark.slow]

@pytest.mark.promise("on-a-function")
def test_one(): ...

@mark.promise("short-form")
@pytest.mark.parametrize("x", [1])
def test_two(x): ...

@pytest.mark.promise("on-a-class")
class TestGroup:
    @pytest.mark.promise("inside")
    def test_three(self): ...

@pytest.mark.promise(ID)
def test_four(): ...

@pytest.mark.promise("not-a-test")
def helper(): ...
'''
    found = set(markers_in(source, "t.py"))
    assert ("on-a-function", "t.py::test_one") in found
    assert ("short-form", "t.py::test_two") in found
    assert ("inside", "t.py::TestGroup::test_three") in found
    assert ("on-a-class", "t.py::TestGroup::test_three") in found
    assert ("", "t.py::test_four") in found  # an id that is not a literal: named as ""
    assert {t for p, t in found if p == "whole-module"} == {
        "t.py::test_one", "t.py::test_two", "t.py::TestGroup::test_three", "t.py::test_four"}
    assert not any(t.endswith("helper") for _, t in found)


def test_the_notice_text_changes_only_with_a_new_version():
    assert privacy_notice.template_sha256() == privacy_notice.NOTICE_SHA256, (
        "the privacy notice's text changed: give it a new NOTICE_VERSION (people will be "
        "asked to read it again) and set NOTICE_SHA256 to "
        f"{privacy_notice.template_sha256()}"
    )
