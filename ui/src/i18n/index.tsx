// The language of the UI: English or Simplified Chinese, from localStorage or the browser.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { en, type Key } from "./en";
import { zh } from "./zh";

export type Lang = "en" | "zh";
export type { Key };

export const dictionaries: Record<Lang, Record<Key, string>> = { en, zh };
const STORAGE = "postroom.lang";

/** The saved choice, else the browser's language. */
export function initialLang(
  stored: string | null = safeStorage()?.getItem(STORAGE) ?? null,
  browser: string = typeof navigator === "undefined" ? "en" : navigator.language,
): Lang {
  if (stored === "en" || stored === "zh") return stored;
  return browser.toLowerCase().startsWith("zh") ? "zh" : "en";
}

function safeStorage(): Storage | undefined {
  try {
    return typeof localStorage === "undefined" ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

/** `{name}` placeholders filled from `vars`. */
export function translate(lang: Lang, key: Key, vars?: Record<string, string | number>): string {
  const text = dictionaries[lang][key] ?? dictionaries.en[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

export type T = (key: Key, vars?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  setLang: (l: Lang) => void;
  t: T;
}

const Context = createContext<I18n>({
  lang: "en",
  setLang: () => {},
  t: (key, vars) => translate("en", key, vars),
});

export function I18nProvider({ children, lang: fixed }: { children: ReactNode; lang?: Lang }) {
  const [lang, setLangState] = useState<Lang>(fixed ?? initialLang());
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    safeStorage()?.setItem(STORAGE, l);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  }, [lang]);
  const value = useMemo<I18n>(
    () => ({ lang, setLang, t: (key, vars) => translate(lang, key, vars) }),
    [lang, setLang],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  return useContext(Context);
}
