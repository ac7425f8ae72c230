// Small hooks shared by the pages: loading data, live events, plain-language errors.
import { useCallback, useEffect, useRef, useState } from "react";
import { App } from "antd";
import { api, ApiError, toApiError } from "./api";
import { useI18n, type Key, type T } from "./i18n";
import type { ServerEvent } from "./types";

const REASONS: Record<string, Key> = {
  not_found: "err.not_found",
  already_exists: "err.already_exists",
  invalid: "err.invalid",
  too_large: "err.too_large",
  password_again: "err.password_again",
};

/** Codes whose translated text says everything: the server's English sentence is not added. */
const WHOLE: ReadonlySet<string> = new Set(["password_again"]);

/** The message to show for an error: the server's own sentence (in English; in Chinese it
 * follows a translated reason), else a plain one by code. */
export function errorText(t: T, e: unknown): string {
  const err = toApiError(e);
  if (err.code === "network") return t("err.network");
  if (err.code === "unauthorized") return t("err.unauthorized");
  const reason = t(REASONS[err.code] ?? "err.internal");
  if (WHOLE.has(err.code)) return reason;
  if (err.message && !/^HTTP \d+$/.test(err.message)) return t("err.server", { reason, message: err.message });
  return reason;
}

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

/** Calls `load` now and on `reload()`; keeps the last data while reloading. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setData(await loadRef.current());
      setError(undefined);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return { data, error, loading, reload };
}

/** Live events while the component is shown. */
export function useEvents(onEvent: (e: ServerEvent) => void): void {
  const ref = useRef(onEvent);
  ref.current = onEvent;
  useEffect(() => api.subscribe((e) => ref.current(e)), []);
}

/** Calls `fn` at most once per `ms` (the last call wins). */
export function useThrottled(fn: () => void, ms = 800): () => void {
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      ref.current();
    }, ms);
  }, [ms]);
}

/** Runs an action with a success toast or a plain-language error toast. */
export function useAction() {
  const { message } = App.useApp();
  const { t } = useI18n();
  return useCallback(
    async <R,>(run: () => Promise<R>, done?: string): Promise<R | undefined> => {
      try {
        const result = await run();
        if (done) void message.success(done);
        return result;
      } catch (e) {
        void message.error(errorText(t, e));
        return undefined;
      }
    },
    [message, t],
  );
}
