"""Mail through an installed Postroom, from the test host's side (wine_test.sh).

The engine runs under Wine (or natively on Windows); this runs on the host with Python's own
clients: smtplib delivers, imaplib and poplib read back. Every message is made from its number
alone (`message(i)`), so the reader can rebuild what was sent and compare bytes.

  deliver SMTP_PORT FIRST COUNT ACKED_LOG   send messages FIRST..FIRST+COUNT-1; after each
      250 the Message-ID is appended (and flushed) to ACKED_LOG. Stops at the first
      connection failure (the engine was killed) and exits 0 with what was acknowledged.
  verify IMAP_PORT POP3_PORT ACKED_LOG      every acknowledged Message-ID is in its mailbox,
      byte-exact over IMAP and over POP3.
  wait-port PORT                            poll until 127.0.0.1:PORT accepts (90 s limit).
  status ADMIN_PORT TOKEN_FILE              GET /api/status with the bearer token, print JSON.
  tray-icon BEFORE AFTER ICON               the tray icon ICON (a PNG) is drawn in screenshot
      AFTER and was not in BEFORE (ImageMagick turns them into PPM for reading).
  receiving ADMIN_PORT TOKEN_FILE on|off     PUT /api/receiving: pause (off) or resume (on).
  tray-link TRAY_DATA ENGINE_DATA           the tray app of TRAY_DATA (its desktop-control
      port and key) hands out a sign-in link to the engine of ENGINE_DATA (the admin address
      in its engine-control), and the link signs a browser in there.
  tray-state BEFORE SHOT                    which of the tray icon's states (running, stopped,
      warning: the colour of its dot) SHOT shows that BEFORE did not.
  free-ports N / password / accounts         for the shell script.
"""

import imaplib
import json
import poplib
import smtplib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

DOMAIN = "example.test"
ACCOUNTS = [f"user{n}@{DOMAIN}" for n in (1, 2)]
PASSWORD = "wine-test-password"


def message_id(i):
    return f"<wine-{i:05d}@sender.test>"


def recipient(i):
    return ACCOUNTS[i % len(ACCOUNTS)]


def message(i):
    """Message number i as sent on the wire (CRLF lines, before SMTP dot-stuffing)."""
    body_lines = [f"Line {n} of message {i}: Grüße, 你好, café." for n in range(i % 40 + 5)]
    body_lines.insert(2, ".a line that starts with a dot (dot-stuffed by smtplib)")
    body_lines.append("..two dots")
    headers = [
        "From: sender@sender.test",
        f"To: {recipient(i)}",
        f"Subject: wine test {i}",
        f"Message-ID: {message_id(i)}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    return ("\r\n".join(headers) + "\r\n\r\n" + "\r\n".join(body_lines) + "\r\n").encode()


def deliver(port, first, count, acked_log):
    acked = 0
    # "\n" even on Windows: the shell script reads this file with tail and wc.
    with open(acked_log, "a", newline="\n") as log:
        try:
            client = smtplib.SMTP("127.0.0.1", port, timeout=60)
            client.ehlo("client.test")
            for i in range(first, first + count):
                client.sendmail("sender@sender.test", [recipient(i)], message(i))
                # sendmail returned: the server answered 250 to the final dot.
                log.write(f"{i}\n")
                log.flush()
                acked += 1
            client.quit()
        except (OSError, smtplib.SMTPException) as e:
            print(f"deliver: stopped after {acked} acknowledged messages: {e!r}")
    print(f"deliver: {acked} acknowledged")


def assert_exact(i, got, where):
    sent = message(i)
    # The server prepends its trace headers (Return-Path, Received); the rest is what was sent.
    assert got.endswith(sent), f"{where}: message {i} differs from what was sent"
    prefix = got[: len(got) - len(sent)]
    assert prefix == b"" or prefix.endswith(b"\r\n"), f"{where}: message {i}: odd prefix {prefix!r}"


def number_of(raw):
    for line in raw.split(b"\r\n"):
        if line.lower().startswith(b"message-id: <wine-"):
            return int(line.split(b"<wine-", 1)[1].split(b"@", 1)[0])
        if line == b"":
            break
    raise AssertionError(f"no test Message-ID in {raw[:200]!r}")


def verify(imap_port, pop3_port, acked_log):
    with open(acked_log) as f:
        acked = {int(line) for line in f if line.strip()}
    assert acked, "nothing was acknowledged"
    for account in ACCOUNTS:
        want = {i for i in acked if recipient(i) == account}
        imap = imaplib.IMAP4("127.0.0.1", imap_port)
        imap.login(account, PASSWORD)
        typ, data = imap.select("INBOX", readonly=True)
        assert typ == "OK", data
        typ, data = imap.fetch("1:*", "(BODY.PEEK[])")
        assert typ == "OK", data
        # A message stored just before a kill but not acknowledged may be there, and be there
        # twice once the client sent it again: at-least-once is the promise, so count both.
        seen, imap_count = set(), 0
        for item in data:
            if isinstance(item, tuple):
                i = number_of(item[1])
                assert_exact(i, item[1], f"IMAP {account}")
                seen.add(i)
                imap_count += 1
        imap.logout()
        missing = want - seen
        assert not missing, f"IMAP {account}: acknowledged but missing: {sorted(missing)[:20]}"

        pop = poplib.POP3("127.0.0.1", pop3_port, timeout=60)
        pop.user(account)
        pop.pass_(PASSWORD)
        count, _ = pop.stat()
        assert count == imap_count, f"POP3 {account}: STAT {count}, IMAP saw {imap_count}"
        pop_seen = set()
        for n in range(1, count + 1):
            _, lines, _ = pop.retr(n)  # poplib undoes the dot-stuffing
            raw = b"\r\n".join(lines) + b"\r\n"
            i = number_of(raw)
            assert_exact(i, raw, f"POP3 {account}")
            pop_seen.add(i)
        pop.quit()
        assert pop_seen == seen, f"POP3 {account}: {len(pop_seen)} messages, IMAP {len(seen)}"
        print(f"verify: {account}: {imap_count} messages byte-exact over IMAP and POP3, "
              f"all {len(want)} acknowledged present")


def wait_port(port):
    end = time.monotonic() + 90
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return
        except OSError:
            if time.monotonic() > end:
                raise AssertionError(f"127.0.0.1:{port} never accepted")
            time.sleep(0.2)


def status(port, token_file):
    with open(token_file) as f:
        token = f.read().strip()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/status",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        print(json.dumps(json.load(response)))


def receiving(port, token_file, state):
    with open(token_file) as f:
        token = f.read().strip()
    body = json.dumps({"paused": state == "off"}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/receiving", data=body, method="PUT",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        print(json.dumps(json.load(response)))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def tray_link(tray_data, engine_data):
    """Asks the tray app's control port for a sign-in link (control.rs: `KEY link`); again
    for up to 90 s while the engine is still starting (no engine-control yet, or a killed
    engine's old one)."""
    deadline = time.monotonic() + 90
    while True:
        try:
            return tray_link_once(tray_data, engine_data)
        except (AssertionError, OSError, ValueError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def tray_link_once(tray_data, engine_data):
    with open(f"{tray_data}/desktop-control") as f:
        addr, key = f.read().split()
    host, port = addr.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=60) as conn:
        conn.sendall(f"{key} link\n".encode())
        answer = conn.makefile().readline().strip()
    assert answer.startswith("link "), f"the tray app answered {answer!r}"
    url = answer[len("link "):]
    with open(f"{engine_data}/engine-control") as f:
        control = json.load(f)
    assert url.startswith(control["url"] + "/signin?code="), \
        f"the link {url} is not to the engine's admin listener {control['url']}"
    # The code is the engine's: the link signs in (a session cookie, then the panel).
    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(url, timeout=60)
        code, cookie = response.status, response.headers.get("Set-Cookie")
    except urllib.error.HTTPError as e:
        code, cookie = e.code, e.headers.get("Set-Cookie")
    assert code in (200, 302, 303) and cookie, f"the link did not sign in: {code} {cookie}"
    print(f"tray-link: {url.split('?')[0]} (engine pid {control['pid']}) signed in ({code})")


# The dot of each tray icon (icons/tray/*.png): the only colour that differs between them.
DOTS = {"running": (46, 158, 68), "stopped": (138, 138, 138), "warning": (232, 163, 23)}


def tray_state(before, shot):
    counts = {}
    for name, colour in DOTS.items():
        was = len(find_colour(pixels(before), colour, 6))
        counts[name] = len(find_colour(pixels(shot), colour, 6)) - was
    state, n = max(counts.items(), key=lambda kv: kv[1])
    assert n >= 4, f"no tray icon dot on screen: {counts}"
    print(state)


def pixels(path):
    """(width, height, bytes) of an image, as 8-bit RGB, read through ImageMagick."""
    ppm = subprocess.run(["convert", path, "-background", "black", "-alpha", "remove",
                          "-depth", "8", "ppm:-"], check=True, capture_output=True).stdout
    fields, pos = [], 0
    while len(fields) < 4:  # P6 width height maxval, separated by whitespace
        while ppm[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not ppm[end:end + 1].isspace():
            end += 1
        fields.append(ppm[pos:end])
        pos = end
    assert fields[0] == b"P6", fields
    return int(fields[1]), int(fields[2]), ppm[pos + 1:]


def near(rgb, colour, tolerance=24):
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, colour))


def find_colour(image, colour, tolerance=24):
    w, h, data = image
    return [(n % w, n // w) for n in range(w * h)
            if near(data[3 * n:3 * n + 3], colour, tolerance)]


def tray_icon(before, after, icon):
    """The icon's two most frequent opaque colours other than white (the running dot's green
    and the envelope's outline) appear next to each other in AFTER, and not in BEFORE."""
    w, h, data = pixels(icon)
    counts = {}
    for n in range(w * h):
        rgb = tuple(data[3 * n:3 * n + 3])
        if rgb != (0, 0, 0) and not near(rgb, (255, 255, 255), 40):
            counts[rgb] = counts.get(rgb, 0) + 1
    colours = [c for c, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:2]]
    shot_before, shot_after = pixels(before), pixels(after)
    for c in colours:
        assert not find_colour(shot_before, c), f"colour {c} already on screen before the app"
    spots = [find_colour(shot_after, c) for c in colours]
    for c, found in zip(colours, spots):
        assert len(found) >= 4, f"the tray icon's colour {c} is not on screen ({len(found)} pixels)"
    x, y = spots[0][0]
    assert any(abs(x - a) <= 32 and abs(y - b) <= 32 for a, b in spots[1]), \
        "the icon's colours are on screen but not together"
    print(f"tray-icon: {colours} drawn at about ({x}, {y}): "
          f"{len(spots[0])} and {len(spots[1])} pixels")


def main():
    # Plain "\n" on Windows too: the shell script reads what this prints.
    sys.stdout.reconfigure(newline="\n")
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "deliver":
        deliver(int(args[0]), int(args[1]), int(args[2]), args[3])
    elif cmd == "verify":
        verify(int(args[0]), int(args[1]), args[2])
    elif cmd == "wait-port":
        wait_port(int(args[0]))
    elif cmd == "status":
        status(int(args[0]), args[1])
    elif cmd == "tray-icon":
        tray_icon(args[0], args[1], args[2])
    elif cmd == "receiving":
        receiving(int(args[0]), args[1], args[2])
    elif cmd == "tray-link":
        tray_link(args[0], args[1])
    elif cmd == "tray-state":
        tray_state(args[0], args[1])
    elif cmd == "free-ports":
        socks = [socket.socket() for _ in range(int(args[0]))]
        for s in socks:
            s.bind(("127.0.0.1", 0))
        print(" ".join(str(s.getsockname()[1]) for s in socks))
    elif cmd == "password":
        print(PASSWORD)
    elif cmd == "accounts":
        print(" ".join(ACCOUNTS))
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
