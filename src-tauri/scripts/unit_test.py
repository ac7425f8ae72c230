"""Starts a systemd unit's ExecStart command line exactly as written, as systemd would.

Usage: unit_test.py UNIT WORKDIR (as root; called by deb_test.sh after `dpkg -i`). It runs the
command as the unit's User= with the AmbientCapabilities= it grants (setpriv), on the unit's
StateDirectory= (/var/lib/NAME, made and chowned as systemd makes it, removed afterwards if
this made it). Only the data directory's postroom.toml is the test's: SMTP on a free port
below 1024 (what CAP_NET_BIND_SERVICE is for) and the admin API on a free high port, loopback
only. Checks `ready`, the SMTP greeting on the low port and the engine's uid, then stops it.
"""
import configparser
import os
import pwd
import shlex
import socket
import subprocess
import sys

unit, work = sys.argv[1], sys.argv[2]
parser = configparser.ConfigParser(strict=False, interpolation=None)
parser.optionxform = str
parser.read(unit)
service = parser["Service"]
user = service["User"]
caps = service.get("AmbientCapabilities", "").split()
assert "CAP_NET_BIND_SERVICE" in caps, f"AmbientCapabilities={caps}"
state = service["StateDirectory"]
argv = shlex.split(service["ExecStart"].lstrip("-@+!:"))
data = f"/var/lib/{state}"
assert "--data-dir" in argv and argv[argv.index("--data-dir") + 1] == data, argv

def free_port(ports):
    for port in ports:
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    raise AssertionError("no free port")

low = free_port(range(1023, 900, -1))
admin = free_port(range(18800, 19800))
account = pwd.getpwnam(user)
made = not os.path.exists(data)
os.makedirs(data, mode=0o750, exist_ok=True)
os.chown(data, account.pw_uid, account.pw_gid)
toml = os.path.join(data, "postroom.toml")
kept = open(toml, "rb").read() if os.path.exists(toml) else None
with open(toml, "w") as f:
    f.write(f'hostname = "mx.example.test"\n[listen]\nsmtp = ["127.0.0.1:{low}"]\n'
            'submission = []\nsubmissions = []\npop3 = []\npop3s = []\nimap = []\nimaps = []\n'
            f'admin = ["127.0.0.1:{admin}"]\n')
os.chown(toml, account.pw_uid, account.pw_gid)
cap_names = ",".join("+" + c.removeprefix("CAP_").lower() for c in caps)
command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups",
           f"--inh-caps={cap_names}", f"--ambient-caps={cap_names}", "--"] + argv
engine = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=open(f"{work}/unit.log", "wb"))
try:
    lines = []
    for raw in engine.stdout:
        lines.append(raw.decode().strip())
        if lines[-1] == "ready":
            break
    assert lines and lines[-1] == "ready", f"{lines} {open(f'{work}/unit.log').read()}"
    assert f"listening smtp 127.0.0.1:{low}" in lines, lines
    with socket.create_connection(("127.0.0.1", low), timeout=30) as s:
        greeting = s.recv(512)
    assert greeting.startswith(b"220 "), greeting
    status = open(f"/proc/{engine.pid}/status").read()
    uid = int(next(l for l in status.splitlines() if l.startswith("Uid:")).split()[1])
    assert uid == account.pw_uid, f"the engine runs as uid {uid}"
    print(f"ok: the unit's ExecStart ({' '.join(argv)}) runs as {user} with {' '.join(caps)}: "
          f"SMTP on 127.0.0.1:{low} answers 220")
finally:
    engine.terminate()
    engine.wait(timeout=60)
    if made:
        subprocess.run(["rm", "-rf", data], check=True)
    elif kept is not None:
        open(toml, "wb").write(kept)
