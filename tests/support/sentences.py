"""Checks that what a person reads is one clear sentence."""

from __future__ import annotations

import re

_NEW_SENTENCE = re.compile(r"[.!?] +[A-Z]")


def assert_one_sentence(message: str) -> None:
    text = message.strip()
    assert text, "the message is empty"
    assert "\n" not in text, f"more than one line: {text!r}"
    assert text[-1] in ".!?", f"does not end like a sentence: {text!r}"
    assert not _NEW_SENTENCE.search(text), f"more than one sentence: {text!r}"
    assert "Traceback" not in text and "Error:" not in text, f"reads like a bug: {text!r}"
