"""Drives the real desktop app through tauri-driver (WebDriver), X11 and D-Bus.

Run by test.sh, which starts Xvfb, a D-Bus session and tauri-driver, and points POSTROOM_DATA
at a data directory whose postroom.toml uses free loopback ports. Each step waits for what it
expects (polling, with a generous limit that only turns a hang into a failure).
"""

import argparse
import base64
import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request

from Xlib import X, display, error, protocol

TITLE = "Postroom"


def wait_for(what, check, limit=90.0):
    """Polls `check` until it returns something truthy; fails after `limit` seconds."""
    end = time.monotonic() + limit
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.25)


class WebDriver:
    def __init__(self, url):
        self.url = url
        self.session = None

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method,
            headers={"Content-Type": "application/json"})
        # tauri-driver forwards each request to WebKitWebDriver over a pooled keep-alive
        # connection; when WebKitWebDriver closes that connection as the request goes out,
        # tauri-driver resets ours with no answer (about one run in two under load). The
        # WebDriver calls here only read the page or run read-only commands: send it again.
        for attempt in range(3):
            try:
                with urllib.request.urlopen(request, timeout=180) as response:
                    return json.load(response)["value"]
            except urllib.error.HTTPError as e:
                raise AssertionError(f"WebDriver {method} {path}: {e.read().decode()}") from e
            except ConnectionResetError:  # http.client.RemoteDisconnected is one
                if attempt == 2:
                    raise
                time.sleep(0.5)

    def ready(self):
        try:
            return self.call("GET", "/status").get("ready", True)
        except (AssertionError, OSError):
            return False

    def start(self, app):
        # tauri-driver answers once it and WebKitWebDriver listen.
        wait_for("tauri-driver", self.ready)
        caps = {"browserName": "wry", "tauri:options": {"application": app}}
        # WebKitWebDriver sometimes drops the first connection on a loaded machine: retry.
        for attempt in range(3):
            try:
                value = self.call("POST", "/session", {"capabilities": {"alwaysMatch": caps}})
                self.session = value["sessionId"]
                return
            except OSError as e:
                print(f"new session, attempt {attempt + 1}: {e}")
                wait_for("tauri-driver", self.ready)
        raise AssertionError("tauri-driver did not start a session")

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def run(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def invoke(self, command, args=None):
        """A Tauri command through the page's IPC, as the UI calls it."""
        script = """
            const done = arguments[arguments.length - 1];
            window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1])
                .then(ok => done({ok}), err => done({err}));"""
        result = self.s("POST", "/execute/async",
                        {"script": script, "args": [command, args or {}]})
        if "err" in result:
            raise AssertionError(f"invoke {command}: {result['err']}")
        return result["ok"]

    def text_of(self, css):
        """The text of the first element matching `css`, or None."""
        return self.run("const e = document.querySelector(arguments[0]);"
                        "return e ? e.innerText : null;", css)


def app_pids(app):
    """The app's processes: those whose executable is `app`."""
    target = os.path.realpath(app)
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.path.realpath(f"/proc/{pid}/exe") == target:
                found.append(int(pid))
        except OSError:
            pass
    return found


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


class Screen:
    def __init__(self):
        self.d = display.Display()
        self.root = self.d.screen().root
        self.net_wm_name = self.d.intern_atom("_NET_WM_NAME")
        self.utf8 = self.d.intern_atom("UTF8_STRING")

    def windows(self):
        """Viewable top-level windows titled Postroom."""
        found = []
        for w in self.root.query_tree().children:
            try:
                if w.get_attributes().map_state != X.IsViewable:
                    continue
                name = w.get_full_property(self.net_wm_name, self.utf8)
                title = name.value.decode() if name else w.get_wm_name()
                if title == TITLE:
                    found.append(w)
            except error.BadWindow:
                pass
        return found

    def close(self, w):
        """What a window manager sends for the close button (ICCCM §4.2.8.1)."""
        protocols = self.d.intern_atom("WM_PROTOCOLS")
        delete = self.d.intern_atom("WM_DELETE_WINDOW")
        event = protocol.event.ClientMessage(
            window=w, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0]))
        w.send_event(event)
        self.d.flush()


def gdbus(*args):
    return subprocess.run(["gdbus", "call", "--session", *args], check=True,
                          capture_output=True, text=True).stdout


class Tray:
    """The app's StatusNotifierItem and its com.canonical.dbusmenu, found by the app's PID."""

    def __init__(self, pid):
        names = gdbus("--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus",
                      "--method", "org.freedesktop.DBus.ListNames")
        self.name = None
        for name in re.findall(r"'(:[0-9.]+)'", names):
            try:
                out = gdbus("--dest", "org.freedesktop.DBus", "--object-path",
                            "/org/freedesktop/DBus", "--method",
                            "org.freedesktop.DBus.GetConnectionUnixProcessID", name)
            except subprocess.CalledProcessError:
                continue  # Gone since ListNames.
            if int(re.search(r"uint32 (\d+)", out).group(1)) == pid and self.item_path(name):
                self.name = name
                break
        assert self.name, "the app publishes no StatusNotifierItem on D-Bus"
        self.item = self.item_path(self.name)
        menu = gdbus("--dest", self.name, "--object-path", self.item, "--method",
                     "org.freedesktop.DBus.Properties.Get", "org.kde.StatusNotifierItem", "Menu")
        self.menu = re.search(r"objectpath '([^']+)'", menu).group(1)

    @staticmethod
    def item_path(name, path="/org/ayatana/NotificationItem"):
        try:
            xml = gdbus("--dest", name, "--object-path", path, "--method",
                        "org.freedesktop.DBus.Introspectable.Introspect")
        except subprocess.CalledProcessError:
            return None
        if "org.kde.StatusNotifierItem" in xml:
            return path
        for child in re.findall(r'<node name=\\?"([^"\\]+)\\?"', xml):
            found = Tray.item_path(name, f"{path}/{child}")
            if found:
                return found
        return None

    def layout(self):
        return gdbus("--dest", self.name, "--object-path", self.menu, "--method",
                     "com.canonical.dbusmenu.GetLayout", "--", "0", "-1", "@as []")

    def entry(self, label):
        """The menu item's (id, properties text)."""
        layout = self.layout()
        match = re.search(r"\((\d+), \{([^}]*'label': <'" + re.escape(label) + "'>)", layout)
        assert match, f"no tray menu item {label!r} in {layout}"
        return match.group(1), match.group(2)

    def click(self, label):
        gdbus("--dest", self.name, "--object-path", self.menu, "--method",
              "com.canonical.dbusmenu.Event", "--", self.entry(label)[0], "clicked", "<0>", "0")

    def checked(self, label):
        return "'toggle-state': <1>" in self.entry(label)[1]


def engine_status(admin, data_dir):
    """GET /api/status on the engine's admin listener (the app's engine, over HTTP)."""
    with open(os.path.join(data_dir, "admin-token")) as f:
        token = f.read().strip()
    request = urllib.request.Request(f"http://{admin}/api/status",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", required=True)
    parser.add_argument("--driver", required=True)
    parser.add_argument("--smtp", required=True, help="the SMTP address in postroom.toml")
    parser.add_argument("--admin", required=True, help="the admin API address in postroom.toml")
    parser.add_argument("--out", required=True, help="where the screenshot goes")
    a = parser.parse_args()
    os.makedirs(a.out, exist_ok=True)

    wd = WebDriver(a.driver)
    wd.start(a.app)
    pids = wait_for("the app's process", lambda: app_pids(a.app))
    assert len(pids) == 1, f"one app process expected, found {pids}"
    pid = pids[0]
    screen = Screen()
    try:
        # The page reaches the engine through invoke: `status` lists the listeners of the
        # data directory's postroom.toml.
        wait_for("the Tauri IPC in the page",
                 lambda: wd.run("return !!window.__TAURI_INTERNALS__;"))
        status = wd.invoke("status")
        listening = {(l["service"], l["address"]) for l in status["listeners"] if l["up"]}
        assert ("smtp", a.smtp) in listening, f"smtp {a.smtp} not up in {status['listeners']}"
        assert status["version"], status
        print(f"ok: invoke('status'): version {status['version']}, "
              f"{len(listening)} listeners up")

        # Every read-only command the control panel calls answers.
        for command in ["setup_state", "certificate", "domains", "accounts", "aliases", "queue",
                        "log", "settings", "ddns_status", "collect_status", "desktop_settings"]:
            wd.invoke(command)
        print("ok: the control panel's read-only commands answer")

        # test.sh marks the setup wizard as done: the page shows the dashboard.
        text = wait_for("the dashboard with the listeners",
                        lambda: (t := wd.text_of('[data-testid="dashboard"]')) and a.smtp in t
                        and t)
        assert status["version"] in text, f"version {status['version']} not on the dashboard"
        print("ok: the dashboard shows the version and the SMTP listener")
        with open(os.path.join(a.out, "dashboard.png"), "wb") as f:
            f.write(base64.b64decode(wd.s("GET", "/screenshot")))

        # Closing the window leaves the app running in the tray, with no window.
        window = wait_for("the Postroom window", screen.windows)[0]
        screen.close(window)
        wait_for("the window to go", lambda: not screen.windows())
        assert alive(pid), "the app quit when its window closed"
        print("ok: closing the window keeps the app in the tray")

        tray = Tray(pid)
        tray.click("Open Postroom")
        wait_for("the window after the tray's Open", screen.windows)
        assert alive(pid)
        print("ok: the tray's Open shows the window again")

        # A second launch shows the first one's window and exits.
        screen.close(screen.windows()[0])
        wait_for("the window to go", lambda: not screen.windows())
        second = subprocess.run([a.app], capture_output=True, timeout=120)
        assert second.returncode == 0, f"second launch: {second.returncode} {second.stderr}"
        wait_for("the window after a second launch", screen.windows)
        assert app_pids(a.app) == [pid], "a second instance kept running"
        print("ok: a second launch shows the first one's window")

        # Pause receiving from the tray: the engine pauses, the menu item shows it.
        data_dir = os.environ["POSTROOM_DATA"]
        tray.click("Pause receiving")
        wait_for("receiving to pause",
                 lambda: engine_status(a.admin, data_dir)["receiving_paused"])
        wait_for("the menu to show the pause", lambda: tray.checked("Pause receiving"))
        tray.click("Pause receiving")
        wait_for("receiving to resume",
                 lambda: not engine_status(a.admin, data_dir)["receiving_paused"])
        wait_for("the menu to show receiving", lambda: not tray.checked("Pause receiving"))
        print("ok: the tray pauses and resumes receiving")

        tray.click("Quit")
        wait_for("the app to quit", lambda: not alive(pid))
        print("ok: the tray's Quit ends the app")
    finally:
        try:
            wd.s("DELETE", "")
        except (AssertionError, OSError):
            pass  # The app has quit: the session went with it.


if __name__ == "__main__":
    main()
