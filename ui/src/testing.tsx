// Shared by the component tests: a fake transport and the providers every page needs.
import { render } from "@testing-library/react";
import { App as AntApp } from "antd";
import type { ReactNode } from "react";
import { setTransport, type Op, type Transport } from "./api";
import { I18nProvider, type Lang } from "./i18n";

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

export function wrap(children: ReactNode, lang: Lang = "en") {
  return render(<I18nProvider lang={lang}><AntApp>{children}</AntApp></I18nProvider>);
}
