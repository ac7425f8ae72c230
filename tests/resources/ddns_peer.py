"""Fake IP-echo service and dynamic DNS providers for the ddns tests, written independently
of Postroom's Rust code: it checks every request the way the real services document it.

Usage: ddns_peer.py --out DIR

Listens on 127.0.0.1 (port in DIR/port) and [::1] (port in DIR/port6) and serves:
  GET /ip                           the text of DIR/ip4 (or DIR/ip6 on the IPv6 listener)
  GET /private                      a private address, which a client must not believe
  GET /nic/update                   dyndns2: basic auth, hostname, myip; good/nochg/badauth/nohost
  /client/v4/zones/{zone}/dns_records[/{id}]   Cloudflare API v4 with a bearer token
  POST /                            Tencent Cloud API 3.0 (DNSPod), TC3-HMAC-SHA256 checked
  GET /?Action=...                  Alibaba Cloud DNS RPC API, HMAC-SHA1 signature checked

Credentials and records are fixed below. DIR/fail-PROVIDER (cloudflare, dnspod, alidns;
dyndns2-HOSTNAME) holds answers to give, after the credentials were found right, one per
line and used up one per request: "500" (an HTTP 500) or, for dyndns2, a body such as
"911" or "abuse". DIR/requests.log gets one line
per request ("PROVIDER ACTION RESULT"), DIR/updates.log one line per record change
("PROVIDER NAME TYPE VALUE"). Stop it with SIGTERM.
"""

import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import signal
import socket
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

p = argparse.ArgumentParser()
p.add_argument("--out", required=True)
args = p.parse_args()
out = args.out
lock = threading.Lock()

DYN_USER, DYN_PASSWORD = "office", "dyn-SECRET-pw-1"
DYN_HOSTS = {"mail.example.test", "v6.example.test", "retry.example.test", "abuse.example.test"}
CF_ZONE, CF_TOKEN = "023e105f4ecef8ad9ca31a8372d0c353", "cf-SECRET-token-2"
TC_ID, TC_KEY = "AKIDpostroomtest", "tc-SECRET-key-3"
ALI_ID, ALI_SECRET = "LTAIpostroomtest", "ali-SECRET-key-4"

# (provider, name, type) -> value; names are full for Cloudflare, relative for the others.
records = {
    ("cloudflare", "cf.example.test", "A"): "1.1.1.1",
    ("dnspod", "pod", "A"): "1.1.1.1",
    ("alidns", "ali", "A"): "1.1.1.1",
}


def log(name, line):
    with lock, open(os.path.join(out, name), "a") as f:
        f.write(line + "\n")


def next_failure(provider):
    """The first line of DIR/fail-PROVIDER, removed; None when there is none."""
    path = os.path.join(out, "fail-" + provider)
    with lock:
        try:
            with open(path) as f:
                lines = [l.strip() for l in f if l.strip()]
        except FileNotFoundError:
            return None
        if not lines:
            return None
        with open(path, "w") as f:
            f.write("".join(l + "\n" for l in lines[1:]))
        return lines[0]


def update(provider, name, rtype, value):
    with lock:
        old = records.get((provider, name, rtype))
        records[(provider, name, rtype)] = value
    if old != value:
        log("updates.log", f"{provider} {name} {rtype} {value}")
    return old != value


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body, ctype="text/plain"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def json(self, status, obj):
        self.reply(status, json.dumps(obj), "application/json")

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PATCH(self):
        self.route("PATCH")

    def route(self, method):
        url = urllib.parse.urlsplit(self.path)
        try:
            if url.path == "/ip":
                family = "ip6" if self.server.address_family == socket.AF_INET6 else "ip4"
                with open(os.path.join(out, family)) as f:
                    answer = f.read().strip()
                log("requests.log", f"echo {family} {answer}")
                self.reply(200, answer + "\n")
            elif url.path == "/nic/update":
                self.dyndns2(url)
            elif url.path == "/private":
                log("requests.log", "echo private")
                self.reply(200, "192.168.1.10\n")
            elif url.path.startswith("/client/v4/zones/"):
                self.cloudflare(method, url)
            elif url.path == "/" and method == "POST":
                self.dnspod(method)
            elif url.path == "/" and "Action=" in url.query:
                self.alidns(url)
            else:
                self.reply(404, "not found")
        except Exception as e:  # a bug here must show in the test, not hang it
            log("requests.log", f"peer-error {e!r}")
            self.reply(500, "peer error")

    # --- dyndns2: https://help.dyn.com/remote-access-api/ ---------------------------------
    def dyndns2(self, url):
        q = urllib.parse.parse_qs(url.query)
        auth = self.headers.get("Authorization", "")
        want = "Basic " + base64.b64encode(f"{DYN_USER}:{DYN_PASSWORD}".encode()).decode()
        if auth != want:
            log("requests.log", "dyndns2 update badauth")
            return self.reply(200, "badauth")
        if not self.headers.get("User-Agent"):
            log("requests.log", "dyndns2 update badagent")
            return self.reply(200, "badagent")
        host = q.get("hostname", [""])[0]
        fail = next_failure("dyndns2-" + host)
        if fail == "500":
            log("requests.log", "dyndns2 update http-500")
            return self.reply(500, "server error")
        if fail:
            log("requests.log", f"dyndns2 update {fail}")
            return self.reply(200, fail)
        if host not in DYN_HOSTS:
            log("requests.log", "dyndns2 update nohost")
            return self.reply(200, "nohost")
        ips = q.get("myip", [""])[0]
        changed = False
        for ip in ips.split(","):
            rtype = "AAAA" if ":" in ip else "A"
            changed |= update("dyndns2", host, rtype, ip)
        result = "good" if changed else "nochg"
        log("requests.log", f"dyndns2 update {result} {ips}")
        self.reply(200, f"{result} {ips}")

    # --- Cloudflare API v4 ----------------------------------------------------------------
    def cloudflare(self, method, url):
        if self.headers.get("Authorization") != "Bearer " + CF_TOKEN:
            log("requests.log", f"cloudflare {method} badauth")
            return self.json(403, {"success": False, "errors": [{"code": 9109, "message": "Invalid access token"}], "result": None})
        if next_failure("cloudflare") == "500":
            log("requests.log", f"cloudflare {method} http-500")
            return self.json(500, {"success": False, "errors": [{"code": 10000, "message": "internal"}]})
        parts = url.path.split("/")  # ['', 'client', 'v4', 'zones', ZONE, 'dns_records', ID?]
        if parts[4] != CF_ZONE or parts[5] != "dns_records":
            log("requests.log", f"cloudflare {method} nozone")
            return self.json(404, {"success": False, "errors": [{"code": 7003, "message": "Could not route"}]})
        if method == "GET" and len(parts) == 6:
            q = urllib.parse.parse_qs(url.query)
            name, rtype = q.get("name", [""])[0], q.get("type", [""])[0]
            found = [
                {"id": f"{n}-{t}", "name": n, "type": t, "content": v}
                for (prov, n, t), v in records.items()
                if prov == "cloudflare" and n == name and t == rtype
            ]
            log("requests.log", f"cloudflare list {len(found)}")
            return self.json(200, {"success": True, "errors": [], "result": found})
        if method == "PATCH" and len(parts) == 7:
            name, rtype = parts[6].rsplit("-", 1)
            data = json.loads(self.body())
            if ("cloudflare", name, rtype) not in records or self.headers.get("Content-Type") != "application/json":
                log("requests.log", "cloudflare patch bad-request")
                return self.json(400, {"success": False, "errors": [{"code": 1004, "message": "bad"}]})
            update("cloudflare", name, rtype, data["content"])
            log("requests.log", f"cloudflare patch good {data['content']}")
            return self.json(200, {"success": True, "errors": [], "result": {"id": parts[6], "content": data["content"]}})
        self.json(405, {"success": False, "errors": [{"code": 10000, "message": "method"}]})

    # --- Tencent Cloud API 3.0, signature v3 (TC3-HMAC-SHA256) ----------------------------
    def dnspod(self, method):
        payload = self.body()
        action = self.headers.get("X-TC-Action", "")
        error = self.tc3_problem(method, payload)
        if error:
            log("requests.log", f"dnspod {action} {error}")
            return self.json(200, {"Response": {"Error": {"Code": error, "Message": "refused"}, "RequestId": "r"}})
        if next_failure("dnspod") == "500":
            log("requests.log", f"dnspod {action} http-500")
            return self.reply(500, "upstream error")
        data = json.loads(payload)
        if self.headers.get("X-TC-Version") != "2021-03-23" or data.get("Domain") != "example.test":
            log("requests.log", f"dnspod {action} bad-parameter")
            return self.json(200, {"Response": {"Error": {"Code": "InvalidParameter", "Message": "bad"}, "RequestId": "r"}})
        if action == "DescribeRecordList":
            sub, rtype = data.get("Subdomain"), data.get("RecordType")
            value = records.get(("dnspod", sub, rtype))
            if value is None:
                log("requests.log", "dnspod DescribeRecordList empty")
                return self.json(200, {"Response": {"Error": {"Code": "ResourceNotFound.NoDataOfRecord", "Message": "no records"}, "RequestId": "r"}})
            log("requests.log", "dnspod DescribeRecordList ok")
            rec = {"RecordId": 4242, "Name": sub, "Type": rtype, "Value": value, "Line": "默认"}
            return self.json(200, {"Response": {"RecordCountInfo": {"TotalCount": 1}, "RecordList": [rec], "RequestId": "r"}})
        if action == "ModifyRecord":
            ok = (data.get("RecordId") == 4242 and data.get("RecordLine") == "默认"
                  and ("dnspod", data.get("SubDomain"), data.get("RecordType")) in records)
            if not ok:
                log("requests.log", "dnspod ModifyRecord bad-parameter")
                return self.json(200, {"Response": {"Error": {"Code": "InvalidParameter", "Message": "bad"}, "RequestId": "r"}})
            update("dnspod", data["SubDomain"], data["RecordType"], data["Value"])
            log("requests.log", f"dnspod ModifyRecord good {data['Value']}")
            return self.json(200, {"Response": {"RecordId": 4242, "RequestId": "r"}})
        log("requests.log", f"dnspod {action} unknown-action")
        self.json(200, {"Response": {"Error": {"Code": "InvalidAction", "Message": "?"}, "RequestId": "r"}})

    def tc3_problem(self, method, payload):
        """None when the Authorization header is a valid TC3 signature of this request."""
        auth = self.headers.get("Authorization", "")
        try:
            algorithm, rest = auth.split(" ", 1)
            fields = dict(part.strip().split("=", 1) for part in rest.split(","))
            secret_id, date, service, term = fields["Credential"].split("/")
        except ValueError:
            return "AuthFailure.InvalidAuthorization"
        if algorithm != "TC3-HMAC-SHA256" or term != "tc3_request" or service != "dnspod":
            return "AuthFailure.InvalidAuthorization"
        if secret_id != TC_ID:
            return "AuthFailure.SecretIdNotFound"
        timestamp = self.headers.get("X-TC-Timestamp", "0")
        utc = datetime.datetime.fromtimestamp(int(timestamp), datetime.timezone.utc)
        if utc.strftime("%Y-%m-%d") != date:
            return "AuthFailure.SignatureFailure"
        signed = fields["SignedHeaders"].split(";")
        if not {"content-type", "host"} <= set(signed):
            return "AuthFailure.InvalidAuthorization"
        canonical_headers = "".join(f"{h}:{self.headers.get(h, '').strip()}\n" for h in signed)
        canonical = "\n".join([method, "/", "", canonical_headers, ";".join(signed),
                               hashlib.sha256(payload).hexdigest()])
        to_sign = "\n".join(["TC3-HMAC-SHA256", timestamp, f"{date}/{service}/tc3_request",
                             hashlib.sha256(canonical.encode()).hexdigest()])

        def mac(key, msg):
            return hmac.new(key, msg.encode(), hashlib.sha256).digest()

        key = mac(mac(mac(("TC3" + TC_KEY).encode(), date), service), "tc3_request")
        want = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, fields.get("Signature", "")):
            return "AuthFailure.SignatureFailure"
        return None

    # --- Alibaba Cloud DNS, RPC signature v1.0 (HMAC-SHA1) --------------------------------
    def alidns(self, url):
        pairs = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
        q = dict(pairs)
        action = q.get("Action", "")
        signature = q.pop("Signature", "")
        enc = lambda s: urllib.parse.quote(s, safe="-_.~")
        canonical = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(q.items()))
        to_sign = "GET&%2F&" + enc(canonical)
        want = base64.b64encode(hmac.new((ALI_SECRET + "&").encode(), to_sign.encode(), hashlib.sha1).digest()).decode()
        if q.get("AccessKeyId") != ALI_ID:
            log("requests.log", f"alidns {action} InvalidAccessKeyId.NotFound")
            return self.json(404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found.", "RequestId": "r"})
        common = {"Format": "JSON", "Version": "2015-01-09", "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0"}
        if any(q.get(k) != v for k, v in common.items()) or not q.get("SignatureNonce") or not q.get("Timestamp", "").endswith("Z"):
            log("requests.log", f"alidns {action} MissingParameter")
            return self.json(400, {"Code": "MissingParameter", "Message": "common parameters", "RequestId": "r"})
        if not hmac.compare_digest(want, signature):
            log("requests.log", f"alidns {action} SignatureDoesNotMatch")
            return self.json(400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched with our calculation.", "RequestId": "r"})
        if next_failure("alidns") == "500":
            log("requests.log", f"alidns {action} http-503")
            return self.json(503, {"Code": "ServiceUnavailable", "Message": "try later", "RequestId": "r"})
        if action == "DescribeDomainRecords":
            if q.get("DomainName") != "example.test":
                log("requests.log", "alidns DescribeDomainRecords InvalidDomainName.NoExist")
                return self.json(400, {"Code": "InvalidDomainName.NoExist", "Message": "no domain", "RequestId": "r"})
            key = q.get("RRKeyWord", "")
            found = [{"RR": n, "Type": t, "Value": v, "RecordId": f"ali-{n}-{t}", "Line": "default"}
                     for (prov, n, t), v in records.items()
                     if prov == "alidns" and key in n and t == q.get("Type")]
            log("requests.log", f"alidns DescribeDomainRecords {len(found)}")
            return self.json(200, {"TotalCount": len(found), "DomainRecords": {"Record": found}, "RequestId": "r"})
        if action == "UpdateDomainRecord":
            name, rtype = q.get("RR"), q.get("Type")
            if q.get("RecordId") != f"ali-{name}-{rtype}" or ("alidns", name, rtype) not in records:
                log("requests.log", "alidns UpdateDomainRecord DomainRecordNotBelongToUser")
                return self.json(400, {"Code": "DomainRecordNotBelongToUser", "Message": "?", "RequestId": "r"})
            if records[("alidns", name, rtype)] == q.get("Value"):
                log("requests.log", "alidns UpdateDomainRecord DomainRecordDuplicate")
                return self.json(400, {"Code": "DomainRecordDuplicate", "Message": "exists", "RequestId": "r"})
            update("alidns", name, rtype, q["Value"])
            log("requests.log", f"alidns UpdateDomainRecord good {q['Value']}")
            return self.json(200, {"RecordId": q["RecordId"], "RequestId": "r"})
        log("requests.log", f"alidns {action} InvalidAction")
        self.json(400, {"Code": "InvalidAction.NotFound", "Message": "?", "RequestId": "r"})


class Server6(ThreadingHTTPServer):
    address_family = socket.AF_INET6


os.makedirs(out, exist_ok=True)
servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler), Server6(("::1", 0), Handler)]
for server in servers:
    threading.Thread(target=server.serve_forever, daemon=True).start()
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
with open(os.path.join(out, "port6"), "w") as f:
    f.write(str(servers[1].server_address[1]))
with open(os.path.join(out, "port.tmp"), "w") as f:
    f.write(str(servers[0].server_address[1]))
os.rename(os.path.join(out, "port.tmp"), os.path.join(out, "port"))
signal.pause()
