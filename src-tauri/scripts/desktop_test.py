"""Drives the real desktop app through X11, D-Bus and tauri-driver (WebDriver).

The app is two programs: `postroom-desktop` (the tray icon; it runs the engine, `postroom
serve`, as its child process) and `postroom-window` (the control panel's webview, a process
of its own that Open starts and closing ends). Run by test.sh, which starts Xvfb, a D-Bus session and tauri-driver, points
POSTROOM_DATA at a data directory whose postroom.toml uses free loopback ports and HOME at a
throwaway directory (the autostart entry goes there). Each step waits for what it expects
(polling, with a generous limit that only turns a hang into a failure).
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
        """A session on a window process that WebKitWebDriver starts itself."""
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


def descendants(pid):
    """Every process below `pid`: (pid, name)."""
    children = {}
    for p in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{p}/stat") as f:
                name, rest = f.read().split(" (", 1)[1].rsplit(") ", 1)
            children.setdefault(int(rest.split()[1]), []).append((int(p), name))
        except (OSError, IndexError):
            pass
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child[0])
    return found


def engines(pid):
    """The tray app's engine processes (`postroom serve`)."""
    return [p for p, name in descendants(pid) if name == "postroom"]


def windows_of(pid):
    """The tray app's processes other than its engine: the window's and WebKit's."""
    return [(p, n) for p, n in descendants(pid) if n != "postroom"]


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
    parser.add_argument("--app", required=True, help="postroom-desktop, the tray app")
    parser.add_argument("--window", required=True, help="postroom-window, the control panel")
    parser.add_argument("--driver", required=True)
    parser.add_argument("--smtp", required=True, help="the SMTP address in postroom.toml")
    parser.add_argument("--admin", required=True, help="the admin API address in postroom.toml")
    parser.add_argument("--out", required=True, help="where the screenshot goes")
    a = parser.parse_args()
    os.makedirs(a.out, exist_ok=True)
    data_dir = os.environ["POSTROOM_DATA"]

    app = subprocess.Popen([a.app])
    pid = app.pid
    screen = Screen()
    wd = WebDriver(a.driver)
    try:
        # The tray app starts the engine as its child, then opens the window as a process
        # of its own.
        status = wait_for("the engine", lambda: try_status(a.admin, data_dir))
        listening = {(l["service"], l["address"]) for l in status["listeners"] if l["up"]}
        assert ("smtp", a.smtp) in listening, f"smtp {a.smtp} not up in {status['listeners']}"
        engine = engines(pid)
        assert len(engine) == 1, f"the engine is not the tray app's one child: {descendants(pid)}"
        engine = engine[0]
        # The database's shared-memory file (WAL) is mapped by the engine only.
        assert not any(n.startswith("postroom.db") for n in open_maps(pid)), \
            "the tray app opened the database itself"
        wait_for("the Postroom window", screen.windows)
        names = [name for _, name in descendants(pid)]
        assert "postroom-window" in names, f"the window is not the tray app's child: {names}"
        assert not any("webkit" in n.lower() for n in open_maps(pid)), \
            "the tray app loaded WebKit"
        print(f"ok: the tray app (engine {status['version']}) opened its window process")

        # Closing the window ends its process and WebKit's: the tray app holds no webview.
        screen.close(screen.windows()[0])
        wait_for("the window to go", lambda: not screen.windows())
        wait_for("the window's processes to end", lambda: not windows_of(pid))
        assert alive(pid), "the app quit when its window closed"
        assert engines(pid) == [engine], "the engine changed when the window closed"
        print("ok: closing the window ends the webview's processes; the app stays in the tray")

        # An engine that dies is started again; the tray shows the new one.
        os.kill(engine, 9)
        wait_for("a new engine", lambda: (e := engines(pid)) and e != [engine] and e)
        wait_for("the new engine's status", lambda: try_status(a.admin, data_dir))
        engine = engines(pid)[0]
        print("ok: the tray app starts its engine again when it dies")

        # A window started by someone else (here WebKitWebDriver) asks the tray app for a
        # sign-in link and shows the dashboard with data from the engine, over HTTP.
        wd.start(a.window)
        text = wait_for("the dashboard with the listeners",
                        lambda: (t := wd.text_of('[data-testid="dashboard"]')) and a.smtp in t
                        and t)
        assert status["version"] in text, f"version {status['version']} not on the dashboard"
        assert wd.run("return window.postroomDesktop === true;"), "the window's mark is missing"
        buttons = wd.run("return [...document.querySelectorAll('button')].map(b => b.innerText);")
        assert "Sign out" not in buttons, f"the desktop window offers Sign out: {buttons}"
        with open(os.path.join(a.out, "dashboard.png"), "wb") as f:
            f.write(base64.b64decode(wd.s("GET", "/screenshot")))
        print("ok: the window shows the dashboard from the engine (version, SMTP listener)")
        wd.s("DELETE", "")
        wd.session = None
        wait_for("the driven window to go", lambda: not screen.windows())

        tray = Tray(pid)
        tray.click("Open Postroom")
        wait_for("the window after the tray's Open", screen.windows)
        print("ok: the tray's Open shows the window again")

        # Open again, and a second launch, while the window shows: still one window.
        tray.click("Open Postroom")
        second = subprocess.run([a.app], capture_output=True, timeout=120)
        assert second.returncode == 0, f"second launch: {second.returncode} {second.stderr}"
        wait_for("the extra window processes to hand over",
                 lambda: [n for _, n in descendants(pid)].count("postroom-window") == 1)
        assert len(screen.windows()) == 1, "two windows"
        # With the window closed, a second launch opens it.
        screen.close(screen.windows()[0])
        wait_for("the window to go", lambda: not screen.windows())
        second = subprocess.run([a.app], capture_output=True, timeout=120)
        assert second.returncode == 0, f"second launch: {second.returncode} {second.stderr}"
        wait_for("the window after a second launch", screen.windows)
        assert app_pids(a.app) == [pid], "a second instance kept running"
        print("ok: a second launch shows the first one's window, one window at a time")

        # Pause receiving from the tray: the engine pauses, the menu item shows it.
        tray.click("Pause receiving")
        wait_for("receiving to pause",
                 lambda: engine_status(a.admin, data_dir)["receiving_paused"])
        wait_for("the menu to show the pause", lambda: tray.checked("Pause receiving"))
        tray.click("Pause receiving")
        wait_for("receiving to resume",
                 lambda: not engine_status(a.admin, data_dir)["receiving_paused"])
        wait_for("the menu to show receiving", lambda: not tray.checked("Pause receiving"))
        print("ok: the tray pauses and resumes receiving")

        # The start-up options: an XDG autostart entry that starts the tray app in the tray,
        # and desktop.json.
        entry = os.path.join(os.environ["HOME"], ".config", "autostart", "Postroom.desktop")
        tray.click("Start when I log in")
        wait_for("the autostart entry", lambda: os.path.exists(entry))
        with open(entry) as f:
            text = f.read()
        assert os.path.realpath(a.app) in text and "--minimized" in text, text
        assert tray.checked("Start when I log in")
        tray.click("Start when I log in")
        wait_for("the autostart entry to go", lambda: not os.path.exists(entry))
        tray.click("Start in the tray")
        wait_for("start minimized saved", lambda: desktop_json(data_dir).get("start_minimized"))
        tray.click("Start in the tray")
        wait_for("start minimized off", lambda: not desktop_json(data_dir).get("start_minimized"))
        print("ok: the tray sets start at login (autostart entry) and start in the tray")

        tray.click("Quit")
        wait_for("the app to quit", lambda: app.poll() is not None)
        assert app.returncode == 0, f"Quit: exit code {app.returncode}"
        wait_for("the window to go with it", lambda: not screen.windows())
        wait_for("the engine to stop with it", lambda: not alive(engine))
        assert not os.path.exists(os.path.join(data_dir, "engine-control")), \
            "the engine did not stop gracefully (engine-control is still there)"
        print("ok: the tray's Quit ends the app, its window and (gracefully) its engine")

        # A mail server that cannot start (a broken postroom.toml): a window says why.
        config = os.path.join(data_dir, "postroom.toml")
        with open(config) as f:
            good = f.read()
        with open(config, "w") as f:
            f.write("hostname = \n")
        app = subprocess.Popen([a.app, "--minimized"])
        try:
            wd.start(a.window)
            text = wait_for("the error page",
                            lambda: (t := wd.text_of("body")) and "could not start" in t and t)
            assert "postroom.toml" in text, text
            print("ok: when the mail server cannot start, the window shows why")
        finally:
            with open(config, "w") as f:
                f.write(good)
    finally:
        if wd.session:
            try:
                wd.s("DELETE", "")
            except (AssertionError, OSError):
                pass
        if app.poll() is None:
            app.kill()
            app.wait()


def try_status(admin, data_dir):
    try:
        return engine_status(admin, data_dir)
    except (OSError, ValueError):
        return None


def open_maps(pid):
    """The file names of the libraries mapped into `pid`."""
    with open(f"/proc/{pid}/maps") as f:
        return {os.path.basename(line.split()[-1]) for line in f if "/" in line}


def desktop_json(data_dir):
    try:
        with open(os.path.join(data_dir, "desktop.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


if __name__ == "__main__":
    main()
