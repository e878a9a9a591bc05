"""Read one email (RFC 5322 / MIME bytes) into what a support ticket keeps.

`parse_mail(raw)` never raises for a bad message: mail from the outside world comes
with every kind of damage, and what can be read is kept, with a sentence in `notes`
for each thing that could not be read as sent.

- Text: the message's inline text/plain parts (joined), else its text/html parts
  turned into plain text. Parts are decoded with their declared character set; an
  unknown one (e.g. "x-unknown") is read as UTF-8 with the letters that do not fit
  shown as "�", and so is a known one whose bytes do not fit it, each with a note.
  Text without a declared character set is read as UTF-8, else as Windows-1252.
- Headers: decoded the same way; a header the `email` package cannot parse is read
  from its raw text instead. Lone surrogates never leave this module.
- Attachments: every other leaf part (and a forwarded message, as an .eml file), with
  a file name cleaned down to a plain name (no folders, no control characters) or
  made up from the content type. One larger than `attachment_limit` bytes is not
  kept: it is listed in `too_large`, and the caller decides what to say.
- Damaged structure (a multipart without its boundary, broken base64, a header
  block without its end): the readable part is kept, and a note says the message
  is damaged.
- Threading: `message_id`, `in_reply_to` and `references` hold "<id>" tokens only;
  free text around them ("Your message of <…>") is dropped.
"""

from __future__ import annotations

import codecs
import email
import email.errors
import email.policy
import mimetypes
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import PurePosixPath, PureWindowsPath

#: The largest attachment kept by default (the vault's attachment limit).
ATTACHMENT_LIMIT = 25 * 1024 * 1024
FILENAME_MAX = 255
SUBJECT_MAX = 300
NAME_MAX = 200
#: Message-IDs kept from In-Reply-To and References (the newest ones of a long thread).
REFERENCES_MAX = 50

_MESSAGE_ID = re.compile(r"<[^<>\s]{1,990}>")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
#: Defects that mean part of the message could not be read as it was meant.
_DAMAGE = (
    email.errors.NoBoundaryInMultipartDefect,
    email.errors.StartBoundaryNotFoundDefect,
    email.errors.CloseBoundaryNotFoundDefect,
    email.errors.MultipartInvariantViolationDefect,
    email.errors.MissingHeaderBodySeparatorDefect,
    email.errors.InvalidBase64CharactersDefect,
    email.errors.InvalidBase64PaddingDefect,
    email.errors.InvalidBase64LengthDefect,
)


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    media_type: str
    data: bytes


@dataclass(frozen=True)
class LeftOutAttachment:
    """An attachment not kept because it is larger than the limit."""

    filename: str
    size: int


@dataclass(frozen=True)
class ParsedMail:
    message_id: str  # "<…>", or "" when the message has none
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    from_name: str
    from_address: str  # as written; "" when there is none
    sent_at: datetime | None  # UTC, naive as the vault stores times; None if unreadable
    body: str
    attachments: tuple[MailAttachment, ...]
    too_large: tuple[LeftOutAttachment, ...]
    #: One sentence for each thing that could not be read as sent.
    notes: tuple[str, ...]

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """In-Reply-To first, then References from the newest: the ids this answers."""
        seen: dict[str, None] = {}
        for mid in (*self.in_reply_to, *reversed(self.references)):
            seen.setdefault(mid, None)
        return tuple(seen)


def parse_mail(raw: bytes, *, attachment_limit: int = ATTACHMENT_LIMIT) -> ParsedMail:
    """What `raw` says, as well as it can be read (see the module's rules)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    notes: list[str] = []
    reader = _Reader(attachment_limit, notes)
    reader.read(message)
    name, address = _sender(message, notes)
    references = message_ids(_header(message, "References", notes))
    body = "\n\n".join(reader.plain) if reader.plain else "\n\n".join(
        html_to_text(h) for h in reader.html
    )
    if reader.damaged:
        notes.insert(0, "Parts of this message were damaged; what could be read is kept.")
    return ParsedMail(
        message_id=next(iter(message_ids(_header(message, "Message-ID", notes))), ""),
        in_reply_to=message_ids(_header(message, "In-Reply-To", notes))[:REFERENCES_MAX],
        references=references[-REFERENCES_MAX:],
        subject=_one_line(_header(message, "Subject", notes))[:SUBJECT_MAX],
        from_name=name,
        from_address=address,
        sent_at=_date(_header(message, "Date", notes)),
        body=_tidy_body(body),
        attachments=tuple(reader.attachments),
        too_large=tuple(reader.too_large),
        notes=tuple(dict.fromkeys(notes)),
    )


def message_ids(value: str) -> tuple[str, ...]:
    """The "<id>" tokens of a Message-ID, In-Reply-To or References value, in order."""
    return tuple(dict.fromkeys(_MESSAGE_ID.findall(value or "")))


# -- the parts ------------------------------------------------------------------------
class _Reader:
    def __init__(self, limit: int, notes: list[str]) -> None:
        self.limit = limit
        self.notes = notes
        self.plain: list[str] = []
        self.html: list[str] = []
        self.attachments: list[MailAttachment] = []
        self.too_large: list[LeftOutAttachment] = []
        self.damaged = False

    def read(self, part: Message) -> None:
        """Read one part (and its children); a part the email package cannot read at all
        (it raises on some malformed headers) is left out with a note, not the mail."""
        try:
            self._read(part)
        except Exception:  # the email package raises many kinds on malformed parts
            self.damaged = True
            self.notes.append("A part of this message could not be read and was left out.")

    def _read(self, part: Message) -> None:
        if any(isinstance(d, _DAMAGE) for d in part.defects):
            self.damaged = True
        payload = part.get_payload()
        maintype = part.get_content_maintype()
        if part.is_multipart() and isinstance(payload, list):
            if maintype == "message":  # message/rfc822: a forwarded mail, kept whole
                self._attach_forwarded(part, payload)
                return
            for child in payload:
                self.read(child)
            return
        if maintype == "multipart":
            # A multipart whose boundary is missing: its body is plain text to us.
            self.damaged = True
            text = payload if isinstance(payload, str) else ""
            if text.strip():
                self.plain.append(_clean(text))
            return
        self._leaf(part)

    def _leaf(self, part: Message) -> None:
        content_type = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        filename = _part_filename(part, self.notes)
        data = _payload_bytes(part)
        if any(isinstance(d, _DAMAGE) for d in part.defects):
            self.damaged = True
        is_text = content_type in ("text/plain", "text/html")
        if is_text and disposition != "attachment" and not filename:
            text = decode_text(data, part.get_content_charset(), self.notes)
            (self.plain if content_type == "text/plain" else self.html).append(text)
            return
        if not data and not filename:
            return  # an empty part with nothing to show
        self._keep(filename, content_type, data)

    def _attach_forwarded(self, part: Message, payload: list[Message]) -> None:
        inner = payload[0] if payload else None
        data = inner.as_bytes(policy=email.policy.default) if inner is not None else b""
        subject = _one_line(_header(inner, "Subject", self.notes)) if inner is not None else ""
        name = _part_filename(part, self.notes) or f"{subject or 'Forwarded message'}.eml"
        self._keep(name, "message/rfc822", data)

    def _keep(self, filename: str, media_type: str, data: bytes) -> None:
        name = clean_filename(filename, media_type)
        if len(data) > self.limit:
            self.too_large.append(LeftOutAttachment(name, len(data)))
            return
        self.attachments.append(MailAttachment(name, media_type[:127], data))


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except (ValueError, LookupError, TypeError):  # a payload the package cannot decode
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def decode_text(data: bytes, charset: str | None, notes: list[str]) -> str:
    """Bytes of a text part as text (see the module's rules), adding a note if needed."""
    name = (charset or "").strip().strip('"').lower()
    if not name or name in ("us-ascii", "ascii"):
        try:
            return _clean(data.decode("utf-8"))
        except UnicodeDecodeError:
            return _clean(data.decode("cp1252", "replace"))
    try:
        codecs.lookup(name)
    except LookupError:
        try:
            return _clean(data.decode("utf-8"))
        except UnicodeDecodeError:
            notes.append(
                f"The message is written in a character set that is not known here "
                f"(“{_one_line(name)[:40]}”); letters that could not be read show as �."
            )
            return _clean(data.decode("utf-8", "replace"))
    try:
        return _clean(data.decode(name))
    except UnicodeDecodeError:
        notes.append(
            f"Some letters of the message do not fit its character set "
            f"(“{name[:40]}”) and show as �."
        )
        return _clean(data.decode(name, "replace"))


# -- headers --------------------------------------------------------------------------
def _header(message: Message | None, name: str, notes: list[str]) -> str:
    """A header's decoded text; from its raw form if the parser cannot read it."""
    if message is None:
        return ""
    try:
        value = message.get(name)
        text = "" if value is None else str(value)
    except Exception:  # the email package raises many kinds on malformed headers
        text = ""
        value = None
    if value is not None and "\ufffd" not in text and not _SURROGATE.search(text):
        return text
    raw = next((v for k, v in message.raw_items() if k.lower() == name.lower()), None)
    return _decode_raw_header(raw, notes) if raw is not None else text


def _decode_raw_header(raw: str, notes: list[str]) -> str:
    raw = _SURROGATE.sub("\ufffd", raw.replace("\r", "").replace("\n", ""))
    try:
        pieces = decode_header(raw)
    except (ValueError, LookupError):
        return raw
    out = []
    for chunk, charset in pieces:
        if isinstance(chunk, str):
            out.append(chunk)
            continue
        out.append(decode_text(chunk, charset, notes))
    return "".join(out)


def _sender(message: Message, notes: list[str]) -> tuple[str, str]:
    """(display name, address) of the first From address; empty parts if unreadable."""
    text = _header(message, "From", notes)
    pairs = getaddresses([text])
    for name, address in pairs:
        address = address.strip()
        if "@" in address:
            return _one_line(name)[:NAME_MAX], address
    return "", ""


def _date(text: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if value.tzinfo is None:  # "-0000": the time is UTC, its zone unknown
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _part_filename(part: Message, notes: list[str]) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # malformed parameters raise in the header registry
        name = ""
    if name and (_SURROGATE.search(name) or "\ufffd" in name):
        name = _SURROGATE.sub("\ufffd", name)
    return name


# -- text helpers ---------------------------------------------------------------------
def clean_filename(filename: str, media_type: str = "application/octet-stream") -> str:
    """A plain file name: the last part of any path, no control or reserved characters,
    no leading dots, at most 255 characters with the extension kept; made up from the
    content type (e.g. "attachment.pdf") when nothing is left."""
    name = PureWindowsPath(PurePosixPath(_SURROGATE.sub("", filename or "")).name).name
    name = _UNSAFE_NAME.sub("_", name).strip().strip(".").strip()
    if not name or set(name) <= {"_"}:
        name = "attachment" + (mimetypes.guess_extension(media_type, strict=False) or "")
    if len(name) > FILENAME_MAX:
        _stem, dot, ext = name.rpartition(".")
        keep = ext if dot and len(ext) <= 16 else ""
        name = name[: FILENAME_MAX - len(keep) - 1].rstrip() + ("." + keep if keep else "")
    return name


def _clean(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text).replace("\x00", "")


def _one_line(text: str) -> str:
    return " ".join(_clean(text or "").split())


def _tidy_body(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


class _HtmlText(HTMLParser):
    _BLOCK = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                        "blockquote", "pre", "table", "ul", "ol", "hr", "section", "article"})
    _SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("• ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The readable text of an HTML mail: paragraphs and line breaks kept, scripts,
    styles and tags dropped, entities decoded."""
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # html.parser's own errors on broken markup
        return _clean(re.sub(r"<[^>]*>", " ", html))
    text = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

