"""Prints the PIDs of every process connected to the D-Bus session bus in
DBUS_SESSION_BUS_ADDRESS except the bus itself: the test's bus, so that what it activated
(the accessibility bus WebKit asks for) is ended with it."""
import os
import re
import subprocess


def gdbus(*args):
    return subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus",
                           "--object-path", "/org/freedesktop/DBus", "--method", *args],
                          capture_output=True, text=True).stdout


bus = int(os.environ.get("DBUS_SESSION_BUS_PID", "0"))
pids = set()
for name in re.findall(r"'(:[0-9.]+)'", gdbus("org.freedesktop.DBus.ListNames")):
    found = re.search(r"uint32 (\d+)", gdbus("org.freedesktop.DBus.GetConnectionUnixProcessID",
                                             name))
    if found and int(found.group(1)) not in (bus, os.getpid()):
        pids.add(int(found.group(1)))
print(" ".join(map(str, sorted(pids))))
