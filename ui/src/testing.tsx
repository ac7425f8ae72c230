// Shared by the component tests: a fake transport and the providers every page needs.
import { render } from "@testing-library/react";
import { App as AntApp } from "antd";
import type { ReactNode } from "react";
import { setTransport, type Op, type Transport } from "./api";
import { I18nProvider, type Lang } from "./i18n";
import type { SettingSchema } from "./types";

/** A fake transport answering by "METHOD path" (or path); records every call. */
export function fake(answers: Record<string, (op: Op) => unknown>): { calls: Op[] } {
  const calls: Op[] = [];
  const t: Transport = {
    async call<T>(op: Op): Promise<T> {
      calls.push(op);
      const key = `${op.method} ${op.path}`;
      const answer = answers[key] ?? answers[op.path];
      if (!answer) throw { code: "not_found", message: `no ${key}` };
      return answer(op) as T;
    },
    subscribe: () => () => {},
  };
  setTransport(t);
  return { calls };
}

/** `GET /api/settings/schema` for the keys the settings tests show (the server declares
 * them in crates/config `schema.rs`). */
export const SETTINGS_SCHEMA: SettingSchema[] = [
  { path: "hostname", section: "", key: "hostname", kind: "text", label: { en: "Server name", zh: "服务器名称" }, help: { en: "The server's name.", zh: "服务器名称。" }, secret: false, live: true },
  { path: "limits.max_message_size", section: "limits", key: "max_message_size", kind: "integer", unit: "bytes", min: 1024, max: 2147483648, default: 52428800, label: { en: "Largest message", zh: "最大邮件" }, help: { en: "Largest message accepted.", zh: "接受的最大邮件。" }, secret: false, live: true },
  { path: "limits.max_line_length", section: "limits", key: "max_line_length", kind: "integer", unit: "bytes", min: 512, default: 4096, label: { en: "Longest line", zh: "最长命令行" }, help: { en: "Longest command line.", zh: "命令行的最大字节数。" }, secret: false, live: true },
  { path: "limits.max_errors", section: "limits", key: "max_errors", kind: "integer", min: 1, default: 20, label: { en: "Errors before disconnect", zh: "断开前允许的错误数" }, help: { en: "Errors before the connection is closed.", zh: "连接被关闭前允许的错误数。" }, secret: false, live: true },
];

export function wrap(children: ReactNode, lang: Lang = "en") {
  return render(<I18nProvider lang={lang}><AntApp>{children}</AntApp></I18nProvider>);
}
