// One function per admin API operation, over HTTP to `/api/...` with the session cookie: in a
// browser (the web admin) and in the desktop app's window alike, which loads the same page from
// the engine's loopback admin listener (src-tauri/src/window.rs).
import type {
  Account,
  AccountChange,
  Alias,
  Classifier,
  SenderListEntry,
  Certificate,
  CollectStatus,
  DdnsStatus,
  EtrnStatus,
  DoctorCheck,
  SmartHost,
  DnsRecord,
  Domain,
  LogEntry,
  LogQuery,
  NewAccount,
  NewDomain,
  QueueDetail,
  QueueEntry,
  QueueFilter,
  ServerEvent,
  SettingSchema,
  SettingsResponse,
  SettingsTree,
  SetupRequest,
  SetupState,
  SignIn,
  Status,
} from "./types";

/** Every failure: the server's `{code, message, field}`, or one made here for a network or
 * transport problem (`code` "network"). */
export class ApiError extends Error {
  readonly code: string;
  readonly field?: string;
  constructor(code: string, message: string, field?: string) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.field = field ?? undefined;
  }
}

const STATUS_CODES: Record<number, string> = {
  400: "invalid",
  401: "unauthorized",
  404: "not_found",
  409: "already_exists",
  413: "too_large",
};

/** An ApiError from whatever a transport rejected with or answered. */
export function toApiError(raw: unknown, httpStatus?: number): ApiError {
  if (raw instanceof ApiError) return raw;
  if (raw && typeof raw === "object" && "code" in raw && "message" in raw) {
    const r = raw as { code: unknown; message: unknown; field?: unknown };
    return new ApiError(
      String(r.code),
      String(r.message),
      typeof r.field === "string" && r.field !== "" ? r.field : undefined,
    );
  }
  const fallback = httpStatus ? (STATUS_CODES[httpStatus] ?? "internal") : "internal";
  if (typeof raw === "string" && raw !== "") return new ApiError(fallback, raw);
  if (raw instanceof Error) return new ApiError("network", raw.message);
  return new ApiError(fallback, httpStatus ? `HTTP ${httpStatus}` : "unknown error");
}

/** One operation: how to ask for it over HTTP. */
export interface Op {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  body?: unknown;
}

export interface Transport {
  call<T>(op: Op): Promise<T>;
  subscribe(onEvent: (e: ServerEvent) => void): () => void;
}

export function httpTransport(
  fetchFn: typeof fetch = (...a) => fetch(...a),
  makeSource: (url: string) => EventSource = (url) => new EventSource(url),
): Transport {
  return {
    async call<T>(op: Op): Promise<T> {
      let response: Response;
      try {
        response = await fetchFn(op.path, {
          method: op.method,
          credentials: "same-origin",
          headers: op.body === undefined ? {} : { "Content-Type": "application/json" },
          body: op.body === undefined ? undefined : JSON.stringify(op.body),
        });
      } catch (e) {
        throw toApiError(e instanceof Error ? e : new Error(String(e)));
      }
      const text = await response.text();
      let json: unknown = undefined;
      if (text !== "") {
        try {
          json = JSON.parse(text);
        } catch {
          json = text;
        }
      }
      if (!response.ok) {
        const err = toApiError(json, response.status);
        if (err.code === "unauthorized") unauthorizedHandlers.forEach((h) => h(err));
        throw err;
      }
      return json as T;
    },
    subscribe(onEvent) {
      const source = makeSource("/api/events");
      const handle = (m: MessageEvent) => {
        try {
          onEvent(JSON.parse(m.data) as ServerEvent);
        } catch {
          /* a keep-alive or a malformed line: nothing to show */
        }
      };
      // The server names each event (`log`, `traffic`, `change`, `lagged`); unnamed ones arrive
      // as `message`.
      for (const name of ["log", "traffic", "change", "lagged", "message"]) {
        source.addEventListener(name, handle as EventListener);
      }
      return () => source.close();
    },
  };
}

const unauthorizedHandlers = new Set<(e: ApiError) => void>();

/** Called whenever the web server answers 401 (the session ended): show the sign-in page. */
export function onUnauthorized(handler: (e: ApiError) => void): () => void {
  unauthorizedHandlers.add(handler);
  return () => unauthorizedHandlers.delete(handler);
}

let transport: Transport | undefined;

/** The transport in use: HTTP unless a test set another. */
export function getTransport(): Transport {
  transport ??= httpTransport();
  return transport;
}

/** For tests. */
export function setTransport(t: Transport | undefined): void {
  stopEvents?.();
  stopEvents = undefined;
  eventHandlers.clear();
  transport = t;
}

// One event stream for the whole app, shared by every view that listens.
const eventHandlers = new Set<(e: ServerEvent) => void>();
let stopEvents: (() => void) | undefined;

function subscribe(onEvent: (e: ServerEvent) => void): () => void {
  eventHandlers.add(onEvent);
  stopEvents ??= getTransport().subscribe((e) => eventHandlers.forEach((h) => h(e)));
  return () => {
    eventHandlers.delete(onEvent);
    if (eventHandlers.size === 0) {
      stopEvents?.();
      stopEvents = undefined;
    }
  };
}

const call = <T>(op: Op) => getTransport().call<T>(op);
const enc = encodeURIComponent;

function query(params: Record<string, string | number | undefined>): string {
  const q = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== "")
    .map(([k, v]) => `${enc(k)}=${enc(String(v))}`)
    .join("&");
  return q ? `?${q}` : "";
}

export const api = {
  status: () => call<Status>({ method: "GET", path: "/api/status" }),
  setupState: () => call<SetupState>({ method: "GET", path: "/api/setup" }),
  setup: (request: SetupRequest) =>
    call<{ done: boolean }>({ method: "POST", path: "/api/setup", body: request }),
  setReceiving: (paused: boolean) =>
    call<{ paused: boolean }>({ method: "PUT", path: "/api/receiving", body: { paused } }),
  certificate: () => call<Certificate>({ method: "GET", path: "/api/certificate" }),
  importCertificate: (certPem: string, keyPem: string) =>
    call<Certificate>({ method: "PUT", path: "/api/certificate", body: { cert_pem: certPem, key_pem: keyPem } }),
  domains: () => call<Domain[]>({ method: "GET", path: "/api/domains" }),
  addDomain: (domain: NewDomain) => call<Domain>({ method: "POST", path: "/api/domains", body: domain }),
  removeDomain: (name: string) => call<void>({ method: "DELETE", path: `/api/domains/${enc(name)}` }),
  domainDns: (name: string) => call<DnsRecord[]>({ method: "GET", path: `/api/domains/${enc(name)}/dns` }),
  accounts: () => call<Account[]>({ method: "GET", path: "/api/accounts" }),
  addAccount: (account: NewAccount) =>
    call<Account>({ method: "POST", path: "/api/accounts", body: account }),
  changeAccount: (address: string, change: AccountChange) =>
    call<void>({ method: "PATCH", path: `/api/accounts/${enc(address)}`, body: change }),
  removeAccount: (address: string) => call<void>({ method: "DELETE", path: `/api/accounts/${enc(address)}` }),
  aliases: () => call<Alias[]>({ method: "GET", path: "/api/aliases" }),
  addAlias: (alias: Alias) => call<void>({ method: "POST", path: "/api/aliases", body: alias }),
  removeAlias: (address: string) =>
    call<void>({
      method: "DELETE",
      path: `/api/aliases/${enc(address)}`,
    }),
  senderLists: () => call<SenderListEntry[]>({ method: "GET", path: "/api/filter/lists" }),
  setSenderList: (entry: SenderListEntry) =>
    call<void>({
      method: "POST",
      path: "/api/filter/lists",
      body: entry,
    }),
  removeSenderList: (owner: string, pattern: string) =>
    call<void>({
      method: "DELETE",
      path: `/api/filter/lists/${enc(owner)}/${enc(pattern)}`,
    }),
  classifiers: () => call<Classifier[]>({ method: "GET", path: "/api/filter/classifiers" }),
  queue: (filter: QueueFilter = {}) =>
    call<QueueEntry[]>({
      method: "GET",
      path: `/api/queue${query({ state: filter.state })}`,
    }),
  queueEntry: (id: number) => call<QueueDetail>({ method: "GET", path: `/api/queue/${id}` }),
  /** Try now (one entry, or every queued and deferred one); resolves to how many are due. */
  queueRetry: (id?: number) =>
    call<{ due: number } | number>({
      method: "POST",
      path: id === undefined ? "/api/queue/retry" : `/api/queue/${id}/retry`,
    }).then((r) => (typeof r === "number" ? r : r.due)),
  queueDelete: (id: number) => call<void>({ method: "DELETE", path: `/api/queue/${id}` }),
  queueHold: (id: number) => call<void>({ method: "POST", path: `/api/queue/${id}/hold` }),
  queueRelease: (id: number) => call<void>({ method: "POST", path: `/api/queue/${id}/release` }),
  log: (q: LogQuery = {}) =>
    call<LogEntry[]>({ method: "GET", path: `/api/log${query({ after: q.after, limit: q.limit })}` }),
  ddns: () => call<DdnsStatus>({ method: "GET", path: "/api/ddns" }),
  collect: () => call<CollectStatus[]>({ method: "GET", path: "/api/collect" }),
  /** Starts one `[[collect]]` job now. */
  collectRun: (index: number) => call<CollectStatus>({ method: "POST", path: `/api/collect/${index}/run` }),
  /** Runs every connectivity check (a few seconds of look-ups). */
  doctor: () => call<DoctorCheck[]>({ method: "POST", path: "/api/doctor" }),
  /** The port-25 fix: a catch-all route through the ISP's smart host. */
  doctorSmartHost: (request: SmartHost) =>
    call<SettingsResponse>({ method: "POST", path: "/api/doctor/smart-host", body: request }),
  settings: () => call<SettingsResponse>({ method: "GET", path: "/api/settings" }),
  /** Every declared key: label, help, kind, range, unit, secret, live. */
  settingsSchema: () => call<SettingSchema[]>({ method: "GET", path: "/api/settings/schema" }),
  updateSettings: (changes: SettingsTree) =>
    call<SettingsResponse>({ method: "PUT", path: "/api/settings", body: changes }),
  signIn: (credentials: SignIn) =>
    call<{ signed_in: boolean }>({ method: "POST", path: "/api/session", body: credentials }),
  signOut: () => call<void>({ method: "DELETE", path: "/api/session" }),
  /** Live events (log entries, store changes); returns the function that stops them. */
  subscribe,
  /** `[[etrn]]`: each backup MX's last run. */
  etrn: () => call<EtrnStatus[]>({ method: "GET", path: "/api/etrn" }),
  /** Adds a `[[etrn]]` entry (applied live: it runs at once). */
  etrnAdd: (entry: SettingsTree) =>
    call<SettingsResponse>({ method: "POST", path: "/api/etrn", body: entry }),
  etrnChange: (index: number, entry: SettingsTree) =>
    call<SettingsResponse>({ method: "PUT", path: `/api/etrn/${index}`, body: entry }),
  etrnRemove: (index: number) => call<SettingsResponse>({ method: "DELETE", path: `/api/etrn/${index}` }),
  /** Asks the backup MX now. */
  etrnRun: (index: number) => call<EtrnStatus>({ method: "POST", path: `/api/etrn/${index}/run` }),
};
