//! What the tray app says (menu, tooltip, notifications), in English or Simplified Chinese
//! after the system's language, as the control panel does.

/// The strings of one language.
pub struct Texts {
    pub open: &'static str,
    pub pause: &'static str,
    pub start_at_login: &'static str,
    pub start_minimized: &'static str,
    pub quit: &'static str,
    pub running: &'static str,
    pub paused: &'static str,
    pub not_running: &'static str,
    pub service_stopped: &'static str,
    pub piling_up: &'static str,
    pub window_failed: &'static str,
    zh: bool,
}

const EN: Texts = Texts {
    open: "Open Postroom",
    pause: "Pause receiving",
    start_at_login: "Start when I log in",
    start_minimized: "Start in the tray",
    quit: "Quit",
    running: "Postroom is running",
    paused: "Postroom: receiving is paused",
    not_running: "Postroom: the mail server is not running",
    service_stopped: "A mail service stopped",
    piling_up: "Outgoing mail is piling up",
    window_failed: "Cannot open the Postroom window",
    zh: false,
};

const ZH: Texts = Texts {
    open: "打开 Postroom",
    pause: "暂停收信",
    start_at_login: "登录系统时自动启动",
    start_minimized: "启动时只显示托盘图标",
    quit: "退出",
    running: "Postroom 正在运行",
    paused: "Postroom：已暂停收信",
    not_running: "Postroom：邮件服务器没有运行",
    service_stopped: "有邮件服务停止了",
    piling_up: "待发邮件正在积压",
    window_failed: "无法打开 Postroom 窗口",
    zh: true,
};

impl Texts {
    /// Chinese when the system's language is (`zh`, `zh-CN`, `zh_TW.UTF-8`...), else English.
    pub fn system() -> &'static Texts {
        Texts::for_locale(sys_locale::get_locale().as_deref().unwrap_or("en"))
    }

    pub fn for_locale(locale: &str) -> &'static Texts {
        if locale.to_ascii_lowercase().starts_with("zh") {
            &ZH
        } else {
            &EN
        }
    }

    /// The tooltip while a problem lasts: "Postroom: smtp 0.0.0.0:25: port 25 is in use".
    pub fn problem(&self, what: &str) -> String {
        if self.zh {
            format!("Postroom：{what}")
        } else {
            format!("Postroom: {what}")
        }
    }

    /// The body of the piling-up notification, and the tooltip meanwhile.
    pub fn waiting(&self, n: u64) -> String {
        if self.zh {
            format!("{n} 封邮件暂时无法投递，正在队列中等待重试。")
        } else {
            format!("{n} messages could not be delivered yet and wait in the queue.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_for_any_chinese_locale() {
        for locale in ["zh", "zh-CN", "zh_CN.UTF-8", "zh-Hans-CN", "ZH-tw"] {
            assert_eq!(Texts::for_locale(locale).quit, "退出", "{locale}");
        }
        for locale in ["en-US", "C", "de_DE.UTF-8", ""] {
            assert_eq!(Texts::for_locale(locale).quit, "Quit", "{locale}");
        }
        assert!(Texts::for_locale("zh-CN").waiting(51).starts_with("51 封"));
    }
}
