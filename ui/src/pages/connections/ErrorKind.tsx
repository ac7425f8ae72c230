// The last error of a collection job, a dynamic DNS record or an ETRN entry. The server
// sends its words in English (`last_error`) and their kind (`last_error_kind`, `error_kind`);
// for a kind the panel knows it shows a plain sentence and what to do in the reader's
// language, with the server's words below, smaller, for support. A kind it does not know (a
// newer server) or none: the server's words as they are.
import { Typography } from "antd";
import { useI18n, type Key } from "../../i18n";

/** The kinds of `dynip::ErrorKind` the panel has words for. */
export const ERROR_KINDS = [
  "connection_refused", "host_not_found", "network_unreachable", "connection_lost", "network", "timeout", "tls",
  "auth", "server_refused", "protocol", "gone", "account", "too_large", "over_quota", "store",
  "no_record", "blocked", "provider_refused", "provider_error", "rate_limited", "not_advertised",
] as const;

/** The translation keys of a kind's sentence and fix; `undefined` for an unknown kind. */
export function errorKindKeys(kind: string | null | undefined): { what: Key; fix: Key } | undefined {
  if (!kind || !(ERROR_KINDS as readonly string[]).includes(kind)) return undefined;
  return { what: `conn.err.${kind}` as Key, fix: `conn.fix.${kind}` as Key };
}

/** A last error: the translated sentence and fix with the raw text as a detail line. */
export function ConnError({ kind, raw }: { kind?: string | null; raw: string }) {
  const { t } = useI18n();
  const keys = errorKindKeys(kind);
  if (!keys) {
    return <div data-testid="conn-error"><Typography.Text type="danger">{raw}</Typography.Text></div>;
  }
  return (
    <div data-testid="conn-error" data-kind={kind}>
      <div><Typography.Text type="danger">{t(keys.what)}</Typography.Text></div>
      <div><Typography.Text type="secondary">{t(keys.fix)}</Typography.Text></div>
      <div data-testid="conn-error-raw" style={{ fontSize: 12 }}>
        <Typography.Text type="secondary" code>{raw}</Typography.Text>
      </div>
    </div>
  );
}
