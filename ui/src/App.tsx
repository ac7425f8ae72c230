// The shell: language and AntD locale, sign-in or first-run wizard when needed, then the
// layout with the menu and the current page (hash routes, each page its own chunk).
import { lazy, Suspense, useCallback, useEffect, useState, type ComponentType } from "react";
import { App as AntApp, Button, ConfigProvider, Layout, Menu, Result, Segmented, Space, Spin } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import { api, onUnauthorized } from "./api";
import { I18nProvider, useI18n, type Key, type Lang } from "./i18n";
import { errorText } from "./hooks";

const pages: Record<string, { label: Key; page: ComponentType }> = {
  dashboard: { label: "nav.dashboard", page: lazy(() => import("./pages/Dashboard")) },
  domains: { label: "nav.domains", page: lazy(() => import("./pages/Domains")) },
  accounts: { label: "nav.accounts", page: lazy(() => import("./pages/Accounts")) },
  aliases: { label: "nav.aliases", page: lazy(() => import("./pages/Aliases")) },
  queue: { label: "nav.queue", page: lazy(() => import("./pages/Queue")) },
  connections: { label: "nav.connections", page: lazy(() => import("./pages/Connections")) },
  logs: { label: "nav.logs", page: lazy(() => import("./pages/Logs")) },
  security: { label: "nav.security", page: lazy(() => import("./pages/Security")) },
  settings: { label: "nav.settings", page: lazy(() => import("./pages/Settings")) },
};
const SignIn = lazy(() => import("./pages/SignIn"));
const Wizard = lazy(() => import("./pages/Wizard"));

/** The page named by the location hash (`#/queue`), else the dashboard. */
export function routeOf(hash: string): string {
  const name = hash.replace(/^#\/?/, "").split(/[/?]/)[0];
  return name in pages ? name : "dashboard";
}

function useRoute(): [string, (r: string) => void] {
  const [route, setRoute] = useState(() => routeOf(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(routeOf(window.location.hash));
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return [route, (r) => (window.location.hash = `#/${r}`)];
}

type Phase = { kind: "loading" } | { kind: "signin" } | { kind: "wizard"; hostname: string } | { kind: "ready" } | { kind: "offline"; message: string };

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <Segmented<Lang>
      aria-label={t("app.language")}
      data-testid="lang-switch"
      value={lang}
      onChange={setLang}
      options={[
        { label: "English", value: "en" },
        { label: "中文", value: "zh" },
      ]}
    />
  );
}

/** The desktop app's window (src-tauri) marks its pages: it signs in by itself, so it shows
 * no Sign out. */
export function inDesktopWindow(w: unknown = globalThis): boolean {
  return (w as { postroomDesktop?: unknown } | undefined)?.postroomDesktop === true;
}

function Shell() {
  const { t } = useI18n();
  const [phase, setPhase] = useState<Phase>({ kind: "loading" });
  const [route, go] = useRoute();

  const start = useCallback(async () => {
    setPhase({ kind: "loading" });
    try {
      const setup = await api.setupState();
      setPhase(setup.needed ? { kind: "wizard", hostname: setup.hostname } : { kind: "ready" });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "unauthorized") setPhase({ kind: "signin" });
      else if (code === "not_found") setPhase({ kind: "ready" }); // a server without the wizard
      else setPhase({ kind: "offline", message: errorText(t, e) });
    }
  }, [t]);

  useEffect(() => {
    void start();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => onUnauthorized(() => setPhase({ kind: "signin" })), []);

  const header = (
    <Layout.Header style={{ display: "flex", alignItems: "center", gap: 16, background: "#fff", borderBottom: "1px solid #f0f0f0" }}>
      <strong style={{ fontSize: 18 }}>✉ {t("app.title")}</strong>
      <span style={{ flex: 1 }} />
      <Space>
        <LanguageSwitch />
        {phase.kind === "ready" && !inDesktopWindow() && (
          <Button
            onClick={async () => {
              await api.signOut().catch(() => undefined);
              setPhase({ kind: "signin" });
            }}
          >
            {t("app.signOut")}
          </Button>
        )}
      </Space>
    </Layout.Header>
  );
  const spinner = <Spin style={{ display: "block", margin: 64 }} tip={t("app.loading")}><div /></Spin>;

  let body;
  switch (phase.kind) {
    case "loading":
      body = spinner;
      break;
    case "offline":
      body = (
        <Result status="warning" title={t("app.cannotReach")} subTitle={phase.message}
          extra={<Button type="primary" onClick={() => void start()}>{t("app.retry")}</Button>} />
      );
      break;
    case "signin":
      body = <SignIn onSignedIn={() => void start()} />;
      break;
    case "wizard":
      body = <Wizard hostname={phase.hostname} onDone={() => { go("dashboard"); setPhase({ kind: "ready" }); }} />;
      break;
    case "ready": {
      const Page = pages[route].page;
      return (
        <Layout style={{ minHeight: "100vh" }}>
          {header}
          <Layout>
            <Layout.Sider breakpoint="md" collapsedWidth={0} theme="light" width={200}>
              <Menu
                mode="inline"
                selectedKeys={[route]}
                onClick={(e) => go(e.key)}
                items={Object.entries(pages).map(([key, p]) => ({ key, label: t(p.label) }))}
                data-testid="nav"
              />
            </Layout.Sider>
            <Layout.Content style={{ padding: 24 }}>
              <Suspense fallback={spinner}>
                <Page key={route} />
              </Suspense>
            </Layout.Content>
          </Layout>
        </Layout>
      );
    }
  }
  return (
    <Layout style={{ minHeight: "100vh" }}>
      {header}
      <Layout.Content style={{ padding: 24 }}>
        <Suspense fallback={spinner}>{body}</Suspense>
      </Layout.Content>
    </Layout>
  );
}

function Localized() {
  const { lang } = useI18n();
  return (
    <ConfigProvider locale={lang === "zh" ? zhCN : enUS}>
      <AntApp>
        <Shell />
      </AntApp>
    </ConfigProvider>
  );
}

export function Root() {
  return (
    <I18nProvider>
      <Localized />
    </I18nProvider>
  );
}
