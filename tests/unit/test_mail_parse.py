"""Reading incoming support mail: text, attachments, threading headers and damage."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from crasme_desktop.formats.mail_message import (
    clean_filename,
    html_to_text,
    message_ids,
    parse_mail,
)
from hypothesis import given
from hypothesis import strategies as st
from tests.support.sentences import assert_one_sentence

PDF = b"%PDF-1.7\n% stand-in\n%%EOF\n"


def mail(**headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Ada Lovelace <ada@example.org>")
    message["To"] = "support@example.com"
    message["Subject"] = headers.pop("Subject", "Printer on fire")
    message["Message-ID"] = headers.pop("Message_ID", "<first@example.org>")
    message["Date"] = "Mon, 05 Jan 2026 10:30:00 +0100"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return message


def test_a_plain_mail_with_an_attachment_is_read_whole():
    message = mail()
    message.set_content("Hello,\n\nthe printer is on fire.\n\nAda\n")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="photo.pdf")
    parsed = parse_mail(message.as_bytes())
    assert parsed.subject == "Printer on fire"
    assert (parsed.from_name, parsed.from_address) == ("Ada Lovelace", "ada@example.org")
    assert parsed.message_id == "<first@example.org>"
    assert parsed.sent_at == datetime(2026, 1, 5, 9, 30)
    assert parsed.body == "Hello,\n\nthe printer is on fire.\n\nAda"
    assert [(a.filename, a.media_type, a.data) for a in parsed.attachments] == [
        ("photo.pdf", "application/pdf", PDF)]
    assert parsed.notes == () and parsed.too_large == ()


def test_plain_text_wins_over_html_and_html_alone_becomes_text():
    both = mail()
    both.set_content("the plain words")
    both.add_alternative("<p>the <b>html</b> words</p>", subtype="html")
    assert parse_mail(both.as_bytes()).body == "the plain words"

    html_only = mail()
    html_only.set_content(
        "<html><head><style>p {color: red}</style><script>alert(1)</script></head><body>"
        "<p>First&nbsp;line &amp; more</p><p>Second<br>third</p><ul><li>one</li></ul>"
        "</body></html>", subtype="html")
    body = parse_mail(html_only.as_bytes()).body
    assert body.splitlines() == ["First line & more", "", "Second", "third", "", "• one"]
    assert "alert" not in body and "color" not in body


def test_threading_headers_keep_only_message_ids():
    raw = (b"From: a@example.org\r\nIn-Reply-To: Your message of <old@example.com>\r\n"
           b"References: <a@x.example> junk <b@x.example>\r\n <old@example.com>\r\n"
           b"\r\nthanks\r\n")
    parsed = parse_mail(raw)
    assert parsed.in_reply_to == ("<old@example.com>",)
    assert parsed.references == ("<a@x.example>", "<b@x.example>", "<old@example.com>")
    assert parsed.thread_ids == ("<old@example.com>", "<b@x.example>", "<a@x.example>")
    assert message_ids("no ids here") == ()


def test_an_unknown_charset_is_read_with_replacement_and_a_note():
    raw = (b"From: =?x-unknown?q?J=E9r=F4me?= <jerome@example.org>\r\n"
           b"Subject: =?x-unknown?q?caf=E9?=\r\n"
           b"Content-Type: text/plain; charset=x-unknown\r\n"
           b"Content-Transfer-Encoding: 8bit\r\n\r\n"
           b"caf\xe9 cr\xe8me\r\n")
    parsed = parse_mail(raw)
    assert parsed.body == "caf\ufffd cr\ufffdme"
    assert parsed.subject == "caf\ufffd"
    assert parsed.from_address == "jerome@example.org"
    assert parsed.from_name == "J\ufffdr\ufffdme"
    assert len(parsed.notes) == 1 and "x-unknown" in parsed.notes[0]
    assert_one_sentence(parsed.notes[0])


def test_an_unknown_charset_that_is_really_utf8_reads_cleanly():
    raw = ("From: a@example.org\r\nContent-Type: text/plain; charset=x-mac-whatever\r\n"
           "Content-Transfer-Encoding: 8bit\r\n\r\nGrüße\r\n").encode()
    parsed = parse_mail(raw)
    assert parsed.body == "Grüße" and parsed.notes == ()


def test_bytes_that_do_not_fit_their_charset_get_a_note():
    raw = (b"From: a@example.org\r\nContent-Type: text/plain; charset=utf-8\r\n"
           b"Content-Transfer-Encoding: 8bit\r\n\r\nna\xefve \xff\r\n")
    parsed = parse_mail(raw)
    assert parsed.body == "na\ufffdve \ufffd"
    assert len(parsed.notes) == 1 and "utf-8" in parsed.notes[0]


def test_text_without_a_charset_falls_back_to_windows_1252():
    raw = b"From: a@example.org\r\n\r\nna\xefve \x80 5\r\n"
    assert parse_mail(raw).body == "naïve € 5"


def test_a_multipart_without_its_boundary_keeps_its_text_and_says_it_is_damaged():
    raw = (b"From: Bob <bob@example.org>\r\nSubject: broken\r\n"
           b"Content-Type: multipart/mixed\r\n\r\nthe words are still here\r\n")
    parsed = parse_mail(raw)
    assert parsed.body == "the words are still here"
    assert parsed.notes and "damaged" in parsed.notes[0]
    assert_one_sentence(parsed.notes[0])


def test_broken_base64_and_a_missing_close_boundary_keep_what_can_be_read():
    raw = (b"From: a@example.org\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
           b"--XX\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           b"aGVsbG8gd29y!!bGQ\r\n"
           b"--XX\r\nContent-Type: application/pdf\r\n"
           b"Content-Disposition: attachment; filename=\"../../etc/passwd\"\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n")
    parsed = parse_mail(raw)
    assert parsed.body == "hello world"
    assert [(a.filename, a.data) for a in parsed.attachments] == [("passwd", b"%PDF-")]
    assert any("damaged" in n for n in parsed.notes)


def test_a_header_block_that_is_garbage_still_yields_a_message():
    raw = b"\x00\xff\xfe garbage without a colon\r\n\r\n\xc3\x28 body"
    parsed = parse_mail(raw)
    assert parsed.from_address == "" and parsed.message_id == ""
    assert "body" in parsed.body or parsed.notes


def test_a_huge_attachment_is_listed_and_not_kept():
    message = mail()
    message.set_content("see attached")
    message.add_attachment(b"x" * 2000, maintype="application", subtype="zip",
                           filename="big.zip")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="small.pdf")
    parsed = parse_mail(message.as_bytes(), attachment_limit=1000)
    assert [a.filename for a in parsed.attachments] == ["small.pdf"]
    assert [(t.filename, t.size) for t in parsed.too_large] == [("big.zip", 2000)]


def test_a_forwarded_message_is_kept_as_an_eml_attachment():
    inner = mail(Subject="Original problem", Message_ID="<inner@example.org>")
    inner.set_content("inner words")
    outer = mail(Subject="Fwd: Original problem")
    outer.set_content("see below")
    outer.add_attachment(inner)
    parsed = parse_mail(outer.as_bytes())
    assert parsed.body == "see below"
    assert [(a.filename, a.media_type) for a in parsed.attachments] == [
        ("Original problem.eml", "message/rfc822")]
    assert b"inner words" in parsed.attachments[0].data


def test_file_names_lose_folders_control_and_reserved_characters():
    assert clean_filename("C:\\Users\\ada\\report.pdf") == "report.pdf"
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("a\x00b<c>d?.txt") == "a_b_c_d_.txt"
    assert clean_filename("...", "application/pdf") == "attachment.pdf"
    assert clean_filename("", "image/png") == "attachment.png"
    long = clean_filename("x" * 400 + ".pdf")
    assert len(long) == 255 and long.endswith(".pdf")


def test_html_with_broken_markup_still_gives_text():
    assert "hello" in html_to_text("<p>hello <b>wor<ld</p")


def test_a_part_whose_header_the_email_package_cannot_read_is_left_out_with_a_note():
    # A NUL in the charset of a part's RFC 2231 file name makes the standard library
    # raise ValueError ("embedded null character") while reading the header (found by
    # the fuzz test below).
    message = mail()
    message.set_content("Grüße aus Köln\n")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="ä.pdf")
    raw = message.as_bytes().replace(b"filename*=utf-8''", b"filename*=\x00tf-8''")
    parsed = parse_mail(raw)
    assert "Grüße aus Köln" in parsed.body
    assert "A part of this message could not be read and was left out." in parsed.notes
    assert parsed.attachments == ()


@given(st.binary(max_size=2000))
def test_any_bytes_parse_without_raising(raw):
    parsed = parse_mail(raw)
    assert isinstance(parsed.body, str)
    for text in (parsed.body, parsed.subject, parsed.from_name, *parsed.notes):
        text.encode("utf-8")  # no lone surrogates reach the vault


@given(st.data())
def test_damaged_real_mail_parses_without_raising(data):
    message = mail(References="<a@x.example> <b@x.example>")
    message.set_content("Grüße aus Köln\n")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="ä.pdf")
    raw = bytearray(message.as_bytes())
    for _ in range(data.draw(st.integers(1, 12))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    parsed = parse_mail(bytes(raw))
    for text in (parsed.body, parsed.subject, parsed.from_name, *parsed.notes,
                 *(a.filename for a in parsed.attachments)):
        text.encode("utf-8")
