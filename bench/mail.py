"""What imap.sh and pop3-retr.sh share: the benchmark messages, and the copy of what Postroom
stored into Dovecot's Maildir, so both servers serve the same bytes.

    python3 bench/mail.py maildir POSTROOM_DB HOME USER...   (USER@bench.test -> HOME/USER/Maildir)
"""
import os
import sqlite3
import sys

WORDS = b"the quick brown fox jumps over the lazy dog and keeps on running".split()


def message(i, target, needle_every=0):
    """Message number i, of about `target` bytes: plain text, CRLF, every 40th line starting
    with a dot (to be dot-stuffed); with needle_every = n, every n-th message has the word
    "needle" in its body (for SEARCH)."""
    head = (b"From: Sender <sender@remote.test>\r\nTo: user@bench.test\r\n"
            b"Subject: bench message %d\r\nMessage-ID: <bench-%d@remote.test>\r\n"
            b"Date: Fri, 27 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n\r\n" % (i, i))
    lines, total, j = [head], len(head), 0
    while total < target:
        line = b" ".join(WORDS[(j + k) % len(WORDS)] for k in range(12))
        if j % 40 == 0:
            line = b"." + line
        if needle_every and j == 3 and i % needle_every == 0:
            line += b" needle"
        line += b"\r\n"
        lines.append(line)
        total += len(line)
        j += 1
    return b"".join(lines)


def to_maildir(db, home, users):
    """Every INBOX message of USER@bench.test in postroom.db as a file in HOME/USER/Maildir/cur."""
    c = sqlite3.connect("file:" + db + "?mode=ro", uri=True)
    for user in users:
        base = os.path.join(home, user, "Maildir")
        for d in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(base, d), exist_ok=True)
        rows = c.execute("""SELECT m.uid, b.data FROM messages m JOIN blobs b ON b.id = m.blob_id
                            JOIN mailboxes x ON x.id = m.mailbox_id JOIN accounts a ON a.id = x.account_id
                            WHERE a.address = ? AND x.name = 'INBOX' ORDER BY m.uid""", (user + "@bench.test",))
        for uid, data in rows:
            # S= and W= (size, and size with CRLF line ends: the same here) spare Dovecot a stat.
            name = "17000%05d.M%dP1.bench,S=%d,W=%d:2," % (uid, uid, len(data), len(data))
            with open(os.path.join(base, "cur", name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    if len(sys.argv) < 5 or sys.argv[1] != "maildir":
        raise SystemExit("usage: mail.py maildir POSTROOM_DB HOME USER...")
    to_maildir(sys.argv[2], sys.argv[3], sys.argv[4:])
