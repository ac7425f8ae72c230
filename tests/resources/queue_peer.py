"""A receiving SMTP server for the outbound-queue tests, built on aiosmtpd (an independent
SMTP implementation). It stores what it accepts and can misbehave on purpose.

Usage: queue_peer.py --listen IP:PORT --out DIR [options]

Every accepted message becomes DIR/msg-N.eml (the content as received) and DIR/msg-N.env
(JSON: from, to, tls, auth). DIR/events.log gets one line per notable event. DIR/ready
appears once the server listens. Stop it with SIGTERM.
"""

import argparse
import asyncio
import json
import os
import signal
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

p = argparse.ArgumentParser()
p.add_argument("--listen", required=True)
p.add_argument("--out", required=True)
p.add_argument("--hostname", default="peer.test")
p.add_argument("--rcpt-reply", help="reply to every RCPT, e.g. '550 5.1.1 No such user'")
p.add_argument("--data-replies", default="",
               help="replies to the first DATAs in order, separated by '|'; then 250")
p.add_argument("--data-always", help="reply to every DATA, e.g. '451 4.3.0 Try later'")
p.add_argument("--drop-first-data", action="store_true",
               help="close the connection instead of answering the first message")
p.add_argument("--slow-first-data", type=float, default=0,
               help="seconds to wait before answering the first message")
p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="offer and require STARTTLS")
p.add_argument("--auth", help="USER:PASS required (AUTH PLAIN/LOGIN, after STARTTLS)")
args = p.parse_args()

host, port = args.listen.rsplit(":", 1)
out = args.out
os.makedirs(out, exist_ok=True)
lock = threading.Lock()
state = {"data": 0, "saved": 0}


def event(text):
    with lock, open(os.path.join(out, "events.log"), "a") as f:
        f.write(text + "\n")


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if args.rcpt_reply:
            event("RCPT refused " + address)
            return args.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        with lock:
            state["data"] += 1
            n = state["data"]
        event("DATA %d" % n)
        if n == 1 and args.slow_first_data:
            await asyncio.sleep(args.slow_first_data)
        if n == 1 and args.drop_first_data:
            event("dropping the connection")
            server.transport.close()
            return "421 4.3.0 gone"
        replies = [r for r in args.data_replies.split("|") if r]
        if n <= len(replies):
            event("DATA reply " + replies[n - 1])
            return replies[n - 1]
        if args.data_always:
            return args.data_always
        with lock:
            state["saved"] += 1
            m = state["saved"]
        base = os.path.join(out, "msg-%d" % m)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        auth = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        with open(base + ".env", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                       "tls": session.ssl is not None, "auth": auth,
                       "options": envelope.mail_options}, f)
        return "250 2.0.0 Saved as msg-%d" % m


def authenticator(server, session, envelope, mechanism, auth_data):
    user, password = args.auth.split(":", 1)
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
          and auth_data.password.decode() == password)
    event("AUTH %s %s" % (mechanism, "ok" if ok else "failed"))
    # handled=False: aiosmtpd answers 535 itself on failure.
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


kwargs = {"enable_SMTPUTF8": True}
if args.tls:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(args.tls[0], args.tls[1])
    kwargs.update(tls_context=ctx, require_starttls=True)
if args.auth:
    kwargs.update(authenticator=authenticator, auth_required=True,
                  auth_require_tls=bool(args.tls))

controller = Controller(Handler(), hostname=host, port=int(port),
                        server_hostname=args.hostname, **kwargs)
controller.start()
open(os.path.join(out, "ready"), "w").close()
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
signal.signal(signal.SIGINT, lambda *_: stop.set())
while not stop.is_set():
    time.sleep(0.1)
controller.stop()
sys.exit(0)
