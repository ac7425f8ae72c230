// The admin API's data shapes (crates/engine/src/api/*.rs), as JSON has them.

export interface Counters {
  received: number;
  rejected: number;
  auth_failures: number;
  delivered: number;
  deferred: number;
  bounced: number;
}

export interface HourCounters extends Counters {
  /** Unix seconds at the start of the hour. */
  hour: number;
}

export interface ListenerStatus {
  service: string;
  address: string;
  up: boolean;
  error?: string;
}

export interface QueueCounts {
  queued: number;
  deferred: number;
  held: number;
  failed: number;
}

export interface Status {
  version: string;
  started_at: number;
  uptime_secs: number;
  listeners: ListenerStatus[];
  counters: Counters;
  history: HourCounters[];
  receiving_paused?: boolean;
  queue?: QueueCounts;
}

export interface SetupState {
  needed: boolean;
  hostname: string;
}

export type CertificateChoice =
  | { kind: "self_signed" }
  | { kind: "import"; cert_pem: string; key_pem: string };

export interface SetupRequest {
  hostname: string;
  domain: string;
  account: { address: string; password: string };
  admin_password?: string;
  certificate: CertificateChoice;
}

export interface Certificate {
  subject: string;
  issuer: string;
  names: string[];
  /** Unix seconds. */
  not_after: number;
  self_signed: boolean;
}

export interface Domain {
  name: string;
}

export type DkimKind = "rsa" | "ed25519" | "none";

export interface NewDomain {
  name: string;
  dkim?: DkimKind;
}

export interface DnsRecord {
  name: string;
  kind: string;
  value: string;
  note: string | null;
}

export interface Account {
  address: string;
  disabled: boolean;
  quota_bytes?: number | null;
  used_bytes?: number;
}

export interface NewAccount {
  address: string;
  password: string;
}

export interface AccountChange {
  password?: string;
  disabled?: boolean;
  quota_bytes?: number | null;
}

export interface Alias {
  address: string;
  targets: string[];
}

/** One allow or block list entry (`/api/filter/lists`). */
export interface SenderListEntry {
  /** The account's address, or a local domain for all its accounts. */
  owner: string;
  /** A sender address or domain. */
  pattern: string;
  action: "allow" | "block";
  for_domain?: boolean;
}

/** What one Bayesian classifier has learned (`/api/filter/classifiers`). */
export interface Classifier {
  kind: "account" | "domain";
  owner: string;
  spam: number;
  ham: number;
  tokens: number;
}

export const QUEUE_STATES = ["queued", "in-flight", "deferred", "held", "delivered", "failed"] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

export interface QueueEntry {
  id: number;
  sender: string;
  recipient: string;
  state: QueueState;
  attempts: number;
  next_attempt: number;
  created_at: number;
  size: number;
  last_reply: string | null;
}

export interface Attempt {
  at: number;
  host: string | null;
  tls: string | null;
  outcome: "delivered" | "deferred" | "failed";
  reply: string;
}

export interface QueueDetail {
  entry: QueueEntry;
  attempts: Attempt[];
}

export interface QueueFilter {
  /** One state or "all"; absent: every unfinished entry. */
  state?: QueueState | "all";
}

export interface LogEntry {
  seq: number;
  /** Unix milliseconds. */
  time: number;
  level: "ERROR" | "WARN" | "INFO" | string;
  target: string;
  message: string;
  fields: Record<string, string>;
}

export interface LogQuery {
  after?: number;
  limit?: number;
}

export type ChangeKind =
  | { kind: "message_added"; account: number; mailbox: number; uid: number }
  | { kind: "messages_expunged"; account: number; mailbox: number; uids: number[] }
  | { kind: "flags_changed"; account: number; mailbox: number; uids: number[] }
  | { kind: "queue_added"; ids: number[] }
  | { kind: "queue_updated"; ids: number[] }
  | { kind: "other" };

/** A typed event (crates/event): what a session or the queue did. Counted by the server. */
export type TrafficKind =
  | { kind: "accepted"; size: number; recipients: number; authenticated: boolean }
  | { kind: "rejected"; reason: string }
  | { kind: "login_failed" | "login_locked"; protocol: "smtp" | "imap" | "pop3" }
  | { kind: "delivered" | "deferred" | "bounced"; queue_id: number }
  | { kind: "collected"; messages: number };

export type ServerEvent =
  | ({ type: "log" } & LogEntry)
  | ({ type: "traffic"; time: number } & TrafficKind)
  | ({ type: "change" } & ChangeKind)
  | { type: "lagged"; missed: number };

/** `postroom.toml` as JSON: sections of keys. */
export type SettingsTree = Record<string, unknown>;

/** `GET /api/settings/schema`: one declared key (crates/config `schema.rs`), so the panel
 * takes labels, help, kinds, ranges and units from the server instead of repeating them. */
export interface SettingSchema {
  /** `limits.max_errors`; `route.password` for the key of each `[[route]]` item. */
  path: string;
  section: string;
  key: string;
  kind: "integer" | "boolean" | "text" | "duration" | "durations" | "list" | "path" | "tables";
  unit?: "bytes" | "seconds";
  min?: number;
  max?: number;
  default?: unknown;
  label: { en: string; zh: string };
  help: { en: string; zh: string };
  secret: boolean;
  /** Applied by saving, without a restart. */
  live: boolean;
}

export interface SettingsResponse {
  settings: SettingsTree;
  restart_needed: boolean;
  applied?: string[];
  pending_restart?: string[];
}

export type SignIn = { token: string } | { password: string };

/** `GET /api/ddns`. */
export interface DdnsStatus {
  enabled: boolean;
  ipv4: string | null;
  ipv6: string | null;
  last_check: number | null;
  last_check_error: string | null;
  records: DdnsRecordStatus[];
}

export interface DdnsRecordStatus {
  provider: string;
  hostname: string;
  addresses: string[];
  last_update: number | null;
  last_attempt: number | null;
  /** "good", "nochg", "retrying" or "stopped". */
  last_result: string | null;
  last_error: string | null;
  /** The kind of `last_error` (`dynip::ErrorKind`, snake_case), e.g. "auth", "no_record". */
  last_error_kind?: string | null;
  next_run: number | null;
  stopped: boolean;
}

/** `GET /api/collect`: one `[[collect]]` job. */
export interface CollectStatus {
  index: number;
  label: string;
  protocol: string;
  mode: string;
  account: string;
  tls: string;
  keep_days: number | null;
  enabled: boolean;
  running: boolean;
  runs: number;
  last_run: number | null;
  last_success: number | null;
  fetched: number;
  deleted: number;
  fetched_total: number;
  last_error: string | null;
  /** The kind of `last_error` (`dynip::ErrorKind`, snake_case), e.g. "connection_refused". */
  last_error_kind?: string | null;
  next_run: number | null;
}

/** `POST /api/doctor`: one connectivity check. */
export interface DoctorCheck {
  /** `port25`, `public_ip`, `ptr`, `hostname`, `mx`, `blocklist`, `smart_host`. */
  id: string;
  status: "ok" | "warning" | "problem" | "skipped";
  details: Record<string, string>;
  /** The summary and fix rendered by language (`en`, `zh`). */
  texts: Record<string, { summary: string; fix: string | null }>;
}

/** `POST /api/doctor/smart-host`: the ISP's relay to send everything through. */
export interface SmartHost {
  host: string;
  port: number;
  tls?: "starttls" | "implicit" | "none";
  username?: string;
  password?: string;
}

/** `GET /api/etrn`: one `[[etrn]]` backup MX and its last run. */
export interface EtrnStatus {
  index: number;
  host: string;
  port: number;
  /** "starttls" or "none". */
  tls: string;
  last_run: number | null;
  /** "start", "interval", "ip_change", "settings" or "manual". */
  trigger: string | null;
  running: boolean;
  next_run: number | null;
  /** Why the last run did not get as far as ETRN. */
  error: string | null;
  /** The kind of `error` (`dynip::ErrorKind`, snake_case), e.g. "not_advertised". */
  error_kind?: string | null;
  domains: EtrnDomainStatus[];
}

export interface EtrnDomainStatus {
  domain: string;
  /** "started", "nothing_queued", "refused", "unsupported" or "failed"; null before a run. */
  result: string | null;
  reply: string | null;
}
